"""The arrows point inward: core imports neither Qt nor a web framework; gui and web never import each other."""

import subprocess
import sys

import pytest

CORE_MODULES = ["batches", "claims", "codes", "db", "members", "migrations", "models", "qr", "settings", "templates", "vouchers"]


def imported_after(statement: str) -> set[str]:
    probe = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_core_needs_neither_qt_nor_a_web_framework():
    loaded = imported_after("; ".join(f"import app.core.{name}" for name in CORE_MODULES))
    assert {"app.core.claims", "app.core.vouchers"} <= loaded
    assert not {m for m in loaded if m.split(".")[0] in ("PySide6", "flask", "werkzeug", "waitress", "jinja2")}
    assert not {m for m in loaded if m.startswith(("app.web", "app.gui"))}


@pytest.mark.parametrize("side, other", [("app.web", "app.gui"), ("app.gui", "app.web")])
def test_the_window_and_the_site_do_not_import_each_other(side, other):
    loaded = imported_after(f"import {side}")
    assert side in loaded
    assert not {m for m in loaded if m == other or m.startswith(other + ".")}

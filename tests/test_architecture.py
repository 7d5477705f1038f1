"""The arrows point inward: core imports neither Qt nor a web framework; gui and web never import each other."""

import subprocess
import sys

import pytest

CORE_MODULES = ["batches", "claims", "codes", "db", "members", "migrations", "models", "qr", "settings", "signage", "templates", "vouchers"]


def imported_after(statement: str) -> set[str]:
    probe = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_core_needs_neither_qt_nor_a_web_framework():
    loaded = imported_after("; ".join(f"import app.core.{name}" for name in CORE_MODULES))
    assert {"app.core.claims", "app.core.vouchers"} <= loaded
    assert not {m for m in loaded if m.split(".")[0] in ("PySide6", "flask", "werkzeug", "waitress", "jinja2")}
    assert not {m for m in loaded if m.startswith(("app.web", "app.gui"))}


def test_the_signage_renderer_needs_no_widgets():
    """The command line draws posters with a QGuiApplication on the offscreen platform."""
    loaded = imported_after("import app.gui.signage_render")
    assert "PySide6.QtGui" in loaded
    assert not {m for m in loaded if m in ("PySide6.QtWidgets", "PySide6.QtPrintSupport")}


@pytest.mark.parametrize("side, other", [("app.web", "app.gui"), ("app.gui", "app.web")])
def test_the_window_and_the_site_do_not_import_each_other(side, other):
    loaded = imported_after(f"import {side}")
    assert side in loaded
    assert not {m for m in loaded if m == other or m.startswith(other + ".")}


def _module_graph() -> dict[str, set[str]]:
    """Which app modules each app module imports, anywhere in it (imports inside functions too)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    modules = {}
    for path in (root / "app").rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = (path, parts[-1] == "__init__")
    graph = {}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                stem = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
                targets = [stem] + [f"{stem}.{alias.name}" for alias in node.names]
            else:
                continue
            # a module's own packages are imported before it anyway: an edge to them is no cycle
            found |= {t for t in targets if t in modules and t != name and not name.startswith(t + ".")}
        graph[name] = found
    return graph


def test_no_module_of_the_app_imports_itself_round_a_cycle():
    graph = _module_graph()
    cycles = []

    def visit(module, path):
        for target in sorted(graph[module]):
            if target in path:
                cycle = path[path.index(target):] + [target]
                if min(cycle[:-1]) == cycle[0]:  # each cycle once
                    cycles.append(" -> ".join(cycle))
            elif len(path) < 12:
                visit(target, path + [target])

    for module in sorted(graph):
        visit(module, [module])
    assert not cycles

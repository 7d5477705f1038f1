"""The layers, as ARCHITECTURE.md draws them, and no import cycles.

app.launch                the entry point: composes the window, the claim site and the command line
app.cli  app.gui  app.web   the front ends: each imports app.core (and app.render), never each other
app.render                drawing with QtGui alone (signage for print and PDF), no widgets
app.core                  the domain: no Qt, no web framework, no front end
app.core.store            storage, at the bottom: imports no domain module of app.core
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

FRONT_ENDS = ("app.cli", "app.gui", "app.web")
QT_AND_WEB = ("PySide6", "flask", "werkzeug", "waitress", "jinja2")


def _modules() -> dict[str, tuple[Path, bool]]:
    modules = {}
    for path in (ROOT / "app").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = (path, parts[-1] == "__init__")
    return modules


MODULES = _modules()


def imported_after(statement: str) -> set[str]:
    probe = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(done.stdout.split())


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_core_needs_neither_qt_nor_a_web_framework_nor_a_front_end():
    core = sorted(name for name in MODULES if _inside(name, "app.core"))
    loaded = imported_after("; ".join(f"import {name}" for name in core))
    assert {"app.core.claims", "app.core.store.transactions", "app.core.wording"} <= loaded
    assert not {m for m in loaded if m.split(".")[0] in QT_AND_WEB}
    assert not {m for m in loaded if any(_inside(m, other) for other in (*FRONT_ENDS, "app.render", "app.launch"))}


def test_the_signage_renderer_needs_no_widgets():
    """The command line draws posters with a QGuiApplication on the offscreen platform."""
    loaded = imported_after("import app.render.painting")
    assert "PySide6.QtGui" in loaded
    assert not {m for m in loaded if m in ("PySide6.QtWidgets", "PySide6.QtPrintSupport")}
    assert not {m for m in loaded if any(_inside(m, other) for other in FRONT_ENDS)}


@pytest.mark.parametrize("side", FRONT_ENDS)
def test_a_front_end_never_imports_another(side):
    """Not even inside a function: the arrows are read from every import statement of the package."""
    others = [other for other in FRONT_ENDS if other != side]
    found = {(name, target) for name, targets in _module_graph().items() if _inside(name, side) for target in targets}
    assert not {(name, target) for name, target in found if any(_inside(target, other) for other in others)}


def test_storage_imports_no_domain_module():
    """app.core.store is the bottom of the core: the errors and the way times are written, nothing else of it."""
    allowed = {"app.core", "app.core.errors", "app.core.times"}
    graph = _module_graph()
    upward = {
        (name, target)
        for name, targets in graph.items()
        if _inside(name, "app.core.store")
        for target in targets
        if _inside(target, "app.core") and not _inside(target, "app.core.store") and target not in allowed
    }
    assert not upward


def _module_graph() -> dict[str, set[str]]:
    """Which app modules each app module imports, anywhere in it (imports inside functions too)."""
    graph = {}
    for name, (path, is_package) in MODULES.items():
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
            found |= {t for t in targets if t in MODULES and t != name and not name.startswith(t + ".")}
        graph[name] = found
    return graph


def test_no_module_of_the_app_imports_itself_round_a_cycle():
    graph = _module_graph()
    cycles = []

    def visit(module, path):
        for target in sorted(graph[module]):
            if target in path:
                cycle = path[path.index(target) :] + [target]
                if min(cycle[:-1]) == cycle[0]:  # each cycle once
                    cycles.append(" -> ".join(cycle))
            elif len(path) < 12:
                visit(target, path + [target])

    for module in sorted(graph):
        visit(module, [module])
    assert not cycles

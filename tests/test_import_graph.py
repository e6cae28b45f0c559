"""The package's import graph (STYLE.md "Import rules", issue 9 item 3): no cycles, nothing
imports upward into the package ``__init__``, cli -> session -> runner, the sandbox is fenced
off, and the runner knows no provider.

The graph is read from the source with ``ast``: every import statement, at module level and
inside functions (the lazy ones count: they run), except those under ``if TYPE_CHECKING:``
(they never run). An edge is named ``importer -> imported`` with the line it is on.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import oneinbox_check

PACKAGE = "oneinbox_check"
ROOT = Path(oneinbox_check.__file__).parent



def _module_names() -> dict[str, Path]:
    names = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join([PACKAGE, *parts])] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run (``if TYPE_CHECKING:`` bodies left out)."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


@cache
def graph() -> dict[str, dict[str, int]]:
    """module -> {imported module: line} within the package."""
    modules = _module_names()
    edges: dict[str, dict[str, int]] = {m: {} for m in modules}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        here = module.split(".") if is_package else module.split(".")[:-1]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = here[:len(here) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:  # `from X import name`: the submodule X.name when there is one
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in modules else base)
            for target in targets:
                if target in modules and target != module:
                    edges[module].setdefault(target, node.lineno)
    return edges


def short(module: str) -> str:
    return module.removeprefix(PACKAGE + ".") if module != PACKAGE else f"{PACKAGE} (__init__)"


def edge(importer: str, imported: str) -> str:
    return f"{short(importer)} -> {short(imported)} (line {graph()[importer][imported]})"


def _cycle() -> list[str] | None:
    """One import cycle as its modules in order, or ``None``."""
    edges = graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_the_graph_reads_function_level_imports() -> None:
    """Sanity: cli's lazy imports are edges (otherwise every rule below would pass vacuously)."""
    assert f"{PACKAGE}.session" in graph()[f"{PACKAGE}.cli"]


def test_the_package_has_no_import_cycle() -> None:
    cycle = _cycle()
    assert cycle is None, "import cycle: " + "; ".join(edge(a, b) for a, b in zip(cycle, cycle[1:]))


def test_nothing_imports_the_package_init() -> None:
    upward = [edge(m, PACKAGE) for m, targets in graph().items() if PACKAGE in targets and m != PACKAGE]
    assert not upward, "upward import of the package __init__ (use _version.py or the module itself): " + \
        "; ".join(upward)


def test_cli_runs_through_session_and_session_through_runner() -> None:
    edges = graph()
    assert f"{PACKAGE}.session" in edges[f"{PACKAGE}.cli"], "cli does not call session"
    assert f"{PACKAGE}.runner" in edges[f"{PACKAGE}.session"], "session does not call runner"
    direct = [edge(f"{PACKAGE}.cli", f"{PACKAGE}.runner")] if f"{PACKAGE}.runner" in edges[f"{PACKAGE}.cli"] else []
    assert not direct, "cli runs checks only through session: " + "; ".join(direct)


def test_only_cli_imports_the_sandbox() -> None:
    sandbox = f"{PACKAGE}.sandbox"
    outside = [edge(m, t) for m, targets in graph().items() for t in targets
               if (t == sandbox or t.startswith(sandbox + "."))
               and not (m == sandbox or m.startswith(sandbox + ".")) and m != f"{PACKAGE}.cli"]
    assert not outside, "the sandbox is imported only by cli and tests: " + "; ".join(outside)


def test_the_runner_imports_no_probe_but_the_registry() -> None:
    probes = f"{PACKAGE}.probes"
    allowed = {f"{probes}.registry"}
    wrong = [edge(f"{PACKAGE}.runner", t) for t in graph()[f"{PACKAGE}.runner"]
             if (t == probes or t.startswith(probes + ".")) and t not in allowed]
    assert not wrong, "the runner knows no provider or probe contract: " + "; ".join(wrong)


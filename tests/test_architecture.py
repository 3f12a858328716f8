"""The layout shows the architecture: judgekit's modules import one another without a cycle,
the problem package knows nothing of judging, serving or the command line, and modules stay
small. Imports are read with `ast`, at the top of a module and inside its functions alike."""

from __future__ import annotations

import ast
import statistics
from collections.abc import Iterator
from pathlib import Path

from repo_support import REPO_ROOT

PACKAGE_DIR = REPO_ROOT / "tools" / "judgekit"
MAX_MODULE_LINES = 400
MAX_MEDIAN_MODULE_LINES = 120
MAX_TOP_LEVEL_FILES = 6
PACKAGE_MUST_NOT_IMPORT = (
    "judgekit.judge",
    "judgekit.sandbox",
    "judgekit.web",
    "judgekit.commands",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _imported_names(module: str) -> Iterator[str]:
    """Every name MODULE imports, made absolute: `from a import b` gives a.b when that is a
    module, else a (b is a name inside a)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if _is_package(module) else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in MODULES else base


def _imports(module: str) -> set[str]:
    """The judgekit modules MODULE imports (a name inside a module counts as the module)."""
    found = set()
    for name in _imported_names(module):
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name.startswith("judgekit") and name != module:
            found.add(name)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _cycles() -> set[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(GRAPH[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return found


def _describe(cycles: set[frozenset[str]]) -> str:
    return "; ".join(" <-> ".join(sorted(c)) for c in sorted(cycles, key=sorted))


def _lines(module: str) -> int:
    return len(MODULES[module].read_text(encoding="utf-8").splitlines())


def test_the_import_graph_is_read_from_every_module_at_every_depth() -> None:
    assert len(MODULES) > 40
    assert "judgekit.judge.judging" in GRAPH["judgekit.commands.verify"]
    assert "judgekit.commands" in GRAPH["judgekit.cli"]  # a name from the package's __init__
    assert "judgekit.judge.judging" in GRAPH["judgekit.judgehost.job"]  # inside a function


def test_no_import_cycle() -> None:
    cycles = _cycles()
    assert not cycles, f"import cycles: {_describe(cycles)}"


def test_the_problem_package_knows_nothing_of_judging_serving_or_commands() -> None:
    offending = {
        f"{module} imports {imported}"
        for module, imports in GRAPH.items()
        if module.startswith("judgekit.package")
        for imported in imports
        if imported.startswith(PACKAGE_MUST_NOT_IMPORT)
    }
    assert not offending


def test_only_the_command_line_imports_the_commands() -> None:
    offending = {
        f"{module} imports {imported}"
        for module, imports in GRAPH.items()
        if not module.startswith("judgekit.commands") and module != "judgekit.cli"
        for imported in imports
        if imported.startswith("judgekit.commands")
    }
    assert not offending


def test_judgekit_holds_few_files_besides_its_subpackages() -> None:
    entries = [
        entry.name
        for entry in PACKAGE_DIR.iterdir()
        if entry.name != "__pycache__" and not (entry / "__init__.py").is_file()
    ]
    assert len(entries) <= MAX_TOP_LEVEL_FILES, sorted(entries)


def test_no_module_is_over_400_lines() -> None:
    long = {m: _lines(m) for m in MODULES if _lines(m) > MAX_MODULE_LINES}
    assert not long


def test_the_median_module_is_short() -> None:
    assert statistics.median(_lines(m) for m in MODULES) < MAX_MEDIAN_MODULE_LINES

"""The layout shows the architecture: judgekit's modules import one another without a cycle,
every import goes down the layers of the README's layout tables (which name every module), the
problem package knows nothing of judging, serving or the command line, the submit client
nothing of the web app, and modules stay small. Imports are read with `ast`, at the top of a
module and inside its functions alike."""

from __future__ import annotations

import ast
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
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


README = PACKAGE_DIR.parents[1] / "README.md"
TABLE_HEADER = "| layer | folder | modules |"
ROW = re.compile(r"^\| (\d+) \| (top level|`([a-z_/]+)/`) \| (.*) \|$")


@dataclass(frozen=True)
class Row:
    """One row of a layering table in the README: a folder (or the table's top level) at a
    layer, and the module files it names."""

    layer: int
    package: str
    names: frozenset[str]
    folders: frozenset[str]

    def holds(self, module: str) -> bool:
        path = MODULES[module].relative_to(PACKAGE_DIR.parent)
        dotted = ".".join(path.parts[:-1])
        if dotted == self.package:
            return path.name in self.names
        inside = dotted.removeprefix(self.package + ".")
        return dotted.startswith(self.package + ".") and inside.split(".")[0] in self.folders


def _tables() -> list[list[Row]]:
    """The README's layering tables: judgekit's, then web's."""
    roots = iter(["judgekit", "judgekit.web"])
    tables: list[list[Row]] = []
    lines = README.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line != TABLE_HEADER:
            continue
        root, rows = next(roots), []
        for row_line in lines[number + 2 :]:
            found = ROW.match(row_line)
            if found is None:
                break
            folder = found[3] or ""
            package = ".".join([root, *folder.split("/")]) if folder else root
            named = re.findall(r"`([a-z_]+\.py|[a-z_]+/)`", found[4])
            rows.append(
                Row(
                    int(found[1]),
                    package,
                    frozenset(n for n in named if n.endswith(".py")),
                    frozenset(n.rstrip("/") for n in named if n.endswith("/")),
                )
            )
        packages = {row.package for row in rows}
        tables.append([_without_rows(row, packages) for row in rows])
    return tables


def _without_rows(row: Row, packages: set[str]) -> Row:
    """ROW's folders, less those with a row of their own (a mention, not a claim)."""
    folders = frozenset(f for f in row.folders if f"{row.package}.{f}" not in packages)
    return Row(row.layer, row.package, row.names, folders)


TABLES = _tables()


def _row(table: list[Row], module: str) -> Row | None:
    rows = [row for row in table if row.holds(module)]
    assert len(rows) <= 1, f"{module} is named in more than one row: {rows}"
    return rows[0] if rows else None


def _in_scope(module: str, root: str) -> bool:
    return module == root or module.startswith(root + ".")


def test_the_readme_tables_name_every_module_once() -> None:
    assert len(TABLES) == 2 and all(TABLES)
    folders = {row.package for table in TABLES for row in table}
    unnamed = [
        module
        for module in MODULES
        if ".migrations." not in module
        and module not in folders
        and _row(TABLES[1] if _in_scope(module, "judgekit.web") else TABLES[0], module) is None
    ]
    assert not unnamed, f"modules the README's layout tables do not name: {unnamed}"


def _unit(module: str) -> Row | None:
    """MODULE's row in judgekit's table; every web module is in the `web/` row."""
    if _in_scope(module, "judgekit.web"):
        return next(row for row in TABLES[0] if row.package == "judgekit.web")
    return _row(TABLES[0], module)


def _rows(module: str, imported: str) -> tuple[Row | None, Row | None]:
    """The rows that decide whether MODULE may import IMPORTED: web's table inside web, the
    first table elsewhere."""
    if _in_scope(module, "judgekit.web") and _in_scope(imported, "judgekit.web"):
        return _row(TABLES[1], module), _row(TABLES[1], imported)
    return _unit(module), _unit(imported)


def test_every_import_goes_to_a_lower_layer_of_the_readme_tables() -> None:
    """Within a row a folder's modules import one another freely; across rows, only to a
    lower layer: never up, never a peer in another row of the same layer."""
    offending = []
    for module, imports in GRAPH.items():
        for imported in imports:
            source, target = _rows(module, imported)
            if source and target and source != target and target.layer >= source.layer:
                offending.append(
                    f"{module} (layer {source.layer}) imports {imported} (layer {target.layer})"
                )
    assert not offending, "\n".join(offending)


def test_the_client_never_imports_the_web_app() -> None:
    offending = {
        f"{module} imports {imported}"
        for module, imports in GRAPH.items()
        if _in_scope(module, "judgekit.client")
        for imported in imports
        if _in_scope(imported, "judgekit.web")
    }
    assert not offending

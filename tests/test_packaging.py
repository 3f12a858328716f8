"""`pip install .` (no extras) gives everything the product needs.

Read from the source: every third-party module that a module under tools/judgekit imports
comes from a distribution named in pyproject.toml's `[project] dependencies` itself, never
only from a test extra nor through another distribution's requirements. Proved by doing it:
the wheel, built and installed without extras into a fresh venv, offline, from the wheels
tools/setup.sh keeps in tools/wheelhouse (what the wheel does not require is not installed),
imports every module and answers every subcommand's `--help`.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from judgekit.cli import build_parser
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from repo_support import REPO_ROOT, need

PACKAGE = REPO_ROOT / "tools" / "judgekit"
WHEELHOUSE = REPO_ROOT / "tools" / "wheelhouse"
WHEELHOUSE_COMPLETE = WHEELHOUSE / ".complete"
INSTALL_S = 300
# Run by Alembic inside its migration context (judgekit.web.db.migrations.upgrade), not imported.
ALEMBIC_SCRIPT = "judgekit.web.db.migrations.env"
# The installed package alone: no PYTHONPATH, no user site, not the checkout.
ISOLATED = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}


def _requirement_name(requirement: str) -> str:
    return canonicalize_name(Requirement(requirement).name)


def declared_dependencies() -> set[str]:
    """The distributions pyproject.toml's `[project] dependencies` name."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_requirement_name(text) for text in project["dependencies"]}


def imported_top_level_modules() -> dict[str, set[str]]:
    """Top-level module name -> the product modules importing it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(REPO_ROOT)))
    return found


def product_modules() -> set[str]:
    """Every module of the judgekit package in this checkout, by its dotted name."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def subcommands(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """The words of `judgekit` itself and of each subcommand, nested ones included."""
    yield words
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from subcommands(child, (*words, name))


def test_every_third_party_import_of_the_product_is_a_declared_dependency() -> None:
    declared = declared_dependencies()
    providers = packages_distributions()
    missing = {}
    for module, importers in imported_top_level_modules().items():
        if module == "judgekit" or module in sys.stdlib_module_names or module == "__future__":
            continue
        distributions = {_requirement_name(d) for d in providers.get(module, [])}
        assert distributions, f"{module}: imported by {sorted(importers)} but not installed"
        if not distributions & declared:
            missing[module] = sorted(importers)
    assert not missing, f"imported by the product but not in [project] dependencies: {missing}"


def test_the_check_sees_a_module_that_is_only_a_test_extra() -> None:
    """pytest is a test extra; httpx is both, and the judge-host client imports it."""
    assert "httpx" in imported_top_level_modules()
    assert "httpx" in declared_dependencies()
    assert "pytest" not in declared_dependencies()
    assert _requirement_name("celery[redis]==5.7.0") == "celery"
    assert _requirement_name("SQLAlchemy==2.1.9") == "sqlalchemy"


@dataclass(frozen=True)
class PlainInstall:
    python: Path
    judgekit: Path


def _run(
    command: Sequence[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None
) -> str:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=INSTALL_S, check=False
    )
    assert result.returncode == 0, f"{command[:4]}: {result.stdout[-2000:]}{result.stderr[-4000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def plain_install(tmp_path_factory: pytest.TempPathFactory) -> PlainInstall:
    """judgekit's wheel, built from a copy of its sources, installed without extras into a
    fresh venv from the wheelhouse alone (no index: offline, and nothing the wheel does not
    require gets in)."""
    need(WHEELHOUSE_COMPLETE.is_file(), f"the locked wheels in {WHEELHOUSE} (run tools/setup.sh)")
    work = tmp_path_factory.mktemp("plain-install")
    source = work / "source"
    shutil.copytree(
        PACKAGE, source / "tools" / "judgekit", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy2(REPO_ROOT / "pyproject.toml", source)
    offline: list[str | Path] = [
        "--no-index",
        "--find-links",
        WHEELHOUSE,
        "--disable-pip-version-check",
        "-q",
    ]
    pip: list[str | Path] = [sys.executable, "-m", "pip"]
    _run([*pip, "wheel", *offline, "--no-deps", "-w", work / "dist", source])
    [wheel] = (work / "dist").glob("judgekit-*.whl")
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    # No bytecode compiled ahead: the imports below compile only what they load.
    _run([*pip, "--python", venv / "bin" / "python", "install", *offline, "--no-compile", wheel])
    return PlainInstall(venv / "bin" / "python", venv / "bin" / "judgekit")


def test_the_plain_install_imports_every_module_of_the_product(
    plain_install: PlainInstall, tmp_path: Path
) -> None:
    script = (
        "import importlib, pkgutil, judgekit\n"
        "found = pkgutil.walk_packages(judgekit.__path__, 'judgekit.')\n"
        "for name in ['judgekit', *(module.name for module in found)]:\n"
        f"    if name != {ALEMBIC_SCRIPT!r}:\n"
        "        importlib.import_module(name)\n"
        "    print(name)\n"
    )
    imported = _run([plain_install.python, "-I", "-c", script], cwd=tmp_path, env=ISOLATED)
    assert set(imported.split()) == product_modules()


def test_the_plain_install_answers_every_subcommands_help(
    plain_install: PlainInstall, tmp_path: Path
) -> None:
    def help_of(words: tuple[str, ...]) -> str:
        command: list[str | Path] = [plain_install.judgekit, *words, "--help"]
        return _run(command, cwd=tmp_path, env=ISOLATED)

    every = list(subcommands(build_parser()))
    assert ("image", "build") in every  # nested ones too
    with ThreadPoolExecutor(max_workers=4) as pool:
        helps = dict(zip(every, pool.map(help_of, every), strict=True))
    for words, text in helps.items():
        assert text.startswith(f"usage: {' '.join(('judgekit', *words))}"), text[:200]

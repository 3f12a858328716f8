"""`judgekit new`: a complete, working package for a small example problem, to edit into one's own.

The problem's own files come from `scaffold_files`; the parts that are not about the problem
(the checker and the sandbox image's files) are copied from an existing package.
"""

from __future__ import annotations

import keyword
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from judgekit.errors import JudgekitError
from judgekit.package import scaffold_files
from judgekit.package.problem import PROBLEM_FILE
from judgekit.package.recipe import RECIPE_FILE
from judgekit.package.statement import STATEMENT_FILE

SHARED_FOLDERS = ("checker", "sandbox")
# Build inputs and leftovers that are not part of a package (the wheelhouse is 170 MB: it is
# linked, not copied, so that `judgekit image build` needs no download).
NOT_COPIED = shutil.ignore_patterns("wheelhouse", ".build", "judgekit-context-*", "__pycache__")
WHEELHOUSE = Path("sandbox") / "wheelhouse"

NEXT_STEPS = """\
Next, in {root}:
  1. problem.yaml: the entry point's name and parameters, the output, tolerance and limits;
  2. reference/{function}.py: your reference solution (every expected answer comes from it);
  3. statement.md: the task (leave the two generated blocks in place);
  4. testcases/recipe.yaml: hand-picked cases, the fuzz draw and the shape budget;
  5. submissions/<verdict>/: known submissions, each judged to its folder's verdict;
then run, in that folder:
  judgekit generate && judgekit validate && judgekit image build && judgekit verify
(README.md, "Writing a new problem", explains every field.)"""


@dataclass(frozen=True)
class NewPackage:
    root: Path
    written: tuple[Path, ...]
    """Every file written, relative to ROOT."""

    def next_steps(self, function: str) -> str:
        return NEXT_STEPS.format(root=self.root, function=function)


def _checked_function(function: str) -> str:
    if not function.isidentifier() or keyword.iskeyword(function):
        raise JudgekitError(f"--function: {function!r} is not a Python function name")
    return function


def _checked_folder(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise JudgekitError(f"{root}: exists and is not a folder; name a new or empty folder")
    if root.is_dir() and any(root.iterdir()):
        raise JudgekitError(
            f"{root}: is not empty; `judgekit new` writes a whole package: name a new or "
            "empty folder"
        )


def package_id(root: Path) -> str:
    """The folder's name as an id: lower case, words joined by hyphens."""
    words = re.findall(r"[a-z0-9]+", root.resolve().name.lower())
    return "-".join(words) or "new-problem"


def new_package(root: Path, function: str, source: Path) -> NewPackage:
    """Write the example package into ROOT (new or empty), its entry point named FUNCTION,
    its checker and sandbox files copied from the package at SOURCE."""
    _checked_function(function)
    _checked_folder(root)
    for folder in SHARED_FOLDERS:
        if not (source / folder).is_dir():
            raise JudgekitError(
                f"{source / folder}: missing; `judgekit new` copies it from the package "
                "given with --problem (or this checkout): pass one that has it"
            )
    root.mkdir(parents=True, exist_ok=True)
    names = {
        "__FUNCTION__": function,
        "__ID__": package_id(root),
        "__TITLE__": function.replace("_", " ").strip().title(),
    }
    files = {
        ".gitignore": scaffold_files.GITIGNORE,
        PROBLEM_FILE: scaffold_files.PROBLEM_YAML,
        STATEMENT_FILE: scaffold_files.STATEMENT_MD,
        RECIPE_FILE.as_posix(): scaffold_files.RECIPE_YAML,
        f"reference/{function}.py": scaffold_files.REFERENCE,
        **{f"submissions/{path}": text for path, text in scaffold_files.SUBMISSIONS.items()},
    }
    written = []
    for relative, template in files.items():
        text = template
        for placeholder, value in names.items():
            text = text.replace(placeholder, value)
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(Path(relative))
    for folder in SHARED_FOLDERS:
        shutil.copytree(source / folder, root / folder, ignore=NOT_COPIED)
        written += sorted(p.relative_to(root) for p in (root / folder).rglob("*") if p.is_file())
    if (source / WHEELHOUSE).is_dir():
        (root / WHEELHOUSE).symlink_to((source / WHEELHOUSE).resolve())
    return NewPackage(root, tuple(written))

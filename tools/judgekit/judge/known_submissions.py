"""Known submissions under submissions/<expected verdict>/, and what each must receive."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from judgekit.errors import JudgekitError
from judgekit.judge.verdict import Verdict
from judgekit.package.files import reference_path
from judgekit.package.problem import Problem

SUBMISSIONS_DIR = "submissions"
SECURITY_FOLDER = "security"
SECURITY_EXPECTATIONS = "expected.yaml"
FOLDER_VERDICTS = {
    "accepted": Verdict.AC,
    "wrong_answer": Verdict.WA,
    "run_time_error": Verdict.RTE,
    "compile_error": Verdict.CE,
    "time_limit_exceeded": Verdict.TLE,
    "memory_limit_exceeded": Verdict.MLE,
    "output_limit_exceeded": Verdict.OLE,
}


@dataclass(frozen=True)
class KnownSubmission:
    path: Path
    name: str
    expected: frozenset[Verdict]

    @property
    def must_be_accepted(self) -> bool:
        return self.expected == {Verdict.AC}


def known_submissions(problem: Problem) -> list[KnownSubmission]:
    """The reference first, then every file under submissions/, in a stable order."""
    root = problem.root / SUBMISSIONS_DIR
    reference = KnownSubmission(
        reference_path(problem), problem.reference.as_posix(), frozenset({Verdict.AC})
    )
    found = [reference]
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name == SECURITY_FOLDER:
            found += _security(folder)
            continue
        if folder.name not in FOLDER_VERDICTS:
            raise JudgekitError(
                f"{folder}: unknown folder; use one of {', '.join(FOLDER_VERDICTS)} or security"
            )
        for path in sorted(folder.glob("*.py")):
            found.append(
                KnownSubmission(
                    path, f"{folder.name}/{path.name}", frozenset({FOLDER_VERDICTS[folder.name]})
                )
            )
    return found


def _security(folder: Path) -> list[KnownSubmission]:
    expectations_path = folder / SECURITY_EXPECTATIONS
    expectations = yaml.safe_load(expectations_path.read_text(encoding="utf-8")) or {}
    found = []
    for path in sorted(folder.glob("*.py")):
        verdicts = expectations.get(path.name)
        if not verdicts:
            raise JudgekitError(f"{expectations_path}: no expected verdicts for {path.name}")
        allowed = frozenset(Verdict.parse(v) for v in verdicts)
        if Verdict.AC in allowed:
            raise JudgekitError(f"{expectations_path}: a security probe must never be accepted")
        found.append(KnownSubmission(path, f"{folder.name}/{path.name}", allowed))
    return found

"""Test cases on disk: `testcases/<group>/<name>.in` (JSON input) and `<name>.ans` (JSON answer).

Inputs and answers live in separate files so that the sandbox can be given inputs only.
Floats are written with Python's shortest round-trip repr, so reading a file gives back the
exact same numbers that were written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from judgekit.errors import JudgekitError

INPUT_SUFFIX = ".in"
ANSWER_SUFFIX = ".ans"

InputValue = int | float | list[float]
CaseInput = Mapping[str, InputValue]


@dataclass(frozen=True)
class TestCase:
    """One test case: `id` is `<group>/<name>`, unique in the problem."""

    group: str
    name: str
    input: CaseInput
    answer: tuple[float, ...] | None = None
    input_path: Path | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        return f"{self.group}/{self.name}"


def dump_json(data: object) -> str:
    """The canonical text of a test-data file: compact, exact floats, one trailing newline."""
    return json.dumps(data, allow_nan=False, separators=(", ", ": ")) + "\n"


def input_text(values: CaseInput) -> str:
    return dump_json(dict(values))


def answer_text(answer: Sequence[float]) -> str:
    return dump_json([float(v) for v in answer])


def write_case(directory: Path, case: TestCase) -> tuple[Path, Path]:
    """Write CASE under DIRECTORY/<group>/; return the input and answer paths."""
    if case.answer is None:
        raise ValueError(f"{case.id}: cannot write a case without an answer")
    group_dir = directory / case.group
    group_dir.mkdir(parents=True, exist_ok=True)
    input_path = group_dir / f"{case.name}{INPUT_SUFFIX}"
    answer_path = group_dir / f"{case.name}{ANSWER_SUFFIX}"
    input_path.write_text(input_text(case.input), encoding="utf-8")
    answer_path.write_text(answer_text(case.answer), encoding="utf-8")
    return input_path, answer_path


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise JudgekitError(f"{path}: cannot read test data: {error}") from None


def read_input(path: Path) -> dict[str, Any]:
    data = _read_json(path)
    if not isinstance(data, dict):
        raise JudgekitError(f"{path}: an input file must hold a JSON object")
    return data


def read_answer(path: Path) -> tuple[float, ...]:
    data = _read_json(path)
    if not isinstance(data, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in data
    ):
        raise JudgekitError(f"{path}: an answer file must hold a JSON list of numbers")
    return tuple(float(v) for v in data)


def count_cases(testcases_dir: Path, group: str) -> int:
    """How many cases GROUP has on disk (its input files, none read); 0 for a missing group."""
    return sum(1 for _ in (testcases_dir / group).glob(f"*{INPUT_SUFFIX}"))


def load_cases(testcases_dir: Path, groups: Iterable[str]) -> list[TestCase]:
    """Every case of GROUPS in order: groups as given, names sorted within a group."""
    cases: list[TestCase] = []
    for group in groups:
        group_dir = testcases_dir / group
        if not group_dir.is_dir():
            raise JudgekitError(
                f"{group_dir}: no test data for group {group!r}; run `judgekit generate`"
            )
        for input_path in sorted(group_dir.glob(f"*{INPUT_SUFFIX}")):
            answer_path = input_path.with_suffix(ANSWER_SUFFIX)
            if not answer_path.is_file():
                raise JudgekitError(f"{input_path}: has no answer file {answer_path.name}")
            cases.append(
                TestCase(
                    group=group,
                    name=input_path.stem,
                    input=read_input(input_path),
                    answer=read_answer(answer_path),
                    input_path=input_path,
                )
            )
    return cases

"""`judgekit export kattis OUT`: the problem as a Kattis-format package (2023-07-draft, as
problemtools' `verifyproblem` reads it), written from the package's own files only.

    OUT/problem.yaml, README.md, requirements.txt
    OUT/statement/problem.en.md
    OUT/data/testdata.yaml, data/sample/*.in|.ans, data/secret/*.in|.ans
    OUT/input_validators/validate_input.py
    OUT/output_validator/vector_checker.py
    OUT/attachments/main.py
    OUT/submissions/<verdict>/<name>/{main.py, solution.py}

`read_exported_cases` reads the data back as our test cases, to show nothing drifted.
`secret_cases=N` writes only the first N hidden cases (in our order), for a quick check with
`verifyproblem`, whose output-validator check runs the validator on every case several times.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from judgekit.errors import JudgekitError
from judgekit.export import documents
from judgekit.export.programs import (
    SOLUTION_FILE,
    WRAPPER_FILE,
    validator_source,
    wrapper_source,
)
from judgekit.export.text_format import ParameterText, decode_input, encode_input, parameter_text
from judgekit.export.verdicts import LeftOut, Placed, place
from judgekit.judge.known_submissions import known_submissions
from judgekit.package.problem import Problem, Visibility
from judgekit.package.testcase import ANSWER_SUFFIX, INPUT_SUFFIX, TestCase, load_cases, read_answer

DATA_FOLDERS = {Visibility.PUBLIC: "sample", Visibility.HIDDEN: "secret"}
INPUT_VALIDATOR = Path("input_validators") / "validate_input.py"
OUTPUT_VALIDATOR_DIR = Path("output_validator")


@dataclass(frozen=True)
class KattisExport:
    out: Path
    cases: int
    """How many cases were written (fewer than ours when secret_cases was given)."""
    placed: tuple[Placed, ...]
    left_out: tuple[LeftOut, ...]


def parameter_pairs(problem: Problem) -> list[ParameterText]:
    """Each parameter as the text format reads it: (name, element kind, rank)."""
    return [parameter_text(p) for p in problem.entry_point.parameters]


def data_folder(problem: Problem, group: str) -> str:
    return DATA_FOLDERS[problem.group(group).visibility]


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise JudgekitError(f"{out}: exists and is not a folder; name a new or empty folder")
    if out.is_dir() and any(out.iterdir()):
        raise JudgekitError(
            f"{out}: is not empty; the export writes every file itself: name a new or empty "
            "folder (or remove this one)"
        )
    out.mkdir(parents=True, exist_ok=True)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _selected(problem: Problem, secret_cases: int | None) -> list[TestCase]:
    cases = load_cases(problem.testcases_dir, problem.group_names)
    if secret_cases is None:
        return cases
    hidden = [case for case in cases if case.group in problem.hidden_groups]
    kept = {case.id for case in hidden[:secret_cases]}
    return [case for case in cases if case.group not in problem.hidden_groups or case.id in kept]


def _write_data(problem: Problem, out: Path, secret_cases: int | None) -> int:
    cases = _selected(problem, secret_cases)
    pairs = parameter_pairs(problem)
    written: set[Path] = set()
    for case in cases:
        stem = out / "data" / data_folder(problem, case.group) / case.name
        if stem in written:
            raise JudgekitError(f"{case.id}: two test groups export a case named {case.name!r}")
        written.add(stem)
        _write(stem.with_suffix(INPUT_SUFFIX), encode_input(pairs, case.input))
        assert case.input_path is not None
        shutil.copyfile(case.input_path.with_suffix(ANSWER_SUFFIX), stem.with_suffix(ANSWER_SUFFIX))
    _write(out / "data" / "testdata.yaml", documents.testdata_yaml(problem))
    return len(cases)


def export_kattis(problem: Problem, out: Path, secret_cases: int | None = None) -> KattisExport:
    """Write PROBLEM as a Kattis-format package into OUT, a new or empty folder (with only the
    first SECRET_CASES hidden cases when given)."""
    placed, left_out = place(known_submissions(problem))
    wrapper = wrapper_source(problem)
    _prepare(out)
    cases = _write_data(problem, out, secret_cases)
    _write(out / "problem.yaml", documents.problem_yaml(problem))
    _write(
        out / "statement" / "problem.en.md",
        documents.statement_markdown(problem, WRAPPER_FILE, SOLUTION_FILE),
    )
    _write(out / "requirements.txt", documents.requirements_txt(problem))
    readme = documents.readme(problem, left_out, WRAPPER_FILE, SOLUTION_FILE, secret_cases)
    _write(out / "README.md", readme)
    _write(out / INPUT_VALIDATOR, validator_source(problem))
    checker = problem.root / problem.checker
    (out / OUTPUT_VALIDATOR_DIR).mkdir()
    shutil.copyfile(checker, out / OUTPUT_VALIDATOR_DIR / checker.name)
    _write(out / "attachments" / WRAPPER_FILE, wrapper)
    for item in placed:
        folder = out / "submissions" / item.folder / item.name
        if folder.exists():
            raise JudgekitError(f"{item.submission.path}: two submissions export as {folder}")
        _write(folder / WRAPPER_FILE, wrapper)
        shutil.copyfile(item.submission.path, folder / SOLUTION_FILE)
    return KattisExport(out, cases, tuple(placed), tuple(left_out))


def read_exported_cases(problem: Problem, out: Path) -> list[TestCase]:
    """The export's data read back as our cases (group from its data folder), in our order."""
    pairs = parameter_pairs(problem)
    cases = []
    for group in problem.group_names:
        folder = out / "data" / data_folder(problem, group)
        ours = {case.name for case in load_cases(problem.testcases_dir, [group])}
        for input_path in sorted(folder.glob(f"*{INPUT_SUFFIX}")):
            if input_path.stem not in ours:
                continue
            try:
                values = decode_input(pairs, input_path.read_text(encoding="utf-8"))
            except ValueError as error:
                raise JudgekitError(f"{input_path}: {error}") from None
            answer = read_answer(input_path.with_suffix(ANSWER_SUFFIX))
            cases.append(TestCase(group, input_path.stem, values, answer, input_path))
    return cases

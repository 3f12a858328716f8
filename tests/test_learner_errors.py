"""What a learner is told when a case raised or returned no answer: what their code did and
what is expected, never the judge's own files or frames.

The runner (sandbox/runner.py) runs here as in the sandbox, a process fed on its input pipe
and read on its report pipe; the supervisor and the judge's frame parser pass what it says on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from judgekit.package.files import load_module
from judgekit.package.problem import Problem
from judgekit.sandbox.frames import BadResult, FrameOrder, Ready, parse_line
from repo_support import REPO_ROOT

RUNNER = REPO_ROOT / "sandbox" / "runner.py"
NONCE = "0123456789abcdef"
EXPECTED = "expected an array of 3 numbers"
RUNNER_S = 120


@pytest.fixture(scope="module")
def runner() -> ModuleType:
    return load_module(RUNNER, "judgekit_test_runner_messages")


@pytest.fixture(scope="module")
def supervisor() -> ModuleType:
    return load_module(REPO_ROOT / "sandbox" / "supervisor.py", "judgekit_test_supervisor_messages")


@dataclass(frozen=True)
class RunnerRun:
    reports: list[dict[str, Any]]
    """What it reported after `warm`."""
    stderr: str
    exit_code: int


def run_runner(problem: Problem, submission: Path, seeds: Sequence[int] = (0,)) -> RunnerRun:
    """Run SUBMISSION in the runner process on one case per seed."""
    job_read, job_write = os.pipe()
    report_read, report_write = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-I", str(RUNNER), str(job_read), str(report_write)],
        pass_fds=(job_read, report_write),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={"JAX_PLATFORMS": "cpu", "PATH": os.environ["PATH"]},
    )
    os.close(job_read)
    os.close(report_write)
    job = {
        "function": problem.entry_point.function,
        "parameters": problem.entry_point.runner_parameters(),
        "submission": str(submission),
        "output_shape": list(problem.output.shape),
    }
    values = {"x": [1.0, 2.0], "features": 3, "frozen_bias_value": 0.5}
    lines = [{"shapes": []}, job]
    lines += [{"id": str(i), "values": {**values, "seed": seed}} for i, seed in enumerate(seeds)]
    lines += [{"end": True}]
    with os.fdopen(job_write, "wb") as inputs:
        inputs.write(b"".join(json.dumps(line).encode() + b"\n" for line in lines))
    with os.fdopen(report_read, "rb") as reports:
        sent = [json.loads(line) for line in reports.read().splitlines()]
    _, stderr = process.communicate(timeout=RUNNER_S)
    assert [m["event"] for m in sent[:2]] == ["platform", "warm"], stderr.decode()
    return RunnerRun(sent[2:], stderr.decode(), process.returncode)


def _source(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "submission.py"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ({"norm": 1.0}, f"returned a dict; {EXPECTED}"),
        (None, f"returned None; {EXPECTED}"),
        ("[1, 2, 3]", f"returned a str; {EXPECTED}"),
        ({1.0, 2.0, 3.0}, f"returned a set holding object values; {EXPECTED}"),
        (
            np.array([1j, 2j, 3j]),
            f"returned a value of type ndarray holding complex128 values; {EXPECTED}",
        ),
        (["1", "2", "3"], f"returned a list holding str32 values; {EXPECTED}"),
    ],
)
def test_a_result_of_the_wrong_type_says_what_was_returned_and_what_is_expected(
    runner: ModuleType, returned: object, message: str
) -> None:
    with pytest.raises(runner.ResultTypeError) as raised:
        runner.describe_result(returned, (3,))
    assert str(raised.value) == message


def test_a_ragged_result_says_why_it_is_no_array(runner: ModuleType) -> None:
    with pytest.raises(runner.ResultTypeError) as raised:
        runner.describe_result([[1.0], [1.0, 2.0]], (3,))
    message = str(raised.value)
    assert message.startswith("returned a list that is no array (") and message.endswith(EXPECTED)


def test_each_case_reports_a_bad_result_a_raise_or_a_result_naming_only_the_learners_code(
    problem: Problem, tmp_path: Path
) -> None:
    function = problem.entry_point.function
    submission = _source(
        tmp_path,
        f"def {function}(seed, x, features, frozen_bias_value):\n"
        "    if seed == 0:\n"
        "        return {'norm': 1.0}\n"
        "    if seed == 1:\n"
        "        raise ValueError('no kernel')\n"
        "    return [1.0, 2.0, 3.0]\n",
    )
    ready, bad, raised, result, done = run_runner(problem, submission, seeds=(0, 1, 2)).reports

    assert ready == {"event": "ready"}

    assert bad == {"event": "bad_result", "case": "0", "reason": f"returned a dict; {EXPECTED}"}
    assert raised["event"] == "error" and raised["error"] == "ValueError: no kernel"
    assert raised["traceback"].splitlines()[:2] == [
        "Traceback (most recent call last):",
        f'  File "{submission}", line 5, in {function}',
    ]
    assert result == {"event": "result", "case": "2", "shape": [3], "values": [1.0, 2.0, 3.0]}
    assert done == {"event": "done"}


def test_a_call_that_fails_before_the_learners_code_runs_has_no_traceback(
    problem: Problem, tmp_path: Path
) -> None:
    """The wrong number of parameters: the error is raised in the runner's call."""
    function = problem.entry_point.function
    submission = _source(tmp_path, f"def {function}(seed, x):\n    return [1.0, 2.0, 3.0]\n")
    [_ready, error, _done] = run_runner(problem, submission).reports

    assert error["error"].startswith(f"TypeError: {function}() takes 2 positional arguments")
    assert error["traceback"] == ""


def test_a_submission_without_its_function_fails_to_load_without_a_traceback(
    problem: Problem, tmp_path: Path
) -> None:
    run = run_runner(problem, _source(tmp_path, "def something_else():\n    pass\n"))
    [load_error] = run.reports

    assert load_error == {
        "event": "load_error",
        "error": f"AttributeError: the submission defines no function named "
        f"{problem.entry_point.function!r}",
        "traceback": "",
    }


def test_a_failed_import_shows_the_learners_line_and_none_of_the_loading(
    problem: Problem, tmp_path: Path
) -> None:
    submission = _source(tmp_path, "import numpy\nimport no_such_module\n")
    [load_error] = run_runner(problem, submission).reports

    assert load_error["error"] == "ModuleNotFoundError: No module named 'no_such_module'"
    assert load_error["traceback"].splitlines()[:2] == [
        "Traceback (most recent call last):",
        f'  File "{submission}", line 2, in <module>',
    ]


def test_a_runner_whose_pipe_the_learner_closed_says_so_in_one_line_without_a_traceback(
    problem: Problem, tmp_path: Path
) -> None:
    function = problem.entry_point.function
    submission = _source(
        tmp_path,
        "import os, sys\n\n\n"
        f"def {function}(seed, x, features, frozen_bias_value):\n"
        "    os.close(int(sys.argv[2]))  # the report pipe\n"
        "    return [1.0, 2.0, 3.0]\n",
    )
    run = run_runner(problem, submission)

    assert run.reports == [{"event": "ready"}]
    assert run.exit_code == 1
    assert run.stderr == "the runner stopped: OSError: [Errno 9] Bad file descriptor\n"


def test_a_bad_result_answers_its_case_through_the_supervisor_and_the_judge(
    supervisor: ModuleType,
) -> None:
    message = {"event": "bad_result", "case": "0", "reason": f"returned a dict; {EXPECTED}"}
    frame = supervisor.forwarded(message, "cpu")
    assert frame == message

    parsed = parse_line(f"{NONCE} {json.dumps(frame)}".encode(), NONCE)
    assert parsed == BadResult(0, f"returned a dict; {EXPECTED}")
    order = FrameOrder(cases=2)
    order.accept(Ready("cpu"))
    order.accept(parsed)
    assert order.next_case == 1


def test_the_supervisor_gives_the_next_case_after_a_bad_result(supervisor: ModuleType) -> None:
    class Discard:
        def send(self, frame: dict[str, Any]) -> None:
            pass

    relay = supervisor.Supervisor(Discard())
    relay.platform = "cpu"
    relay.take_job({"function": "f", "parameters": [], "submission": "s.py", "case_count": 2})
    relay.take_case({"id": "0", "values": {}})
    relay.take_case({"id": "1", "values": {}})
    relay.handle(b'{"event": "ready"}')
    relay.handle(b'{"event": "bad_result", "case": "0", "reason": "returned None"}')

    given = [json.loads(line) for line in relay.outbox.splitlines()]
    assert [m.get("id") for m in given] == [None, "0", "1"]

"""Verdicts do not depend on the host's load: every known submission (and a correct file that
burns 0.4 s of extra CPU per case) judged while busy containers overload the host gets its
folder's verdict: accepted AC, `busy_loop` TLE on the CPU clock, `sleeps` TLE on the wall
backstop, the memory bomb MLE.

Expensive (marker `load`): about 4 minutes of both cores of a 2-core host, and it slows
everything else running meanwhile; to keep it that short it judges the sample cases and the
first hidden ones, with the problem's own limits. The load lives for this test only:
8 busy containers per CPU (`judgekit.bench.host_load`, 16 on 2 cores) beside JUDGED_AT_ONCE
judgings. Each judged container gets a tenth of a core or less: the wall-clock judge this
replaced turned the memory bomb (about 5 s of CPU in its case, over a minute of wall-clock
time here) and a correct file's AC into TLE.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from judgekit.bench.host_load import BusyContainers, busy_for_this_host
from judgekit.judge.judging import judge_cases
from judgekit.judge.known_submissions import SECURITY_FOLDER, KnownSubmission, known_submissions
from judgekit.judge.report import JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem
from judgekit.package.testcase import TestCase, load_cases
from judgekit.sandbox.container import Sandbox
from sandbox_support import require_sandbox

pytestmark = [pytest.mark.docker, pytest.mark.load]

BUSY_CONTAINERS = busy_for_this_host()
JUDGED_AT_ONCE = 8
HIDDEN_CASES = 4
BURNER = Path(__file__).parent / "load_submissions" / "accepted_burns_cpu_per_case.py"


@pytest.fixture
def overloaded_host(problem: Problem) -> Iterator[int]:
    """BUSY_CONTAINERS busy loops for the length of the test; yields how many run."""
    with BusyContainers(require_sandbox(problem.root), BUSY_CONTAINERS) as busy:
        yield busy.count


def _corpus(problem: Problem) -> list[KnownSubmission]:
    known = [k for k in known_submissions(problem) if not k.name.startswith(SECURITY_FOLDER)]
    return [
        *known,
        KnownSubmission(BURNER, "load/accepted_burns_cpu_per_case.py", frozenset({Verdict.AC})),
    ]


def _cases(problem: Problem) -> list[TestCase]:
    return [
        *load_cases(problem.testcases_dir, problem.public_groups),
        *load_cases(problem.testcases_dir, ["secret"])[:HIDDEN_CASES],
    ]


def test_every_known_submission_gets_its_verdict_on_an_overloaded_host(
    problem: Problem, overloaded_host: int
) -> None:
    sandbox = Sandbox(problem.root)
    cases = _cases(problem)
    corpus = _corpus(problem)

    def judge(known: KnownSubmission) -> JudgeReport:
        return judge_cases(problem, known.path, cases, device=Device.CPU, sandbox=sandbox)

    with ThreadPoolExecutor(JUDGED_AT_ONCE) as pool:
        reports = list(pool.map(judge, corpus))
    wrong = [
        f"{k.name}: expected {'/'.join(sorted(v.value for v in k.expected))}, got "
        f"{r.verdict.value} ({r.message[:200]}; cpu {r.cpu_ms} ms, wall {r.time_ms} ms, "
        f"re-runs {r.reruns})"
        for k, r in zip(corpus, reports, strict=True)
        if r.verdict not in k.expected
    ]
    assert not wrong, "\n".join(wrong)
    by_name = dict(zip((k.name for k in corpus), reports, strict=True))
    assert "of CPU time" in by_name["time_limit_exceeded/busy_loop.py"].message
    assert "of wall-clock time" in by_name["time_limit_exceeded/sleeps.py"].message

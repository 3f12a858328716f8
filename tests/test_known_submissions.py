"""Every known submission gets the verdict its folder declares, each in its own test, judged in
the real sandbox from three starts at once, and what the learner is shown quotes none of the
judge's own code; `judgekit verify` (tests/test_verify_command.py) adds the time-limit check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from judgekit.judge.judging import judge_submission
from judgekit.judge.known_submissions import FOLDER_VERDICTS, KnownSubmission, known_submissions
from judgekit.judge.prewarmed import PrewarmedSandboxes
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem, load_problem
from judgekit.package.recipe import load_recipe
from judgekit.package.testcase import TestCase, load_cases
from judgekit.sandbox.snapshots.availability import Executor
from repo_support import REPO_ROOT, missing
from sandbox_support import require_sandbox, require_snapshots

WARM_S = 300
# A traceback line of the judge's own code in the sandbox (runner.py, supervisor.py, ...):
# what the learner is shown names only their file.
JUDGES_FRAME = re.compile(r'File "/judge/(?!submission/)')
CORPUS = known_submissions(load_problem(REPO_ROOT))


def test_the_corpus_covers_every_verdict_folder_and_the_security_probes(problem: Problem) -> None:
    corpus = known_submissions(problem)
    assert len(corpus) >= 25
    declared = {v for k in corpus for v in k.expected}
    assert set(FOLDER_VERDICTS.values()) <= declared
    probes = [k for k in corpus if k.name.startswith("security/")]
    assert len(probes) >= 6 and all(Verdict.AC not in k.expected for k in probes)


def _sample_shapes(problem: Problem) -> Any:
    # Warmed up at the sample's shapes only: the full warm-up costs each container seconds of
    # CPU, and what it leaves in the process is the same (tests/test_prewarmed_sandboxes.py).
    return sorted({load_recipe(problem.root).shape_of(c.input) for c in _sample(problem)})


@pytest.fixture(scope="module")
def sandboxes(problem: Problem) -> Iterator[PrewarmedSandboxes]:
    """A pool of prewarmed containers, whatever this host supports."""
    require_sandbox(problem.root)
    pool = Executor(False, "the pool, on purpose")
    shapes = _sample_shapes(problem)
    with PrewarmedSandboxes(problem, [Device.CPU], 2, shapes, lambda _: pool) as sandboxes:
        yield sandboxes


@pytest.fixture(scope="module")
def snapshots(problem: Problem) -> Iterator[PrewarmedSandboxes | str]:
    """Clones of one checkpointed template; where this host cannot make them (never in CI),
    why not."""
    try:
        require_snapshots(problem.root)
    except pytest.skip.Exception as not_here:
        yield str(not_here)
        return
    with PrewarmedSandboxes(problem, [Device.CPU], 1, _sample_shapes(problem)) as snapshots:
        yield snapshots


def _sample(problem: Problem) -> list[TestCase]:
    return load_cases(problem.testcases_dir, ["sample"])


def _judged_as_declared(
    problem: Problem, known: KnownSubmission, start: str, sandboxes: PrewarmedSandboxes
) -> list[str]:
    """What is wrong with KNOWN's judging from START (cold, prewarmed or restored): nothing
    when it gets a verdict its folder declares, from the start asked for."""
    if start != "cold":
        assert sandboxes.wait_until_warm(WARM_S), f"no {start} sandbox"
    sandbox = sandboxes.sandbox if start == "cold" else sandboxes.for_device(Device.CPU)
    report = judge_submission(problem, known.path, sandbox=sandbox)
    wrong = []
    if report.image and report.prewarmed is not (start != "cold"):
        # (a compile error found before any sandbox ran has no run to tell)
        wrong.append(f"{start}: judged with prewarmed={report.prewarmed}")
    if report.verdict not in known.expected:
        expected = "/".join(sorted(v.value for v in known.expected))
        wrong.append(f"{start}: expected {expected}, got {report.verdict.value}: {report.message}")
    shown = [report.message, *(case.message for case in report.cases)]
    if [m for m in shown if JUDGES_FRAME.search(m)]:
        wrong.append(f"{start}: the learner is shown the judge's own frames")
    if report.verdict is Verdict.OLE:
        # Killed at the cap, whatever the container is blocked on: long before any clock's
        # limit (the engine ends a container only once its output is read, so a judge that
        # stopped reading at the cap would hold a flood's slot for minutes).
        case_wall_s = problem.limits.wall_limit_s(problem.limits.time_per_case_s)
        if report.time_ms is None or report.time_ms >= 1000 * case_wall_s:
            wrong.append(f"{start}: OLE after {report.time_ms} ms, not before {case_wall_s} s")
    return wrong


# Submissions judged at once (each from its three starts at once): most of a judging is waiting,
# for a container to start or a sleeper for its wall-clock backstop (40 s).
SUBMISSIONS_AT_ONCE = 2
START_FIRST = frozenset({Verdict.TLE})  # the longest judgings, whose waits overlap the rest


def _judged_from_every_start(
    problem: Problem, known: KnownSubmission, starts: dict[str, PrewarmedSandboxes]
) -> list[str]:
    with ThreadPoolExecutor(len(starts)) as pool:
        judged = [
            pool.submit(_judged_as_declared, problem, known, start, runner)
            for start, runner in starts.items()
        ]
        return [line for future in judged for line in future.result()]


@pytest.fixture(scope="module")
def judgings(
    request: pytest.FixtureRequest,
    problem: Problem,
    sandboxes: PrewarmedSandboxes,
    snapshots: PrewarmedSandboxes | str,
) -> Iterator[dict[str, Future[list[str]]]]:
    """What is wrong with each selected known submission's judgings, judged from the
    module's start, SUBMISSIONS_AT_ONCE at a time, the TLE ones first; each test waits for
    its own."""
    by_name = {known.name: known for known in CORPUS}
    selected = [
        by_name[item.callspec.id]
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and item.originalname == "test_a_known_submission_gets_a_verdict_it_declares"
    ]
    starts = {"cold": sandboxes, "prewarmed": sandboxes}
    if isinstance(snapshots, PrewarmedSandboxes):
        starts["restored"] = snapshots
    with ThreadPoolExecutor(SUBMISSIONS_AT_ONCE) as pool:
        ordered = sorted(selected, key=lambda known: not known.expected & START_FIRST)
        futures = {
            k.name: pool.submit(_judged_from_every_start, problem, k, starts) for k in ordered
        }
        try:
            yield futures
        finally:
            for future in futures.values():
                future.cancel()


@pytest.mark.docker
@pytest.mark.parametrize("known", CORPUS, ids=[k.name for k in CORPUS])
def test_a_known_submission_gets_a_verdict_it_declares(
    known: KnownSubmission,
    judgings: dict[str, Future[list[str]]],
    snapshots: PrewarmedSandboxes | str,
) -> None:
    """The same verdict from a container started for it, from a prewarmed one and from a
    clone restored from a snapshot."""
    wrong = judgings[known.name].result()
    assert not wrong, f"{known.name}:\n" + "\n".join(wrong)
    if isinstance(snapshots, str):
        missing(f"the restored start: {snapshots}")

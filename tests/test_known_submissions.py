"""Every known submission gets the verdict its folder declares, each judged in its own test in
the real sandbox; `judgekit verify` (tests/test_verify_command.py) adds the time-limit check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from judgekit.judge.judging import judge_submission
from judgekit.judge.known_submissions import FOLDER_VERDICTS, KnownSubmission, known_submissions
from judgekit.judge.prewarmed import PrewarmedSandboxes
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem, load_problem
from judgekit.package.recipe import load_recipe
from judgekit.package.testcase import TestCase, load_cases
from sandbox_support import require_sandbox

WARM_S = 300
CORPUS = known_submissions(load_problem(Path(__file__).resolve().parents[1]))


def test_the_corpus_covers_every_verdict_folder_and_the_security_probes(problem: Problem) -> None:
    corpus = known_submissions(problem)
    assert len(corpus) >= 25
    declared = {v for k in corpus for v in k.expected}
    assert set(FOLDER_VERDICTS.values()) <= declared
    probes = [k for k in corpus if k.name.startswith("security/")]
    assert len(probes) >= 6 and all(Verdict.AC not in k.expected for k in probes)


@pytest.fixture(scope="module")
def sandboxes(problem: Problem) -> Iterator[PrewarmedSandboxes]:
    require_sandbox(problem.root)
    # Warmed up at the sample's shapes only: the full warm-up costs each container seconds of
    # CPU, and what it leaves in the process is the same (tests/test_prewarmed_sandboxes.py).
    shapes = sorted({load_recipe(problem.root).shape_of(c.input) for c in _sample(problem)})
    with PrewarmedSandboxes(problem, [Device.CPU], size=2, shapes=shapes) as sandboxes:
        yield sandboxes


def _sample(problem: Problem) -> list[TestCase]:
    return load_cases(problem.testcases_dir, ["sample"])


@pytest.mark.docker
@pytest.mark.parametrize("start", ["cold", "prewarmed"])
@pytest.mark.parametrize("known", CORPUS, ids=[k.name for k in CORPUS])
def test_a_known_submission_gets_a_verdict_it_declares(
    problem: Problem, sandboxes: PrewarmedSandboxes, known: KnownSubmission, start: str
) -> None:
    """The same verdict from a container started for it and from a prewarmed one."""
    if start == "prewarmed":
        assert sandboxes.wait_until_warm(WARM_S), "no prewarmed sandbox"
    sandbox = sandboxes.sandbox if start == "cold" else sandboxes.for_device(Device.CPU)
    report = judge_submission(problem, known.path, sandbox=sandbox)
    if report.image:  # a compile error found before any sandbox ran has no run to tell
        assert report.prewarmed is (start == "prewarmed")
    expected = "/".join(sorted(v.value for v in known.expected))
    assert report.verdict in known.expected, (
        f"{known.name}: expected {expected}, got {report.verdict.value}: {report.message}"
    )
    if report.verdict is Verdict.OLE:
        # Killed at the cap, whatever the container is blocked on: long before any clock's
        # limit (a flood once held its slot for 240 s, the engine waiting for its output read).
        case_wall_s = problem.limits.wall_limit_s(problem.limits.time_per_case_s)
        assert report.time_ms is not None and report.time_ms < 1000 * case_wall_s

"""Every known submission gets the verdict its folder declares, each judged in its own test in
the real sandbox; `judgekit verify` (tests/test_verify_command.py) adds the time-limit check."""

from __future__ import annotations

from collections.abc import Iterator
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
from repo_support import REPO_ROOT
from sandbox_support import require_sandbox, require_snapshots

WARM_S = 300
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
def snapshots(problem: Problem) -> Iterator[PrewarmedSandboxes]:
    """Clones of one checkpointed template."""
    require_snapshots(problem.root)
    with PrewarmedSandboxes(problem, [Device.CPU], 1, _sample_shapes(problem)) as snapshots:
        yield snapshots


def _sample(problem: Problem) -> list[TestCase]:
    return load_cases(problem.testcases_dir, ["sample"])


@pytest.mark.docker
@pytest.mark.parametrize("start", ["cold", "prewarmed", "restored"])
@pytest.mark.parametrize("known", CORPUS, ids=[k.name for k in CORPUS])
def test_a_known_submission_gets_a_verdict_it_declares(
    problem: Problem, request: pytest.FixtureRequest, known: KnownSubmission, start: str
) -> None:
    """The same verdict from a container started for it, from a prewarmed one and from a
    clone restored from a snapshot."""
    sandboxes: PrewarmedSandboxes = request.getfixturevalue(
        "snapshots" if start == "restored" else "sandboxes"
    )
    if start != "cold":
        assert sandboxes.wait_until_warm(WARM_S), f"no {start} sandbox"
    sandbox = sandboxes.sandbox if start == "cold" else sandboxes.for_device(Device.CPU)
    report = judge_submission(problem, known.path, sandbox=sandbox)
    if report.image:  # a compile error found before any sandbox ran has no run to tell
        assert report.prewarmed is (start != "cold")
    expected = "/".join(sorted(v.value for v in known.expected))
    assert report.verdict in known.expected, (
        f"{known.name}: expected {expected}, got {report.verdict.value}: {report.message}"
    )
    if report.verdict is Verdict.OLE:
        # Killed at the cap, whatever the container is blocked on: long before any clock's
        # limit (a flood once held its slot for 240 s, the engine waiting for its output read).
        case_wall_s = problem.limits.wall_limit_s(problem.limits.time_per_case_s)
        assert report.time_ms is not None and report.time_ms < 1000 * case_wall_s

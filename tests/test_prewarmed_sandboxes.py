"""Prewarmed sandboxes: booted ahead, each used for one submission, then destroyed; a job
through the pool behaves exactly as a cold one, its limits counted from the hand-over."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from judgekit.judge.judging import judge_cases
from judgekit.judge.verdict import Verdict
from judgekit.package.files import reference_path
from judgekit.package.problem import Device, Problem
from judgekit.package.shapes import warmup_shapes
from judgekit.package.testcase import load_cases
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.frames import Result
from judgekit.sandbox.leftover_containers import LABEL, OWNER_LABEL, owner
from judgekit.sandbox.outcome import ContainerSpec, Job, RunOutcome
from judgekit.sandbox.pool import SandboxPool
from sandbox_support import require_sandbox

pytestmark = pytest.mark.docker
WARM_S = 300


@pytest.fixture(scope="module")
def sandbox(problem: Problem) -> Sandbox:
    require_sandbox(problem.root)
    return Sandbox(problem.root)


@pytest.fixture(scope="module")
def spec(problem: Problem, sandbox: Sandbox) -> ContainerSpec:
    return ContainerSpec(require_sandbox(problem.root), Device.CPU, problem.limits)


@pytest.fixture
def pool(sandbox: Sandbox, spec: ContainerSpec) -> Iterator[SandboxPool]:
    with SandboxPool(sandbox, spec, size=2, shapes=[(3, 2)]) as pool:
        assert pool.wait_until_warm(WARM_S), "the pool did not warm up"
        yield pool


def _job(problem: Problem, spec: ContainerSpec, folder: Path, source: str) -> Job:
    """One case of the sample group, run by SOURCE."""
    submission = folder / "submission.py"
    submission.write_text(source)
    case = load_cases(problem.testcases_dir, ["sample"])[0]
    return Job(
        submission,
        [case.input],
        problem.entry_point.function,
        problem.entry_point.runner_parameters(),
        spec.limits,
        spec.device,
        spec.image,
        problem.output.shape,
    )


def _returned(outcome: RunOutcome) -> tuple[float, ...]:
    results = [t.frame for t in outcome.frames if isinstance(t.frame, Result)]
    assert results, f"no result: {outcome}"
    assert results[0].values is not None
    return results[0].values


LEAVES_TRACES = """
import os, pathlib, subprocess
def frozen_kernel_unchanged(seed, x, features, value):
    import jax.numpy as jnp
    pathlib.Path("/tmp/left-by-a").write_text("a")
    subprocess.Popen(["sleep", "1000"], start_new_session=True)
    cache = pathlib.Path(os.environ.get("JAX_COMPILATION_CACHE_DIR") or "/nonexistent")
    try:
        (cache / "left-by-a").write_text("a")
    except OSError:
        pass
    jnp.linalg.norm(jnp.ones((7, 5)) * 3.0)  # a shape the cache does not hold
    entries = len(list(cache.iterdir())) if cache.is_dir() else -1
    return [float(entries), 0.0, 0.0]
"""

LOOKS_FOR_TRACES = """
import os, pathlib
def frozen_kernel_unchanged(seed, x, features, value):
    cache = pathlib.Path(os.environ.get("JAX_COMPILATION_CACHE_DIR") or "/nonexistent")
    entries = len(list(cache.iterdir())) if cache.is_dir() else -1
    sleeping = [
        p for p in pathlib.Path("/proc").iterdir()
        if p.name.isdigit() and b"sleep" in (p / "cmdline").read_bytes()
    ]
    file_left = pathlib.Path("/tmp/left-by-a").exists() or (cache / "left-by-a").exists()
    return [float(entries), float(len(sleeping)), float(file_left)]
"""


def test_two_submissions_one_after_the_other_share_no_file_process_or_cache_write(
    problem: Problem, spec: ContainerSpec, pool: SandboxPool, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = pool.run(_job(problem, spec, tmp_path / "a", LEAVES_TRACES))
    assert pool.wait_until_warm(WARM_S)
    second = pool.run(_job(problem, spec, tmp_path / "b", LOOKS_FOR_TRACES))
    assert first.prewarmed and second.prewarmed
    entries_seen_by_a = _returned(first)[0]
    entries, sleeping, file_left = _returned(second)
    assert entries == entries_seen_by_a  # no cache entry written by the first reached it
    assert sleeping == 0 and file_left == 0


def test_the_warm_up_leaves_nothing_in_the_learners_process(
    problem: Problem, spec: ContainerSpec, pool: SandboxPool, tmp_path: Path
) -> None:
    snoop = """
import gc, sys
def frozen_kernel_unchanged(seed, x, features, value):
    modules = [m for m in sys.modules if "warmup" in m]
    functions = [
        o for o in gc.get_objects()
        if getattr(o, "__module__", None) in ("_warmup", "warmup")
        or "warmup" in str(getattr(getattr(o, "__code__", None), "co_filename", ""))
    ]
    frames = len(sys._current_frames())
    return [float(len(modules)), float(len(functions)), float(frames)]
"""
    modules, functions, frames = _returned(pool.run(_job(problem, spec, tmp_path, snoop)))
    assert (modules, functions, frames) == (0, 0, 1)


def test_the_limits_start_when_the_submission_is_handed_over(
    problem: Problem, sandbox: Sandbox, spec: ContainerSpec, tmp_path: Path
) -> None:
    """0.3 s of CPU to start: too short to boot a container and import JAX (about 0.7 s of
    CPU), enough to load a submission into a warm one (about 20 ms)."""
    quick = dataclasses.replace(spec, limits=dataclasses.replace(spec.limits, startup_s=0.3))
    source = "def frozen_kernel_unchanged(*a):\n    return [1.0, 2.0, 3.0]\n"
    job = _job(problem, quick, tmp_path, source)
    with SandboxPool(sandbox, quick, size=1) as pool:
        assert pool.wait_until_warm(WARM_S)
        warm = pool.run(job)
    cold = sandbox.run(job)
    assert warm.prewarmed and _returned(warm) == (1.0, 2.0, 3.0)
    assert not cold.prewarmed and cold.killed_for is not None
    assert cold.killed_for.value == "startup_time"


def test_without_a_warm_container_a_job_runs_cold(
    problem: Problem, sandbox: Sandbox, spec: ContainerSpec, tmp_path: Path
) -> None:
    source = "def frozen_kernel_unchanged(*a):\n    return [1.0, 2.0, 3.0]\n"
    with SandboxPool(sandbox, spec, size=0) as empty:
        outcome = empty.run(_job(problem, spec, tmp_path, source))
    assert not outcome.prewarmed and _returned(outcome) == (1.0, 2.0, 3.0)


def test_a_job_with_other_limits_runs_cold_and_a_dead_warm_container_is_not_used(
    problem: Problem, spec: ContainerSpec, pool: SandboxPool, tmp_path: Path
) -> None:
    source = "def frozen_kernel_unchanged(*a):\n    return [1.0, 2.0, 3.0]\n"
    other = dataclasses.replace(spec, limits=dataclasses.replace(spec.limits, memory_mib=1024))
    outcome = pool.run(_job(problem, other, tmp_path, source))
    assert not outcome.prewarmed and _returned(outcome) == (1.0, 2.0, 3.0)
    client = docker.from_env()
    for session in list(pool._warm):
        assert session.box is not None
        client.api.kill(session.box.id)
    outcome = pool.run(_job(problem, spec, tmp_path, source))
    assert _returned(outcome) == (1.0, 2.0, 3.0)


def test_prewarmed_containers_carry_the_sandbox_labels_and_close_removes_them(
    sandbox: Sandbox, spec: ContainerSpec
) -> None:
    """The labels are what `sweep` finds after a restart."""
    client = docker.from_env()
    mine = {"label": [LABEL, f"{OWNER_LABEL}={owner()}"]}
    before = {c["Id"] for c in client.api.containers(all=True, filters=mine)}
    with SandboxPool(sandbox, spec, size=2) as pool:
        assert pool.wait_until_warm(WARM_S)
        warm = {c["Id"] for c in client.api.containers(all=True, filters=mine)} - before
        assert len(warm) == 2
    after = {c["Id"] for c in client.api.containers(all=True, filters=mine)}
    assert not warm & after


def test_the_reference_through_the_pool_is_accepted_on_every_case(
    problem: Problem, sandbox: Sandbox, spec: ContainerSpec
) -> None:
    cases = load_cases(problem.testcases_dir, problem.group_names)
    with SandboxPool(sandbox, spec, size=1, shapes=warmup_shapes(problem)) as pool:
        assert pool.wait_until_warm(WARM_S)
        report = judge_cases(
            problem, reference_path(problem), cases, device=Device.CPU, sandbox=pool
        )
    assert report.verdict is Verdict.AC, report.message
    assert len(report.cases) == len(cases)

"""The time limits are on the container's CPU clock (user time), read on the host from its
cgroup, with a wall-clock backstop; a run the host starved (here: paused by the engine) is
judged again."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker.models.containers import Container
from judgekit.judge.judging import judge_submission
from judgekit.judge.report import CaseResult
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem, WallBackstop
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.cpu_clock import CgroupClock, EngineClock, cgroup_files, container_clock
from judgekit.sandbox.leftover_containers import LABEL, OWNER_LABEL, owner
from judgekit.sandbox.outcome import Job, KillReason, LimitClock

pytestmark = pytest.mark.docker

BUSY = "while True:\n    pass\n"


@pytest.fixture
def busy_container(image: str) -> Iterator[Container]:
    client = docker.from_env()
    container = client.containers.run(
        image,
        ["/opt/venv/bin/python", "-c", BUSY],
        detach=True,
        nano_cpus=10**9,
        network_disabled=True,
        labels={LABEL: "1", OWNER_LABEL: owner()},
    )
    try:
        container.reload()
        yield container
    finally:
        container.remove(force=True)
        client.close()


def test_the_cgroup_of_a_container_is_found_on_the_host_and_counts_its_cpu_time(
    busy_container: Container,
) -> None:
    client = docker.from_env()
    pid = int(busy_container.attrs["State"]["Pid"])
    clock = container_clock(client, busy_container.id, pid)
    assert isinstance(clock, CgroupClock), "the container's cgroup was not found"
    engine = EngineClock(client, busy_container.id)
    first, first_engine = clock.sample(), engine.sample()
    time.sleep(1.5)
    last, last_engine = clock.sample(), engine.sample()
    used_s = (last.cpu_us - first.cpu_us) / 1e6
    assert 0.2 < used_s <= 1.7  # one busy thread under a 1-CPU quota, on a shared host
    # The engine's own count of the same container agrees with the cgroup's.
    assert abs((last_engine.cpu_us - first_engine.cpu_us) / 1e6 - used_s) < 0.5
    assert not last.frozen
    busy_container.pause()
    try:
        assert clock.sample().frozen
    finally:
        busy_container.unpause()


def test_a_cgroup_that_does_not_name_the_container_is_refused(busy_container: Container) -> None:
    pid = int(busy_container.attrs["State"]["Pid"])
    cgroups = Path(f"/proc/{pid}/cgroup").read_text()
    mountinfo = Path("/proc/self/mountinfo").read_text()
    assert cgroup_files(cgroups, mountinfo, busy_container.id) is not None
    assert cgroup_files(cgroups, mountinfo, "f" * 64) is None


def _job(problem: Problem, image: str, path: Path, source: str, cases: int) -> Job:
    path.write_text(source)
    limits = dataclasses.replace(
        problem.limits, time_per_case_s=2, wall_backstop=WallBackstop(factor=2, slack_s=2)
    )
    inputs = [{"seed": 0, "x": [1.0], "features": 1, "frozen_bias_value": 1}] * cases
    return Job(
        path,
        inputs,
        problem.entry_point.function,
        problem.entry_point.runner_parameters(),
        limits,
        Device.CPU,
        image,
    )


def test_a_busy_case_ends_on_its_cpu_limit_and_a_sleeping_one_on_the_wall_backstop(
    problem: Problem, image: str, tmp_path: Path
) -> None:
    sandbox = Sandbox(problem.root)
    busy = sandbox.run(
        _job(problem, image, tmp_path / "busy.py", f"def {FUNCTION}(*a):\n" + _indent(BUSY), 1)
    )
    assert (busy.killed_for, busy.limit_clock) == (KillReason.CASE_TIME, LimitClock.CPU)
    assert busy.cpu_ms is not None and busy.cpu_ms >= 2000
    sleeping = sandbox.run(
        _job(
            problem,
            image,
            tmp_path / "sleeps.py",
            f"import time\ndef {FUNCTION}(*a):\n    time.sleep(60)\n",
            1,
        )
    )
    assert (sleeping.killed_for, sleeping.limit_clock) == (KillReason.CASE_TIME, LimitClock.WALL)
    # The backstop: 2 x 2 s + 2 s of wall-clock time, while the case used almost no CPU.
    assert 6000 <= sleeping.wall_ms - sleeping.frames[0].elapsed_ms < 20000


def test_each_case_reports_its_cpu_time_beside_its_wall_time(
    problem: Problem, image: str, tmp_path: Path
) -> None:
    source = (
        "import time\n"
        f"def {FUNCTION}(*a):\n"
        "    start = time.process_time()\n"
        "    while time.process_time() - start < 0.3:\n"
        "        sum(range(100_000))  # user time; the clock read itself is a system call\n"
        "    time.sleep(0.3)\n"
        "    return [1, 2, 3]\n"
    )
    outcome = Sandbox(problem.root).run(_job(problem, image, tmp_path / "s.py", source, 3))
    assert outcome.killed_for is None
    cases = outcome.frames[1:4]
    assert all(t.cpu_ms is not None and 250 <= t.cpu_ms < 1500 for t in cases)
    assert all(t.elapsed_ms >= 550 for t in cases)  # the sleep is wall time, not CPU time


def _kernel_work(seconds: float) -> str:
    """A case that keeps the kernel busy for SECONDS of wall-clock time (forever: 0), copying
    64 MiB from /dev/zero at a time: system time, almost no user time."""
    condition = f"time.monotonic() - start < {seconds}" if seconds else "True"
    return (
        "import time\n"
        f"def {FUNCTION}(*a):\n"
        "    buffer = bytearray(64 * 1024 * 1024)\n"
        "    with open('/dev/zero', 'rb', buffering=0) as zero:\n"
        "        start = time.monotonic()\n"
        f"        while {condition}:\n"
        "            zero.readinto(buffer)\n"
        "    return [1, 2, 3]\n"
    )


def test_the_kernels_work_is_off_the_cpu_clock_and_bounded_by_the_wall_backstop(
    problem: Problem, image: str, tmp_path: Path
) -> None:
    """System time costs what the host makes it cost (a virtual machine backing memory on first
    touch makes faults 50 times dearer), so the CPU limit counts user time only; a case the
    kernel keeps busy past its CPU limit still ends, on the wall-clock backstop."""
    sandbox = Sandbox(problem.root)
    past_the_cpu_limit = sandbox.run(
        _job(problem, image, tmp_path / "kernel.py", _kernel_work(3), 1)
    )
    assert past_the_cpu_limit.killed_for is None, past_the_cpu_limit.killed_for
    case = past_the_cpu_limit.frames[1]
    assert case.elapsed_ms >= 3000
    assert case.cpu_ms is not None and case.cpu_ms < 1500  # user time only, under the 2 s limit
    forever = sandbox.run(_job(problem, image, tmp_path / "forever.py", _kernel_work(0), 1))
    assert (forever.killed_for, forever.limit_clock) == (KillReason.CASE_TIME, LimitClock.WALL)


FUNCTION = "frozen_kernel_unchanged"


def _indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in text.splitlines())


def _pause_once(seconds: float) -> threading.Event:
    """When set, pause this judge's sandbox container for SECONDS (once), then resume it."""
    start = threading.Event()

    def pause() -> None:
        start.wait()
        client = docker.from_env()
        [container] = client.containers.list(
            filters={"label": [LABEL, f"{OWNER_LABEL}={owner()}"], "status": "running"}
        )
        container.pause()
        time.sleep(seconds)
        with contextlib.suppress(docker.errors.APIError):
            container.unpause()  # unless the judge gave up on it and removed it already
        client.close()

    threading.Thread(target=pause, daemon=True).start()
    return start


def test_a_run_paused_by_the_host_past_its_backstop_is_judged_again_not_tle(
    problem: Problem, image: str
) -> None:
    """A case paused (frozen: runnable work the host does not run) for longer than its wall
    backstop: the paused time is starvation, not the learner's; past the judge's patience the
    run is judged again, and the second run gets the verdict a quiet host gives."""
    quick = dataclasses.replace(
        problem,
        limits=dataclasses.replace(
            problem.limits, time_per_case_s=2, wall_backstop=WallBackstop(factor=1, slack_s=1)
        ),
    )
    # Backstop 3 s; the judge waits 4 x 3 s of wall-clock time for a starved case.
    pause = _pause_once(16)
    first_case = threading.Event()

    def on_case(result: CaseResult) -> None:
        if not first_case.is_set():
            first_case.set()
            pause.set()

    started = time.monotonic()
    report = judge_submission(
        quick,
        problem.root / problem.reference,
        groups=["sample"],
        on_case=on_case,
        sandbox=Sandbox(problem.root),
    )
    assert report.verdict is Verdict.AC, report.message
    assert report.reruns == 1
    assert report.cpu_ms is not None and report.time_ms is not None
    assert time.monotonic() - started < 120

"""The sandbox against the real Docker engine: hardening, clean-up, and the result channel."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import docker
import pytest
from judgekit.judge import strict_json
from judgekit.judge.judging import judge_submission
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem
from judgekit.sandbox.container import Sandbox
from judgekit.sandbox.leftover_containers import (
    LABEL,
    OWNER_LABEL,
    owner,
    remove_container,
    sweep,
)
from judgekit.sandbox.outcome import Job

pytestmark = pytest.mark.docker


def _labelled() -> list[str]:
    """This process's sandbox containers: other judges may share the engine."""
    mine = f"{OWNER_LABEL}={owner()}"
    out = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={LABEL}", "--filter", f"label={mine}"],
        capture_output=True,
        text=True,
    )
    return out.stdout.split()


def test_the_reference_is_accepted_with_a_documented_report(problem: Problem, image: str) -> None:
    report = judge_submission(
        problem, problem.root / "reference" / "frozen_kernel_unchanged.py", groups=["sample"]
    )
    assert report.verdict is Verdict.AC, report.message
    data = json.loads(strict_json.dumps(report.to_json()))  # as `judgekit run --json` prints
    assert {"verdict", "cases", "device", "image", "platform", "time_ms"} <= set(data)
    assert data["image"] == image and data["device"] == "cpu" and data["platform"] == "cpu"
    assert all({"id", "verdict", "time_ms", "message"} <= set(c) for c in data["cases"])
    sample = data["cases"][0]
    assert sample["input"]["seed"] == 0 and sample["expected"] and sample["got"]
    assert _labelled() == []


def test_secret_cases_carry_no_data(problem: Problem, image: str, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text("def frozen_kernel_unchanged(seed, x, features, v):\n    return [1, 2, 3]\n")
    report = judge_submission(problem, wrong, groups=["secret"])
    assert report.verdict is Verdict.WA
    case = json.loads(strict_json.dumps(report.to_json()))["cases"][0]
    assert "input" not in case and "expected" not in case and "got" not in case


def test_a_learner_print_is_not_a_result(problem: Problem, image: str, tmp_path: Path) -> None:
    forger = tmp_path / "forger.py"
    forger.write_text(
        "import sys\n"
        "def frozen_kernel_unchanged(seed, x, features, v):\n"
        "    print('[1.0, 2.1953921318054199, 4.0]')\n"
        '    print(\'{"event": "result", "case": "0"}\', file=sys.stderr)\n'
        "    return None\n"
    )
    report = judge_submission(problem, forger, groups=["sample"])
    assert report.verdict is Verdict.RTE
    assert "None" in report.cases[0].message


def test_the_container_is_hardened(problem: Problem, image: str, tmp_path: Path) -> None:
    submission = tmp_path / "s.py"
    submission.write_text("def frozen_kernel_unchanged(*a):\n    return [1, 2, 3]\n")
    job = Job(submission, [], "frozen_kernel_unchanged", [], problem.limits, Device.CPU, image)
    (tmp_path / "sub").mkdir()
    container = Sandbox(problem.root).create_container(job, tmp_path / "sub")
    try:
        config = container.attrs["HostConfig"]
        assert container.attrs["Config"]["User"] == "10001:10001"
        assert container.attrs["Config"]["NetworkDisabled"] is True
        assert config["NetworkMode"] == "none"
        assert config["ReadonlyRootfs"] is True
        assert config["CapDrop"] == ["ALL"] and not config["CapAdd"]
        assert "no-new-privileges" in config["SecurityOpt"]
        seccomp = next(o for o in config["SecurityOpt"] if o.startswith("seccomp="))
        profile = json.loads(seccomp.removeprefix("seccomp="))
        allowed = {
            n
            for rule in profile["syscalls"]
            if rule["action"] == "SCMP_ACT_ALLOW"
            for n in rule["names"]
        }
        assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
        assert not allowed & {
            "io_uring_setup",
            "io_uring_enter",
            "keyctl",
            "add_key",
            "bpf",
            "perf_event_open",
            "unshare",
            "setns",
            "mount",
            "ptrace",
        }
        assert config["Memory"] == config["MemorySwap"] == problem.limits.memory_mib * 2**20
        assert config["PidsLimit"] > 0 and config["NanoCpus"] > 0
        assert {u["Name"] for u in config["Ulimits"]} >= {"nofile", "fsize", "core"}
        assert config["Tmpfs"]["/tmp"].startswith("rw,nosuid,nodev,noexec,size=")
        # The submission only, read-only: test inputs reach the supervisor on its stdin.
        assert [b.split(":")[-1] for b in config["Binds"]] == ["ro"]
        names = {entry.split("=", 1)[0] for entry in container.attrs["Config"]["Env"]}
        assert names <= {
            "HOME",
            "PATH",
            "LANG",
            "JAX_PLATFORMS",
            "JAX_COMPILATION_CACHE_DIR",  # the image's read-only cache
            "JAX_PERSISTENT_CACHE_ENABLE_XLA_CACHES",  # none: XLA would write there
            "PYTHONDONTWRITEBYTECODE",
            "PYTHONUNBUFFERED",
            "XDG_CACHE_HOME",
            "JUDGEKIT_DEVICE",
            "JUDGEKIT_NONCE",  # read and dropped by the supervisor before the learner starts
        }
        assert not any("docker.sock" in b for b in config["Binds"])
        assert config["LogConfig"]["Type"] == "none"  # no output of the learner's on disk
        assert config["DeviceRequests"] is None
    finally:
        container.remove(force=True)


def test_a_gpu_job_requests_the_gpu_from_the_engine(
    problem: Problem, image: str, tmp_path: Path
) -> None:
    job = Job(tmp_path / "s.py", [], "f", [], problem.limits, Device.GPU, image)
    (tmp_path / "sub").mkdir()
    container = Sandbox(problem.root).create_container(job, tmp_path / "sub")
    try:
        requests = container.attrs["HostConfig"]["DeviceRequests"]
        assert requests[0]["Capabilities"] == [["gpu"]] and requests[0]["Count"] == -1
        assert "JAX_PLATFORMS=cpu" not in container.attrs["Config"]["Env"]
    finally:
        container.remove(force=True)


def test_sweep_removes_containers_of_judges_that_died(image: str) -> None:
    client = docker.from_env()
    orphan = client.containers.create(
        image, command=["true"], labels={LABEL: "1", OWNER_LABEL: "no-such-host:1"}
    )
    assert client.api.containers(all=True, quiet=True, filters={"id": orphan.id})
    assert sweep() >= 1
    assert not client.api.containers(all=True, quiet=True, filters={"id": orphan.id})


def test_a_secret_failure_shows_its_verdict_but_no_data(
    problem: Problem, image: str, tmp_path: Path
) -> None:
    leaky = tmp_path / "leaky.py"
    leaky.write_text(
        "def frozen_kernel_unchanged(seed, x, features, v):\n"
        "    raise ValueError(f'seed={seed} x={list(x)}')\n"
    )
    report = judge_submission(problem, leaky, groups=["secret"])
    assert report.verdict is Verdict.RTE
    assert report.cases[0].message == "Run-Time Error"
    assert "seed=" not in report.message and "seed=" not in json.dumps(report.to_json()["cases"])


def test_a_container_the_engine_could_not_remove_is_removed_once_it_answers(
    image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A judge that lives on after an engine restart cleans up after itself: `sweep` skips
    the containers of a live judge, so its runs keep trying to remove theirs."""
    client = docker.from_env()
    container = client.containers.create(
        image, command=["true"], labels={LABEL: "1", OWNER_LABEL: owner()}
    )
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")  # the engine is away
    assert remove_container(container.id, retry_for_s=60) is False
    container.reload()  # still there (this client was made while the engine answered)
    monkeypatch.delenv("DOCKER_HOST")  # ... and it answers again
    deadline = time.monotonic() + 30
    # The low-level listing: `containers.list` inspects each container it lists, and fails
    # with NotFound when the judge removes this one between the two calls.
    while client.api.containers(all=True, quiet=True, filters={"id": container.id}):
        assert time.monotonic() < deadline, "the container was not removed"
        time.sleep(0.5)


def test_a_gpu_run_on_a_host_without_the_nvidia_runtime_says_what_to_install(
    problem: Problem, image: str, tmp_path: Path
) -> None:
    info = docker.from_env().info()
    if "nvidia" in (info.get("Runtimes") or {}):
        pytest.skip("this host has the NVIDIA runtime")
    submission = tmp_path / "s.py"
    submission.write_text("def frozen_kernel_unchanged(*a):\n    return [1, 2, 3]\n")
    job = Job(submission, [], "frozen_kernel_unchanged", [], problem.limits, Device.GPU, image)
    outcome = Sandbox(problem.root).run(job)
    assert outcome.judge_error is not None
    assert "nvidia-container-toolkit" in outcome.judge_error
    assert "500" not in outcome.judge_error and "--device cpu" in outcome.judge_error

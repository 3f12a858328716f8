"""The snapshot executor's parts that need no checkpoint: which executor a host gets and why,
the OCI bundle's hardening, when a template is made again, and the sweep of what dead judges
left. The clones themselves: tests/test_snapshot_clones.py and the known submissions."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from judgekit.package.problem import Device, Problem
from judgekit.sandbox.container import FILE_SIZE_LIMIT, PIDS_LIMIT, SANDBOX_UID
from judgekit.sandbox.outcome import ContainerSpec
from judgekit.sandbox.snapshots.availability import EXECUTOR_VARIABLE, choose_executor
from judgekit.sandbox.snapshots.bundle import oci_config, oci_seccomp
from judgekit.sandbox.snapshots.executor import _superseded_by
from judgekit.sandbox.snapshots.leftovers import mounts_under, sweep_leftovers
from judgekit.sandbox.snapshots.rootfs import DONE, prune_exports
from judgekit.sandbox.snapshots.runc_box import Runc
from judgekit.sandbox.snapshots.template import MAX_AGE_S, MAX_RESTORES, Template

DEAD_PID = 4_000_000  # above the kernel's pid_max: never a live process


def test_the_pool_is_chosen_when_asked_for_or_for_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXECUTOR_VARIABLE, "pool")
    assert choose_executor(Device.CPU).snapshots is False
    assert EXECUTOR_VARIABLE in choose_executor(Device.CPU).describe()
    monkeypatch.delenv(EXECUTOR_VARIABLE)
    gpu = choose_executor(Device.GPU)
    assert gpu.snapshots is False and "CUDA" in gpu.why


def test_gvisor_and_a_missing_criu_fall_back_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JUDGEKIT_DOCKER_RUNTIME", "runsc")
    assert "runsc" in choose_executor().why
    monkeypatch.delenv("JUDGEKIT_DOCKER_RUNTIME")
    monkeypatch.setenv("JUDGEKIT_CRIU", str(tmp_path / "no-criu"))
    if os.geteuid() == 0 and shutil.which("runc"):
        why = choose_executor().why
        assert "no CRIU at" in why and "tools/criu/build.sh" in why


def test_the_bundle_carries_the_containers_hardening(problem: Problem, tmp_path: Path) -> None:
    profile = json.loads((problem.root / "sandbox" / "seccomp.json").read_text())
    config = oci_config(
        rootfs=tmp_path / "rootfs",
        submission_dir=tmp_path / "submission",
        environment={"HOME": "/tmp"},
        seccomp=profile,
        cgroup="/judgekit/x/box",
    )
    process, linux = config["process"], config["linux"]
    assert f"{process['user']['uid']}:{process['user']['gid']}" == SANDBOX_UID
    assert all(not caps for caps in process["capabilities"].values())
    assert process["noNewPrivileges"] is True and config["root"]["readonly"] is True
    assert {"type": "network"} in linux["namespaces"]
    assert linux["resources"]["pids"]["limit"] == PIDS_LIMIT
    limits = {r["type"]: r["hard"] for r in process["rlimits"]}
    assert limits["RLIMIT_FSIZE"] == FILE_SIZE_LIMIT and limits["RLIMIT_CORE"] == 0
    mounts = {m["destination"]: m for m in config["mounts"]}
    assert "ro" in mounts["/judge/submission"]["options"]
    assert "noexec" in mounts["/tmp"]["options"]
    seccomp = linux["seccomp"]
    assert seccomp == oci_seccomp(profile) and seccomp["defaultAction"] == "SCMP_ACT_ERRNO"
    assert not any("comment" in rule for rule in seccomp["syscalls"])
    names = [n for rule in seccomp["syscalls"] for n in rule["names"]]
    assert names == [n for rule in profile["syscalls"] for n in rule["names"]]


def test_a_template_is_made_again_when_worn_out_or_its_image_rebuilt(
    problem: Problem, tmp_path: Path
) -> None:
    spec = ContainerSpec("judgekit-sandbox-cpu:a", Device.CPU, problem.limits)
    template = Template(spec, tmp_path, tmp_path, {}, made_at=100.0)
    assert not template.worn_out(100.0 + MAX_AGE_S - 1)
    assert template.worn_out(100.0 + MAX_AGE_S)
    assert dataclasses.replace(template, restores=MAX_RESTORES).worn_out(101.0)
    rebuilt = dataclasses.replace(spec, image="judgekit-sandbox-cpu:b")
    assert _superseded_by(spec, rebuilt) and not _superseded_by(spec, spec)
    other_limits = dataclasses.replace(
        rebuilt, limits=dataclasses.replace(problem.limits, memory_mib=1)
    )
    assert not _superseded_by(spec, other_limits)


@pytest.mark.skipif(shutil.which("runc") is None, reason="runc is not installed")
def test_the_sweep_removes_what_dead_judges_left_and_nothing_of_live_ones(
    tmp_path: Path,
) -> None:
    state, cgroups = tmp_path / "state", tmp_path / "cgroup"
    dead, live = f"judge-{DEAD_PID}", f"judge-{os.getpid()}"
    for folder in (state / dead / "clones", state / live / "clones"):
        folder.mkdir(parents=True)
    dead_cgroup = cgroups / "memory" / "judgekit" / f"judgekit-{DEAD_PID}-clone-ab" / "box"
    live_cgroup = cgroups / "memory" / "judgekit" / f"judgekit-{os.getpid()}-clone-cd" / "box"
    for folder in (dead_cgroup, live_cgroup):
        folder.mkdir(parents=True)
    runc = Runc(str(shutil.which("runc")), "/nonexistent/criu", tmp_path / "runc")
    assert sweep_leftovers(state, runc, cgroups) == 2
    assert not (state / dead).exists() and (state / live).is_dir()
    assert not dead_cgroup.parent.exists() and live_cgroup.is_dir()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")
def test_the_sweep_unmounts_a_mount_left_on_the_exported_rootfs(tmp_path: Path) -> None:
    """What a runc killed mid-restore left on the shared rootfs: a bind of a submission folder
    since deleted, which makes every later `runc run` refuse the path as malicious."""
    state, source = tmp_path / "state", tmp_path / "submission"
    point = state / "rootfs" / "0123" / "rootfs" / "judge" / "submission"
    point.mkdir(parents=True)
    source.mkdir()
    subprocess.run(["mount", "--bind", str(source), str(point)], check=True)
    source.rmdir()
    try:
        mountinfo = Path("/proc/self/mountinfo").read_text()
        assert mounts_under(state, mountinfo) == [str(point)]
        runc = Runc(str(shutil.which("runc") or "runc"), "/nonexistent/criu", tmp_path / "runc")
        assert sweep_leftovers(state, runc, tmp_path / "cgroup") == 1
        assert mounts_under(state, Path("/proc/self/mountinfo").read_text()) == []
    finally:
        subprocess.run(["umount", "--lazy", str(point)], capture_output=True, check=False)


def test_mount_points_are_read_from_mountinfo_with_their_escapes() -> None:
    mountinfo = (
        "45 27 254:0 /tmp/x//deleted /var/lib/s/rootfs/a/rootfs/judge/submission rw - ext4 x rw\n"
        "46 27 254:0 / /var/lib/s/rootfs/a/with\\040space rw - ext4 x rw\n"
        "47 27 254:0 / /var/lib/snapshots-other rw - ext4 x rw\n"
    )
    assert mounts_under(Path("/var/lib/s"), mountinfo) == [
        "/var/lib/s/rootfs/a/rootfs/judge/submission",
        "/var/lib/s/rootfs/a/with space",
    ]


def test_an_export_is_pruned_once_its_image_is_gone_and_no_template_can_use_it(
    tmp_path: Path,
) -> None:
    def export(short: str, idle_s: float) -> Path:
        (tmp_path / short / "rootfs").mkdir(parents=True)
        done = tmp_path / short / DONE
        done.write_text("judgekit-sandbox-cpu:x\n")
        os.utime(done, (time.time() - idle_s, time.time() - idle_s))
        return done.parent

    kept = export("aaaaaaaaaaaaaaaa", 10 * MAX_AGE_S)  # its image is still there
    gone_long_ago = export("bbbbbbbbbbbbbbbb", 2 * MAX_AGE_S)
    gone_but_recent = export("cccccccccccccccc", 60.0)  # a live template may restore from it
    partial = tmp_path / "dddddddddddddddd.partial-123"  # another judge's export under way
    partial.mkdir()
    images = {"sha256:" + "a" * 64}
    assert prune_exports(tmp_path, images, MAX_AGE_S) == 1
    assert kept.is_dir() and gone_but_recent.is_dir() and partial.is_dir()
    assert not gone_long_ago.exists()

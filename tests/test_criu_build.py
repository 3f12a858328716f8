"""The snapshot executor's CRIU: tools/criu/ carries the pinned CRIU 4.2 source and one patch,
each pinned by its sha256; tools/criu/build.sh builds /opt/judgekit/criu-4.2/sbin/criu from them.
Built, it passes `criu check` on this kernel and, patched, dumps and restores a process of the
sandbox's uid (10001) even when root lacks CAP_SYS_RESOURCE."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from repo_support import REPO_ROOT, missing

CRIU_DIR = REPO_ROOT / "tools" / "criu"
TARBALL = CRIU_DIR / "criu-4.2.tar.gz"
PATCH = CRIU_DIR / "patches" / "0001-rlimits-from-proc-when-prlimit-is-refused.patch"
CRIU = Path("/opt/judgekit/criu-4.2/sbin/criu")
SANDBOX_UID = 10001
CAP_SYS_RESOURCE = 24
LIMITED = ["prlimit", "--nofile=123:456", "--"]
AS_SANDBOX_UID = ["setpriv", f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}", "--clear-groups"]


def _recorded() -> dict[str, str]:
    """Path under tools/criu -> sha256, from SHA256SUMS in sha256sum's format."""
    recorded = {}
    for line in (CRIU_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        recorded[name.lstrip("*")] = digest
    return recorded


def _patched_files(patch: Path) -> list[str]:
    """The paths a -p1 patch changes, from its '+++ b/...' lines."""
    lines = patch.read_text(encoding="utf-8").splitlines()
    return [line.split()[1].split("/", 1)[1] for line in lines if line.startswith("+++ ")]


def test_the_tarball_and_every_patch_have_the_recorded_sha256() -> None:
    recorded = _recorded()
    inputs = [TARBALL, *sorted((CRIU_DIR / "patches").glob("*.patch"))]
    assert set(recorded) == {str(path.relative_to(CRIU_DIR)) for path in inputs}
    actual = {
        str(path.relative_to(CRIU_DIR)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in inputs
    }
    assert actual == recorded


def test_the_tarball_is_the_criu_4_2_release_source() -> None:
    with tarfile.open(TARBALL) as tar:
        versions = tar.extractfile("criu-4.2/Makefile.versions")
        assert versions is not None
        text = versions.read().decode()
        assert {name.split("/", 1)[0] for name in tar.getnames()} == {"criu-4.2"}
    assert "CRIU_VERSION_MAJOR\t:= 4" in text
    assert "CRIU_VERSION_MINOR\t:= 2" in text


def test_the_patch_applies_cleanly_to_the_pinned_source(tmp_path: Path) -> None:
    changed = _patched_files(PATCH)
    assert changed == ["criu/cr-dump.c"]
    with tarfile.open(TARBALL) as tar:
        members = [tar.getmember(f"criu-4.2/{path}") for path in changed]
        tar.extractall(tmp_path, members=members, filter="data")
    result = subprocess.run(
        ["patch", "--dry-run", "--forward", "--fuzz=0", "-p1", "-d", str(tmp_path / "criu-4.2")],
        input=PATCH.read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Clean: no hunk needed an offset or fuzz.
    assert result.stdout.strip() == "checking file criu/cr-dump.c", result.stdout


def _require_criu() -> Path:
    """The built CRIU; skip locally, fail in CI, when tools/criu/build.sh has not installed it
    (the same rule as tests/sandbox_support.py's for the sandbox image)."""
    if os.geteuid() != 0:
        reason = "CRIU dumps and restores only as root"
    elif not CRIU.is_file():
        reason = f"{CRIU} is absent (run tools/setup.sh or tools/criu/build.sh)"
    else:
        return CRIU
    missing(f"the snapshot executor's CRIU: {reason}")


@pytest.fixture
def criu() -> Path:
    return _require_criu()


def _lacks_cap_sys_resource() -> bool:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return not int(line.split()[1], 16) >> CAP_SYS_RESOURCE & 1
    raise AssertionError("no CapEff line in /proc/self/status")


def _status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def _is_our_sleeper(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        return cmdline == b"sleep\x001000\x00" and _status(pid)["Uid"].split()[0] == "10001"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _criu(criu: Path, *args: str, log_dir: Path, log: str) -> None:
    result = subprocess.run(
        [str(criu), *args, "-v4", "-o", log], capture_output=True, text=True, timeout=60
    )
    log_tail = "\n".join((log_dir / log).read_text().splitlines()[-15:])
    assert result.returncode == 0, f"criu {args[0]} failed:\n{result.stderr}\n{log_tail}"


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """`sleep 1000` as the sandbox's uid, in its own session, with stdio on /dev/null (no tty,
    so no --shell-job), and limits of its own (nofile 123:456) that a restore must bring back."""
    process = subprocess.Popen(
        [*LIMITED, *AS_SANDBOX_UID, "sleep", "1000"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        # A restored copy is not our child: it keeps the PID; kill it only if it is ours.
        if _is_our_sleeper(process.pid):
            os.kill(process.pid, signal.SIGKILL)


@pytest.mark.docker
def test_criu_check_passes_on_this_kernel(criu: Path) -> None:
    result = subprocess.run(
        [str(criu), "check"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Looks good." in result.stdout + result.stderr


@pytest.mark.docker
def test_the_patched_criu_dumps_and_restores_a_process_of_the_sandbox_uid(
    criu: Path, sleeper: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    pid = sleeper.pid
    deadline = time.monotonic() + 10
    while not _is_our_sleeper(pid):  # until prlimit and setpriv have exec'd into sleep
        assert sleeper.poll() is None, "the sleeper exited before it slept"
        assert time.monotonic() < deadline, "the sleeper did not start"
        time.sleep(0.02)
    limits = Path(f"/proc/{pid}/limits").read_text()
    assert "Max open files            123                  456" in limits

    _criu(criu, "dump", "-t", str(pid), "-D", str(tmp_path), log_dir=tmp_path, log="dump.log")
    # The dump kills the task; reap it, or its zombie keeps the PID the restore needs.
    assert sleeper.wait(timeout=10) == -signal.SIGKILL
    if _lacks_cap_sys_resource():
        # prlimit64 on another uid is refused without CAP_SYS_RESOURCE: the patch's path.
        dump_log = (tmp_path / "dump.log").read_text()
        assert f"Read the rlimits of {pid} from /proc/{pid}/limits" in dump_log

    _criu(criu, "restore", "-D", str(tmp_path), "-d", log_dir=tmp_path, log="restore.log")
    assert _is_our_sleeper(pid)
    status = _status(pid)
    assert status["Uid"].split() == [str(SANDBOX_UID)] * 4
    assert status["State"].startswith("S")
    assert Path(f"/proc/{pid}/limits").read_text() == limits

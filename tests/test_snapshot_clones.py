"""Clones of one checkpointed template (`judgekit.sandbox.snapshots`): each job runs in a fresh
clone that shares nothing written by the job before it, draws its own random numbers, keeps
every hardening property of the engine's containers, its own memory limit and CPU clock, and
the checkpoint images behind it stay root-only on the host."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import stat
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from judgekit.package.problem import Device, Problem
from judgekit.package.recipe import load_recipe
from judgekit.package.testcase import load_cases
from judgekit.sandbox.container import PIDS_LIMIT, Sandbox
from judgekit.sandbox.engine import RuntimeFailure
from judgekit.sandbox.frames import CaseError, Ready, Result
from judgekit.sandbox.outcome import ContainerSpec, OnFrame, RunOutcome, TimedFrame
from judgekit.sandbox.snapshots import executor
from judgekit.sandbox.snapshots.availability import choose_executor
from judgekit.sandbox.snapshots.executor import STATE_DIR, SnapshotSandbox
from judgekit.sandbox.snapshots.leftovers import mounts_under
from judgekit.sandbox.snapshots.rootfs import DONE
from repo_support import REFERENCE
from sandbox_support import require_snapshots
from test_prewarmed_sandboxes import LEAVES_TRACES, LOOKS_FOR_TRACES, _job, _returned

pytestmark = pytest.mark.docker
WARM_S = 600


@pytest.fixture(scope="module")
def spec(problem: Problem) -> ContainerSpec:
    return ContainerSpec(require_snapshots(problem.root), Device.CPU, problem.limits)


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("snapshots")


@pytest.fixture(scope="module")
def snap(problem: Problem, spec: ContainerSpec, state_dir: Path) -> Iterator[SnapshotSandbox]:
    """One template, warmed up at the sample's shapes, that every test here clones."""
    recipe = load_recipe(problem.root)
    shapes = sorted(
        {recipe.shape_of(c.input) for c in load_cases(problem.testcases_dir, ["sample"])}
    )
    seccomp = problem.root / "sandbox" / "seccomp.json"
    snap = SnapshotSandbox(
        Sandbox(problem.root), choose_executor(), seccomp, shapes, state_dir=state_dir, ahead=spec
    )
    try:
        assert snap.wait_until_warm(spec, WARM_S), "the template was not made"
        yield snap
    finally:
        snap.close()
        # Every reference to the template was given back: closing removed its images.
        assert not list(state_dir.glob("judge-*/templates/*/images")), "a template outlived close"
        if str(state_dir) not in Path("/proc/self/mountinfo").read_text():
            shutil.rmtree(state_dir, ignore_errors=True)  # the exported image: about 1 GB


@pytest.fixture
def clone(
    problem: Problem, spec: ContainerSpec, snap: SnapshotSandbox, tmp_path: Path
) -> Callable[..., RunOutcome]:
    """Runs a submission's SOURCE (sample case 0) in a fresh clone, each in its own folder."""
    folders = itertools.count()

    def run(source: str, on_frame: OnFrame | None = None) -> RunOutcome:
        folder = tmp_path / str(next(folders))
        folder.mkdir()
        outcome = snap.run(_job(problem, spec, folder, source), on_frame)
        assert outcome.prewarmed and outcome.judge_error is None, outcome
        return outcome

    return run


def _host_sleepers() -> set[int]:
    """Host processes `sleep 1000` in a snapshot clone's cgroup."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
            in_clone = "/judgekit/" in (entry / "cgroup").read_text()
        except OSError:
            continue
        if command == b"sleep\x001000\x00" and in_clone:
            found.add(int(entry.name))
    return found


# The pool's hygiene probes, and traces in $HOME and /dev/shm besides; the compilation cache
# is looked for where the image has it, whatever the environment says.
MORE_TRACES = """
_pool = frozen_kernel_unchanged
def frozen_kernel_unchanged(*args):
    os.environ["JAX_COMPILATION_CACHE_DIR"] = "/opt/jax-cache"
    pathlib.Path(os.environ["HOME"], "home-left-by-a").write_text("a")
    pathlib.Path("/dev/shm/left-by-a").write_text("a")
    return _pool(*args)
"""
LOOKS_FOR_MORE = """
_pool = frozen_kernel_unchanged
def frozen_kernel_unchanged(*args):
    os.environ["JAX_COMPILATION_CACHE_DIR"] = "/opt/jax-cache"
    home = pathlib.Path(os.environ["HOME"], "home-left-by-a").exists()
    return [*_pool(*args), float(home), float(pathlib.Path("/dev/shm/left-by-a").exists())]
"""


def test_two_clones_one_after_the_other_share_no_file_process_or_cache_write(
    clone: Callable[..., RunOutcome],
) -> None:
    before = _host_sleepers()
    first = clone(LEAVES_TRACES + MORE_TRACES)
    assert _host_sleepers() - before == set(), "a clone's process outlived it on the host"
    second = clone(LOOKS_FOR_TRACES + LOOKS_FOR_MORE)
    entries_seen_by_a = _returned(first)[0]
    entries, sleeping, file_left, home_left, shm_left = _returned(second)
    assert entries_seen_by_a > 0  # the image's cache, read where it is
    assert entries == entries_seen_by_a  # no cache entry written by the first reached it
    assert (sleeping, file_left, home_left, shm_left) == (0, 0, 0, 0)


DRAWS = """
import os, random
import numpy
AT_IMPORT = random.random()
def frozen_kernel_unchanged(*args):
    try:
        environ = float(open("/proc/1/environ", "rb").read(1) is not None)
    except OSError:
        environ = 0.0
    draws = [AT_IMPORT, random.random(), float(random.getrandbits(64)), numpy.random.random()]
    return [*draws, float(any("NONCE" in key for key in os.environ)), environ]
"""


def test_two_clones_draw_different_random_numbers_and_hold_no_nonce(
    clone: Callable[..., RunOutcome],
) -> None:
    """A frame reached the judge at all: each clone's frames carried its own run's nonce."""
    first, second = clone(DRAWS), clone(DRAWS)
    for outcome in (first, second):
        assert outcome.protocol_error is None and outcome.killed_for is None
        assert _returned(outcome)[4:] == (0.0, 0.0)  # no nonce in reach, PID 1's environ shut
    pairs = zip(_returned(first)[:4], _returned(second)[:4], strict=True)
    assert [a != b for a, b in pairs] == [True] * 4, (_returned(first), _returned(second))


HARDENING_FACTS = """
import os, pathlib, signal, socket, subprocess, time
def _fails(action):
    try:
        action()
    except OSError as error:
        return error.errno or -1
    return 0
def frozen_kernel_unchanged(*args):
    status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines())
    mounts = {}
    for line in open("/proc/self/mountinfo"):
        fields, _, fs = line.partition(" - ")
        mounts[fields.split()[4]] = (fs.split()[0], fields.split()[5].split(","))
    script = pathlib.Path("/tmp/probe.sh")
    script.write_text("#!/bin/sh\\nexit 0\\n")
    script.chmod(0o755)
    images = 0
    for folder, names, files in os.walk("/"):
        if folder == "/":
            names[:] = [n for n in names if n not in ("proc", "sys")]
        images += sum(f in ("pages-1.img", "inventory.img") for f in files)
    children = []
    while len(children) < 1000:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    facts = {
        "uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "egid": os.getegid(),
        "groups": len(set(os.getgroups()) - {10001}),
        "CapEff": int(status["CapEff"], 16), "CapPrm": int(status["CapPrm"], 16),
        "CapBnd": int(status["CapBnd"], 16), "CapAmb": int(status["CapAmb"], 16),
        "NoNewPrivs": int(status["NoNewPrivs"]), "Seccomp": int(status["Seccomp"]),
        "write /opt": _fails(lambda: open("/opt/probe", "w").close()),
        "write /judge/submission": _fails(lambda: open("/judge/submission/x", "w").close()),
        "/tmp is tmpfs": mounts.get("/tmp", ("", []))[0] == "tmpfs",
        "/tmp noexec": "noexec" in mounts.get("/tmp", ("", []))[1],
        "exec from /tmp": _fails(lambda: subprocess.run([str(script)], check=False)),
        "interfaces but lo": sum(
            l.split(":")[0].strip() != "lo" for l in open("/proc/net/dev").readlines()[2:]
        ),
        "connect 1.1.1.1:53": _fails(lambda: socket.create_connection(("1.1.1.1", 53), 2)),
        "PID 1 is the supervisor": b"/judge/supervisor.py" in open("/proc/1/cmdline", "rb").read(),
        "parent is PID 1": os.getppid() == 1,
        "read /proc/1/environ": _fails(lambda: open("/proc/1/environ", "rb").read(1)),
        "read /proc/1/mem": _fails(lambda: open("/proc/1/mem", "rb").read(1)),
        "list /proc/1/fd": _fails(lambda: os.listdir("/proc/1/fd")),
        "state dir exists": os.path.exists(STATE) or os.path.exists(HOST_STATE),
        "checkpoint images found": images,
        "processes started": len(children),
    }
    raise RuntimeError("facts: " + json.dumps(facts))
"""
EXPECTED = {
    **{"uid": 10001, "euid": 10001, "gid": 10001, "egid": 10001, "groups": 0},
    **{"CapEff": 0, "CapPrm": 0, "CapBnd": 0, "CapAmb": 0, "NoNewPrivs": 1, "Seccomp": 2},
    **{"write /opt": 30, "write /judge/submission": 30},  # EROFS: read-only mounts
    **{"/tmp is tmpfs": True, "/tmp noexec": True, "exec from /tmp": 13},  # EACCES
    **{"interfaces but lo": 0, "PID 1 is the supervisor": True, "parent is PID 1": True},
    **{"read /proc/1/environ": 13, "read /proc/1/mem": 13, "list /proc/1/fd": 13},
    **{"state dir exists": False, "checkpoint images found": 0},
}


def _facts(outcome: RunOutcome) -> dict[str, object]:
    errors = [t.frame for t in outcome.frames if isinstance(t.frame, CaseError)]
    assert errors and "facts: " in errors[0].error, outcome
    facts: dict[str, object] = json.loads(errors[0].error.split("facts: ", 1)[1])
    return facts


def test_a_clone_keeps_every_hardening_property_seen_from_inside(
    clone: Callable[..., RunOutcome], state_dir: Path
) -> None:
    where = f"import json\nSTATE = {str(STATE_DIR)!r}\nHOST_STATE = {str(state_dir)!r}\n"
    facts = _facts(clone(where + HARDENING_FACTS))
    started = facts.pop("processes started")
    assert facts.pop("connect 1.1.1.1:53") != 0, "a clone reached the network"
    assert facts == EXPECTED
    assert isinstance(started, int) and 0 < started < PIDS_LIMIT


USES_A_GIBIBYTE = """
import numpy as np
def frozen_kernel_unchanged(*args):
    block = np.ones(128 * 1024 * 1024)  # 1 GiB, every page touched
    return [float(block.sum()), 0.0, 0.0]
"""


def test_a_clone_has_its_specs_memory_limit_and_a_self_kill_is_no_oom(
    problem: Problem, spec: ContainerSpec, clone: Callable[..., RunOutcome]
) -> None:
    assert spec.limits.memory_mib >= 2048  # room for 1 GiB beside JAX
    below = clone(USES_A_GIBIBYTE)
    assert _returned(below)[0] == 128 * 1024 * 1024 and not below.oom_killed
    submissions = problem.root / "submissions"
    bomb = (submissions / "memory_limit_exceeded" / "memory_bomb.py").read_text()
    past = clone(bomb)
    assert past.oom_killed is True, past
    assert not any(isinstance(t.frame, Result) for t in past.frames)
    suicide = (submissions / "run_time_error" / "kills_itself.py").read_text()
    killed = clone(suicide)
    assert (killed.exit_code, killed.oom_killed) == (137, False), killed


def test_the_checkpoint_images_and_clone_folders_on_the_host_are_root_only(
    clone: Callable[..., RunOutcome], state_dir: Path
) -> None:
    """Looked at while a clone runs (its folders exist then). The exported image's root
    filesystem, the sandbox's `/`, is the image's own files and readable by design."""
    seen: list[Path] = []
    exposed: list[str] = []

    def look(_: TimedFrame) -> None:
        if seen:
            return
        for folder, names, files in os.walk(state_dir):
            here = Path(folder)
            names[:] = [n for n in names if not _image_root(here / n)]
            for path in [here / n for n in names + files]:
                try:
                    mode = path.lstat().st_mode
                except FileNotFoundError:  # runc's or CRIU's, gone meanwhile
                    continue
                seen.append(path)
                folder_open = stat.S_ISDIR(mode) and stat.S_IMODE(mode) != 0o700
                if folder_open or (stat.S_ISREG(mode) and mode & stat.S_IROTH):
                    exposed.append(f"{oct(stat.S_IMODE(mode))} {path.relative_to(state_dir)}")

    outcome = clone("def frozen_kernel_unchanged(*args):\n    return [1.0, 2.0, 3.0]\n", look)
    assert _returned(outcome) == (1.0, 2.0, 3.0)
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    assert {"inventory.img", "pages-1.img"} <= {p.name for p in seen}, "no checkpoint seen"
    assert any("clone" in p.name for p in seen), "no clone's folder seen"
    assert exposed == [], f"{len(exposed)} readable by others: " + "\n".join(sorted(exposed))


def _image_root(path: Path) -> bool:
    """The exported image's root filesystem, or a mount (runc's view of it while restoring)."""
    return (path.name == "rootfs" and (path.parent / DONE).is_file()) or path.is_mount()


BUSY = """
import time
def frozen_kernel_unchanged(*args):
    started = time.process_time()
    while time.process_time() - started < 2.0:
        sum(range(100_000))  # user time; the clock read itself is a system call
    return [time.process_time() - started, 0.0, 0.0]
"""


def test_a_clones_cpu_time_is_counted_from_the_hand_over(clone: Callable[..., RunOutcome]) -> None:
    outcome = clone(BUSY)
    ready = next(t for t in outcome.frames if isinstance(t.frame, Ready))
    case = next(t for t in outcome.frames if isinstance(t.frame, Result) and t.frame.case == 0)
    assert _returned(outcome)[0] >= 2.0
    assert case.cpu_ms is not None and case.cpu_ms >= 1500, case
    assert ready.cpu_ms is not None and ready.cpu_ms < 1000, ready  # not the template's
    assert outcome.cpu_ms is not None and outcome.cpu_ms >= 1500


ENVIRONMENT = """
import json, os
def frozen_kernel_unchanged(*args):
    raise RuntimeError("facts: " + json.dumps(dict(os.environ)))
"""


def test_a_clone_sees_the_environment_of_the_engines_containers(
    problem: Problem, spec: ContainerSpec, clone: Callable[..., RunOutcome], tmp_path: Path
) -> None:
    """The image's ENV (the compilation cache's folder among it) holds in a clone as in a
    container the engine starts; only the engine's HOSTNAME, the container's id, differs."""
    restored = _facts(clone(ENVIRONMENT))
    cold = _facts(Sandbox(problem.root).run(_job(problem, spec, tmp_path, ENVIRONMENT)))
    cold.pop("HOSTNAME", None)
    assert restored == cold


def test_restoring_clones_at_once_mounts_nothing_in_the_judges_mount_table(
    clone: Callable[..., RunOutcome], state_dir: Path
) -> None:
    """runc binds each clone's submission folder onto the shared rootfs while it restores: in
    the judge's own mount table, two restores would stack their binds there, and a runc that
    died before unmounting would leave one that breaks every later template."""
    seen: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.extend(mounts_under(state_dir, Path("/proc/self/mountinfo").read_text()))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(lambda _: clone(REFERENCE.read_text()), range(4)))
    finally:
        done.set()
        watcher.join()
    assert all(_returned(outcome) for outcome in outcomes)
    assert seen == []


def test_a_clone_that_cannot_be_restored_is_judged_by_the_fallback(
    problem: Problem,
    spec: ContainerSpec,
    snap: SnapshotSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing of the job ran before the restore: its failure is the judge's, never a JE."""

    def restore_fails(*args: object, **kwargs: object) -> None:
        raise RuntimeFailure("runc restore failed: possibly malicious path detected")

    monkeypatch.setattr(executor, "RuncBox", restore_fails)
    outcome = snap.run(_job(problem, spec, tmp_path, REFERENCE.read_text()))
    assert outcome.judge_error is None and not outcome.prewarmed
    assert _returned(outcome)

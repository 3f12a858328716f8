"""One hardened, throw-away Docker container per run, watched and timed from outside.

The judge trusts nothing from inside but the returned numbers: time is measured here, when
each frame arrives, and a deadline moves only when the next case's frame arrives in order
(`FrameOrder`); memory kills are read from the engine's OOM state; output is counted while it
is read and the container is killed once it passes the cap. Whatever the submission prints,
the judge's memory stays bounded (a bounded queue, lines cut at the frame limit) and nothing
is written to the host's disk (no container log).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import docker
import docker.errors
from docker.models.containers import Container
from docker.types import DeviceRequest, LogConfig, Ulimit

from judgekit.errors import JudgekitError
from judgekit.package.problem import Device, Limits
from judgekit.sandbox.engine import EngineError, engine_failure
from judgekit.sandbox.frames import (
    MAX_FRAME_BYTES,
    Frame,
    FrameOrder,
    ProtocolError,
    parse_line,
)
from judgekit.sandbox.leftover_containers import (
    LABEL,
    OWNER_LABEL,
    owner,
    remove_container,
    sweep,
)

SUPERVISOR_IN_IMAGE = "/judge/supervisor.py"
NONCE_VARIABLE = "JUDGEKIT_NONCE"
SUBMISSION_MOUNT = "/judge/submission"
SANDBOX_UID = "10001:10001"
PIDS_LIMIT = 128
SCRATCH_TMPFS = "rw,nosuid,nodev,noexec,size=64m,mode=1777"
FILE_SIZE_LIMIT = 16 * 1024 * 1024
OPEN_FILES_LIMIT = 256
CPUS = 1.0
KEEP_STDERR_BYTES = 16 * 1024
# Chunks between the reader thread and the watcher: with lines cut at the frame limit, the
# judge holds at most this many times 64 KiB of a run's output at once.
QUEUE_CHUNKS = 64
RUNTIME_VARIABLE = "JUDGEKIT_DOCKER_RUNTIME"


class KillReason(Enum):
    STARTUP_TIME = "startup_time"
    CASE_TIME = "case_time"
    TOTAL_TIME = "total_time"
    OUTPUT = "output"
    PROTOCOL = "protocol"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class TimedFrame:
    frame: Frame
    elapsed_ms: int
    """Milliseconds since the previous frame (or the container's start), measured here."""


@dataclass(frozen=True)
class Job:
    """What to run: one submission file over some input files, in one container."""

    submission: Path
    inputs: Sequence[tuple[str, Path]]
    function: str
    parameters: Sequence[dict[str, str]]
    limits: Limits
    device: Device
    image: str
    # The problem's output shape: only words the runner's messages ("an array of 3 numbers").
    output_shape: tuple[int, ...] = ()


@dataclass
class RunOutcome:
    frames: list[TimedFrame] = field(default_factory=list)
    killed_for: KillReason | None = None
    exit_code: int | None = None
    oom_killed: bool = False
    output_bytes: int = 0
    stderr: str = ""
    wall_ms: int = 0
    protocol_error: str | None = None
    judge_error: str | None = None


def _seccomp_profile(problem_root: Path) -> str:
    path = problem_root / "sandbox" / "seccomp.json"
    try:
        return json.dumps(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as error:
        raise JudgekitError(f"{path}: cannot load the seccomp profile: {error}") from None


class Sandbox:
    """Runs jobs in fresh containers. Thread-safe: one docker client per run.

    A later prewarmed pool can implement the same `run(job, on_frame)` method.
    """

    def __init__(self, problem_root: Path, *, runtime: str | None = None) -> None:
        self._seccomp = _seccomp_profile(problem_root)
        # runc (the engine's default) unless asked otherwise, e.g. runsc for gVisor.
        self._runtime = runtime or os.environ.get(RUNTIME_VARIABLE) or None
        try:
            client = docker.from_env(timeout=60)
            client.ping()
        except docker.errors.DockerException as error:
            raise JudgekitError(
                f"cannot reach the Docker engine ({error}); start it with tools/docker-engine.sh"
            ) from None
        client.close()
        sweep()

    def run(self, job: Job, on_frame: Callable[[TimedFrame], None] | None = None) -> RunOutcome:
        client = docker.from_env(timeout=120)
        try:
            return _Run(client, job, self._seccomp, self._runtime, on_frame).execute()
        finally:
            client.close()

    def create_container(self, job: Job, folder: Path) -> Container:
        """The container `run(job)` would use, FOLDER mounted as the submission's: not started."""
        return _Run(docker.from_env(), job, self._seccomp, self._runtime, None).create(folder)


class _Run:
    def __init__(
        self,
        client: docker.DockerClient,
        job: Job,
        seccomp: str,
        runtime: str | None,
        on_frame: Callable[[TimedFrame], None] | None,
    ) -> None:
        self.client = client
        self.job = job
        self.seccomp = seccomp
        self.runtime = runtime
        self.on_frame = on_frame
        self.nonce = secrets.token_hex(16)
        self.outcome = RunOutcome()
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=QUEUE_CHUNKS)
        self.stopped = threading.Event()

    def _job(self) -> bytes:
        """The job for the supervisor's stdin: test inputs reach no file the learner can read."""
        cases = [
            {"id": str(index), "values": json.loads(path.read_text(encoding="utf-8"))}
            for index, (_case_id, path) in enumerate(self.job.inputs)
        ]
        job = {
            "function": self.job.function,
            "parameters": list(self.job.parameters),
            "submission": f"{SUBMISSION_MOUNT}/submission.py",
            "output_shape": list(self.job.output_shape),
            "cases": cases,
        }
        return json.dumps(job).encode("utf-8")

    def _send_job(self, container: Any) -> None:
        """Write the job on the container's stdin as one line, which the supervisor reads."""
        attached = self.client.api.attach_socket(container.id, params={"stdin": 1, "stream": 1})
        sock = getattr(attached, "_sock", attached)
        try:
            sock.sendall(self._job() + b"\n")
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the container is gone already; its exit tells the rest
        finally:
            attached.close()

    def create(self, submission_dir: Path) -> Container:
        limits = self.job.limits
        memory = f"{limits.memory_mib}m"
        device_requests = (
            [DeviceRequest(count=-1, capabilities=[["gpu"]])]
            if self.job.device is Device.GPU
            else None
        )
        return self.client.containers.create(
            self.job.image,
            command=["/opt/venv/bin/python", "-I", SUPERVISOR_IN_IMAGE],
            user=SANDBOX_UID,
            environment={
                "HOME": "/tmp",
                "PATH": "/opt/venv/bin:/usr/bin:/bin",
                "LANG": "C.UTF-8",
                # Read and dropped by the supervisor before the learner's process exists.
                NONCE_VARIABLE: self.nonce,
                **({"JAX_PLATFORMS": "cpu"} if self.job.device is Device.CPU else {}),
            },
            network_disabled=True,
            network_mode="none",
            read_only=True,
            tmpfs={"/tmp": SCRATCH_TMPFS},
            cap_drop=["ALL"],
            security_opt=["no-new-privileges", f"seccomp={self.seccomp}"],
            pids_limit=PIDS_LIMIT,
            mem_limit=memory,
            memswap_limit=memory,
            nano_cpus=int(CPUS * 1e9),
            ulimits=[
                Ulimit(name="nofile", soft=OPEN_FILES_LIMIT, hard=OPEN_FILES_LIMIT),
                Ulimit(name="fsize", soft=FILE_SIZE_LIMIT, hard=FILE_SIZE_LIMIT),
                Ulimit(name="core", soft=0, hard=0),
            ],
            volumes={str(submission_dir): {"bind": SUBMISSION_MOUNT, "mode": "ro"}},
            labels={LABEL: "1", OWNER_LABEL: owner()},
            device_requests=device_requests,
            runtime=self.runtime,
            # The judge reads the output live; the engine keeps none of it on disk.
            log_config=LogConfig(type=LogConfig.types.NONE),
            working_dir="/tmp",
            stdin_open=True,
            tty=False,
            detach=True,
            ipc_mode="private",
        )

    def execute(self) -> RunOutcome:
        with tempfile.TemporaryDirectory(prefix="judgekit-run-") as scratch:
            submission_dir = Path(scratch) / "submission"
            submission_dir.mkdir()
            Path(scratch).chmod(0o755)
            (submission_dir / "submission.py").write_bytes(self.job.submission.read_bytes())
            (submission_dir / "submission.py").chmod(0o644)
            submission_dir.chmod(0o755)
            container = None
            started = time.monotonic()
            try:
                container = self.create(submission_dir)
                stream = container.attach(stdout=True, stderr=True, stream=True, demux=True)
                container.start()
                started = time.monotonic()
                self._send_job(container)
                reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
                reader.start()
                self._watch(container, started)
                # The reader drains the rest unqueued: the engine does not finish a container
                # whose output nobody reads.
                self.stopped.set()
                self._finish(container)
            except KeyboardInterrupt:
                self.outcome.killed_for = KillReason.INTERRUPTED
                raise
            except EngineError as error:
                self.outcome.judge_error = engine_failure(error, self.job.device)
            finally:
                self.stopped.set()
                self.outcome.wall_ms = int((time.monotonic() - started) * 1000)
                if container is not None:
                    remove_container(container.id)
        return self.outcome

    def _put(self, event: tuple[str, Any]) -> None:
        """Queue EVENT, waiting while the watcher catches up; drop it once the watcher is done."""
        while not self.stopped.is_set():
            try:
                self.events.put(event, timeout=0.2)
                return
            except queue.Full:
                continue

    def _read(self, stream: Any) -> None:
        """Reader thread: split stdout into lines cut at the frame limit, queue events."""
        pending = bytearray()
        skipping = False  # the rest of a line already cut at the limit
        limit = MAX_FRAME_BYTES + 1
        try:
            for out, err in stream:
                if err:
                    self._put(("stderr", err))
                while out:
                    head, newline, out = out.partition(b"\n")
                    if skipping:
                        self._put(("overflow", len(head) + len(newline)))
                        skipping = not newline
                        continue
                    pending += head
                    if newline or len(pending) >= limit:
                        self._put(("line", bytes(pending[:limit])))
                        self._put(("overflow", max(0, len(pending) - limit)))
                        skipping = not newline
                        pending.clear()
        except Exception as error:
            self._put(("stream_error", str(error)))
        if pending:
            self._put(("line", bytes(pending)))
        self._put(("eof", None))

    def _watch(self, container: Any, started: float) -> None:
        limits = self.job.limits
        order = FrameOrder(len(self.job.inputs))
        total_deadline = started + limits.total_time_s
        phase_deadline = started + limits.startup_s
        phase_reason = KillReason.STARTUP_TIME
        last_progress = started
        stderr = bytearray()
        while True:
            now = time.monotonic()
            deadline = min(total_deadline, phase_deadline)
            try:
                kind, payload = self.events.get(timeout=max(0.0, deadline - now))
            except queue.Empty:
                reason = phase_reason if phase_deadline <= total_deadline else KillReason.TOTAL_TIME
                self._kill(container, reason)
                return
            arrived = time.monotonic()
            if kind == "eof":
                return
            if kind == "stream_error":
                continue
            if kind == "overflow":
                self.outcome.output_bytes += payload
            elif kind == "stderr":
                self.outcome.output_bytes += len(payload)
                if len(stderr) < KEEP_STDERR_BYTES:
                    stderr += payload[: KEEP_STDERR_BYTES - len(stderr)]
                    self.outcome.stderr = stderr.decode("utf-8", errors="replace")
            else:
                try:
                    frame = parse_line(payload, self.nonce)
                    if frame is not None:
                        order.accept(frame)
                except ProtocolError as error:
                    self.outcome.protocol_error = str(error)
                    self._kill(container, KillReason.PROTOCOL)
                    return
                if frame is None:
                    self.outcome.output_bytes += len(payload) + 1
                else:
                    # Only the next frame in order gets here: the one thing that moves deadlines.
                    timed = TimedFrame(frame, int((arrived - last_progress) * 1000))
                    last_progress = arrived
                    phase_deadline = arrived + limits.time_per_case_s
                    phase_reason = KillReason.CASE_TIME
                    self.outcome.frames.append(timed)
                    if not self._deliver(container, timed):
                        return
            if self.outcome.output_bytes > limits.output_bytes:
                self._kill(container, KillReason.OUTPUT)
                return

    def _deliver(self, container: Any, timed: TimedFrame) -> bool:
        """Hand a frame to the caller; its failure is ours (a JE), so the run stops there."""
        if self.on_frame is None:
            return True
        try:
            self.on_frame(timed)
        except Exception as error:
            self.outcome.judge_error = f"the judge failed on a result: {type(error).__name__}"
            self._kill(container, KillReason.INTERRUPTED)
            return False
        return True

    def _kill(self, container: Any, reason: KillReason) -> None:
        self.outcome.killed_for = reason
        with contextlib.suppress(*EngineError):  # it may have exited already
            container.kill()

    def _finish(self, container: Any) -> None:
        result = container.wait(timeout=60)
        self.outcome.exit_code = int(result.get("StatusCode", -1))
        container.reload()
        self.outcome.oom_killed = bool(container.attrs["State"].get("OOMKilled"))

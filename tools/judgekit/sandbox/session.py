"""One sandbox container's life: started (and warmed up), handed one job, watched, removed.

The judge trusts nothing from inside but the returned numbers: time is measured here, when
each frame arrives, and a deadline moves only when the next case's frame arrives in order
(`FrameOrder`); memory kills are read from the engine's OOM state; output is counted while it
is read and the container is killed once it passes the cap. Whatever the submission prints,
the judge's memory stays bounded (a bounded queue, lines cut at the frame limit) and nothing
is written to the host's disk (no container log).

A cold run boots a container and hands it the job as soon as it is warm, its start-up on the
clock; a prewarmed one (`judgekit.sandbox.pool`) boots ahead of demand and its clock starts
at the hand-over.
"""

from __future__ import annotations

import contextlib
import json
import queue
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import docker
from docker.models.containers import Container

from judgekit.sandbox.engine import EngineError, engine_failure
from judgekit.sandbox.frames import (
    MAX_FRAME_BYTES,
    Done,
    FrameOrder,
    ProtocolError,
    Warm,
    parse_line,
)
from judgekit.sandbox.leftover_containers import remove_container
from judgekit.sandbox.outcome import (
    ContainerSpec,
    Job,
    KillReason,
    OnFrame,
    RunOutcome,
    TimedFrame,
)

SUBMISSION_MOUNT = "/judge/submission"
KEEP_STDERR_BYTES = 16 * 1024
# Chunks between the reader thread and the watcher: with lines cut at the frame limit, the
# judge holds at most this many times 64 KiB of a run's output at once.
QUEUE_CHUNKS = 64

CreateContainer = Callable[[docker.DockerClient, ContainerSpec, str, Path, int], Container]
"""Creates the hardened container (client, spec, nonce, submission folder, CPU shares), not
started."""
# CPU weight of a container booting ahead of demand: its warm-up takes only the CPU that
# judged runs leave, so prewarming never slows a verdict. Raised at the hand-over.
BACKGROUND_CPU_SHARES = 2
CPU_SHARES = 1024


class SandboxSession:
    def __init__(self, spec: ContainerSpec, create: CreateContainer) -> None:
        self.spec = spec
        self.client = docker.from_env(timeout=120)
        self.nonce = secrets.token_hex(16)
        self.outcome = RunOutcome()
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=QUEUE_CHUNKS)
        self.stopped = threading.Event()
        self.ended = threading.Event()  # the container's output stream ended
        self.scratch = Path(tempfile.mkdtemp(prefix="judgekit-run-"))
        self.scratch.chmod(0o755)
        self.submission_dir = self.scratch / "submission"
        self.submission_dir.mkdir(mode=0o755)
        self.container: Container | None = None
        self.stdin: Any = None
        self.booted = time.monotonic()
        self.ahead = False
        self._create = create

    # -- start ----------------------------------------------------------------------------

    def boot(self, shapes: Sequence[Sequence[int]], *, ahead: bool = False) -> None:
        """Create and start the container and ask it to warm up for SHAPES (maybe none);
        AHEAD of demand, at a low CPU weight until the hand-over."""
        self.ahead = ahead
        shares = BACKGROUND_CPU_SHARES if ahead else CPU_SHARES
        self.container = self._create(
            self.client, self.spec, self.nonce, self.submission_dir, shares
        )
        stream = self.container.attach(stdout=True, stderr=True, stream=True, demux=True)
        self.container.start()
        self.booted = time.monotonic()
        attached = self.client.api.attach_socket(
            self.container.id, params={"stdin": 1, "stream": 1}
        )
        self.stdin = attached
        self._write_stdin(json.dumps({"shapes": [list(s) for s in shapes]}).encode() + b"\n")
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def await_warm(self, deadline: float) -> bool:
        """Wait until the container reports `warm`: True, or False when it ended, broke the
        protocol or missed DEADLINE (killed then, for its start-up time). What it printed
        while warming up is not the learner's and is dropped."""
        while True:
            try:
                kind, payload = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self._kill(KillReason.STARTUP_TIME)
                return False
            if kind == "eof":
                return False
            if kind != "line":
                continue
            try:
                frame = parse_line(payload, self.nonce)
            except ProtocolError as error:
                frame, self.outcome.protocol_error = None, str(error)
            if isinstance(frame, Warm):
                return True
            if self.outcome.protocol_error or frame is not None:
                self.outcome.protocol_error = self.outcome.protocol_error or "a frame before warm"
                self._kill(KillReason.PROTOCOL)
                return False

    def alive(self) -> bool:
        """Still waiting for a job: its output stream open, its container running."""
        if self.container is None or self.stopped.is_set() or self.ended.is_set():
            return False
        try:
            self.container.reload()
        except EngineError:
            return False
        return bool(self.container.attrs["State"].get("Running"))

    # -- the job ---------------------------------------------------------------------------

    def execute(self, job: Job, on_frame: OnFrame | None, started: float) -> RunOutcome:
        """Hand JOB over and watch it to the end; the limits count from STARTED."""
        container = self.container
        assert container is not None, "boot() first"
        try:
            submission = self.submission_dir / "submission.py"
            submission.write_bytes(job.submission.read_bytes())
            submission.chmod(0o644)
            if self.ahead:
                container.update(cpu_shares=CPU_SHARES)
            self._drop_warm_up_output()
            self._write_stdin(_job_line(job), close=True)
            completed = self._watch(job, on_frame, started)
            # The reader drains the rest unqueued: the engine does not finish a container
            # whose output nobody reads.
            self.stopped.set()
            # Once every case is answered, nothing the container does counts: it is removed
            # (killed) without waiting for the interpreter's teardown, a second or more with
            # JAX loaded. Its exit code stays None: there is no end of its own to report.
            if not completed:
                self.finish()
        except KeyboardInterrupt:
            self.outcome.killed_for = KillReason.INTERRUPTED
            raise
        except EngineError as error:
            self.outcome.judge_error = engine_failure(error, self.spec.device)
        finally:
            self.stopped.set()
            self.outcome.wall_ms = int((time.monotonic() - started) * 1000)
        return self.outcome

    def _drop_warm_up_output(self) -> None:
        """What the container printed after `warm` (JAX's own messages) is not the learner's:
        it must not count toward their output limit."""
        while True:
            try:
                kind, payload = self.events.get_nowait()
            except queue.Empty:
                return
            if kind == "eof":
                self.events.put((kind, payload))
                return

    def finish(self) -> None:
        """Wait for the container's end and read its exit code and OOM state."""
        assert self.container is not None
        result = self.container.wait(timeout=60)
        self.outcome.exit_code = int(result.get("StatusCode", -1))
        self.container.reload()
        self.outcome.oom_killed = bool(self.container.attrs["State"].get("OOMKilled"))

    def dispose(self) -> None:
        """Remove the container (retrying in the background if the engine is away) and the
        submission's folder."""
        self.stopped.set()
        with contextlib.suppress(OSError):
            if self.stdin is not None:
                self.stdin.close()
        if self.container is not None:
            remove_container(self.container.id)
        self.client.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _write_stdin(self, data: bytes, *, close: bool = False) -> None:
        sock = getattr(self.stdin, "_sock", self.stdin)
        try:
            sock.sendall(data)
            if close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the container is gone already; its exit tells the rest
        finally:
            if close:
                self.stdin.close()
                self.stdin = None

    # -- watching --------------------------------------------------------------------------

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
        self.ended.set()
        self._put(("eof", None))

    def _watch(self, job: Job, on_frame: OnFrame | None, started: float) -> bool:
        """Follow the run to its end; True when it ended with `done`, every case answered."""
        limits = job.limits
        order = FrameOrder(len(job.inputs))
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
                self._kill(reason)
                return False
            arrived = time.monotonic()
            if kind == "eof":
                return False
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
                    self._kill(KillReason.PROTOCOL)
                    return False
                if frame is None:
                    self.outcome.output_bytes += len(payload) + 1
                else:
                    # Only the next frame in order gets here: the one thing that moves deadlines.
                    timed = TimedFrame(frame, int((arrived - last_progress) * 1000))
                    last_progress = arrived
                    phase_deadline = arrived + limits.time_per_case_s
                    phase_reason = KillReason.CASE_TIME
                    self.outcome.frames.append(timed)
                    if not self._deliver(on_frame, timed):
                        return False
                    if isinstance(frame, Done):
                        return True
            if self.outcome.output_bytes > limits.output_bytes:
                self._kill(KillReason.OUTPUT)
                return False

    def _deliver(self, on_frame: OnFrame | None, timed: TimedFrame) -> bool:
        """Hand a frame to the caller; its failure is ours (a JE), so the run stops there."""
        if on_frame is None:
            return True
        try:
            on_frame(timed)
        except Exception as error:
            self.outcome.judge_error = f"the judge failed on a result: {type(error).__name__}"
            self._kill(KillReason.INTERRUPTED)
            return False
        return True

    def _kill(self, reason: KillReason) -> None:
        self.outcome.killed_for = reason
        with contextlib.suppress(*EngineError):  # it may have exited already
            if self.container is not None:
                self.container.kill()


def _job_line(job: Job) -> bytes:
    """The job for the supervisor's stdin: test inputs reach no file the learner can read."""
    cases = [{"id": str(index), "values": values} for index, values in enumerate(job.inputs)]
    message = {
        "function": job.function,
        "parameters": list(job.parameters),
        "submission": f"{SUBMISSION_MOUNT}/submission.py",
        "output_shape": list(job.output_shape),
        "cases": cases,
    }
    return json.dumps(message).encode("utf-8") + b"\n"

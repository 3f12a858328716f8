"""One sandbox container's life: started (and warmed up), handed one job, watched, removed.

The judge trusts nothing from inside but the returned numbers: time is measured here, on the
container's CPU clock read from its cgroup with a wall-clock backstop (`RunClock`), and a
phase ends only when the next case's frame arrives in order (`FrameOrder`); memory kills
are read from the engine's OOM state; output is counted while it is read and the container
is killed once it passes the cap. Whatever the submission prints, the judge's memory stays
bounded (a bounded queue, lines cut at the frame limit) and nothing is written to the
host's disk (no container log).

A cold run boots a container and hands it the job as soon as it is warm, its start-up on the
clock; a prewarmed one (`judgekit.sandbox.pool`) boots ahead of demand and its clock starts
at the hand-over.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from judgekit.sandbox.box import Box, Chunk
from judgekit.sandbox.engine import EngineError, engine_failure, stream_failure
from judgekit.sandbox.frames import (
    MAX_FRAME_BYTES,
    CaseAnswer,
    Done,
    FrameOrder,
    ProtocolError,
    Warm,
    parse_line,
)
from judgekit.sandbox.job_lines import case_line, job_line
from judgekit.sandbox.outcome import (
    ContainerSpec,
    Job,
    KillReason,
    OnFrame,
    RunOutcome,
    TimedFrame,
)
from judgekit.sandbox.run_clock import POLL_S, Expired, RunClock

log = logging.getLogger(__name__)
SUBMISSION_MOUNT = "/judge/submission"
KEEP_STDERR_BYTES = 16 * 1024
# Chunks between the reader thread and the watcher: with lines cut at the frame limit, the
# judge holds at most this many times 64 KiB of a run's output at once.
QUEUE_CHUNKS = 64

StartBox = Callable[[ContainerSpec, str, Path, int], Box]
"""Starts the hardened container (spec, nonce, submission folder, CPU shares)."""
# CPU weight of a container booting ahead of demand: its warm-up takes only the CPU that
# judged runs leave, so prewarming never slows a verdict. Raised at the hand-over.
BACKGROUND_CPU_SHARES = 2
CPU_SHARES = 1024
# A run's scratch folder (its submission, bind-mounted read-only) is named after its judge.
SCRATCH_PREFIX = "judgekit-run-"


class SandboxSession:
    def __init__(self, spec: ContainerSpec, start: StartBox | None = None) -> None:
        """START boots the container (`boot`); a restored one is handed over (`attach`)."""
        self.spec = spec
        self.nonce = secrets.token_hex(16)
        self.outcome = RunOutcome()
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=QUEUE_CHUNKS)
        self.stopped = threading.Event()
        self.ended = threading.Event()  # the container's output stream ended
        # Why the output stream ended before the container's output did (set before `ended`).
        self.stream_error: Exception | None = None
        self.scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        self.scratch.chmod(0o755)
        self.submission_dir = self.scratch / "submission"
        self.submission_dir.mkdir(mode=0o755)
        self.box: Box | None = None
        self.input_open = False
        self.booted = time.monotonic()
        self.ahead = False
        self._start = start

    # -- start ----------------------------------------------------------------------------

    def boot(self, shapes: Sequence[Sequence[int]], *, ahead: bool = False) -> None:
        """Create and start the container and ask it to warm up for SHAPES (maybe none);
        AHEAD of demand, at a low CPU weight until the hand-over."""
        assert self._start is not None, "a session to boot needs a way to start its container"
        self.ahead = ahead
        shares = BACKGROUND_CPU_SHARES if ahead else CPU_SHARES
        self.attach(self._start(self.spec, self.nonce, self.submission_dir, shares))
        self.send_warm_up(shapes)

    def send_warm_up(self, shapes: Sequence[Sequence[int]]) -> None:
        """Ask the container, just started, to warm up for SHAPES (maybe none)."""
        self._write_stdin(json.dumps({"shapes": [list(s) for s in shapes]}).encode() + b"\n")

    def attach(self, box: Box) -> None:
        """Follow BOX, started just now (booted, or restored already warm), from here on."""
        self.box = box
        self.booted = time.monotonic()
        self.input_open = True
        threading.Thread(target=self._read, args=(box.output(),), daemon=True).start()

    def clock(self, job: Job, started: float) -> RunClock:
        """The run's clocks from STARTED, from the container's counters now."""
        assert self.box is not None, "boot() first"
        return RunClock(self.box.cpu, job.limits, started)

    def await_warm(self, until: float | RunClock) -> bool:
        """Wait until the container reports `warm`: True, or False when it ended, broke the
        protocol or ran out of time: UNTIL is a monotonic deadline (a boot ahead of demand)
        or a cold run's clock, its start-up running (killed then, for its start-up time).
        What it printed while warming up is not the learner's and is dropped."""
        clock, deadline = (until, 0.0) if isinstance(until, RunClock) else (None, until)
        while True:
            wait = POLL_S if clock is not None else max(0.0, deadline - time.monotonic())
            try:
                kind, payload = self.events.get(timeout=wait)
            except queue.Empty:
                if clock is None:
                    self._kill(KillReason.STARTUP_TIME)
                    return False
                kind, payload = "tick", None
            if clock is not None:
                expired = clock.check(time.monotonic())
                if expired is not None:
                    self._expire(expired)
                    return False
            if kind == "eof":
                self._stop_if_stream_failed()
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
        if self.box is None or self.stopped.is_set() or self.ended.is_set():
            return False
        return self.box.running()

    # -- the job ---------------------------------------------------------------------------

    def execute(
        self, job: Job, on_frame: OnFrame | None, started: float, clock: RunClock | None = None
    ) -> RunOutcome:
        """Hand JOB over and watch it to the end; the limits count from STARTED (on CLOCK, a
        cold run's, whose start-up began at its boot; else from the counters now)."""
        box = self.box
        assert box is not None, "boot() first"
        clock = clock or self.clock(job, started)
        try:
            submission = self.submission_dir / "submission.py"
            submission.write_bytes(job.submission.read_bytes())
            submission.chmod(0o644)
            if self.ahead:
                box.raise_cpu_weight(CPU_SHARES)
            self._drop_warm_up_output()
            self._send_job(job)
            completed = self._watch(job, on_frame, clock)
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
            self.record_times(clock)
        return self.outcome

    def record_times(self, clock: RunClock) -> None:
        """The run's wall-clock, CPU and starved time, into its outcome."""
        spent = clock.run_spent(time.monotonic())
        self.outcome.wall_ms = spent.wall_ms
        self.outcome.cpu_ms = spent.cpu_ms
        self.outcome.starved_ms = spent.starved_ms

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
        assert self.box is not None
        self.outcome.exit_code, self.outcome.oom_killed = self.box.wait(60)

    def dispose(self) -> None:
        """Remove the container (retrying in the background if the engine is away) and the
        submission's folder."""
        self.stopped.set()
        if self.box is not None:
            self.box.remove()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _send_job(self, job: Job) -> None:
        """The job (with this session's nonce: a restored container's supervisor has its
        template's) and case 0's input (its turn comes with `ready`)."""
        self._write_stdin(job_line(job, f"{SUBMISSION_MOUNT}/submission.py", self.nonce))
        self._send_case(job, 0)

    def _send_case(self, job: Job, index: int) -> None:
        """Case INDEX's input, once the case before it is answered: nothing about a case to
        come (its size in the supervisor's memory included) is in the container earlier.
        The judge's stdin closes with the last one."""
        if index < len(job.inputs):
            self._write_stdin(case_line(job, index), close=index == len(job.inputs) - 1)
        elif index == 0:
            self._write_stdin(b"", close=True)

    def _write_stdin(self, data: bytes, *, close: bool = False) -> None:
        if self.box is None or not self.input_open:
            return  # closed with the last case
        try:
            if data:
                self.box.send(data)
        except OSError:
            pass  # the container is gone already; its exit tells the rest
        finally:
            if close:
                self.input_open = False
                self.box.close_input()

    # -- watching --------------------------------------------------------------------------

    def _put(self, event: tuple[str, Any]) -> None:
        """Queue EVENT, waiting while the watcher catches up; drop it once the watcher is done."""
        while not self.stopped.is_set():
            try:
                self.events.put(event, timeout=0.2)
                return
            except queue.Full:
                continue

    def _read(self, stream: Iterable[Chunk]) -> None:
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
            # Whatever the engine's stream raises: the rest of the output is lost, and with it
            # any verdict (a partial line is not flushed: it is no frame the container wrote).
            name = self.box.id[:12] if self.box is not None else "?"
            log.error("reading the output of sandbox %s failed", name, exc_info=error)
            self.stream_error = error
        if pending and self.stream_error is None:
            self._put(("line", bytes(pending)))
        self.ended.set()
        self._put(("eof", None))

    def _watch(self, job: Job, on_frame: OnFrame | None, clock: RunClock) -> bool:
        """Follow the run to its end; True when it ended with `done`, every case answered."""
        limits = job.limits
        order = FrameOrder(len(job.inputs))
        stderr = bytearray()
        while True:
            try:
                kind, payload = self.events.get(timeout=POLL_S)
            except queue.Empty:
                kind, payload = "tick", None
            arrived = time.monotonic()
            # Once every case is answered, nothing printed can change a verdict: not charged.
            charged = not (order.loaded and order.next_case == order.cases)
            if kind == "eof":
                self._stop_if_stream_failed()
                return False
            if kind == "overflow":
                self.outcome.output_bytes += payload if charged else 0
            elif kind == "stderr":
                self.outcome.output_bytes += len(payload) if charged else 0
                if len(stderr) < KEEP_STDERR_BYTES:
                    stderr += payload[: KEEP_STDERR_BYTES - len(stderr)]
                    self.outcome.stderr = stderr.decode("utf-8", errors="replace")
            elif kind == "line":
                try:
                    frame = parse_line(payload, self.nonce)
                    if frame is not None:
                        order.accept(frame)
                except ProtocolError as error:
                    self.outcome.protocol_error = str(error)
                    self._kill(KillReason.PROTOCOL)
                    return False
                if frame is None:
                    self.outcome.output_bytes += len(payload) + 1 if charged else 0
                else:
                    # Only the next frame in order gets here: the one thing that ends a phase.
                    spent = clock.next_phase(arrived)
                    if isinstance(frame, CaseAnswer):
                        self._send_case(job, frame.case + 1)
                    timed = TimedFrame(frame, spent.wall_ms, spent.cpu_ms)
                    self.outcome.frames.append(timed)
                    if not self._deliver(on_frame, timed):
                        return False
                    if isinstance(frame, Done):
                        return True
            if self.outcome.output_bytes > limits.output_bytes:
                self._kill(KillReason.OUTPUT)
                return False
            expired = clock.check(arrived)
            if expired is not None:
                self._expire(expired)
                return False

    def _stop_if_stream_failed(self) -> None:
        """After the output stream ended: when it failed (not the container's end), the run
        is a judge error naming the failure, and the container is stopped unjudged."""
        if self.stream_error is not None:
            self.outcome.judge_error = stream_failure(self.stream_error)
            self._kill(KillReason.INTERRUPTED)

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

    def _expire(self, expired: Expired) -> None:
        self.outcome.limit_clock = expired.clock
        self._kill(expired.reason)

    def _kill(self, reason: KillReason) -> None:
        self.outcome.killed_for = reason
        # Nothing reads the events after a kill: the reader drops them from now on. Were it
        # left blocked on the full queue, the engine, which ends a container only once its
        # output is read, would hold the kill for minutes (an output flood's).
        self.stopped.set()
        if self.box is not None:
            self.box.kill()

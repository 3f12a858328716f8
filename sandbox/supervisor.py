"""PID 1 of the sandbox: holds the job, starts the learner's process, owns the result channel.

It is started as `python -I /judge/supervisor.py` with the per-run nonce in the environment
variable JUDGEKIT_NONCE. Its stdin carries lines from the judge: first the warm-up (the shapes
to compile ahead, possibly none), then, once the container has reported `warm`, the job (entry
point, submission, how many cases, and the nonce of the frames from then on: a sandbox restored
from a snapshot shares its template's first one), then one case's input at a time, each sent by
the judge only when the previous case's result has reached it: nothing about a case to come,
not even its size in this process's memory (/proc/1/status is world-readable), is here before
its turn. A prewarmed sandbox waits between the warm-up and the job for a submission; a cold
one gets the job at once. Before anything else it makes itself non-dumpable (so the learner,
who runs as the same uid, can read neither its memory nor its /proc files, environment and fds
included), drops the nonce from its environment, and keeps the container's stdout, the channel,
to itself. The learner's code runs in a child process, `runner.py`, that holds neither the
channel, the nonce nor the test inputs: it gets each case's input over a private pipe only when
that case's turn comes (after the previous case's result, when the judge's clock for it
starts), and reports to this process over another. The child's stdout and stderr both go to the
container's stderr.

Everything the child sends is learner data (the learner can write to the pipe's fd). Each
message is parsed with limits, reduced to the fields of its kind and forwarded as a frame
`<nonce> <json>` on the channel. Only the pipe's first message, written by runner.py before
any learner code runs, may name the platform, and only from a fixed set. A message that is
not well-formed ends the run: a `violation` frame, then every process in the container dies
with this one. The judge outside checks the order of cases and times them itself.

Standard library only: this starts in milliseconds, before JAX is imported anywhere.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import math
import os
import select
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

NONCE_VARIABLE = "JUDGEKIT_NONCE"
RUNNER = "/judge/runner.py"
PLATFORMS = frozenset({"cpu", "gpu"})
# Shared with the judge's frame parser (judgekit.sandbox.frames): a test keeps them equal.
MAX_FRAME_BYTES = 64 * 1024
MAX_RESULT_VALUES = 1024
MAX_SHAPE_DIMENSIONS = 8
MAX_CASE_ID = 10**6
MAX_JOB_BYTES = 256 * 1024 * 1024
PR_SET_DUMPABLE = 4
# The free text of a frame, cut when a frame would not fit.
TEXT_FIELDS = frozenset({"error", "traceback", "reason"})
POLL_S = 0.2
DRAIN_S = 1.0


class Violation(ValueError):
    """A message on the pipe that runner.py would never write: the learner's doing."""


def _text(message: Mapping[str, Any], key: str) -> str:
    value = message.get(key)
    if not isinstance(value, str):
        raise Violation(f"field {key!r} must be a string")
    # Lone surrogates would make the frame unencodable downstream.
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _case(message: Mapping[str, Any]) -> str:
    """A case id as both sides read it: a decimal number without leading zeros (the judge's
    frame parser refuses any other spelling, such as "00", so it never counts a case this
    process did not)."""
    case = message.get("case")
    digits = len(str(MAX_CASE_ID))
    if not isinstance(case, str) or not (case.isascii() and case.isdigit()) or len(case) > digits:
        raise Violation("a case id must be a decimal number")
    if case != str(int(case)):
        raise Violation("a case id must not have leading zeros")
    if int(case) >= MAX_CASE_ID:
        raise Violation("a case id is out of range")
    return case


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Violation("result values must be numbers")
    try:
        return float(value)
    except OverflowError:
        raise Violation("a result value is out of the float range") from None


def _result(message: Mapping[str, Any]) -> dict[str, Any]:
    shape = message.get("shape")
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_SHAPE_DIMENSIONS
        or not all(type(n) is int and 0 <= n < 2**31 for n in shape)
    ):
        raise Violation("a result shape must be a short list of non-negative integers")
    size = math.prod(shape)
    values = message.get("values")
    if values is None:
        if size <= MAX_RESULT_VALUES:
            raise Violation("a small result must carry its values")
        return {"event": "result", "case": _case(message), "shape": shape, "values": None}
    if not isinstance(values, list) or len(values) != size or size > MAX_RESULT_VALUES:
        raise Violation("result values must fill the shape")
    numbers = [_number(v) for v in values]
    return {"event": "result", "case": _case(message), "shape": shape, "values": numbers}


def forwarded(message: object, platform: str | None) -> dict[str, Any]:
    """The frame to send for one message of the pipe, reduced to its kind's fields."""
    if not isinstance(message, dict):
        raise Violation("a message must be a JSON object")
    event = message.get("event")
    if event == "ready":
        return {"event": "ready", "platform": platform}
    if event == "load_error":
        return {"event": "load_error", **_error_fields(message)}
    if event == "result":
        return _result(message)
    if event == "error":
        return {"event": "error", "case": _case(message), **_error_fields(message)}
    if event == "bad_result":
        return {"event": "bad_result", "case": _case(message), "reason": _text(message, "reason")}
    if event == "done":
        return {"event": "done"}
    raise Violation(f"unknown message {str(event)[:40]!r}")


def _error_fields(message: Mapping[str, Any]) -> dict[str, str]:
    return {"error": _text(message, "error"), "traceback": _text(message, "traceback")}


def parse_message(line: bytes) -> object:
    """One pipe line as JSON; any way it fails is a violation, never a crash."""
    try:
        return json.loads(line.decode("utf-8"))
    except (ValueError, RecursionError, OverflowError, MemoryError) as error:
        raise Violation(f"a message is not valid JSON ({type(error).__name__})") from None


class Channel:
    """The container's stdout, where frames go; nothing else is ever written to it."""

    def __init__(self, fd: int, nonce: str) -> None:
        self._fd = fd
        self._prefix = nonce.encode("ascii") + b" "

    def with_nonce(self, nonce: str) -> Channel:
        return Channel(self._fd, nonce)

    def send(self, frame: Mapping[str, Any]) -> None:
        view = memoryview(self.encoded(frame))
        while view:
            view = view[os.write(self._fd, view) :]

    def encoded(self, frame: Mapping[str, Any]) -> bytes:
        """FRAME as one line within MAX_FRAME_BYTES once encoded: a message of non-ASCII text
        grows up to 12-fold as JSON escapes, so its text fields are cut, by halves, until it
        fits (keeping an error's start and a traceback's end, where the learner's line is)."""
        share = MAX_FRAME_BYTES
        while True:
            data = self._prefix + json.dumps(frame, allow_nan=True).encode("ascii") + b"\n"
            if len(data) <= MAX_FRAME_BYTES or share == 0:
                return data
            share //= 2
            frame = {key: _cut(key, value, share) for key, value in frame.items()}


def _cut(key: str, value: object, share: int) -> object:
    if key not in TEXT_FIELDS or not isinstance(value, str) or len(value) <= share:
        return value
    return value[len(value) - share :] if key == "traceback" else value[:share]


class Supervisor:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.header: dict[str, Any] = {}
        self.inputs: list[Mapping[str, Any] | None] = []  # None once given to the runner
        self.total = 0  # cases in the job
        self.sent = 0  # cases whose input the runner has been given
        self.waiting = False  # the next case is due but the judge has not sent it yet
        self.stdin: JudgeLines | None = None
        self.outbox = bytearray()  # for the runner's input pipe
        self.platform: str | None = None
        self.child = 0
        self.child_status: int | None = None

    def take_job(self, job: Mapping[str, Any]) -> None:
        """The submission's job: its header goes to the runner now, each case in its turn.
        Its nonce marks the frames from now on (a sandbox restored from a snapshot started
        with its template's, which every clone of it shares)."""
        nonce = job.get("nonce")
        if isinstance(nonce, str) and nonce.isascii() and nonce.isalnum():
            self.channel = self.channel.with_nonce(nonce)
        self.header = {key: job[key] for key in ("function", "parameters", "submission")}
        self.header["output_shape"] = job.get("output_shape", [])
        self.total = int(job["case_count"])
        self._give(self.header)

    def take_case(self, case: Mapping[str, Any]) -> None:
        """One case's input, as the judge sends it: held until its turn."""
        self.inputs.append(case)
        if self.waiting:
            self.waiting = False
            self._give_next_case()

    def warm_up(self, reports: int, inputs: int, warmup: Mapping[str, Any]) -> bool:
        """Have the runner import JAX and warm up, before any learner code exists in it.

        Its messages until then are its own: the platform, then `warm`. Send a `warm` frame
        and return True, or False when the runner ended first."""
        os.write(inputs, json.dumps(warmup).encode("utf-8") + b"\n")
        pending = b""
        while True:
            chunk = os.read(reports, 65536)
            if not chunk:
                return False
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                message = parse_message(line)
                if not isinstance(message, dict):
                    raise Violation("the runner's warm-up message is not an object")
                if self.platform is None and message.get("event") == "platform":
                    platform = message.get("platform")
                    self.platform = platform if platform in PLATFORMS else "unknown"
                elif self.platform is not None and message.get("event") == "warm" and not pending:
                    self.channel.send({"event": "warm"})
                    return True
                else:
                    raise Violation("the runner did not warm up as expected")

    def start_runner(self) -> tuple[int, int]:
        """Start runner.py; return (read end of its reports, write end of its inputs)."""
        reports, report_end = os.pipe()
        input_end, inputs = os.pipe()
        os.set_inheritable(report_end, True)
        os.set_inheritable(input_end, True)
        environment = {k: v for k, v in os.environ.items() if k != NONCE_VARIABLE}
        self.child = os.posix_spawn(
            sys.executable,
            [sys.executable, "-I", RUNNER, str(input_end), str(report_end)],
            environment,
            file_actions=[(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)],
        )
        os.close(report_end)
        os.close(input_end)
        return reports, inputs

    def _give(self, message: Mapping[str, Any]) -> None:
        self.outbox += json.dumps(message).encode("utf-8") + b"\n"

    def _give_next_case(self) -> None:
        """The next case's input, once the previous one is answered: never earlier."""
        if self.sent < len(self.inputs):
            case, self.inputs[self.sent] = self.inputs[self.sent], None
            self._give(dict(case or {}))
            self.sent += 1
        elif self.sent >= self.total:
            self._give({"end": True})
        else:
            self.waiting = True

    def _reap(self) -> None:
        """Collect every exited process (PID 1 adopts orphans); note the runner's status."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.child:
                self.child_status = os.waitstatus_to_exitcode(status)

    def relay(self, reports: int, inputs: int) -> int:
        """Forward the runner's messages until it ends; return the exit code to use."""
        pending = b""
        drain_until: float | None = None
        while True:
            self._reap()
            if self.child_status is not None and drain_until is None:
                # Learner processes may still hold the pipe: read what is there, then stop.
                drain_until = time.monotonic() + DRAIN_S
            if drain_until is not None and time.monotonic() > drain_until:
                break
            writers = [inputs] if self.outbox and drain_until is None else []
            judge = [self.stdin.fd] if self.stdin is not None and not self.stdin.ended else []
            readable, writable, _ = select.select([reports, *judge], writers, [], POLL_S)
            if writable:
                # Full for now, or the runner is gone (its exit status tells): try again later.
                with contextlib.suppress(BlockingIOError, BrokenPipeError):
                    del self.outbox[: os.write(inputs, self.outbox)]
            if self.stdin is not None and self.stdin.fd in readable:
                for line in self.stdin.available():
                    self.take_case(json.loads(line))
            if reports not in readable:
                continue
            chunk = os.read(reports, 65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            if len(pending) > MAX_FRAME_BYTES:
                return self.violate("a message is too long")
            for line in lines:
                try:
                    self.handle(line)
                except Violation as error:
                    return self.violate(str(error))
        while self.child_status is None:
            time.sleep(0.01)
            self._reap()
        return self.child_status if self.child_status >= 0 else 128 - self.child_status

    def handle(self, line: bytes) -> None:
        if len(line) > MAX_FRAME_BYTES:
            raise Violation("a message is too long")
        message = parse_message(line)
        frame = forwarded(message, self.platform)
        self.channel.send(frame)
        if (frame["event"] == "ready" and self.sent == 0) or (
            frame["event"] in ("result", "error", "bad_result")
            and frame["case"] == str(self.sent - 1)
        ):
            self._give_next_case()

    def violate(self, reason: str) -> int:
        self.channel.send({"event": "violation", "reason": reason})
        return 1


class JudgeLines:
    """The lines the judge writes on stdin (FD): trusted, but each at most MAX_JOB_BYTES."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pending = b""
        self.ended = False

    def next_line(self, what: str) -> bytes:
        """The next line, waiting for it (stdin still blocking)."""
        while b"\n" not in self.pending:
            chunk = os.read(self.fd, 65536)
            if not chunk or len(self.pending) > MAX_JOB_BYTES:
                raise ValueError(f"the {what} on stdin is cut short or too large")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line

    def available(self) -> list[bytes]:
        """The whole lines that have come (stdin non-blocking); at its end, stdin is closed."""
        with contextlib.suppress(BlockingIOError):
            chunk = os.read(self.fd, 65536)
            if not chunk:
                self.ended = True
                os.close(self.fd)
            self.pending += chunk
        *lines, self.pending = self.pending.split(b"\n")
        return lines


def read_line(stdin: JudgeLines, what: str, required: str, kind: type) -> Mapping[str, Any]:
    """One JSON object the judge wrote on stdin, which must hold the key REQUIRED of KIND."""
    message = json.loads(stdin.next_line(what))
    if not isinstance(message, dict) or not isinstance(message.get(required), kind):
        raise ValueError(f"the {what} on stdin has no {required} ({kind.__name__})")
    return message


def _make_non_dumpable() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def main(argv: Sequence[str]) -> int:
    _make_non_dumpable()
    # PID 1 ignores signals it has no handler for: drop Python's SIGINT handler so the
    # learner cannot interrupt the supervisor.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    nonce = os.environ.pop(NONCE_VARIABLE, "")
    if argv or not nonce:
        print(f"usage: {NONCE_VARIABLE}=... supervisor.py < JOB.json", file=sys.stderr)
        return 2
    stdin = JudgeLines(0)
    warmup = read_line(stdin, "warm-up", "shapes", list)
    channel = Channel(os.dup(1), nonce)
    os.dup2(2, 1)
    supervisor = Supervisor(channel)
    reports, inputs = supervisor.start_runner()
    try:
        warm = supervisor.warm_up(reports, inputs, warmup)
    except Violation as error:  # only a broken image: no learner code has run yet
        return supervisor.violate(str(error))
    if not warm:
        return supervisor.relay(reports, inputs)
    # A prewarmed sandbox waits here, its runner idle, until the judge hands over a job.
    supervisor.take_job(read_line(stdin, "job", "case_count", int))
    os.set_blocking(0, False)
    supervisor.stdin = stdin
    for line in stdin.available():  # cases the judge sent with the job
        supervisor.take_case(json.loads(line))
    os.set_blocking(inputs, False)
    return supervisor.relay(reports, inputs)


if __name__ == "__main__":
    # Exiting PID 1 ends every process left in the container.
    sys.exit(main(sys.argv[1:]))

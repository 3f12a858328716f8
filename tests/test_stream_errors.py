"""A sandbox's output stream that fails before the container's end is a judge error (JE) that
names the failure, and the judge logs it: what the container printed after the failure is
lost, so nothing the submission did can be judged, and it is never the learner's RTE.

The session here reads the stream as a Docker container's is read: docker-py's own attach
reader (`frames_iter` and `demux_adaptor`, what `container.attach(stream=True, demux=True)`
iterates) over a real socket, on whose far end the test writes what the engine would. The
errors are the ones docker-py raises: a frame of no known stream, a connection reset. Through
the real engine and container: tests/test_stream_errors_docker.py."""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from docker.utils.socket import demux_adaptor, frames_iter
from judgekit.package.problem import Device, Problem
from judgekit.sandbox.box import Chunk
from judgekit.sandbox.cpu_clock import CpuClock, CpuSample
from judgekit.sandbox.frames import Ready
from judgekit.sandbox.outcome import ContainerSpec, Job, KillReason
from judgekit.sandbox.session import SandboxSession

STDOUT = 1
NO_STREAM = 3  # the attach protocol knows stdin (0), stdout (1) and stderr (2)
WARM_UP_S = 10.0


class ProcessClock:
    """This process's CPU time, standing for the container's: nothing here is timed out."""

    def sample(self) -> CpuSample:
        return CpuSample(int(time.process_time() * 1e6), None, 0, frozen=False)


class AttachedBox:
    """A started container as a `Box`, its output read by docker-py's attach reader from one
    end of a socket pair; `engine` is the other end, where the engine's side writes.
    What the judge sends goes into the same connection (a hijacked attach carries stdin)."""

    def __init__(self) -> None:
        self.id = "attached-box"
        self.cpu: CpuClock = ProcessClock()
        self.judge_end, self.engine = socket.socketpair()
        self.killed = threading.Event()
        self.sent: list[bytes] = []
        self.on_send: Callable[[bytes], None] = lambda data: None

    def output(self) -> Iterator[Chunk]:
        raw = socket.SocketIO(self.judge_end, "rb")  # what docker-py reads: the response's raw
        for frame in frames_iter(raw, tty=False):
            yield demux_adaptor(*frame)

    def send(self, data: bytes) -> None:
        self.sent.append(data)
        self.judge_end.sendall(data)
        self.on_send(data)

    def close_input(self) -> None:
        pass

    def running(self) -> bool:
        return not self.killed.is_set()

    def raise_cpu_weight(self, shares: int) -> None:
        pass

    def kill(self) -> None:
        self.killed.set()

    def wait(self, timeout_s: float) -> tuple[int, bool]:
        assert self.killed.wait(timeout_s), "the container was never stopped"
        return 137, False

    def remove(self) -> None:
        self.judge_end.close()
        self.engine.close()

    # -- the engine's side -------------------------------------------------------------------

    def write_frame(self, stream: int, data: bytes) -> None:
        self.engine.sendall(struct.pack(">BxxxL", stream, len(data)) + data)

    def write_line(self, nonce: str, frame: dict[str, object]) -> None:
        self.write_frame(STDOUT, f"{nonce} {json.dumps(frame)}\n".encode())


@pytest.fixture
def box() -> Iterator[AttachedBox]:
    box = AttachedBox()
    yield box
    box.remove()


def _session(problem: Problem, box: AttachedBox) -> SandboxSession:
    spec = ContainerSpec("judgekit-sandbox:test", Device.CPU, problem.limits)
    return SandboxSession(spec, lambda spec, nonce, folder, shares: box)


def _job(problem: Problem, tmp_path: Path) -> Job:
    submission = tmp_path / "submission.py"
    submission.write_text(f"def {problem.entry_point.function}(*args):\n    return [0, 0, 0]\n")
    case = {"seed": 0, "x": [1.0], "features": 1, "frozen_bias_value": 1}
    return Job(
        submission,
        [case, case],
        problem.entry_point.function,
        problem.entry_point.runner_parameters(),
        problem.limits,
        Device.CPU,
        "judgekit-sandbox:test",
    )


def _warm(session: SandboxSession, box: AttachedBox) -> None:
    session.boot(())
    box.write_line(session.nonce, {"event": "warm"})
    assert session.await_warm(time.monotonic() + WARM_UP_S)


def test_a_frame_of_no_known_stream_mid_run_is_a_judge_error_naming_it(
    problem: Problem, box: AttachedBox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    session = _session(problem, box)
    _warm(session, box)

    def container(data: bytes) -> None:
        if b'"function"' in data:  # the job: the runner loads the submission, then the stream
            box.write_line(session.nonce, {"event": "ready", "platform": "cpu"})
            box.write_frame(NO_STREAM, b"?")

    box.on_send = container
    with caplog.at_level(logging.ERROR, logger="judgekit.sandbox.session"):
        outcome = session.execute(_job(problem, tmp_path), None, time.monotonic())
    session.dispose()

    assert outcome.judge_error == (
        "reading the sandbox's output failed (ValueError: 3 is not a valid stream); "
        "the run was stopped unjudged"
    )
    assert [timed.frame for timed in outcome.frames] == [Ready("cpu")]
    assert box.killed.is_set()
    [record] = caplog.records
    assert record.getMessage() == "reading the output of sandbox attached-box failed"
    assert record.exc_info is not None and record.exc_info[0] is ValueError


def test_a_connection_reset_while_warming_up_is_a_judge_error_naming_it(
    problem: Problem, box: AttachedBox
) -> None:
    session = _session(problem, box)
    session.boot(())
    assert box.sent, "the warm-up request is sent on boot"
    box.engine.close()  # the request unread: the judge's end sees a reset, not an end

    assert not session.await_warm(time.monotonic() + WARM_UP_S)
    session.dispose()

    assert session.outcome.judge_error == (
        "reading the sandbox's output failed "
        "(ConnectionResetError: [Errno 104] Connection reset by peer); "
        "the run was stopped unjudged"
    )
    assert session.outcome.killed_for is KillReason.INTERRUPTED


def test_a_stream_that_ends_with_the_container_is_no_judge_error(
    problem: Problem, box: AttachedBox
) -> None:
    session = _session(problem, box)
    session.boot(())
    box.engine.recv(4096)  # the warm-up request, read: the container ended on its own
    box.engine.shutdown(socket.SHUT_RDWR)

    assert not session.await_warm(time.monotonic() + WARM_UP_S)
    session.dispose()

    assert session.outcome.judge_error is None
    assert session.outcome.killed_for is None

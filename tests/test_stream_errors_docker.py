"""Through the real engine: a container's output stream that breaks mid-run is a judge error
(JE) naming docker-py's error, never the learner's RTE, and the container is stopped.

The judge reaches the engine through a Unix socket in front of the engine's own
(DOCKER_HOST), which passes every byte through both ways but, on the first output stream a
container is attached for, sends a frame of no known stream after the `ready` frame: the
stream breaks as a corrupted or cut engine connection breaks it, in docker-py's own reader.
Everything else (the container, its supervisor and runner, the judge's rules) is real.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from judgekit.judge.judging import judge_submission
from judgekit.judge.verdict import Verdict
from judgekit.package.files import reference_path
from judgekit.package.problem import Problem
from judgekit.sandbox.container import Sandbox
from sandbox_support import require_sandbox

ENGINE = "/var/run/docker.sock"
OUTPUT_STREAM = (b"/attach?", b"stdout=1")  # what docker-py's container.attach asks for
READY = b'"event": "ready"'
FRAME_OF_NO_STREAM = struct.pack(">BxxxL", 3, 1) + b"?"


@dataclass
class BreakingProxy:
    """Serves PATH; forwards each connection to the engine's socket."""

    path: Path
    broken: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._server = socket.socket(socket.AF_UNIX)
        self._server.bind(str(self.path))
        self._server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        engine = socket.socket(socket.AF_UNIX)
        engine.connect(ENGINE)
        attached = threading.Event()
        threading.Thread(target=self._requests, args=(client, engine, attached)).start()
        with contextlib.suppress(OSError), client, engine:
            self._responses(engine, client, attached)

    def _requests(
        self, client: socket.socket, engine: socket.socket, attached: threading.Event
    ) -> None:
        with contextlib.suppress(OSError):
            while data := client.recv(65536):
                if all(part in data for part in OUTPUT_STREAM):
                    attached.set()  # before the engine can answer it
                engine.sendall(data)
            engine.shutdown(socket.SHUT_WR)

    def _responses(
        self, engine: socket.socket, client: socket.socket, attached: threading.Event
    ) -> None:
        """Pass the engine's bytes on; on an output stream, frame by frame, breaking it after
        the first `ready` frame (the first stream only)."""
        pending = b""
        headers_passed = False
        while data := engine.recv(65536):
            if not attached.is_set() or self.broken.is_set():
                client.sendall(data)
                continue
            pending += data
            if not headers_passed:
                head, blank, pending = pending.partition(b"\r\n\r\n")
                if not blank:
                    pending = head
                    continue
                client.sendall(head + blank)
                headers_passed = True
            while len(pending) >= 8:
                stream, size = struct.unpack(">BxxxL", pending[:8])
                if len(pending) < 8 + size:
                    break
                frame, pending = pending[: 8 + size], pending[8 + size :]
                client.sendall(frame)
                if stream == 1 and READY in frame and not self.broken.is_set():
                    client.sendall(FRAME_OF_NO_STREAM)
                    self.broken.set()
            if self.broken.is_set():
                client.sendall(pending)
                pending = b""


@pytest.fixture
def broken_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[BreakingProxy]:
    proxy = BreakingProxy(tmp_path / "engine.sock")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{proxy.path}")
    yield proxy
    proxy.close()


@pytest.mark.docker
def test_an_output_stream_broken_mid_run_is_a_judge_error_naming_dockers_error(
    problem: Problem,
    broken_engine: BreakingProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    require_sandbox(problem.root)
    sandbox = Sandbox(problem.root)

    report = judge_submission(problem, reference_path(problem), groups=["sample"], sandbox=sandbox)

    assert broken_engine.broken.is_set()
    assert report.verdict is Verdict.JE, report.message
    assert "reading the sandbox's output failed (ValueError: 3 is not a valid stream)" in (
        report.message
    )
    assert all(case.verdict is Verdict.JE for case in report.cases)
    assert "reading the output of sandbox" in caplog.text

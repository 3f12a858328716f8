"""`judgekit submit` against the real web app with a FAKE judge (InstantFakeJudge: fast, no
Docker) served by uvicorn on loopback, and against a scripted stub server for the answers a
test cannot provoke cheaply (413 past our own size check, 429 with Retry-After)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import uvicorn
from judgekit.cli import main
from judgekit.client.connection import JudgeServer
from judgekit.package.problem import Problem
from judgekit.package.testcase import load_cases
from judgekit.web import auth
from judgekit.web.app import create_app
from judgekit.web.db import Database
from judgekit.web.settings import Settings
from web_support import InstantFakeJudge, free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE = REPO_ROOT / "reference" / "frozen_kernel_unchanged.py"
RUN_JSON_KEYS = {"verdict", "message", "device", "image", "platform", "time_ms", "passed", "total"}


@dataclass(frozen=True)
class Served:
    url: str
    token: str


@pytest.fixture(scope="module")
def served(problem: Problem, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("judge-data")
    db = Database.for_data_dir(data)
    try:
        token = auth.create_user(db, "learner", "correct horse battery", admin=False)[1]
    finally:
        db.close()
    settings = Settings(problem=problem, data_dir=data, workers=1)
    config = uvicorn.Config(
        create_app(settings, InstantFakeJudge()),
        host="127.0.0.1",
        port=free_port(),
        log_level="error",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield Served(f"http://127.0.0.1:{config.port}", token)
    server.should_exit = True
    thread.join(10)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("JUDGEKIT_TOKEN", "JUDGEKIT_TOKEN_FILE", "JUDGEKIT_SERVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def submit(*args: str) -> int:
    return main(["--problem", str(REPO_ROOT), "submit", *args])


def test_the_reference_gets_ac_and_json_has_the_shape_of_run_json(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert submit(str(REFERENCE), "--server", served.url, f"--token={served.token}", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) >= RUN_JSON_KEYS
    assert result["verdict"] == "AC" and result["passed"] == result["total"] == len(result["cases"])
    assert {"id", "group", "verdict", "time_ms", "message"} <= set(result["cases"][0])


def test_a_wrong_submission_gets_wa_and_exit_1_with_the_token_from_the_environment(
    served: Served,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text(REFERENCE.read_text() + "\n# WRONG\n")
    monkeypatch.setenv("JUDGEKIT_TOKEN", served.token)
    monkeypatch.setenv("JUDGEKIT_SERVER", served.url)
    assert submit(str(wrong)) == 1
    err = capsys.readouterr().err
    assert "WA Wrong Answer" in err and "cases passed" in err


def test_a_token_file_must_be_0600(
    served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config" / "judgekit" / "token"
    path.parent.mkdir(parents=True)
    path.write_text(served.token + "\n")
    path.chmod(0o644)
    assert submit(str(REFERENCE), "--server", served.url) == 2
    assert f"chmod 600 {path}" in capsys.readouterr().err
    path.chmod(0o600)
    assert submit(str(REFERENCE), "--server", served.url) == 0


def test_no_token_anywhere_says_where_to_put_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert submit(str(REFERENCE)) == 2
    assert "JUDGEKIT_TOKEN" in capsys.readouterr().err


def test_a_wrong_token_is_one_clear_line(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert submit(str(REFERENCE), "--server", served.url, "--token", "not-a-token") == 2
    err = capsys.readouterr().err
    assert err.startswith("judgekit: error: ") and "401" in err and err.count("\n") == 1


def test_a_server_that_is_down_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    server = f"http://127.0.0.1:{free_port()}"
    assert submit(str(REFERENCE), "--server", server, "--token", "t") == 2
    err = capsys.readouterr().err
    assert "connection refused" in err and err.count("\n") == 1


def test_a_file_over_the_limit_or_missing_is_refused_before_upload(
    problem: Problem, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.py"
    big.write_bytes(b"#" * (problem.limits.submission_bytes + 1))
    assert submit(str(big), "--token", "t") == 2
    assert "over the judge's limit" in capsys.readouterr().err
    assert submit(str(tmp_path / "missing.py"), "--token", "t") == 2
    assert "no such file" in capsys.readouterr().err


class _Stub(BaseHTTPRequestHandler):
    """Answers each request with the next (status, headers, body) of `script`."""

    script: ClassVar[list[tuple[int, dict[str, str], dict[str, Any]]]] = []
    seen: ClassVar[list[tuple[str, float]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).seen.append((f"{self.command} {self.path}", time.monotonic()))
        status, headers, body = type(self).script.pop(0)
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {**headers, "Content-Type": "application/json"}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture()
def stub() -> Iterator[tuple[str, type[_Stub]]]:
    handler = type("Stub", (_Stub,), {"script": [], "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()


def test_429_is_waited_out_as_retry_after_asks(
    stub: tuple[str, type[_Stub]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, handler = stub
    busy = (429, {"Retry-After": "1"}, {"detail": "you already have 10 submissions waiting"})
    result: dict[str, Any] = {"verdict": "AC", "message": "", "device": "cpu", "image": "i"}
    result["platform"] = "cpu"
    result |= {"time_ms": 5, "passed": 0, "total": 0, "cases": []}
    handler.script = [
        busy,
        busy,
        (202, {}, {"id": 7, "status": "queued", "url": "/api/submissions/7"}),
        (200, {}, {"status": "done", "total": 0, "cases": []}),
        (200, {}, {"id": 7, "status": "done", "result": result}),
    ]
    assert submit(str(REFERENCE), "--server", url, "--token", "t") == 0
    times = [t for _request, t in handler.seen]
    assert times[1] - times[0] >= 1.0 and times[2] - times[1] >= 1.0
    assert capsys.readouterr().err.count("waiting 1 s") == 2


def test_429_that_never_ends_and_413_are_clear_errors(
    stub: tuple[str, type[_Stub]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, handler = stub
    monkeypatch.setattr("judgekit.client.connection.time.sleep", lambda _s: None)
    handler.script = [(429, {"Retry-After": "3"}, {"detail": "slow down"})] * 6
    assert submit(str(REFERENCE), "--server", url, "--token", "t") == 2
    assert "still rate-limiting after 5 waits" in capsys.readouterr().err
    handler.script = [(413, {}, {"detail": "the file is over 262144 bytes"})]
    assert submit(str(REFERENCE), "--server", url, "--token", "t") == 2
    assert (
        "too large for this server (413): the file is over 262144 bytes" in capsys.readouterr().err
    )


def test_the_case_progress_route_lists_each_case_once_after_a_sequence_number(
    served: Served, problem: Problem
) -> None:
    server = JudgeServer(served.url, served.token)
    submission_id = server.upload(REFERENCE, REFERENCE.read_bytes(), "cpu")
    deadline = time.monotonic() + 60
    while server.submission(submission_id)["status"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    everything = server.progress(submission_id, -1)
    total = len(load_cases(problem.testcases_dir, problem.group_names))
    assert everything["status"] == "done" and everything["total"] == total
    assert [row["seq"] for row in everything["cases"]] == list(range(total))
    later = server.progress(submission_id, 5)["cases"]
    assert [row["seq"] for row in later] == list(range(6, total))
    hidden = [row["case"] for row in later if row["case"]["group"] in problem.hidden_groups]
    assert hidden and all("input" not in case for case in hidden)


def test_an_explicit_token_file_wins_over_the_environment_and_the_file_env_is_read(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "token"
    path.write_text(served.token)
    path.chmod(0o600)
    monkeypatch.setenv("JUDGEKIT_TOKEN", "not-the-token")
    assert submit(str(REFERENCE), "--server", served.url, "--token-file", str(path)) == 0
    monkeypatch.delenv("JUDGEKIT_TOKEN")
    monkeypatch.setenv("JUDGEKIT_TOKEN_FILE", str(path))
    assert submit(str(REFERENCE), "--server", served.url) == 0

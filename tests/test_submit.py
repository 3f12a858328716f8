"""`judgekit submit` against the real web app with a FAKE judge (InstantFakeJudge: fast, no
Docker) served by uvicorn on loopback, against a scripted stub server for the answers a test
cannot provoke cheaply (413 past our own size check, 429 with Retry-After), and against hostile
servers on loopback: redirects to another origin, malformed answers of every kind, an answer
of 200 MiB and one that drips a byte at a time. Each of those is one `judgekit: error:` line
and exit 2, and the token never leaves for another origin."""

from __future__ import annotations

import json
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import uvicorn
from judgekit.cli import main
from judgekit.client.connection import DEFAULT_WAIT_S, JudgeServer, retry_after_s
from judgekit.client.transport import CallLimits
from judgekit.package.problem import Problem
from judgekit.package.testcase import load_cases
from judgekit.web.accounts import auth
from judgekit.web.app import create_app
from judgekit.web.db.database import Database
from judgekit.web.settings import Settings
from repo_support import REFERENCE, REPO_ROOT
from web_support import InstantFakeJudge, free_port, until

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
    settings = Settings(problem=problem, data_dir=data, judging_threads=1)
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
    """Answers each request with the next (status, headers, body) of `script`: a body of bytes
    as it is, anything else as JSON. Records each request and its Authorization header."""

    script: ClassVar[list[tuple[int, dict[str, str], Any]]] = []  # (status, headers, body)
    seen: ClassVar[list[tuple[str, float]]] = []
    authorizations: ClassVar[list[str | None]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).seen.append((f"{self.command} {self.path}", time.monotonic()))
        type(self).authorizations.append(self.headers.get("Authorization"))
        script = type(self).script
        status, headers, body = script.pop(0) if script else (500, {}, {"detail": "no script"})
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
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
    handler = type("Stub", (_Stub,), {"script": [], "seen": [], "authorizations": []})
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
    until(
        "the reference judged",
        lambda: server.submission(submission_id).status == "done" or None,
        timeout=60,
    )
    everything = server.progress(submission_id, -1)
    total = len(load_cases(problem.testcases_dir, problem.group_names))
    assert everything.done and everything.total == total
    assert [row.seq for row in everything.rows] == list(range(total))
    later = server.progress(submission_id, 5).rows
    assert [row.seq for row in later] == list(range(6, total))
    hidden = [row.case for row in later if row.case.group in problem.hidden_groups]
    assert hidden and all(c.input is None and c.got is None and c.time_ms is None for c in hidden)


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


# --- Hostile servers -------------------------------------------------------------------------


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The one `judgekit: error:` line the command printed, last (after `submitted ...`)."""
    err = capsys.readouterr().err
    assert err.count("judgekit: error: ") == 1 and "Traceback" not in err, err
    error = err[err.index("judgekit: error: ") :]
    assert error.endswith("\n") and error.count("\n") == 1, err  # the last line, and one line
    return error


def a_case(**changes: Any) -> dict[str, Any]:
    case = {"id": "sample/01", "group": "sample", "verdict": "AC", "time_ms": 3, "message": ""}
    return case | changes


def a_result(**changes: Any) -> dict[str, Any]:
    result = {"verdict": "AC", "message": "", "device": "cpu", "image": "i", "platform": "cpu"}
    return result | {"time_ms": 5, "passed": 1, "total": 1, "cases": [a_case()]} | changes


Answer = tuple[int, dict[str, str], Any]
ACCEPTED: Answer = (202, {}, {"id": 7, "status": "queued", "url": "/api/submissions/7"})
DONE: Answer = (200, {}, {"status": "done", "total": 1, "cases": [{"seq": 0, "case": a_case()}]})


def test_the_stub_script_of_a_good_server_gets_ac(stub: tuple[str, type[_Stub]]) -> None:
    url, handler = stub  # the baseline the hostile answers below each spoil in one place
    handler.script = [ACCEPTED, DONE, (200, {}, {"id": 7, "status": "done", "result": a_result()})]
    assert submit(str(REFERENCE), "--server", url, "--token", "t") == 0


@pytest.fixture()
def elsewhere() -> Iterator[tuple[str, type[_Stub]]]:
    """A second server, on another port: another origin, which must never hear from us."""
    handler = type("Elsewhere", (_Stub,), {"script": [], "seen": [], "authorizations": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_of_the_upload_is_refused_and_names_where_it_pointed(
    status: int,
    stub: tuple[str, type[_Stub]],
    elsewhere: tuple[str, type[_Stub]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    (url, handler), (other, other_handler) = stub, elsewhere
    handler.script = [(status, {"Location": f"{other}/api/submissions"}, {})]
    assert submit(str(REFERENCE), "--server", url, "--token", "secret-token") == 2
    err = one_error_line(capsys)
    assert f"redirect ({status}) to {other}/api/submissions" in err
    assert "pass it as --server" in err and f"trust {other}," in err
    assert handler.authorizations == ["Bearer secret-token"]
    assert other_handler.seen == [] and other_handler.authorizations == []


def test_a_redirect_of_a_poll_is_refused_too_and_the_token_stays_home(
    stub: tuple[str, type[_Stub]],
    elsewhere: tuple[str, type[_Stub]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    (url, handler), (other, other_handler) = stub, elsewhere
    moved = f"{other}/judge/api/submissions/7/cases?after=-1"
    handler.script = [ACCEPTED, (307, {"Location": moved}, {})]
    assert submit(str(REFERENCE), "--server", url, "--token", "secret-token") == 2
    err = one_error_line(capsys)
    assert f"to {moved};" in err and f"trust {other}/judge, pass it as --server" in err
    assert other_handler.seen == []


def test_a_same_origin_redirect_is_refused_as_well(
    stub: tuple[str, type[_Stub]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, handler = stub
    handler.script = [(302, {"Location": "/login"}, {})]
    assert submit(str(REFERENCE), "--server", url, "--token", "t") == 2
    assert f"to {url}/login;" in one_error_line(capsys)
    assert len(handler.seen) == 1


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "1e3", "soon", "Fri, 99 Foo 2026"])
def test_a_retry_after_that_is_not_seconds_or_a_date_is_an_unexpected_answer(
    value: str, stub: tuple[str, type[_Stub]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, handler = stub
    handler.script = [(429, {"Retry-After": value}, {"detail": "slow down"})] * 6
    started = time.monotonic()
    assert submit(str(REFERENCE), "--server", url, "--token", "t") == 2
    assert time.monotonic() - started < 5  # no wait at all
    err = one_error_line(capsys)
    assert "sent something unexpected: Retry-After" in err and repr(value) in err
    assert len(handler.seen) == 1


@pytest.mark.parametrize("value", ["121", "99999999999999999999", "9" * 5000])
def test_a_retry_after_over_the_longest_wait_is_refused_at_once(
    value: str, stub: tuple[str, type[_Stub]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, handler = stub
    handler.script = [(429, {"Retry-After": value}, {"detail": "slow down"})] * 6
    started = time.monotonic()
    assert submit(str(REFERENCE), "--server", url, "--token", "t") == 2
    assert time.monotonic() - started < 5
    assert "more than the 120 s judgekit waits; try again later" in one_error_line(capsys)


def test_a_retry_after_date_in_the_past_is_no_wait(stub: tuple[str, type[_Stub]]) -> None:
    url, handler = stub
    past = (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, {"detail": "busy"})
    handler.script = [past, ACCEPTED, DONE]
    handler.script += [(200, {}, {"id": 7, "status": "done", "result": a_result()})]
    started = time.monotonic()
    assert submit(str(REFERENCE), "--server", url, "--token", "t") == 0
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"status": "queued"}, "`id` of the upload answer is missing"),
        ({"id": "7"}, "`id` of the upload answer is '7', expected an integer"),
        ({"id": "abc"}, "`id` of the upload answer is 'abc'"),
        ({"id": 2**64}, f"`id` of the upload answer is {2**64}"),
        ({"id": 0}, "`id` of the upload answer is 0"),
        ({"id": True}, "`id` of the upload answer is True"),
        ({"id": 7.0}, "`id` of the upload answer is 7.0"),
        ([7], "the upload answer is [7], not a JSON object"),
        (None, "the upload answer is None, not a JSON object"),
        (b'{"id": NaN}', "the answer to POST /api/submissions is not JSON"),
        (b'{"id": 1' + b"0" * 5000 + b"}", "the answer to POST /api/submissions is not JSON"),
        (b"<html>oops</html>", "the answer to POST /api/submissions is not JSON"),
        (b"\xff\xfe{}", "the answer to POST /api/submissions is not UTF-8"),
        (b"[" * 100_000, "the answer to POST /api/submissions is JSON nested too deeply"),
        (b"[" * 40 + b"]" * 40, "is JSON nested more than 32 deep"),
    ],
)
def test_a_malformed_upload_answer_names_the_field(
    body: Any, named: str, stub: tuple[str, type[_Stub]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, handler = stub
    handler.script = [(202, {}, body)]
    assert submit(str(REFERENCE), "--server", url, "--token", "t") == 2
    err = one_error_line(capsys)
    assert "the judge server sent something unexpected: " in err and named in err


@pytest.mark.parametrize(
    ("progress", "named"),
    [
        ({"status": "running", "total": 3, "cases": [1, 2]}, "cases[0] of the case progress"),
        ({"status": "running", "total": 3, "cases": "x"}, "`cases` of the case progress"),
        ({"status": "running", "total": "3", "cases": []}, "`total` of the case progress"),
        ({"status": "running", "total": -1, "cases": []}, "`total` of the case progress"),
        ({"status": "running", "cases": []}, "`total` of the case progress answer is missing"),
        ({"status": "judged", "total": 1, "cases": []}, "`status` of the case progress"),
        ({"status": "done", "total": 1, "cases": [{"seq": "0", "case": a_case()}]}, "`seq`"),
        ({"status": "done", "total": 1, "cases": [{"seq": 0.5, "case": a_case()}]}, "`seq`"),
        ({"status": "done", "total": 1, "cases": [{"seq": -1, "case": a_case()}]}, "`seq`"),
        ({"status": "done", "total": 1, "cases": [{"seq": 0}]}, "`case` of cases[0]"),
        ({"status": "done", "total": 1, "cases": [{"seq": 0, "case": [1]}]}, "`case` of"),
        (
            {"status": "done", "total": 2, "cases": [{"seq": 1, "case": a_case()}] * 2},
            "`seq` of cases[1] of the case progress answer is 1, expected an integer from 2",
        ),
        (
            {"status": "done", "total": 1, "cases": [{"seq": 0, "case": a_case(verdict="OK")}]},
            "`verdict` of `case` of cases[0] of the case progress answer is 'OK', expected one of",
        ),
        (
            {"status": "done", "total": 1, "cases": [{"seq": 0, "case": a_case(time_ms="1")}]},
            "`time_ms` of `case` of cases[0]",
        ),
        (
            {"status": "done", "total": 1, "cases": [{"seq": 0, "case": a_case(id=7)}]},
            "`id` of `case` of cases[0]",
        ),
        (
            {"status": "done", "total": 1, "cases": [{"seq": 0, "case": a_case(input=[1])}]},
            "`input` of `case` of cases[0]",
        ),
    ],
)
def test_a_malformed_progress_answer_names_the_field(
    progress: Any,
    named: str,
    stub: tuple[str, type[_Stub]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, handler = stub
    handler.script = [ACCEPTED, (200, {}, progress)]
    assert submit(str(REFERENCE), "--server", url, "--token", "t") == 2
    err = one_error_line(capsys)
    assert "the judge server sent something unexpected: " in err and named in err


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        ({"id": 8, "status": "done", "result": a_result()}, "`id` of the answer for"),
        ({"id": 7, "status": "done", "result": "AC"}, "`result` of the answer for"),
        ({"id": 7, "status": "done", "result": a_result(verdict="A")}, "`verdict` of `result`"),
        ({"id": 7, "status": "done", "result": a_result(verdict=None)}, "`verdict` of `result`"),
        ({"id": 7, "status": "done", "result": a_result(cases=[None])}, "cases[0] of `result`"),
        ({"id": 7, "status": "done", "result": a_result(time_ms=-5)}, "`time_ms` of `result`"),
        ({"id": 7, "status": "done", "result": a_result(message=[])}, "`message` of `result`"),
        ({"id": 7, "status": "done", "result": a_result(platform=1)}, "`platform` of `result`"),
    ],
)
def test_a_malformed_result_names_the_field(
    answer: Any,
    named: str,
    stub: tuple[str, type[_Stub]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, handler = stub
    handler.script = [ACCEPTED, DONE, (200, {}, answer)]
    assert submit(str(REFERENCE), "--server", url, "--token", "t", "--json") == 2
    err = one_error_line(capsys)
    assert "the judge server sent something unexpected: " in err and named in err


def test_a_server_that_never_finishes_judging_is_given_up_after_wait(
    stub: tuple[str, type[_Stub]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, handler = stub
    handler.script = [ACCEPTED] + [(200, {}, {"status": "running", "total": 1, "cases": []})] * 50
    started = time.monotonic()
    assert submit(str(REFERENCE), "--server", url, "--token", "t", "--wait", "2") == 2
    assert 2 <= time.monotonic() - started < 6
    err = one_error_line(capsys)
    assert "no verdict for submission #7 within 2 s (the server says running)" in err


def _read_request(conn: socket.socket) -> None:
    """Read one request's head and body (by its Content-Length) from CONN."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


@contextmanager
def raw_server(answer: Callable[[socket.socket, threading.Event], None]) -> Iterator[str]:
    """A server on loopback that reads each request, then lets ANSWER(conn, stop) write what it
    likes on the raw socket; stopped (STOP set) when the test is done."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            _read_request(conn)
            with suppress(OSError):  # the client hung up: what it should do
                answer(conn, stop)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _address = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


HUGE = 200 * 1024 * 1024
CAP = CallLimits().max_answer_bytes


def test_an_answer_of_200_mib_is_refused_past_the_cap_with_bounded_memory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sent = [0]

    def flood(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n")
        conn.sendall(b"Connection: close\r\n\r\n")  # no length: the body runs until we close
        chunk = b" " * (1024 * 1024)
        while sent[0] < HUGE and not stop.is_set():
            conn.sendall(chunk)
            sent[0] += len(chunk)

    with raw_server(flood) as url:
        tracemalloc.start()
        try:
            code = submit(str(REFERENCE), "--server", url, "--token", "t")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert code == 2
    assert f"sent something unexpected: an answer to POST /api/submissions over {CAP} bytes" in (
        one_error_line(capsys)
    )
    assert peak < 3 * CAP  # the cap, its chunks and the bytearray's slack; not 200 MiB
    assert sent[0] < HUGE / 4  # it stopped reading, and the server's writes stalled


def test_an_answer_whose_length_is_over_the_cap_is_refused_before_it_is_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def announce(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(f"HTTP/1.1 202 Accepted\r\nContent-Length: {HUGE}\r\n\r\n".encode())
        stop.wait(30)  # and never send the body

    with raw_server(announce) as url:
        started = time.monotonic()
        assert submit(str(REFERENCE), "--server", url, "--token", "t", "--timeout", "20") == 2
        assert time.monotonic() - started < 5
    assert f"over {CAP} bytes" in one_error_line(capsys)


DRIP_EVERY_S = 0.3


def _drip_headers(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 202 Accepted\r\nX-Drip: ")
    while not stop.wait(DRIP_EVERY_S):
        conn.sendall(b"a")  # a header line that never ends, each byte well within a read timeout


def _drip_body(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Length: 100000\r\n\r\n")
    while not stop.wait(DRIP_EVERY_S):
        conn.sendall(b" ")


@pytest.mark.parametrize("drip", [_drip_headers, _drip_body], ids=["headers", "body"])
def test_a_server_that_drips_its_answer_fails_when_the_call_deadline_passes(
    drip: Callable[[socket.socket, threading.Event], None], capsys: pytest.CaptureFixture[str]
) -> None:
    with raw_server(drip) as url:
        started = time.monotonic()
        assert submit(str(REFERENCE), "--server", url, "--token", "t", "--timeout", "2") == 2
        took = time.monotonic() - started
    assert 2 <= took < 4, took
    err = one_error_line(capsys)
    assert "no whole answer to POST /api/submissions within 2 s" in err


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, DEFAULT_WAIT_S), ("", DEFAULT_WAIT_S), (" 3 ", 3.0), ("1.5", 1.5), ("120", 120.0)],
)
def test_retry_after_reads_seconds(value: str | None, seconds: float) -> None:
    assert retry_after_s(value) == seconds


@pytest.mark.parametrize(
    ("option", "said"),
    [
        ("--server=http://127.0.0.1:1/a b", "a space or control character"),
        ("--server=http://learner:pw@127.0.0.1:1", "a user or password in the URL"),
        ("--server=http://127.0.0.1:99999", "give a URL such as"),
        ("--server=http://127.0.0.1:1/?x=1", "no query or fragment"),
        ("--token=two\nlines", "--token: not a token"),
    ],
)
def test_a_server_url_or_token_that_cannot_be_sent_as_is_is_refused_before_any_call(
    option: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    options = [option] + (["--token=t"] if option.startswith("--server") else [])
    assert submit(str(REFERENCE), *options) == 2
    assert said in one_error_line(capsys)

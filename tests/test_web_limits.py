"""What one client may cost the web judge, and what no input may do to it: login back-off per
account, address and known device; bounded password checks; live streams capped and served by
one poller; every id, sequence number and deadline out of range a 4xx; the same security
headers on every response; hidden data held back however it was stored. The load tests of
the same limits against a real server are in test_web_availability.py."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from judgekit.commands.logs import RepeatLimit
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Problem
from judgekit.web.accounts import auth
from judgekit.web.accounts.login_throttle import LoginThrottle
from judgekit.web.accounts.password_checks import ChecksBusy, PasswordChecks
from judgekit.web.app import create_app
from judgekit.web.db.database import MAX_SESSIONS_PER_USER, Database, Status
from judgekit.web.db.ids import ROW_ID_MAX, parse_row_id, parse_sequence
from judgekit.web.db.records import Submission
from judgekit.web.db.tables import sessions, users
from judgekit.web.guards.client_fairness import ClientFairness
from judgekit.web.guards.limits import LoginLimits, StreamLimits, SubmissionLimits
from judgekit.web.guards.security_headers import SECURITY_HEADERS
from judgekit.web.routes.live_results import LiveCase, LiveResults, Reader, StreamsFull
from judgekit.web.settings import Settings
from judgekit.web.views.markup import HIGHLIGHT_MAX_CHARACTERS, highlight_python
from sqlalchemy import select, update
from starlette.routing import BaseRoute
from starlette.types import Message, Receive, Scope, Send
from web_support import PASSWORD, InstantFakeJudge, stored_submission

OUT_OF_RANGE = ["10" + "0" * 29, "-" + "1" + "0" * 30, str(ROW_ID_MAX + 1), "²", "1e3", " "]


def make_client(problem: Problem, data: Path, **settings: object) -> TestClient:
    db = Database.for_data_dir(data)
    try:
        for name in ("alice", "bob", "admin"):
            auth.create_user(db, name, PASSWORD, admin=name == "admin")
    finally:
        db.close()
    return TestClient(
        create_app(
            Settings(problem=problem, data_dir=data, judging_threads=1, **settings),  # type: ignore[arg-type]
            InstantFakeJudge(),
            start_judging=False,
            scan_similarity=False,
        ),
        base_url="http://testserver",
    )


@pytest.fixture()
def client(problem: Problem, tmp_path: Path) -> Iterator[TestClient]:
    with make_client(problem, tmp_path / "data") as test_client:
        yield test_client


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> int:
    client.get("/login")
    csrf = client.cookies.get(auth.CSRF_COOKIE)
    response = client.post(
        "/login",
        data={"name": name, "password": password, auth.CSRF_FIELD: csrf, "next": "/submissions"},
        follow_redirects=False,
    )
    return int(response.status_code)


# -- login back-off ----------------------------------------------------------------------------


def test_wrong_passwords_for_one_account_make_each_further_try_wait(
    problem: Problem, tmp_path: Path
) -> None:
    limits = LoginLimits(account_failures=3, backoff_max_s=1.0)
    with make_client(problem, tmp_path / "data", logins=limits) as client:
        assert [log_in(client, "alice", "wrong password") for _ in range(3)] == [401] * 3
        client.cookies.clear()
        client.get("/login")
        csrf = client.cookies.get(auth.CSRF_COOKIE)
        refused = client.post(
            "/login",
            data={"name": "alice", "password": PASSWORD, auth.CSRF_FIELD: csrf},
            follow_redirects=False,
        )
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"
        assert "Too many wrong passwords: try again in 1 s." in refused.text
        assert auth.SESSION_COOKIE not in refused.cookies
        time.sleep(1.1)
        assert log_in(client, "alice") == 303


def test_the_wait_doubles_and_is_capped() -> None:
    now = [0.0]
    throttle = LoginThrottle(
        LoginLimits(account_failures=2, address_failures=100, backoff_max_s=8.0),
        clock=lambda: now[0],
    )
    attempt = throttle.attempt("alice", "10.0.0.1", None)
    waits = []
    for _ in range(8):
        throttle.failed(attempt)
        waits.append(throttle.wait_s(attempt))
    assert waits == [0.0, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    now[0] = 8.0
    assert throttle.wait_s(attempt) == 0.0


def test_failures_are_forgotten_after_a_while() -> None:
    now = [0.0]
    limits = LoginLimits(account_failures=1, forget_after_s=60.0)
    throttle = LoginThrottle(limits, clock=lambda: now[0])
    attempt = throttle.attempt("alice", "10.0.0.1", None)
    throttle.failed(attempt)
    throttle.failed(attempt)
    assert throttle.wait_s(attempt) == 2.0
    now[0] = 61.0
    assert throttle.wait_s(attempt) == 0.0


def test_one_address_guessing_many_accounts_is_throttled_too() -> None:
    throttle = LoginThrottle(LoginLimits(account_failures=100, address_failures=3))
    for name in ("alice", "bob", "carol"):
        throttle.failed(throttle.attempt(name, "10.0.0.9", None))
    assert throttle.wait_s(throttle.attempt("dave", "10.0.0.9", None)) > 0
    assert throttle.wait_s(throttle.attempt("dave", "10.0.0.10", None)) == 0


def test_an_attacker_cannot_lock_the_owner_out_of_a_browser_they_logged_in_from(
    problem: Problem, tmp_path: Path
) -> None:
    limits = LoginLimits(account_failures=2, backoff_max_s=60.0)
    with make_client(problem, tmp_path / "data", logins=limits) as client:
        assert log_in(client, "alice") == 303
        device = client.cookies.get(auth.DEVICE_COOKIE)
        assert device
        owners = dict(client.cookies.items())
        client.cookies.clear()  # the attacker's browser
        assert [log_in(client, "alice", "guess") for _ in range(4)] == [401, 401, 429, 429]
        # A forged device cookie is no device: the account's back-off applies.
        client.cookies.clear()
        client.cookies.set(auth.DEVICE_COOKIE, device[:-1] + ("0" if device[-1] != "0" else "1"))
        assert log_in(client, "alice") == 429
        # The owner's browser logs in at once.
        client.cookies.clear()
        client.cookies.set(auth.DEVICE_COOKIE, owners[auth.DEVICE_COOKIE])
        assert log_in(client, "alice") == 303
        # A device cookie proves nothing for another account.
        assert [log_in(client, "bob", "guess") for _ in range(3)] == [401, 401, 429]


def test_the_throttle_remembers_a_bounded_number_of_keys() -> None:
    throttle = LoginThrottle(LoginLimits(remembered_keys=50))
    for index in range(2_000):
        throttle.failed(
            throttle.attempt(f"user{index}", f"10.0.{index // 256}.{index % 256}", None)
        )
    assert throttle.remembered() <= 2 * 50


# -- password checks ---------------------------------------------------------------------------


def test_password_checks_run_a_bounded_number_at_once_and_refuse_the_rest() -> None:
    checks = PasswordChecks(LoginLimits(checks_at_once=1, checks_waiting=1))
    release = threading.Event()
    running: list[int] = []

    def slow() -> int:
        running.append(1)
        release.wait(5)
        return len(running)

    async def scenario() -> list[object]:
        first = asyncio.ensure_future(checks.run(slow))
        second = asyncio.ensure_future(checks.run(slow))
        await asyncio.sleep(0.2)
        with pytest.raises(ChecksBusy):
            await checks.run(slow)
        assert len(running) == 1  # the second waits for the one check thread
        release.set()
        return list(await asyncio.gather(first, second))

    try:
        assert asyncio.run(scenario()) == [1, 2]
    finally:
        checks.close()


def test_passwords_are_hashed_with_bounded_memory_and_old_hashes_upgraded(
    problem: Problem, tmp_path: Path
) -> None:
    assert auth.hash_password(PASSWORD).startswith(
        f"$argon2id$v=19$m={auth.PASSWORD_MEMORY_MIB * 1024},t=2,p=1$"
    )
    data = tmp_path / "data"
    with make_client(problem, data) as client:
        db = Database.for_data_dir(data)
        try:
            user = db.user_by_name("bob")
            assert user is not None
            db.set_password_hash(user.id, PasswordHasher(memory_cost=65536).hash(PASSWORD))
            assert log_in(client, "bob") == 303
            upgraded = db.user_by_name("bob")
            assert upgraded is not None
            assert upgraded.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        finally:
            db.close()


# -- live streams ------------------------------------------------------------------------------


def _submission(submission_id: int, status: Status) -> Submission:
    return Submission(
        id=submission_id,
        user_id=1,
        user_name="alice",
        created_at=0.0,
        filename="a.py",
        stored_name="x",
        size=1,
        sha256="0" * 64,
        device="cpu",
        status=status,
        attempts=1,
        verdict=None,
        passed=None,
        total=None,
        time_ms=None,
        result_json=None,
        started_at=None,
        finished_at=None,
        problem_id="p",
    )


class CountingReader:
    def __init__(self) -> None:
        self.reads = 0
        self.status = Status.RUNNING
        self.cases: list[LiveCase] = []

    def reader(self) -> Reader:
        def submission(submission_id: int) -> Submission:
            self.reads += 1
            return _submission(submission_id, self.status)

        return Reader(
            submission,
            lambda _s, after: [c for c in self.cases if c.seq > after],
            lambda _s: None,
            lambda s: f"<p>result of {s.id}</p>",
        )


def test_streams_are_capped_per_user_and_in_all() -> None:
    live = LiveResults(StreamLimits(per_user=2, total=3))
    first, _second = live.reserve(1, 10), live.reserve(1, 11)
    with pytest.raises(StreamsFull, match="you already follow 2 submissions live"):
        live.reserve(1, 12)
    live.reserve(2, 10)
    with pytest.raises(StreamsFull, match="as many live results as it can"):
        live.reserve(3, 10)
    first.release()
    first.release()  # idempotent
    live.reserve(3, 10)
    assert live.open_streams() == 3


def test_one_poller_reads_each_watched_submission_once_per_tick_however_many_streams() -> None:
    counting = CountingReader()
    live = LiveResults(StreamLimits(per_user=500, total=500, poll_s=0.1))
    received: list[list[int]] = []

    async def follower() -> None:
        seen = None
        got: list[int] = []
        while len(got) < 3:
            snapshot = await live.next_snapshot(7, seen, 5.0)
            assert snapshot is not None
            seen = snapshot
            got = [case.seq for case in snapshot.cases]
        received.append(got)

    async def scenario() -> None:
        tickets = [live.reserve(user, 7) for user in range(200)]
        poller = asyncio.create_task(live.run(counting.reader()))
        followers = [asyncio.create_task(follower()) for _ in range(200)]
        for seq in range(3):
            await asyncio.sleep(0.3)
            counting.cases.append(LiveCase(seq, "secret", "AC", f"<tr>{seq}</tr>"))
        await asyncio.wait_for(asyncio.gather(*followers), 10)
        poller.cancel()
        for ticket in tickets:
            ticket.release()

    started = time.monotonic()
    asyncio.run(scenario())
    ticks = (time.monotonic() - started) / 0.1
    assert received == [[0, 1, 2]] * 200
    assert counting.reads <= ticks + 2, (counting.reads, ticks)


def test_a_stream_past_the_users_cap_is_refused_with_retry_after(
    problem: Problem, tmp_path: Path
) -> None:
    with make_client(problem, tmp_path / "data", streams=StreamLimits(per_user=1)) as client:
        assert log_in(client, "alice") == 303
        submission_id = stored_submission(tmp_path / "data", "alice")
        live = client.app.state.judgekit.live_results  # type: ignore[attr-defined]
        alice = client.app.state.judgekit.db.user_by_name("alice")  # type: ignore[attr-defined]
        held = live.reserve(alice.id, submission_id)
        refused = client.get(f"/submissions/{submission_id}/events")
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "10"
        assert "you already follow 1 submissions live" in refused.text
        held.release()


# -- out-of-range input ------------------------------------------------------------------------


def test_ids_and_sequence_numbers_are_read_in_ascii_digits_within_range() -> None:
    assert parse_row_id("1") == 1
    assert parse_row_id(str(ROW_ID_MAX)) == ROW_ID_MAX
    for text in (*OUT_OF_RANGE, "0", "-1", "+1", "٣"):
        assert parse_row_id(text) is None, text
    assert parse_sequence("0") == 0
    assert parse_sequence("9" * 40) is None


def _routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # an included router
        if included is not None:
            yield from _routes(included.routes)


def _integer_parameters(client: TestClient) -> list[tuple[str, str, str]]:
    """(path, where, name) of every integer path and query parameter of every GET route."""
    found = []
    for route in _routes(client.app.routes):  # type: ignore[attr-defined]
        if "GET" not in (route.methods or set()):
            continue
        dependant = route.dependant
        for where, params in (("path", dependant.path_params), ("query", dependant.query_params)):
            for param in params:
                if param.field_info.annotation is int:
                    found.append((route.path, where, param.name))
    return found


def test_every_integer_in_a_path_or_query_out_of_range_is_a_4xx(client: TestClient) -> None:
    assert log_in(client, "admin") == 303
    parameters = _integer_parameters(client)
    assert {(p, n) for p, _w, n in parameters} >= {
        ("/api/submissions/{submission_id}/cases", "after"),
        ("/submissions/{submission_id}/events", "after"),
        ("/submissions/{submission_id}", "submission_id"),
    }
    for path, where, name in parameters:
        for value in OUT_OF_RANGE:
            url = path
            query = {}
            for other in ("submission_id", "first_id", "second_id", "kind"):
                url = url.replace("{" + other + "}", value if other == name else "1")
            if where == "query":
                query[name] = value
            response = client.get(url, params=query)
            assert 400 <= response.status_code < 500, (path, name, value, response.text)


def test_a_last_event_id_that_is_not_a_sequence_number_is_a_400(
    client: TestClient, tmp_path: Path
) -> None:
    assert log_in(client, "alice") == 303
    submission_id = stored_submission(tmp_path / "data", "alice")
    for value in ("²", "9" * 40, "-1", "x"):
        response = client.get(
            f"/submissions/{submission_id}/events", headers={"Last-Event-ID": value.encode()}
        )
        assert response.status_code == 400, value
        assert "Last-Event-ID" in response.text


def test_rejudge_of_a_number_that_is_not_an_id_is_a_422(client: TestClient) -> None:
    assert log_in(client, "admin") == 303
    csrf = client.cookies.get(auth.CSRF_COOKIE)
    for value in ("²", "9" * 40, "0"):
        response = client.post(
            "/admin/rejudge", data={"submission_id": value, auth.CSRF_FIELD: csrf}
        )
        assert response.status_code == 422, value


@pytest.mark.parametrize(
    "deadline", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1969-12-31T23:00:00"]
)
def test_a_deadline_outside_the_years_shown_is_a_422_not_a_truncated_export(
    client: TestClient, deadline: str
) -> None:
    assert log_in(client, "admin") == 303
    for path in ("/admin/grades", "/admin/grades.csv", "/admin/grades.json"):
        response = client.get(path, params={"deadline": deadline})
        assert response.status_code == 422, (path, response.status_code)
        assert "out of range" in response.text


def test_deeply_nested_json_is_a_422(client: TestClient) -> None:
    db_token = _api_token(client)
    response = client.post(
        "/api/submissions",
        content=b"[" * 1_000_000,
        headers={"Authorization": f"Bearer {db_token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 422


def _api_token(client: TestClient) -> str:
    context = client.app.state.judgekit  # type: ignore[attr-defined]
    _user, token = auth.create_user(context.db, "carol", PASSWORD, admin=False)
    return token


# -- headers and pages outside our rules -------------------------------------------------------


def test_no_swagger_or_redoc_pages_on_the_judges_origin(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        assert client.get(path).status_code == 404
    assert client.get("/openapi.json").status_code == 200


@pytest.mark.parametrize(
    "path", ["/", "/login", "/openapi.json", "/static/app.js", "/api/submissions", "/nowhere"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (path, name)


def test_grade_links_never_come_from_the_requests_host(problem: Problem, tmp_path: Path) -> None:
    settings = {"public_url": "https://judge.example.org/"}
    with make_client(problem, tmp_path / "data", **settings) as client:
        assert log_in(client, "admin") == 303
        _finish_accepted(tmp_path / "data")
        response = client.get("/admin/grades.json", headers={"Host": "evil.example"})
        urls = [row["first_ac_url"] for row in response.json()["grades"] if row["first_ac_url"]]
        assert urls and all(u.startswith("https://judge.example.org/submissions/") for u in urls)


def _finish_accepted(data: Path) -> int:
    submission_id = stored_submission(data, "alice", held_by="test")
    db = Database.for_data_dir(data)
    try:
        report = JudgeReport(Verdict.AC, "ok", "cpu", "img", (), "cpu", 1)
        assert db.finish(submission_id, 1, report)
        return submission_id
    finally:
        db.close()


# -- hidden data on the way out ----------------------------------------------------------------


def test_hidden_case_details_stored_by_a_judge_host_never_leave_the_server(
    problem: Problem, client: TestClient, tmp_path: Path
) -> None:
    """A judge host that stored a hidden case whole (input, expected, got, its message) must
    not leak it: the API, the page and the live stream apply the learner view as they read."""
    data = tmp_path / "data"
    submission_id = stored_submission(data, "alice")
    secret = "SECRET-INPUT-7.25"
    hidden_group = sorted(problem.hidden_groups)[0]
    hidden_case = CaseResult(
        id=f"{hidden_group}/001",
        group=hidden_group,
        verdict=Verdict.WA,
        time_ms=12,
        message=f"expected {secret}",
        public=True,  # as a public case is stored: whole
        input={"x": secret},
        expected=[1.0],
        got=[2.0],
    )
    db = Database.for_data_dir(data)
    try:
        claimed = db.claim(submission_id, "a judge host", 30.0)
        assert claimed is not None
        assert db.add_case_result(submission_id, claimed.attempts, hidden_case)
    finally:
        db.close()
    token = _api_token_for(client, "alice")
    headers = {"Authorization": f"Bearer {token}"}
    live_rows = client.get(f"/api/submissions/{submission_id}/cases", headers=headers)
    assert live_rows.status_code == 200
    assert secret not in live_rows.text and '"input"' not in live_rows.text
    assert log_in(client, "alice") == 303
    page = client.get(f"/submissions/{submission_id}")
    assert page.status_code == 200 and secret not in page.text
    db = Database.for_data_dir(data)
    try:
        report = JudgeReport(
            Verdict.WA,
            f"WA on {hidden_case.id}: {secret}",
            "cpu",
            "img",
            (hidden_case,),
            "cpu",
            5,
            stderr=secret,
        )
        assert db.finish(submission_id, claimed.attempts, report)
    finally:
        db.close()
    finished = client.get(f"/api/submissions/{submission_id}", headers=headers)
    assert finished.json()["status"] == "done"
    assert secret not in finished.text
    done_rows = client.get(f"/api/submissions/{submission_id}/cases", headers=headers)
    assert secret not in done_rows.text
    assert secret not in client.get(f"/submissions/{submission_id}").text
    with client.stream("GET", f"/submissions/{submission_id}/events") as stream:
        body = "".join(stream.iter_text())
    assert "event: done" in body and secret not in body


def _api_token_for(client: TestClient, name: str) -> str:
    context = client.app.state.judgekit  # type: ignore[attr-defined]
    user = context.db.user_by_name(name)
    token = auth.new_token()
    with context.db.transaction() as connection:
        connection.execute(
            update(users).where(users.c.id == user.id).values(token_hash=auth.token_hash(token))
        )
    return token


# -- requests per address ------------------------------------------------------------------------


def test_one_address_has_a_bounded_number_of_requests_in_progress() -> None:
    release = asyncio.Event()

    async def slow_app(scope: Scope, receive: Receive, send: Send) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    fairness = ClientFairness(slow_app, per_address=2, total=100)

    async def request(address: str, path: str = "/api/x") -> int:
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        scope = {"type": "http", "path": path, "client": (address, 1234)}
        await fairness(scope, receive, send)
        return int(sent[0]["status"])

    async def scenario() -> list[int]:
        held = [asyncio.ensure_future(request("10.0.0.1")) for _ in range(2)]
        await asyncio.sleep(0.05)
        refused = await request("10.0.0.1")
        others = asyncio.ensure_future(request("10.0.0.2"))
        stream = asyncio.ensure_future(request("10.0.0.1", "/submissions/1/events"))
        await asyncio.sleep(0.05)
        release.set()
        return [refused, *await asyncio.gather(*held, others, stream)]

    assert asyncio.run(scenario()) == [429, 200, 200, 200, 200]


# -- submissions per learner --------------------------------------------------------------------


def test_a_learner_may_make_a_bounded_number_of_submissions_per_window(
    problem: Problem, tmp_path: Path
) -> None:
    rate = SubmissionLimits(per_window=3, window_s=600.0)
    with make_client(problem, tmp_path / "data", submission_rate=rate) as client:
        learner = {"Authorization": f"Bearer {_api_token_for(client, 'alice')}"}
        admin = {"Authorization": f"Bearer {_api_token_for(client, 'admin')}"}
        broken = {"source": "def broken(:\n", "device": "cpu"}
        answers = [client.post("/api/submissions", headers=learner, json=broken) for _ in range(4)]
        assert [a.status_code for a in answers] == [202, 202, 202, 429]
        assert 590 <= int(answers[-1].headers["Retry-After"]) <= 600
        assert "3 submissions in the last 10 minutes" in answers[-1].json()["detail"]
        assert all(
            client.post("/api/submissions", headers=admin, json=broken).status_code == 202
            for _ in range(4)
        )


def test_the_list_of_submissions_carries_no_results(client: TestClient) -> None:
    learner = {"Authorization": f"Bearer {_api_token_for(client, 'alice')}"}
    client.post("/api/submissions", headers=learner, json={"source": "x = (\n"})
    listed = client.get("/api/submissions", headers=learner).json()["submissions"]
    assert len(listed) == 1 and "result" not in listed[0]


def test_a_long_source_is_shown_unhighlighted_so_its_page_stays_cheap() -> None:
    short = "def f(x):\n    return x  # <b>\n"
    assert '<span class="k">def</span>' in highlight_python(short)
    long = short * (HIGHLIGHT_MAX_CHARACTERS // len(short) + 1)
    shown = highlight_python(long)
    assert "<span" not in shown and "&lt;b&gt;" in shown and "<b>" not in shown


def test_known_devices_have_a_lane_of_password_checks_strangers_cannot_fill() -> None:
    checks = PasswordChecks(LoginLimits(checks_at_once=1, checks_waiting=0))
    release = threading.Event()

    async def scenario() -> str:
        stranger = asyncio.ensure_future(checks.run(lambda: release.wait(5)))
        await asyncio.sleep(0.1)
        with pytest.raises(ChecksBusy):
            await checks.run(lambda: "another stranger")
        known = await checks.run(lambda: "the learner's own browser", known_device=True)
        release.set()
        await stranger
        return known

    try:
        assert asyncio.run(scenario()) == "the learner's own browser"
    finally:
        checks.close()


def test_every_try_right_or_wrong_takes_a_token_of_its_address_or_device() -> None:
    now = [0.0]
    limits = LoginLimits(address_tries_per_minute=3, device_tries_per_minute=2)
    throttle = LoginThrottle(limits, clock=lambda: now[0])
    stranger = throttle.attempt("alice", "10.0.0.1", None)
    for _ in range(3):
        assert throttle.wait_s(stranger) == 0
        throttle.tried(stranger)
    assert throttle.wait_s(stranger) == pytest.approx(20.0)
    now[0] = 20.0
    assert throttle.wait_s(stranger) == 0
    device = throttle.succeeded(stranger)
    known = throttle.attempt("alice", "10.0.0.1", device)
    throttle.tried(known)
    throttle.tried(known)
    assert throttle.wait_s(known) == pytest.approx(30.0)
    assert throttle.wait_s(throttle.attempt("bob", "10.0.0.2", None)) == 0


def test_a_success_does_not_give_a_guesser_fresh_tries() -> None:
    throttle = LoginThrottle(LoginLimits(account_failures=2))
    guess = throttle.attempt("alice", "10.0.0.9", None)
    throttle.failed(guess)
    throttle.failed(guess)
    throttle.succeeded(throttle.attempt("alice", "10.0.0.1", None))  # its owner logs in
    assert throttle.wait_s(throttle.attempt("alice", "10.0.0.10", None)) > 0


def test_logging_in_again_and_again_keeps_a_bounded_number_of_sessions(tmp_path: Path) -> None:
    db = Database.for_data_dir(tmp_path / "data")
    try:
        user, _token = auth.create_user(db, "alice", PASSWORD, admin=False)
        hashes = [auth.token_hash(f"session {n}") for n in range(MAX_SESSIONS_PER_USER + 5)]
        for session in hashes:
            db.add_session(session, user.id, 3600)
        with db.transaction() as connection:
            kept = connection.execute(
                select(sessions.c.token_hash).where(sessions.c.user_id == user.id)
            ).fetchall()
        assert len(kept) == MAX_SESSIONS_PER_USER
        assert db.user_by_session(hashes[-1]) is not None
        assert db.user_by_session(hashes[0]) is None
    finally:
        db.close()


def test_a_learners_submissions_take_a_bounded_amount_of_disk(
    problem: Problem, tmp_path: Path
) -> None:
    rate = SubmissionLimits(stored_mib=1)
    with make_client(problem, tmp_path / "data", submission_rate=rate) as client:
        learner = {"Authorization": f"Bearer {_api_token_for(client, 'alice')}"}
        big = ("x = 1  # " + "y" * 200 + "\n") * 1200  # about 250 KB
        answers = [
            client.post("/api/submissions", headers=learner, files={"file": ("a.py", big)})
            for _ in range(5)
        ]
        assert [a.status_code for a in answers] == [202, 202, 202, 202, 413]
        assert "the most one user may store here" in answers[-1].json()["detail"]


def test_no_redirect_is_built_from_the_requests_host(client: TestClient) -> None:
    for path in ("/submissions/", "/static", "/admin/"):
        response = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
        assert "evil.example" not in response.headers.get("location", ""), path
        assert response.status_code == 404, path


def test_an_internal_error_still_carries_the_security_headers(
    problem: Problem, tmp_path: Path
) -> None:
    app = make_client(problem, tmp_path / "data").app

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)  # type: ignore[attr-defined]
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value


def test_a_message_repeated_by_clients_is_logged_a_bounded_number_of_times() -> None:
    now = [0.0]
    limit = RepeatLimit(clock=lambda: now[0])

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.error", logging.WARNING, "x", 1, message, None, None)

    kept = [limit.filter(record("Invalid HTTP request received.")) for _ in range(1000)]
    assert sum(kept) == RepeatLimit.BURST
    assert limit.filter(record("another message"))
    now[0] = RepeatLimit.WINDOW_S + 1
    summary = record("Invalid HTTP request received.")
    assert limit.filter(summary)
    assert "980 more like it not logged" in summary.getMessage()


# -- what a page shows of the judging --------------------------------------------------------


def test_the_page_shows_the_judged_cpu_time_and_admins_see_wall_time_and_re_runs(
    client: TestClient, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    submission_id = stored_submission(data, "alice")
    db = Database.for_data_dir(data)
    try:
        claimed = db.claim(submission_id, "a judge host", 30.0)
        assert claimed is not None
        report = JudgeReport(Verdict.AC, "ok", "cpu", "img", (), "cpu", 4321, cpu_ms=2500, reruns=1)
        assert db.finish(submission_id, claimed.attempts, report)
    finally:
        db.close()
    assert log_in(client, "alice") == 303
    learner_page = client.get(f"/submissions/{submission_id}").text
    assert "2.50 s of CPU" in learner_page and "judging-facts" not in learner_page
    client.cookies.clear()
    assert log_in(client, "admin") == 303
    admin_page = client.get(f"/submissions/{submission_id}").text
    assert "judging-facts" in admin_page
    assert "4.32 s of wall-clock time" in admin_page and "after\n    1 re-run" in admin_page

"""The web judge's API and pages against a fake judge (fast; no Docker): auth, uploads, bad
input, visibility, CSRF, live events and restart recovery of the queue."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import cast

import pytest
from fastapi.testclient import TestClient
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.judgehost.job import MAX_ATTEMPTS
from judgekit.package.problem import Device, Problem
from judgekit.web.accounts import auth
from judgekit.web.db.database import Database, Status
from judgekit.web.settings import Settings
from repo_support import REFERENCE
from sqlalchemy import text
from web_support import PASSWORD, InstantFakeJudge, add_user, app_client, bearer, until_one, upload


def make_app(
    problem: Problem, data: Path, judge: InstantFakeJudge, database_url: str, **kw: int
) -> TestClient:
    settings = Settings(
        problem=problem,
        data_dir=data,
        database_url=database_url,
        judging_threads=kw.get("judging_threads", 2),
        max_pending_per_user=kw.get("max_pending", 10),
        judge_error_retry_s=0.01,
    )
    return app_client(settings, judge)


@pytest.fixture()
def tokens(database_url: str) -> dict[str, str]:
    db = Database(database_url)
    try:
        return {
            name: auth.create_user(db, name, PASSWORD, admin=name == "admin")[1]
            for name in ("alice", "bob", "admin")
        }
    finally:
        db.close()


@pytest.fixture()
def client(
    problem: Problem, data: Path, database_url: str, tokens: dict[str, str]
) -> Iterator[TestClient]:
    with make_app(problem, data, InstantFakeJudge(), database_url) as test_client:
        yield test_client


def test_users_add_prints_the_token_last(data: Path, database_url: str) -> None:
    token = add_user(data, "carol", PASSWORD, admin=True, database_url=database_url)
    db = Database(database_url)
    user = db.user_by_token_hash(auth.token_hash(token))
    assert user is not None and user.name == "carol" and user.is_admin
    assert user.password_hash.startswith("$argon2")
    db.close()


def test_reference_upload_is_accepted_and_reported(
    client: TestClient, tokens: dict[str, str], problem: Problem
) -> None:
    submission_id = upload(client, tokens["alice"], REFERENCE.read_bytes())
    body = until_one(client, submission_id, token=tokens["alice"])
    result = body["result"]
    assert isinstance(result, dict)
    assert result["verdict"] == "AC" and result["passed"] == result["total"] > 0
    hidden = {g.name for g in problem.test_groups if g.visibility.value == "hidden"}
    for case in result["cases"]:
        if case["group"] in hidden:
            assert not {"input", "expected", "got"} & set(case), case
        else:
            assert {"input", "expected", "got"} <= set(case)
    listed = client.get("/api/submissions", headers=bearer(tokens["alice"])).json()
    assert [s["id"] for s in listed["submissions"]] == [submission_id]


def test_json_source_and_bad_input_give_ce(client: TestClient, tokens: dict[str, str]) -> None:
    token = tokens["alice"]
    response = client.post(
        "/api/submissions",
        headers=bearer(token),
        json={"source": "def broken(:\n", "device": "cpu"},
    )
    assert response.status_code == 202
    ids = [response.json()["id"], upload(client, token, b""), upload(client, token, b"\xff\xfe")]
    for submission_id in ids:
        result = until_one(client, submission_id, token=token)["result"]
        assert isinstance(result, dict) and result["verdict"] == "CE"


def test_errors_change_nothing(
    client: TestClient, tokens: dict[str, str], problem: Problem, data: Path
) -> None:
    alice, bob = tokens["alice"], tokens["bob"]
    assert client.get("/api/submissions").status_code == 401
    assert client.get("/api/submissions", headers=bearer("nope")).status_code == 401
    assert client.post("/api/submissions", json={"source": "x"}).status_code == 401
    too_big = b"#" * (problem.limits.submission_bytes + 1)
    response = client.post(
        "/api/submissions", headers=bearer(alice), files={"file": ("big.py", too_big)}
    )
    assert response.status_code == 413
    response = client.post(
        "/api/submissions", headers=bearer(alice), json={"source": too_big.decode()}
    )
    assert response.status_code == 413
    response = client.post(
        "/api/submissions",
        headers={**bearer(alice), "content-type": "text/plain"},
        content=b"print(1)",
    )
    assert response.status_code == 415
    response = client.post(
        "/api/submissions", headers=bearer(alice), json={"source": "x = 1", "device": "tpu"}
    )
    assert response.status_code == 422
    assert client.get("/api/submissions", headers=bearer(alice)).json()["submissions"] == []
    assert list((data / "uploads").iterdir()) == []
    assert client.get("/api/submissions/999", headers=bearer(alice)).status_code == 404
    mine = upload(client, alice, b"x = 1\n")
    assert client.get(f"/api/submissions/{mine}", headers=bearer(bob)).status_code == 404
    assert (
        client.get(f"/api/submissions/{mine}", headers=bearer(tokens["admin"])).status_code == 200
    )


def test_too_many_pending_is_429(
    problem: Problem, data: Path, database_url: str, tokens: dict[str, str]
) -> None:
    gate = threading.Event()
    judge = InstantFakeJudge(gate)
    with make_app(problem, data, judge, database_url, judging_threads=1, max_pending=2) as client:
        token = tokens["alice"]
        ids = [upload(client, token, b"x = 1\n") for _ in range(2)]
        response = client.post(
            "/api/submissions", headers=bearer(token), files={"file": ("s.py", b"x = 2\n")}
        )
        assert response.status_code == 429
        assert len(list((data / "uploads").iterdir())) == 2
        upload(client, tokens["bob"], b"x = 1\n")  # other users are not affected
        gate.set()
        for submission_id in ids:
            until_one(client, submission_id, token=token)
        upload(client, token, b"x = 3\n")


def login(client: TestClient, name: str) -> None:
    page = client.get("/login")
    csrf = page.cookies.get(auth.CSRF_COOKIE) or client.cookies.get(auth.CSRF_COOKIE)
    response = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, auth.CSRF_FIELD: csrf, "next": "/submissions"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_pages_login_submit_and_privacy(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.get("/").status_code == 200
    assert "sample" in client.get("/").text.lower()
    # Forms without the CSRF token are refused.
    response = client.post("/login", data={"name": "alice", "password": PASSWORD})
    assert response.status_code == 403
    login(client, "alice")
    csrf = client.cookies.get(auth.CSRF_COOKIE)
    response = client.post(
        "/submit",
        data={"code": "WRONG = 1\n", auth.CSRF_FIELD: csrf},
        files={"file": ("", b"")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    submission_id = int(url.rsplit("/", 1)[1])
    until_one(client, submission_id, token=tokens["alice"])
    page = client.get(url)
    assert page.status_code == 200 and 'data-verdict="WA"' in page.text
    assert "expected" in page.text
    events = client.get(f"{url}/events")
    assert "event: done" in events.text
    assert "/submissions/" in client.get("/submissions").text
    client.cookies.clear()
    login(client, "bob")
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/events").status_code == 404
    assert client.get("/admin").status_code == 404
    client.cookies.clear()
    login(client, "admin")
    assert client.get(url).status_code == 200
    assert "Queue" in client.get("/admin").text


def test_restart_requeues_running_and_finishes_once(
    problem: Problem, data: Path, database_url: str, tokens: dict[str, str]
) -> None:
    gate = threading.Event()
    with make_app(problem, data, InstantFakeJudge(gate), database_url, judging_threads=1) as client:
        submission_id = upload(client, tokens["alice"], REFERENCE.read_bytes())
        until_one(client, submission_id, "running", token=tokens["alice"], timeout=5)
        # Simulate a crash: the row stays 'running' while the app goes away.
        db = Database(database_url)
        gate.set()
    db2 = Database(database_url)
    row = db2.submission(submission_id)
    assert row is not None and row.status is Status.DONE
    db.close()
    db2.close()
    # A row left running by a killed server is re-queued and judged exactly once more.
    db3 = Database(database_url)
    with db3.transaction() as connection:
        connection.execute(
            text("UPDATE submissions SET status='running', result_json=NULL WHERE id=:id"),
            {"id": submission_id},
        )
    db3.close()
    judge = InstantFakeJudge()
    with make_app(problem, data, judge, database_url, judging_threads=2) as client:
        body = until_one(client, submission_id, token=tokens["alice"])
        assert body["verdict"] == "AC"
    assert len(judge.calls) == 1


class FailingFirstJudge(InstantFakeJudge):
    """The fake judge, but its first `failures` calls end in a judge error (engine trouble)."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def __call__(
        self,
        problem: Problem,
        submission: Path,
        *,
        device: Device,
        groups: Sequence[str],
        on_case: Callable[[CaseResult], None] | None = None,
    ) -> JudgeReport:
        if len(self.calls) < self.failures:
            self.calls.append(submission)
            return JudgeReport(Verdict.JE, "the Docker engine did not answer", device.value, "")
        return super().__call__(problem, submission, device=device, groups=groups, on_case=on_case)


def test_a_judge_error_is_judged_again_and_the_retry_result_stands(
    problem: Problem, data: Path, database_url: str, tokens: dict[str, str]
) -> None:
    judge = FailingFirstJudge(failures=1)
    with make_app(problem, data, judge, database_url, judging_threads=1) as client:
        body = until_one(
            client, upload(client, tokens["alice"], REFERENCE.read_bytes()), token=tokens["alice"]
        )
    assert body["verdict"] == "AC"
    assert len(judge.calls) == 2


def test_a_judge_error_that_persists_is_reported_after_the_last_attempt(
    problem: Problem, data: Path, database_url: str, tokens: dict[str, str]
) -> None:
    judge = FailingFirstJudge(failures=MAX_ATTEMPTS + 5)
    with make_app(problem, data, judge, database_url, judging_threads=1) as client:
        body = until_one(
            client, upload(client, tokens["alice"], REFERENCE.read_bytes()), token=tokens["alice"]
        )
    assert body["verdict"] == "JE"
    assert cast(dict[str, object], body["result"])["message"] == "the Docker engine did not answer"
    assert len(judge.calls) == MAX_ATTEMPTS


def test_openapi_describes_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/api/submissions", "/api/submissions/{submission_id}"} <= set(schema["paths"])
    post = schema["paths"]["/api/submissions"]["post"]
    assert {"multipart/form-data", "application/json"} <= set(post["requestBody"]["content"])
    assert "202" in post["responses"]

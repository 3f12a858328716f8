"""The judge hosts' API and the job a judge host runs, with the web app in broker mode over a
real redis-server (judging itself is a fake here; tests/test_scale_out.py judges for real)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from judgekit.judgehost.client import JudgehostClient
from judgekit.judgehost.host import HostIdentity, JudgeHost
from judgekit.package.problem import Device, Problem
from judgekit.web.accounts import auth
from judgekit.web.db.database import Database, Status
from judgekit.web.settings import Settings
from redis_support import RedisServer
from web_support import PASSWORD, InstantFakeJudge, app_client

HOST_TOKEN = "judge-host-secret-" + "x" * 20
A_CASE = {"id": "sample/1", "group": "sample", "verdict": "AC", "time_ms": 1, "message": ""}


@pytest.fixture()
def settings(problem: Problem, tmp_path: Path, broker: RedisServer) -> Settings:
    return Settings(
        problem=problem,
        data_dir=tmp_path / "judge-data",
        broker_url=broker.url,
        judgehost_token=HOST_TOKEN,
        lease_s=30.0,
    )


@pytest.fixture()
def learner_token(settings: Settings) -> str:
    db = Database(settings.db_url)
    try:
        return auth.create_user(db, "alice", PASSWORD, admin=False)[1]
    finally:
        db.close()


def host_headers(token: str = HOST_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submit(client: TestClient, token: str, source: bytes) -> int:
    response = client.post(
        "/api/submissions",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("s.py", source, "text/x-python")},
    )
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def status_of(client: TestClient, token: str, submission_id: int) -> dict[str, object]:
    response = client.get(
        f"/api/submissions/{submission_id}", headers={"Authorization": f"Bearer {token}"}
    )
    return dict(response.json())


def test_the_api_needs_the_judge_host_token(settings: Settings, learner_token: str) -> None:
    with app_client(settings) as client:
        assert client.get("/api/judgehost/hello").status_code == 401
        assert client.get("/api/judgehost/hello", headers=host_headers("wrong")).status_code == 401
        # a learner's API token is not a judge host's
        assert (
            client.get("/api/judgehost/hello", headers=host_headers(learner_token)).status_code
            == 401
        )
        hello = client.get("/api/judgehost/hello", headers=host_headers()).json()
        assert hello["problem_id"] == settings.problem.id
        assert set(hello["images"]) == {d.value for d in settings.problem.devices}


def test_without_a_broker_there_is_no_judge_host_api(settings: Settings) -> None:
    in_process = replace(settings, broker_url=None, judgehost_token=None)
    with app_client(in_process) as client:
        assert client.get("/api/judgehost/hello", headers=host_headers()).status_code == 404


def test_one_claim_wins_and_only_its_attempt_stores_a_result(
    settings: Settings, learner_token: str
) -> None:
    with app_client(settings) as client:
        submission = submit(client, learner_token, b"def f(): pass\n")
        path = f"/api/judgehost/submissions/{submission}"
        first = client.post(f"{path}/claim", json={"worker": "a"}, headers=host_headers())
        assert first.status_code == 200
        assert first.json()["attempt"] == 1
        again = client.post(f"{path}/claim", json={"worker": "b"}, headers=host_headers())
        assert again.status_code == 409

        result = {
            "verdict": "WA",
            "message": "m",
            "passed": 0,
            "total": 1,
            "time_ms": 3,
            "device": "cpu",
            "image": "i",
            "platform": "cpu",
            "cases": [{"id": "sample/1", "group": "sample", "verdict": "WA", "message": "m"}],
        }
        stale = client.post(
            f"{path}/result", json={"attempt": 2, "result": result}, headers=host_headers()
        )
        assert stale.status_code == 409
        stored = client.post(
            f"{path}/result", json={"attempt": 1, "result": result}, headers=host_headers()
        )
        assert stored.status_code == 200
        other = {**result, "verdict": "AC"}
        twice = client.post(
            f"{path}/result", json={"attempt": 1, "result": other}, headers=host_headers()
        )
        assert twice.status_code == 409
        body = status_of(client, learner_token, submission)
        assert (body["status"], body["verdict"]) == ("done", "WA")


def test_an_expired_lease_lets_another_host_take_over(
    settings: Settings, learner_token: str
) -> None:
    with app_client(replace(settings, lease_s=0.3)) as client:
        submission = submit(client, learner_token, b"x = 1\n")
        path = f"/api/judgehost/submissions/{submission}"
        assert (
            client.post(f"{path}/claim", json={"worker": "a"}, headers=host_headers()).json()[
                "attempt"
            ]
            == 1
        )
        time.sleep(0.5)
        taken = client.post(f"{path}/claim", json={"worker": "b"}, headers=host_headers())
        assert taken.json()["attempt"] == 2
        late_case = client.post(
            f"{path}/cases",
            json={"attempt": 1, "case": {"id": "sample/1", "group": "sample", "verdict": "AC"}},
            headers=host_headers(),
        )
        assert late_case.status_code == 409
        renew = client.post(f"{path}/lease", json={"attempt": 1}, headers=host_headers())
        assert renew.status_code == 409


def test_malformed_bodies_are_refused_not_stored(settings: Settings, learner_token: str) -> None:
    with app_client(settings) as client:
        submission = submit(client, learner_token, b"x = 1\n")
        path = f"/api/judgehost/submissions/{submission}"
        client.post(f"{path}/claim", json={"worker": "a"}, headers=host_headers())
        for body in (
            b"{",
            b'{"attempt": 1}',
            b'{"attempt": "1", "result": {}}',
            b'{"attempt": 1, "result": [], "x": 1}',
            b'{"attempt": NaN, "result": {}}',
        ):
            response = client.post(
                f"{path}/result",
                content=body,
                headers={**host_headers(), "Content-Type": "application/json"},
            )
            assert response.status_code == 422, body
        assert status_of(client, learner_token, submission)["status"] == "running"


@pytest.mark.parametrize(
    ("kind", "body", "named"),
    [
        ("result", {"attempt": 1, "result": {"verdict": "OK"}}, "`verdict` of `result` of"),
        ("result", {"attempt": 0, "result": {}}, "`attempt` of the result message is 0"),
        ("cases", {"attempt": 1, "case": {"id": "s/1", "verdict": "AC"}}, "`group` of `case`"),
        ("cases", {"attempt": 1, "case": {**A_CASE, "got": ["x"]}}, "got[0] of `case`"),
        ("cases", {"attempt": 1, "case": {**A_CASE, "stdout": ""}}, "`stdout` of `case`"),
    ],
)
def test_a_malformed_case_or_result_is_refused_naming_the_field(
    settings: Settings, learner_token: str, kind: str, body: dict[str, object], named: str
) -> None:
    with app_client(settings) as client:
        submission = submit(client, learner_token, b"x = 1\n")
        path = f"/api/judgehost/submissions/{submission}"
        client.post(f"{path}/claim", json={"worker": "a"}, headers=host_headers())
        response = client.post(f"{path}/{kind}", json=body, headers=host_headers())
        assert response.status_code == 422 and named in response.json()["detail"]
        assert status_of(client, learner_token, submission)["status"] == "running"


def test_a_judge_host_job_streams_cases_and_stores_the_result(
    settings: Settings, learner_token: str
) -> None:
    with app_client(settings) as client:
        submission = submit(client, learner_token, b"WRONG = 1\n")
        host = JudgeHost(
            HostIdentity("host-1", Device.CPU, "image", {"jax": "x"}),
            settings.problem,
            JudgehostClient("http://testserver", HOST_TOKEN, http=client),
            InstantFakeJudge(),
            concurrency=1,
        )
        host.handle(submission)
        body = status_of(client, learner_token, submission)
        assert (body["status"], body["verdict"]) == ("done", "WA")
        host.handle(submission)  # a duplicate message: refused, nothing changes
        assert status_of(client, learner_token, submission)["verdict"] == "WA"

        host.heartbeat_once()
        db = Database(settings.db_url)
        try:
            (status,) = db.judge_host_statuses()
        finally:
            db.close()
        assert (status.name, status.device, status.submission_id) == ("host-1/1", "cpu", None)


def test_a_queued_submission_reaches_the_broker(
    settings: Settings, learner_token: str, broker: RedisServer
) -> None:
    from judgekit.judgehost.broker import celery_app, queued_submission_ids

    with app_client(settings) as client:
        submission = submit(client, learner_token, b"x = 1\n")
        deadline = time.monotonic() + 10
        found: set[int] = set()
        while submission not in found and time.monotonic() < deadline:
            found = queued_submission_ids(celery_app(broker.url), (Device.CPU,))
            time.sleep(0.1)
        assert submission in found
        db = Database(settings.db_url)
        try:
            assert db.submission(submission).status is Status.QUEUED  # type: ignore[union-attr]
        finally:
            db.close()

"""Results that JSON cannot spell as they are (NaN, ±inf, lone surrogates) are served by every
route (API list and detail, pages, live events) as strict JSON: non-finite numbers as the
strings "NaN", "Infinity", "-Infinity", and a lone surrogate as U+FFFD. Rows written before
this rule, straight into the database, are served too."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem
from judgekit.web.accounts import auth
from judgekit.web.db.database import Database
from judgekit.web.settings import Settings
from sqlalchemy import text
from web_support import PASSWORD, InstantFakeJudge, app_client

# As an older judgekit stored them: bare NaN/Infinity, and a lone surrogate as an escape.
LEGACY_CASE = (
    '{"id": "sample/01", "group": "sample", "verdict": "WA", "time_ms": 3, '
    '"message": "bad \\ud800 value", "input": {"seed": 0}, '
    '"expected": [1.0, 2.0, 3.0], "got": [NaN, Infinity, -Infinity]}'
)
LEGACY_RESULT = (
    '{"verdict": "WA", "message": "Wrong Answer on sample/01: \\ud800", "device": "cpu", '
    '"image": "i", "platform": "cpu", "time_ms": 9, "passed": 0, "total": 1, '
    f'"cases": [{LEGACY_CASE}]}}'
)


def strict_loads(text: str) -> Any:
    """json.loads that refuses NaN, Infinity and -Infinity, as browsers and jq do."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


class NonFiniteJudge(InstantFakeJudge):
    """The fake judge, but the learner returned NaN and ±inf and raised a surrogate."""

    def __call__(self, problem: Problem, submission: Path, **kwargs: Any) -> JudgeReport:
        case = CaseResult(
            "sample/01",
            "sample",
            Verdict.WA,
            4,
            "values differ \ud800",
            True,
            {"seed": 0},
            [1.0, 2.0, 3.0],
            [math.nan, math.inf, -math.inf],
        )
        on_case = kwargs.get("on_case")
        if on_case is not None:
            on_case(case)
        device: Device = kwargs["device"]
        return JudgeReport(Verdict.WA, "bad \udfff", device.value, "fake", (case,), "cpu", 7)


@pytest.fixture()
def token(data: Path) -> str:
    db = Database.for_data_dir(data)
    try:
        return auth.create_user(db, "alice", PASSWORD, admin=False)[1]
    finally:
        db.close()


def _client(problem: Problem, data: Path, judge: InstantFakeJudge) -> TestClient:
    settings = Settings(problem=problem, data_dir=data, judging_threads=1, judge_error_retry_s=0.01)
    return app_client(settings, judge)


@pytest.fixture()
def client(problem: Problem, data: Path, token: str) -> Iterator[TestClient]:
    with _client(problem, data, NonFiniteJudge()) as test_client:
        yield test_client


def _stored_row(data: Path, *, done: bool) -> int:
    """A submission of alice's written straight into the database, as an older judge did."""
    db = Database.for_data_dir(data)
    try:
        user = db.user_by_name("alice")
        assert user is not None
        submission_id = db.add_submission(
            user_id=user.id,
            filename="old.py",
            stored_name="missing.py",
            size=1,
            sha256="0" * 64,
            device="cpu",
            max_pending=100,
        )
        with db.transaction() as connection:
            if done:
                connection.execute(
                    text(
                        "UPDATE submissions SET status = 'done', attempts = 1, verdict = 'WA', "
                        "passed = 0, total = 1, time_ms = 9, result_json = :r WHERE id = :id"
                    ),
                    {"r": LEGACY_RESULT, "id": submission_id},
                )
            else:
                # Running forever (nothing judges it): only its live case rows exist.
                connection.execute(
                    text("UPDATE submissions SET status = 'running', attempts = 99 WHERE id = :id"),
                    {"id": submission_id},
                )
                connection.execute(
                    text(
                        "INSERT INTO case_results (submission_id, attempt, seq, case_json) "
                        "VALUES (:id, 99, 0, :case)"
                    ),
                    {"id": submission_id, "case": LEGACY_CASE},
                )
        return submission_id
    finally:
        db.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(client: TestClient) -> None:
    client.get("/login")
    csrf = client.cookies.get(auth.CSRF_COOKIE)
    response = client.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, auth.CSRF_FIELD: csrf, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def _assert_strict_case(case: dict[str, Any]) -> None:
    assert case["got"] == ["NaN", "Infinity", "-Infinity"]
    assert case["expected"] == [1.0, 2.0, 3.0]
    assert "\ufffd" in case["message"]


def test_a_stored_row_with_nan_and_a_surrogate_is_served_by_the_api(
    client: TestClient, data: Path, token: str
) -> None:
    submission_id = _stored_row(data, done=True)
    response = client.get(f"/api/submissions/{submission_id}", headers=_bearer(token))
    assert response.status_code == 200, response.text
    body = strict_loads(response.text)
    _assert_strict_case(body["result"]["cases"][0])
    assert body["result"]["message"] == "Wrong Answer on sample/01: \ufffd"


def test_one_such_row_does_not_break_the_users_list(
    client: TestClient, data: Path, token: str
) -> None:
    good = client.post(
        "/api/submissions", headers=_bearer(token), json={"source": "x = 1\n"}
    ).json()["id"]
    bad = _stored_row(data, done=True)
    response = client.get("/api/submissions", headers=_bearer(token))
    assert response.status_code == 200, response.text
    listed = {s["id"]: s for s in strict_loads(response.text)["submissions"]}
    assert {good, bad} <= set(listed)
    assert listed[bad]["status"] == "done"
    one = client.get(f"/api/submissions/{bad}", headers=_bearer(token))
    assert one.status_code == 200, one.text
    _assert_strict_case(strict_loads(one.text)["result"]["cases"][0])


def test_a_new_result_with_nan_is_stored_and_served_as_strict_json(
    client: TestClient, data: Path, token: str
) -> None:
    submission_id = client.post(
        "/api/submissions", headers=_bearer(token), json={"source": "x = 1\n"}
    ).json()["id"]
    for _ in range(200):
        response = client.get(f"/api/submissions/{submission_id}", headers=_bearer(token))
        assert response.status_code == 200, response.text
        if response.json()["status"] == "done":
            break
        time.sleep(0.05)
    body = strict_loads(response.text)
    _assert_strict_case(body["result"]["cases"][0])
    assert body["result"]["message"] == "bad \ufffd"
    db = Database.for_data_dir(data)
    try:
        row = db._read(
            text("SELECT result_json FROM submissions WHERE id = :id"), {"id": submission_id}
        )
    finally:
        db.close()
    strict_loads(row[0][0])  # stored strict too, not only served so


def test_the_submission_page_and_its_events_show_such_a_row(client: TestClient, data: Path) -> None:
    done = _stored_row(data, done=True)
    _login(client)
    page = client.get(f"/submissions/{done}")
    assert page.status_code == 200, page.text
    for shown in ("nan", "inf", "-inf"):
        assert f'class="num got">{shown}<' in page.text
    assert "\ufffd" in page.text
    assert client.get("/submissions").status_code == 200
    events = client.get(f"/submissions/{done}/events")
    assert events.status_code == 200
    data_lines = [line for line in events.text.splitlines() if line.startswith("data: ")]
    assert data_lines and all(strict_loads(line[6:]) for line in data_lines)
    assert "event: done" in events.text


def test_live_case_events_of_a_running_row_are_strict_json(client: TestClient, data: Path) -> None:
    running = _stored_row(data, done=False)
    _login(client)
    assert client.get(f"/submissions/{running}").status_code == 200
    with client.stream("GET", f"/submissions/{running}/events") as events:
        assert events.status_code == 200
        lines = events.iter_lines()
        case_data = next(line for line in lines if line.startswith("data: ") and '"seq"' in line)
    payload = strict_loads(case_data[6:])
    assert payload["seq"] == 0 and "\ufffd" in payload["html"]


def test_the_openapi_schema_allows_strings_among_got_and_expected(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    case = schema["components"]["schemas"]["CaseModel"]["properties"]
    for field in ("got", "expected"):
        items = case[field]["anyOf"][0]["items"]["anyOf"]
        assert {"type": "number"} in items and {"type": "string"} in items
        assert "Infinity" in case[field]["description"]

"""Property-based fuzzing of the JSON API from the app's own OpenAPI schema (schemathesis):
no request, however odd, gets a 5xx. The judging threads are not started (nothing is judged); the
endpoints, validation, auth and storage are the real ones."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from judgekit.package.problem import load_problem
from judgekit.web.accounts import auth
from judgekit.web.app import create_app
from judgekit.web.db.database import Database
from judgekit.web.settings import Settings
from repo_support import REPO_ROOT
from schemathesis.checks import not_a_server_error
from web_support import InstantFakeJudge

_DATA = Path(tempfile.mkdtemp(prefix="judgekit-fuzz-"))
_db = Database.for_data_dir(_DATA)
_, TOKEN = auth.create_user(_db, "fuzzer", "fuzzing password", admin=False)
_db.close()
APP = create_app(
    Settings(problem=load_problem(REPO_ROOT), data_dir=_DATA, judging_threads=1),
    InstantFakeJudge(),
    start_judging=False,
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_5xx(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"}, checks=[not_a_server_error]
    )


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_without_token_never_answers_5xx(case: schemathesis.Case[Any]) -> None:
    response = case.call(headers={"Authorization": "Bearer wrong"})
    assert response.status_code < 500
    if case.path.startswith("/api"):
        assert response.status_code in {401, 404, 405, 415, 422}

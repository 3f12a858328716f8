"""JSON API under /api, bearer-token auth; the OpenAPI schema describes every route exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from judgekit.judge.strict_json import json_safe
from judgekit.web.accounts import auth
from judgekit.web.db.database import Status, Submission, User
from judgekit.web.db.ids import After, RowId
from judgekit.web.judging.queue_place import queue_place
from judgekit.web.routes.context import (
    JSON_EXPANSION,
    MULTIPART_OVERHEAD,
    AppContext,
    accept_submission,
    get_context,
    learner_cases,
    learner_result,
    parse_device,
    read_body_limited,
    visible_submission,
    with_body,
)

bearer = HTTPBearer(auto_error=False, description="the API token printed by `judgekit users add`")

# The list of one's submissions: the newest this many, each without its result.
LIST_LIMIT = 200


class ErrorBody(BaseModel):
    detail: str


class SubmissionSource(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(description="the Python source of the submission")
    device: Literal["cpu", "gpu"] = Field("cpu", description="where to run it")


class Accepted(BaseModel):
    id: int
    status: Status
    url: str = Field(description="where to poll for the result")


NUMBER_SPELLING = (
    'a non-finite value is the string "NaN", "Infinity" or "-Infinity" (JSON has no number for it)'
)


class CaseModel(BaseModel):
    """One case of a ResultModel (judgekit.judge.report.CaseResult.to_json())."""

    model_config = ConfigDict(extra="forbid")
    id: str
    group: str
    verdict: str
    time_ms: int | None = Field(description="wall-clock ms; null for hidden cases")
    cpu_ms: int | None = Field(
        None, description="user CPU ms, the clock the limits are on; null for hidden cases"
    )
    message: str
    input: dict[str, Any] | None = Field(None, description="public groups only")
    expected: list[float | str] | None = Field(
        None, description=f"public groups only; {NUMBER_SPELLING}"
    )
    got: list[float | str] | None = Field(
        None, description=f"public groups only; {NUMBER_SPELLING}"
    )


class FuzzFailureModel(BaseModel):
    """The first failing fuzz case, shrunk to a smallest input that still fails."""

    model_config = ConfigDict(extra="forbid")
    case: str
    input: dict[str, Any]
    saved_as: str | None = Field(None, description="the regression case it was filed as")


class ResultModel(BaseModel):
    """The object `judgekit run --json` prints (JudgeReport.to_json(), as a learner may see
    it). Strict JSON: numbers JSON cannot spell are strings ("NaN", "Infinity",
    "-Infinity"), and a lone surrogate in any text is replaced by U+FFFD."""

    model_config = ConfigDict(extra="forbid")
    verdict: str
    message: str
    device: str
    image: str
    platform: str | None
    time_ms: int | None = Field(description="wall-clock ms of the whole run")
    cpu_ms: int | None = Field(None, description="user CPU ms of the whole run")
    reruns: int = Field(0, description="runs judged again because the host starved them")
    prewarmed: bool = Field(False, description="judged in a sandbox made ready ahead of it")
    passed: int
    total: int
    cases: list[CaseModel]
    fuzz_seed: int | None = Field(None, description="only when fuzz cases were added")
    stderr: str | None = Field(
        None, description="what the run wrote to stderr; absent when a hidden case ran"
    )
    fuzz_failure: FuzzFailureModel | None = Field(None, description="only when a fuzz case failed")


class QueueModel(BaseModel):
    position: int = Field(
        description="1-based place among the queued submissions for the same device, by id"
    )
    ahead: int = Field(description="queued submissions for the same device before this one")
    estimated_wait_s: float | None = Field(
        description="(ahead + 1) * the median judging time of the last 20 finished submissions "
        "/ the number of judging slots for its device; null when nothing has been judged "
        "recently or no judge host for its device is running"
    )


class CaseRow(BaseModel):
    seq: int = Field(description="the case's sequence number; pass the last one seen as `after`")
    case: CaseModel


class CaseProgress(BaseModel):
    status: Status
    total: int = Field(description="how many cases the judge runs in all")
    cases: list[CaseRow] = Field(description="the cases finished after `after`, in order")


class SubmissionSummary(BaseModel):
    """A submission as the list shows it: everything but the result (GET the submission)."""

    id: int
    user: str
    problem_id: str | None = Field(
        description="problem.yaml's id; null for submissions stored before it was recorded"
    )
    status: Status
    created_at: datetime
    filename: str
    size: int
    sha256: str
    device: str
    verdict: str | None
    passed: int | None
    total: int | None
    time_ms: int | None
    queue: QueueModel | None = Field(description="present while status is queued")


class SubmissionModel(SubmissionSummary):
    """One submission, with its result once judged."""

    result: ResultModel | None = Field(description="present when status is done")


class SubmissionList(BaseModel):
    submissions: list[SubmissionSummary] = Field(
        description=f"the newest {LIST_LIMIT} at most, without results: "
        "GET /api/submissions/{id} for one's result"
    )


class StrictJSONResponse(JSONResponse):
    """JSONResponse (which already refuses NaN) that first spells what JSON cannot hold."""

    def render(self, content: Any) -> bytes:
        return super().render(json_safe(content))


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


router = APIRouter(prefix="/api", tags=["api"])


def api_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    context = get_context(request)
    user = None
    if credentials is not None:
        user = context.db.user_by_token_hash(auth.token_hash(credentials.credentials))
    if user is None:
        raise HTTPException(
            401, "a valid API token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


ApiUser = Annotated[User, Depends(api_user)]
Context = Annotated[AppContext, Depends(get_context)]
SubmissionId = RowId


def submission_json(
    submission: Submission, context: AppContext, *, with_result: bool = True
) -> dict[str, Any]:
    """The API's view of SUBMISSION, with its place while queued."""
    done = submission.status is Status.DONE
    result = learner_result(context, submission) if done and with_result else None
    place = None
    if submission.status is Status.QUEUED:
        place = queue_place(context.db, submission, context.pool)
    return {
        "id": submission.id,
        "user": submission.user_name,
        "problem_id": submission.problem_id,
        "status": submission.status.value,
        "created_at": datetime.fromtimestamp(submission.created_at, UTC).isoformat(),
        "filename": submission.filename,
        "size": submission.size,
        "sha256": submission.sha256,
        "device": submission.device,
        "verdict": submission.verdict,
        "passed": submission.passed,
        "total": submission.total,
        "time_ms": submission.time_ms,
        # The learner view's JudgeReport.to_json(), not re-serialised through the model.
        "result": result.to_json() if result is not None else None,
        "queue": place.to_json() if place is not None else None,
    }


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "device": {"type": "string", "enum": ["cpu", "gpu"], "default": "cpu"},
                },
            }
        },
        "application/json": {"schema": SubmissionSource.model_json_schema()},
    },
}


@router.post(
    "/submissions",
    status_code=202,
    response_model=Accepted,
    responses=_errors(400, 401, 413, 415, 422, 429),
    openapi_extra={"requestBody": _UPLOAD_BODY},
    summary="Upload a submission (multipart `file`, or JSON with `source`)",
)
async def create_submission(request: Request, user: ApiUser, context: Context) -> JSONResponse:
    limit = context.settings.upload_limit
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        body = await read_body_limited(request, limit + MULTIPART_OVERHEAD)
        try:
            form = await with_body(request, body).form(max_files=1, max_fields=4)
        except Exception as error:  # malformed multipart of any kind
            raise HTTPException(400, f"cannot read the multipart body: {error}") from None
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HTTPException(400, "the multipart body needs a `file` part")
        content = await upload.read()
        device_field = form.get("device")
        device = parse_device(context, device_field if isinstance(device_field, str) else None)
        filename = upload.filename
    elif content_type == "application/json":
        body = await read_body_limited(request, limit * JSON_EXPANSION + 4096)
        try:  # pydantic's parser: no Python recursion, a depth limit of its own
            source = SubmissionSource.model_validate_json(body)
        except (ValueError, ValidationError) as error:
            raise HTTPException(
                422, f'expected {{"source": str, "device": str}}: {str(error)[:500]}'
            ) from None
        try:
            content = source.source.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates from \udXXX escapes: not valid UTF-8
            content = source.source.encode("utf-8", errors="surrogatepass")
        device = parse_device(context, source.device)
        filename = "submission.py"
    else:
        raise HTTPException(415, "send multipart/form-data with a `file`, or application/json")
    submission_id = await _accept(context, user, filename, content, device)
    return JSONResponse(
        status_code=202,
        content={
            "id": submission_id,
            "status": "queued",
            "url": f"/api/submissions/{submission_id}",
        },
    )


async def _accept(
    context: AppContext, user: User, filename: str | None, content: bytes, device: Any
) -> int:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(accept_submission, context, user, filename, content, device)


@router.get(
    "/submissions",
    response_model=SubmissionList,
    responses=_errors(401),
    summary="The caller's own submissions, newest first",
)
def list_submissions(user: ApiUser, context: Context) -> JSONResponse:
    rows = context.db.submissions(user_id=user.id, limit=LIST_LIMIT)
    summaries = []
    for submission in rows:
        summary = submission_json(submission, context, with_result=False)
        del summary["result"]
        summaries.append(summary)
    return StrictJSONResponse({"submissions": summaries})


@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionModel,
    responses=_errors(401, 404),
    summary="Status of one submission and, when done, its result",
)
def get_submission(submission_id: SubmissionId, user: ApiUser, context: Context) -> JSONResponse:
    return StrictJSONResponse(
        submission_json(visible_submission(context, user, submission_id), context)
    )


@router.get(
    "/submissions/{submission_id}/cases",
    response_model=CaseProgress,
    responses=_errors(401, 404),
    summary="The cases finished so far, after sequence number `after` (live progress)",
)
def get_case_progress(
    submission_id: SubmissionId, user: ApiUser, context: Context, after: After = -1
) -> JSONResponse:
    submission = visible_submission(context, user, submission_id)
    settings = context.settings
    if submission.status is Status.DONE:  # the live rows are gone; the result holds the cases
        report = learner_result(context, submission)
        cases = report.cases if report is not None else ()
        rows = list(enumerate(cases))[max(after + 1, 0) :]
    else:
        rows = learner_cases(context, submission_id, after)
    return StrictJSONResponse(
        {
            "status": submission.status.value,
            "total": settings.case_total,
            "cases": [{"seq": seq, "case": case.to_json()} for seq, case in rows],
        }
    )

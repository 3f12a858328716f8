"""The judge hosts' API under /api/judgehost, like DOMjudge's judgehost API: a remote judge host
(`judgekit worker`) claims a submission, fetches its file, reports each case as it is judged
(the submission page shows them live, as for in-process judging), renews its lease, and stores
the result. Every call but `hello` names the attempt it holds: a stale one is refused (409), so
a job delivered twice cannot store a second, different result.

Authentication: the shared judge-host token (`JUDGEKIT_JUDGEHOST_TOKEN`), never a user's; these
routes do not exist when the server has none. They are not in the public OpenAPI schema.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from judgekit.judge import strict_json
from judgekit.judge.json_fields import MalformedJson
from judgekit.judgehost.host_messages import (
    AttemptRequest,
    CaseMessage,
    ClaimRequest,
    Heartbeat,
    ResultMessage,
)
from judgekit.judgehost.protocol import Claim
from judgekit.web.accounts import auth
from judgekit.web.db.ids import ROW_ID_MAX
from judgekit.web.routes.context import AppContext, get_context, read_body_limited

# A result holds every case (inputs of public ones included): well under this.
MAX_BODY = 8 * 1024 * 1024

bearer = HTTPBearer(auto_error=False)
_M = TypeVar("_M")


def judgehost(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AppContext:
    context = get_context(request)
    expected = context.settings.judgehost_token
    given = credentials.credentials if credentials is not None else None
    if expected is None or not auth.tokens_match(given, expected):
        raise HTTPException(
            401, "a valid judge-host token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    return context


Host = Annotated[AppContext, Depends(judgehost)]
router = APIRouter(prefix="/api/judgehost", include_in_schema=False)


async def _json(request: Request) -> object:
    body = await read_body_limited(request, MAX_BODY)
    try:
        return strict_json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise HTTPException(422, "the body is not strict JSON") from None


def _submission_id(value: int) -> int:
    if not 1 <= value <= ROW_ID_MAX:
        raise HTTPException(404, f"submission {value} not found")
    return value


@router.get("/hello")
def hello(context: Host) -> dict[str, Any]:
    if context.hello is None:
        raise HTTPException(404, "this web app judges in-process: it has no judge hosts")
    return context.hello.to_json()


@router.post("/submissions/{submission_id}/claim")
async def claim(submission_id: int, request: Request, context: Host) -> dict[str, Any]:
    body = _message(ClaimRequest.from_json, await _json(request))
    submission = await run_in_threadpool(
        context.db.claim,
        _submission_id(submission_id),
        body.judge_host,
        context.settings.lease_s,
    )
    if submission is None:
        raise HTTPException(409, "not claimable: judged already, or held by a live lease")
    path = context.settings.uploads_dir / submission.stored_name
    try:
        content = path.read_bytes()
    except OSError:
        content = b""  # judged as what it now is: empty, a CE (the upload is gone)
    return Claim(
        submission_id=submission.id,
        attempt=submission.attempts,
        device=submission.device,
        source_b64=base64.b64encode(content).decode("ascii"),
        lease_s=context.settings.lease_s,
    ).to_json()


def _still_held(held: bool) -> None:
    """A write by an attempt that no longer holds its submission is refused: 409."""
    if not held:
        raise HTTPException(409, "this attempt no longer holds the submission")


@router.post("/submissions/{submission_id}/lease")
async def renew_lease(submission_id: int, request: Request, context: Host) -> dict[str, bool]:
    body = _message(AttemptRequest.from_json, await _json(request))
    held = await run_in_threadpool(
        context.db.renew_lease,
        _submission_id(submission_id),
        body.attempt,
        context.settings.lease_s,
    )
    _still_held(held)
    return {"held": True}


@router.post("/submissions/{submission_id}/cases")
async def add_case(submission_id: int, request: Request, context: Host) -> dict[str, bool]:
    message = _message(CaseMessage.from_json, await _json(request))
    stored = await run_in_threadpool(
        context.db.add_case_result, _submission_id(submission_id), message.attempt, message.case
    )
    _still_held(stored)
    return {"stored": True}


@router.post("/submissions/{submission_id}/result")
async def finish(submission_id: int, request: Request, context: Host) -> dict[str, bool]:
    message = _message(ResultMessage.from_json, await _json(request))
    stored = await run_in_threadpool(
        context.db.finish, _submission_id(submission_id), message.attempt, message.result
    )
    _still_held(stored)
    context.pool.notify()
    return {"stored": True}


@router.post("/submissions/{submission_id}/retry")
async def retry(submission_id: int, request: Request, context: Host) -> dict[str, bool]:
    body = _message(AttemptRequest.from_json, await _json(request))
    queued = await run_in_threadpool(context.db.retry, _submission_id(submission_id), body.attempt)
    context.pool.notify()
    return {"queued": queued}


@router.post("/heartbeat")
async def heartbeat(request: Request, context: Host) -> dict[str, bool]:
    body = _message(Heartbeat.from_json, await _json(request))
    await run_in_threadpool(
        context.db.record_judge_host_heartbeat,
        body.name,
        body.device,
        body.image,
        body.versions,
        body.submission_id,
    )
    return {"recorded": True}


def _message(read: Callable[[object], _M], data: object) -> _M:
    """DATA read by READ (a protocol message's from_json); 422 naming the field if it is bad."""
    try:
        return read(data)
    except MalformedJson as error:
        raise HTTPException(422, str(error)) from None

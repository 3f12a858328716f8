"""What every route needs: the settings, the database, who judges, and accepting an upload."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import HTTPException, Request
from starlette.types import Message

from judgekit.judge.learner_view import learner_case, learner_report
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judgehost.protocol import Hello
from judgekit.package.problem import Device
from judgekit.web.accounts.login_throttle import LoginThrottle
from judgekit.web.accounts.password_checks import PasswordChecks
from judgekit.web.db.database import Database, Submission, TooManyPending, User
from judgekit.web.db.ids import parse_number
from judgekit.web.db.uploads import discard_upload, display_name, store_upload
from judgekit.web.judging.executor import Executor
from judgekit.web.routes.live_results import LiveResults
from judgekit.web.settings import Settings

# Room for a multipart envelope (boundaries, headers, a device field) around the file itself.
MULTIPART_OVERHEAD = 16 * 1024
# A body (an upload of at most a few hundred KB) must arrive within this: a client trickling
# one holds a connection and a buffer.
BODY_TIMEOUT_S = 60.0
# JSON may escape every character of the source as \uXXXX: six bytes for one.
JSON_EXPANSION = 6


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    db: Database
    pool: Executor
    login_throttle: LoginThrottle
    password_checks: PasswordChecks
    live_results: LiveResults
    hello: Hello | None = None
    """What judge hosts must match (web.routes.judgehost_api); None without a broker."""


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.judgekit
    return context


def too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the upload is larger than the limit of {limit} bytes")


async def read_body_limited(request: Request, limit: int) -> bytes:
    """The request body, or 413 as soon as it grows past LIMIT bytes (never all in memory)."""
    declared = request.headers.get("content-length")
    if declared is not None and (parse_number(declared, low=0, high=10**18) or 0) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    stream: AsyncIterator[bytes] = request.stream()
    try:
        async with asyncio.timeout(BODY_TIMEOUT_S):
            async for chunk in stream:
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                chunks.append(chunk)
    except TimeoutError:
        raise HTTPException(
            408, f"the request body took longer than {BODY_TIMEOUT_S:.0f} s to arrive"
        ) from None
    return b"".join(chunks)


def with_body(request: Request, body: bytes) -> Request:
    """A copy of REQUEST whose body is BODY, so that Starlette can parse a form from it."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, receive)


def parse_device(context: AppContext, value: str | None) -> Device:
    if value is None or value == "":
        return context.settings.devices[0]
    try:
        device = Device(value)
    except ValueError:
        device = None
    if device is None or device not in context.settings.devices:
        offered = ", ".join(d.value for d in context.settings.devices)
        raise HTTPException(
            422, f"device {value!r} is not available here; choose one of: {offered}"
        )
    return device


def accept_submission(
    context: AppContext, user: User, filename: str | None, content: bytes, device: Device
) -> int:
    """Store the upload durably and queue it: the file is fsynced, then the row committed.

    Raises 413 (too large) or 429 (too many pending) and then changes nothing. Empty or
    non-UTF-8 files are accepted: the judge gives them CE without running anything.
    """
    settings = context.settings
    if len(content) > settings.upload_limit:
        raise too_large(settings.upload_limit)
    if not user.is_admin:
        check_submission_rate(context, user, len(content))
    if context.db.pending_count(user.id) >= settings.max_pending_per_user:
        raise too_many_pending(settings.max_pending_per_user)
    stored = store_upload(settings.uploads_dir, content)
    try:
        submission_id = context.db.add_submission(
            user_id=user.id,
            filename=display_name(filename),
            stored_name=stored.name,
            size=stored.size,
            sha256=stored.sha256,
            device=device.value,
            max_pending=settings.max_pending_per_user,
            problem_id=settings.problem.id,
        )
    except TooManyPending:
        discard_upload(settings.uploads_dir, stored.name)
        raise too_many_pending(settings.max_pending_per_user) from None
    except BaseException:
        discard_upload(settings.uploads_dir, stored.name)
        raise
    context.pool.notify()
    return submission_id


RETRY_AFTER_S = 5


def check_submission_rate(context: AppContext, user: User, size: int) -> None:
    """413 when USER's stored submissions and SIZE more bytes would pass the storage limit;
    429 when USER made `submission_rate.per_window` submissions in the last window."""
    rate = context.settings.submission_rate
    now = time.time()
    recent = context.db.recent_submission_times(user.id, now - rate.window_s)
    stored = context.db.stored_bytes(user.id)
    if stored + size > rate.stored_mib * 1024 * 1024:
        raise HTTPException(
            413,
            f"your submissions already take {stored / 2**20:.0f} MiB, the most one user may "
            "store here; ask the judge's admin to make room",
        )
    if len(recent) < rate.per_window:
        return
    wait_s = max(1, math.ceil(recent[-rate.per_window] + rate.window_s - now))
    minutes = rate.window_s / 60
    raise HTTPException(
        429,
        f"you made {len(recent)} submissions in the last {minutes:g} minutes, the most one "
        f"user may; submit again in {wait_s} s",
        headers={"Retry-After": str(wait_s)},
    )


def too_many_pending(limit: int) -> HTTPException:
    return HTTPException(
        429,
        f"you already have {limit} submissions waiting for a verdict, the most one user may "
        f"have at a time; submit again when one of them is done (try again in "
        f"{RETRY_AFTER_S} s)",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def visible_submission(context: AppContext, user: User, submission_id: int) -> Submission:
    """The submission if USER may see it; 404 otherwise (other users' ones do not exist)."""
    submission = context.db.submission(submission_id)
    if submission is None or (submission.user_id != user.id and not user.is_admin):
        raise HTTPException(404, f"submission {submission_id} not found")
    return submission


def source_text(context: AppContext, submission: Submission) -> str:
    path = context.settings.uploads_dir / submission.stored_name
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


# Whoever stored a result or a live row (this process, or a judge host that might store more),
# what leaves the server passes the one learner-view rule again.


def learner_result(context: AppContext, submission: Submission) -> JudgeReport | None:
    """SUBMISSION's stored result as a learner may see it; None until it is done."""
    result = submission.result
    if result is None:
        return None
    return learner_report(result, context.settings.problem.hidden_groups)


def learner_cases(
    context: AppContext, submission_id: int, after: int = -1
) -> list[tuple[int, CaseResult]]:
    """The live case rows after sequence number AFTER, as a learner may see them."""
    hidden = context.settings.problem.hidden_groups
    return [
        (seq, learner_case(case, hidden))
        for seq, case in context.db.case_results(submission_id, after)
    ]

"""Live updates of one submission as server-sent events (text/event-stream).

Events: `case` (one finished case, as the table row's HTML, its group and verdict, with `id:` its
sequence number so a reconnecting browser resumes after the last one it saw), `status`
(queued/running, and while queued the place in the queue, sent again whenever it changes),
`done` (the whole result section's HTML; the stream then ends) and `reset` (the submission is
being judged again: reload).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from judgekit.judge import strict_json
from judgekit.web.db.ids import After, RowId, parse_sequence
from judgekit.web.routes.context import AppContext, get_context, visible_submission
from judgekit.web.routes.live_results import LiveResults, Snapshot, StreamsFull, case_event
from judgekit.web.routes.submission_view import current_user

router = APIRouter(include_in_schema=False)
KEEPALIVE_S = 15.0


def _event(name: str, data: object, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {strict_json.dumps(data)}\n\n"


@router.get("/submissions/{submission_id}/events")
async def submission_events(
    request: Request,
    submission_id: RowId,
    context: Annotated[AppContext, Depends(get_context)],
    after: After = -1,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "log in first")
    first = await run_in_threadpool(visible_submission, context, user, submission_id)
    if last_event_id is not None:
        resumed = parse_sequence(last_event_id)
        if resumed is None:
            raise HTTPException(400, "Last-Event-ID must be a case's sequence number")
        after = max(after, resumed)
    live = context.live_results
    try:
        ticket = live.reserve(user.id, submission_id)
    except StreamsFull as error:
        raise HTTPException(
            429, str(error), headers={"Retry-After": str(error.retry_after_s)}
        ) from None

    async def stream() -> AsyncIterator[str]:
        try:
            async for event in _events(live, submission_id, first.attempts, after):
                yield event
        finally:
            ticket.release()

    events = stream()
    # A response cancelled before its first chunk never runs the generator's `finally`.
    weakref.finalize(events, ticket.release)
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(
    live: LiveResults, submission_id: int, attempt: int, after: int
) -> AsyncIterator[str]:
    """One stream's events from the shared snapshots of SUBMISSION_ID."""
    loop = asyncio.get_running_loop()
    started = idle_since = loop.time()
    last_seq = after
    shown: tuple[object, object] | None = None  # (status, queue place) last sent
    seen: Snapshot | None = None
    yield "retry: 2000\n\n"
    while loop.time() - started < live.limits.max_s:
        snapshot = await live.next_snapshot(submission_id, seen, KEEPALIVE_S)
        if snapshot is None or snapshot is seen:
            if loop.time() - idle_since >= KEEPALIVE_S:
                yield ": keep-alive\n\n"
                idle_since = loop.time()
            continue
        seen = snapshot
        submission = snapshot.submission
        if submission is None:
            return
        if snapshot.result_html is not None:
            yield _event("done", {"html": snapshot.result_html, "verdict": submission.verdict})
            return
        if submission.attempts != attempt:
            if last_seq >= 0:  # judged again from the start (restart or rejudge)
                yield _event("reset", {})
                return
            attempt = submission.attempts
        now_shown = (submission.status.value, snapshot.queue)
        if now_shown != shown:
            shown = now_shown
            yield _event("status", {"status": submission.status.value, "queue": snapshot.queue})
        for case in snapshot.cases:
            if case.seq > last_seq:
                yield _event("case", case_event(case), case.seq)
                last_seq = case.seq
                idle_since = loop.time()

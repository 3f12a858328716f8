"""Live updates of one submission as server-sent events (text/event-stream).

Events: `case` (one finished case, as the table row's HTML, its group and verdict, with `id:` its
sequence number so a reconnecting browser resumes after the last one it saw), `status`
(queued/running, and while queued the place in the queue, sent again whenever it changes),
`done` (the whole result section's HTML; the stream then ends) and `reset` (the submission is
being judged again: reload).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from judgekit.judge import strict_json
from judgekit.web.context import AppContext, get_context, visible_submission
from judgekit.web.db import Status
from judgekit.web.queue_place import queue_place
from judgekit.web.templating import render_case_rows, templates
from judgekit.web.views import current_user, result_values

router = APIRouter(include_in_schema=False)
POLL_S = 0.25
KEEPALIVE_S = 15.0
MAX_STREAM_S = 30 * 60.0


def _event(name: str, data: object, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {strict_json.dumps(data)}\n\n"


@router.get("/submissions/{submission_id}/events")
async def submission_events(
    request: Request,
    submission_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    context: Annotated[AppContext, Depends(get_context)],
    after: int = -1,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "log in first")
    first = await run_in_threadpool(visible_submission, context, user, submission_id)
    if last_event_id is not None and last_event_id.isdigit():
        after = max(after, int(last_event_id))
    problem = context.settings.problem

    async def stream() -> AsyncIterator[str]:
        last_seq = after
        attempt = first.attempts
        status: Status | None = None
        place: dict[str, object] | None = None
        loop = asyncio.get_running_loop()
        started = idle_since = loop.time()
        yield "retry: 2000\n\n"
        while loop.time() - started < MAX_STREAM_S:
            if await request.is_disconnected():
                return
            submission = await run_in_threadpool(context.db.submission, submission_id)
            if submission is None:
                return
            if submission.status is Status.DONE:
                values = await run_in_threadpool(result_values, context, submission)
                html = templates.env.get_template("_result.html").render(**values)
                yield _event("done", {"html": html, "verdict": submission.verdict})
                return
            if submission.attempts != attempt:
                if last_seq >= 0:  # judged again from the start (restart or rejudge)
                    yield _event("reset", {})
                    return
                attempt = submission.attempts
            queued = await run_in_threadpool(queue_place, context.db, submission, context.pool)
            now_place = None if queued is None else {**queued.to_json(), "text": queued.text}
            if submission.status != status or now_place != place:
                status, place = submission.status, now_place
                yield _event("status", {"status": status.value, "queue": place})
            rows = await run_in_threadpool(context.db.case_results, submission_id, last_seq)
            for seq, case in rows:
                html = render_case_rows(case, problem, open_first=case.get("verdict") != "AC")
                data = {
                    "html": html,
                    "seq": seq,
                    "group": str(case.get("group", "")),
                    "verdict": str(case.get("verdict", "")),
                }
                yield _event("case", data, seq)
                last_seq = seq
                idle_since = loop.time()
            if loop.time() - idle_since > KEEPALIVE_S:
                yield ": keep-alive\n\n"
                idle_since = loop.time()
            await asyncio.sleep(POLL_S)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

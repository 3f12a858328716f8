"""Live results for every open event stream, read by one poller.

However many browsers follow a submission, the database is read once per `poll_s` for each
submission someone watches (never per stream), by one task: `LiveResults.run`. It keeps what
the streams show, rendered once: the status and queue place, the live case rows as HTML, and
the result section when the submission is done. Streams only wait for a change and send it.

Streams are capped per user and in all (`StreamLimits`); one past a cap is refused with
`StreamsFull` (a 429 with Retry-After) rather than served at others' expense.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from judgekit.web.db.records import Status, Submission
from judgekit.web.guards.limits import StreamLimits

log = logging.getLogger("judgekit.web")
RETRY_AFTER_S = 10


class StreamsFull(Exception):
    """Too many live streams open: for this user, or on the whole server."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.retry_after_s = RETRY_AFTER_S


@dataclass(frozen=True)
class LiveCase:
    seq: int
    group: str
    verdict: str
    html: str


@dataclass(frozen=True)
class Snapshot:
    """What the streams of one submission show, as last read."""

    submission: Submission | None
    """None once the submission is gone."""
    cases: tuple[LiveCase, ...] = ()
    """The live case rows of the current attempt, in order."""
    queue: dict[str, object] | None = None
    """The queue place (QueuePlace.to_json() plus its text) while queued."""
    result_html: str | None = None
    """The result section once done."""


@dataclass(frozen=True)
class Reader:
    """How the poller reads one submission (in a request thread): the row, the live cases
    after a sequence number, the queue place, the finished result section."""

    submission: Callable[[int], Submission | None]
    cases_after: Callable[[Submission, int], list[LiveCase]]
    queue: Callable[[Submission], dict[str, object] | None]
    result_html: Callable[[Submission], str]


class Ticket:
    """One stream's place under the caps; `release` gives it back, once."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


@dataclass
class _Watched:
    viewers: int = 0
    snapshot: Snapshot | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class LiveResults:
    def __init__(self, limits: StreamLimits) -> None:
        self.limits = limits
        self._watched: dict[int, _Watched] = {}
        self._per_user: Counter[int] = Counter()
        self._wake = asyncio.Event()

    # -- streams --------------------------------------------------------------------------

    def reserve(self, user_id: int, submission_id: int) -> Ticket:
        """A place for one stream of USER_ID following SUBMISSION_ID; StreamsFull past a cap.
        Release it (idempotent) when the stream ends."""
        if self._per_user[user_id] >= self.limits.per_user:
            raise StreamsFull(
                f"you already follow {self.limits.per_user} submissions live, the most one user "
                "may; close another tab or reload this page later"
            )
        if self.open_streams() >= self.limits.total:
            raise StreamsFull("the server follows as many live results as it can; reload later")
        self._per_user[user_id] += 1
        watched = self._watched.setdefault(submission_id, _Watched())
        watched.viewers += 1
        self._wake.set()
        return Ticket(lambda: self._release(user_id, submission_id, watched))

    def _release(self, user_id: int, submission_id: int, watched: _Watched) -> None:
        self._per_user[user_id] -= 1
        if self._per_user[user_id] <= 0:
            del self._per_user[user_id]
        watched.viewers -= 1
        if watched.viewers <= 0 and self._watched.get(submission_id) is watched:
            del self._watched[submission_id]

    def open_streams(self) -> int:
        return sum(self._per_user.values())

    async def next_snapshot(
        self, submission_id: int, seen: Snapshot | None, timeout_s: float
    ) -> Snapshot | None:
        """The submission's snapshot once it differs from SEEN, or SEEN after TIMEOUT_S."""
        watched = self._watched.get(submission_id)
        if watched is None:
            return seen
        if watched.snapshot is not None and watched.snapshot is not seen:
            return watched.snapshot
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(watched.changed.wait(), timeout_s)
        return watched.snapshot if watched.snapshot is not None else seen

    # -- the poller -----------------------------------------------------------------------

    async def run(self, reader: Reader) -> None:
        """Poll every watched submission with READER each `poll_s` until cancelled."""
        self._wake = asyncio.Event()  # of this event loop
        while True:
            if not self._watched:
                self._wake.clear()
                await self._wake.wait()
            try:
                await self._poll_once(reader)
            except Exception:  # the database away for a moment: streams keep their last view
                log.exception("reading live results failed; trying again")
            await asyncio.sleep(self.limits.poll_s)

    async def _poll_once(self, reader: Reader) -> None:
        watched = [(key, w.snapshot) for key, w in self._watched.items()]
        fresh = await run_in_threadpool(_read_all, reader, watched)
        for submission_id, snapshot in fresh.items():
            entry = self._watched.get(submission_id)
            if entry is None or snapshot is entry.snapshot:
                continue
            entry.snapshot = snapshot
            entry.changed.set()
            entry.changed = asyncio.Event()


def _read_all(reader: Reader, watched: list[tuple[int, Snapshot | None]]) -> dict[int, Snapshot]:
    return {key: _read(reader, key, before) for key, before in watched}


def _read(reader: Reader, submission_id: int, before: Snapshot | None) -> Snapshot:
    """The submission's snapshot now: BEFORE itself when nothing changed."""
    if before is not None and before.result_html is not None:
        return before  # done: nothing changes any more
    submission = reader.submission(submission_id)
    if submission is None:
        return before if before is not None and before.submission is None else Snapshot(None)
    if submission.status is Status.DONE:
        return Snapshot(submission, result_html=reader.result_html(submission))
    same_attempt = before is not None and _same_attempt(before.submission, submission)
    known = before.cases if before is not None and same_attempt else ()
    new = reader.cases_after(submission, known[-1].seq if known else -1)
    queue = reader.queue(submission) if submission.status is Status.QUEUED else None
    if (
        before is not None
        and same_attempt
        and not new
        and before.queue == queue
        and before.submission is not None
        and before.submission.status is submission.status
    ):
        return before
    return Snapshot(submission, known + tuple(new), queue)


def _same_attempt(old: Submission | None, new: Submission) -> bool:
    return old is not None and old.attempts == new.attempts


def case_event(case: LiveCase) -> dict[str, object]:
    return {"html": case.html, "seq": case.seq, "group": case.group, "verdict": case.verdict}

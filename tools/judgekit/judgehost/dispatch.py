"""The web app's side of distributed judging: put queued submissions on the broker, and
recover what a dead judge host or a lost broker message left behind.

A thread wakes on each new submission (or every `scan_s`) and compares the database, the one
source of truth, with the broker: every 'running' submission whose lease ran out (its judge
host stopped renewing it: killed, cut off) goes back to 'queued'; every queued submission with
no message waiting in its device's queue gets one. A message sent a moment ago may already
have been taken by a host that has not claimed the submission yet, so one is re-sent only
after `resend_after_s`; a duplicate does no harm (the claim refuses it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from celery import Celery

from judgekit.judgehost.broker import queue_depths, queued_submission_ids, send_judge_task
from judgekit.package.problem import Device
from judgekit.periodic import Periodic

log = logging.getLogger("judgekit.dispatch")


class QueuedSubmission(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def device(self) -> str: ...


class QueueStore(Protocol):
    """What the dispatcher needs of the database (judgekit.web.db.database.Database)."""

    def requeue_expired_leases(self) -> list[int]: ...

    def queued_submissions(self, limit: int | None = None) -> Sequence[QueuedSubmission]: ...


@dataclass
class DispatchStats:
    sent: int = 0
    resent: int = 0
    lease_expired: int = 0
    last_error: str | None = None


class Dispatcher:
    def __init__(
        self,
        app: Celery,
        store: QueueStore,
        devices: Sequence[Device],
        *,
        scan_s: float = 2.0,
        resend_after_s: float = 10.0,
    ) -> None:
        self.app = app
        self.store = store
        self.devices = tuple(devices)
        self.scan_s = scan_s
        self.resend_after_s = resend_after_s
        self.stats = DispatchStats()
        self._sent_at: dict[int, float] = {}
        self._periodic = Periodic("judgekit-dispatch", scan_s, self._step, self._failed)

    def start(self) -> None:
        self._periodic.start()

    def notify(self) -> None:
        self._periodic.notify()

    def stop(self, timeout: float = 10.0) -> None:
        self._periodic.stop(timeout)

    def queue_depths(self) -> dict[str, int]:
        return queue_depths(self.app, self.devices)

    def _step(self) -> bool:
        self.dispatch_once()
        self.stats.last_error = None
        return False

    def _failed(self, error: Exception) -> None:
        """The broker or the database is down: said once while it stays so, tried again."""
        message = f"{type(error).__name__}: {error}"
        if message != self.stats.last_error:
            log.warning("cannot dispatch queued submissions: %s", message)
        self.stats.last_error = message

    def dispatch_once(self) -> list[int]:
        """One pass; returns the submissions a message was sent for."""
        expired = self.store.requeue_expired_leases()
        if expired:
            self.stats.lease_expired += len(expired)
            log.warning("judge host lease expired, re-queued: %s", expired)
        queued = [(s.id, s.device) for s in self.store.queued_submissions()]
        if not queued:
            self._sent_at.clear()
            return []
        waiting = queued_submission_ids(self.app, self.devices)
        now = time.monotonic()
        sent: list[int] = []
        for submission_id, device in queued:
            if submission_id in waiting:
                continue
            last = self._sent_at.get(submission_id)
            if last is not None and now - last < self.resend_after_s:
                continue
            send_judge_task(self.app, submission_id, Device(device), time.time_ns())
            self._sent_at[submission_id] = now
            sent.append(submission_id)
            if last is None:
                self.stats.sent += 1
            else:
                self.stats.resent += 1
                log.warning("submission %d: its message was lost; sent again", submission_id)
        still_queued = {submission_id for submission_id, _ in queued}
        for submission_id in list(self._sent_at):
            if submission_id not in still_queued:
                del self._sent_at[submission_id]
        return sent

"""The executor when the web app has a broker: remote judge hosts (`judgekit worker`) consume
the device queues that judgehost.dispatch.Dispatcher fills, and report through
web.routes.judgehost_api. Nothing judges in this process."""

from __future__ import annotations

import logging
import time

from judgekit.judgehost.broker import celery_app
from judgekit.judgehost.dispatch import Dispatcher
from judgekit.web.db.database import Database
from judgekit.web.judging.executor import JudgingSlot
from judgekit.web.settings import Settings

log = logging.getLogger("judgekit.web")

# A judge host whose last heartbeat is older than this is shown as gone.
HEARTBEAT_STALE_S = 30.0


class JudgeHosts:
    def __init__(self, settings: Settings, db: Database, broker_url: str) -> None:
        self.db = db
        self.dispatcher = Dispatcher(celery_app(broker_url), db, settings.devices)

    def start(self) -> int:
        requeued = len(self.db.requeue_expired_leases())
        self.dispatcher.start()
        return requeued

    def stop(self, timeout: float = 30.0) -> None:
        self.dispatcher.stop(timeout)

    def notify(self) -> None:
        self.dispatcher.notify()

    def judging_slots(self) -> list[JudgingSlot]:
        return [
            JudgingSlot(
                name=status.name,
                device=status.device,
                submission_id=status.submission_id,
                since=status.started_at,
                heartbeat_at=status.heartbeat_at,
                image=status.image,
            )
            for status in self.db.judge_host_statuses()
        ]

    def live_slots(self) -> list[JudgingSlot]:
        now = time.time()
        return [
            slot
            for slot in self.judging_slots()
            if slot.heartbeat_at is not None and now - slot.heartbeat_at < HEARTBEAT_STALE_S
        ]

    def slots(self, device: str) -> int:
        """The live judging slots for DEVICE: a judge host running N jobs at once heartbeats
        as N slots (NAME/1 ... NAME/N), each judging one submission at a time."""
        return sum(1 for slot in self.live_slots() if slot.device == device)

    def queue_depths(self) -> dict[str, int]:
        try:
            return self.dispatcher.queue_depths()
        except Exception as error:  # the admin page shows the broker is down, not a 500
            log.warning("cannot read the queue depths: %s", error)
            return {}

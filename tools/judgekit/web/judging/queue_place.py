"""A queued submission's place in the queue and an estimate of its wait.

The place is 1-based among the queued submissions of the same device, in id order (the order
the judging threads or judge hosts claim them). The estimate is (submissions ahead + 1) * the
median judging time of the last RECENT finished submissions / the number of judging slots for
that device (`Executor.slots`: in process, settings.judging_threads; with a broker, the live
judge-host slots); with no history, or no slot, there is no estimate.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from judgekit.web.db.classroom import ClassQueries
from judgekit.web.db.records import Status, Submission
from judgekit.web.judging.executor import Executor

RECENT = 20
NO_HISTORY = "no submission has been judged recently"
NO_SLOTS = "no judge host for this device is running"


@dataclass(frozen=True)
class QueuePlace:
    position: int
    ahead: int
    estimated_wait_s: float | None
    unknown_because: str = NO_HISTORY
    """Why there is no estimate, when estimated_wait_s is None."""

    def to_json(self) -> dict[str, Any]:
        wait = self.estimated_wait_s
        return {
            "position": self.position,
            "ahead": self.ahead,
            "estimated_wait_s": None if wait is None else round(wait, 1),
        }

    @property
    def text(self) -> str:
        """The sentence the submission page shows."""
        ahead = (
            "nothing"
            if self.ahead == 0
            else f"{self.ahead} submission" + ("s" if self.ahead != 1 else "")
        )
        return (
            f"Place {self.position} in the queue ({ahead} ahead); "
            f"estimated wait: {wait_words(self.estimated_wait_s, self.unknown_because)}."
        )


def wait_words(seconds: float | None, unknown_because: str = NO_HISTORY) -> str:
    if seconds is None:
        return f"unknown ({unknown_because})"
    if seconds < 60:
        return f"about {max(1, round(seconds))} s"
    return f"about {round(seconds / 60)} min"


def estimate_wait(ahead: int, recent_s: Sequence[float], slots: int) -> float | None:
    if not recent_s or slots <= 0:
        return None
    return (ahead + 1) * statistics.median(recent_s) / slots


def queue_place(db: ClassQueries, submission: Submission, executor: Executor) -> QueuePlace | None:
    """Where SUBMISSION waits, or None when it is not queued (running, done)."""
    if submission.status is not Status.QUEUED:
        return None
    ahead = db.queue_ahead(submission.id)
    if ahead is None:  # claimed since SUBMISSION was read
        return None
    slots = executor.slots(submission.device)
    if slots <= 0:
        return QueuePlace(ahead + 1, ahead, None, NO_SLOTS)
    wait = estimate_wait(ahead, db.recent_judging_times(RECENT), slots)
    return QueuePlace(ahead + 1, ahead, wait)

"""A queued submission's place in the queue and an estimate of its wait.

The place is 1-based among the queued submissions of the same device, in id order (the order
the workers claim them). The estimate is (submissions ahead + 1) * the median judging time of
the last RECENT finished submissions / the number of judging slots; with no history there is
no estimate. The slot count is a parameter: the in-process workers give settings.workers, and
distributed workers can give theirs.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from judgekit.web.class_queries import ClassQueries

RECENT = 20


@dataclass(frozen=True)
class QueuePlace:
    position: int
    ahead: int
    estimated_wait_s: float | None

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
            f"estimated wait: {wait_words(self.estimated_wait_s)}."
        )


def wait_words(seconds: float | None) -> str:
    if seconds is None:
        return "unknown (no submission has been judged recently)"
    if seconds < 60:
        return f"about {max(1, round(seconds))} s"
    return f"about {round(seconds / 60)} min"


def estimate_wait(ahead: int, recent_s: Sequence[float], slots: int) -> float | None:
    if not recent_s:
        return None
    return (ahead + 1) * statistics.median(recent_s) / max(1, slots)


def queue_place(db: ClassQueries, submission_id: int, slots: int) -> QueuePlace | None:
    """Where SUBMISSION_ID waits, or None when it is not queued (running, done, unknown)."""
    ahead = db.queue_ahead(submission_id)
    if ahead is None:
        return None
    wait = estimate_wait(ahead, db.recent_judging_times(RECENT), slots)
    return QueuePlace(ahead + 1, ahead, wait)

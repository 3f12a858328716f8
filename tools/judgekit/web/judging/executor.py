"""Who judges the web app's submissions: its own judging threads (the default, `JudgingThreads`
in web.judging.threads) or remote judge hosts fed through a broker (`JudgeHosts` in
web.judging.judge_hosts). The pages and routes see only this."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class JudgingSlot:
    """One judging slot as the admin page shows it."""

    name: str
    device: str | None
    submission_id: int | None
    since: float | None
    """When it took its current submission (in-process), or when the host started (remote)."""
    heartbeat_at: float | None = None
    """The last heartbeat (remote judge hosts only)."""
    image: str | None = None


class Executor(Protocol):
    def start(self) -> int:
        """Start; returns how many interrupted submissions it queued again."""

    def stop(self, timeout: float = 30.0) -> None: ...

    def notify(self) -> None:
        """A submission was queued (or requeued): judge it soon."""

    def judging_slots(self) -> Sequence[JudgingSlot]: ...

    def queue_depths(self) -> dict[str, int]:
        """Submissions waiting, per queue."""

    def slots(self, device: str) -> int:
        """How many submissions for DEVICE can be judged at once now (for the queue's wait
        estimate; 0: nothing is judging that device, so no estimate)."""

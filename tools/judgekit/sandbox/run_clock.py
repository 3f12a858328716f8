"""The time limits of one run: start-up, each case and the whole run, on the container's clock.

With `clock: cpu` (problem.yaml) each limit is CPU time (`judgekit.sandbox.cpu_clock`), read
when each frame arrives and every `POLL_S` in between. A wall-clock backstop above each one
(`wall_backstop`: factor x the limit + slack) ends a phase that waits without computing,
a sleeping submission's; it counts only the time the host let the container run: time its
tasks were runnable but not running (CPU pressure, less its own quota's throttling) or frozen
by the engine is starvation, the host's doing, and never the learner's. A phase starved for
`GIVE_UP_FACTOR` times its backstop in plain wall-clock time is given up on (`STARVED`): the
judge runs the submission again rather than blame it. With `clock: wall` each limit is plain
wall-clock time, as frames arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

from judgekit.package.problem import Limits, TimeClock
from judgekit.sandbox.cpu_clock import CpuClock
from judgekit.sandbox.outcome import KillReason, LimitClock

POLL_S = 0.1
# How much longer than its backstop, in plain wall-clock time, a starved phase is waited for.
GIVE_UP_FACTOR = 4.0


@dataclass(frozen=True)
class Spent:
    """Time spent since a mark: wall-clock, the container's CPU, and starved (both ms)."""

    wall_ms: int
    cpu_ms: int
    starved_ms: int


@dataclass(frozen=True)
class Expired:
    reason: KillReason
    clock: LimitClock


@dataclass(frozen=True)
class _Mark:
    wall: float
    cpu_us: int
    starved_us: float


class RunClock:
    """The clocks of one run from STARTED (a monotonic time), its phases in turn: start-up,
    then one case per `next_phase`."""

    def __init__(self, cpu: CpuClock, limits: Limits, started: float) -> None:
        self.cpu = cpu
        self.limits = limits
        self._sample = cpu.sample()
        self._sampled_at = started
        self._starved_us = 0.0
        self._run = _Mark(started, self._sample.cpu_us, 0.0)
        self._phase = self._run
        self._reason = KillReason.STARTUP_TIME
        self._limit_s = limits.startup_s

    def next_phase(self, now: float) -> Spent:
        """A case begins at NOW (the previous phase's frame arrived): what that phase spent."""
        self._read(now)
        spent = self._spent(self._phase, now)
        self._phase = self._mark(now)
        self._reason, self._limit_s = KillReason.CASE_TIME, self.limits.time_per_case_s
        return spent

    def run_spent(self, now: float) -> Spent:
        self._read(now)
        return self._spent(self._run, now)

    def check(self, now: float) -> Expired | None:
        """The limit the run has passed by NOW, if any (the counters are read at most every
        POLL_S)."""
        if now - self._sampled_at >= POLL_S:
            self._read(now)
        for reason, limit_s, mark in (
            (self._reason, self._limit_s, self._phase),
            (KillReason.TOTAL_TIME, self.limits.total_time_s, self._run),
        ):
            clock = self._over(limit_s, mark, now)
            if clock is not None:
                return Expired(reason, clock)
        return None

    def _over(self, limit_s: float, mark: _Mark, now: float) -> LimitClock | None:
        wall_s = now - mark.wall
        if self.limits.clock is TimeClock.WALL:
            return LimitClock.WALL if wall_s > limit_s else None
        backstop_s = self.limits.wall_limit_s(limit_s)
        if (self._sample.cpu_us - mark.cpu_us) / 1e6 > limit_s:
            return LimitClock.CPU
        if wall_s - (self._starved_us - mark.starved_us) / 1e6 > backstop_s:
            return LimitClock.WALL
        if wall_s > GIVE_UP_FACTOR * backstop_s:
            return LimitClock.STARVED
        return None

    def _read(self, now: float) -> None:
        """Read the counters; add the starvation since the last reading."""
        last, sample = self._sample, self.cpu.sample()
        interval_us = max(0.0, now - self._sampled_at) * 1e6
        starved = 0.0
        if sample.stalled_us is not None and last.stalled_us is not None:
            stalled = sample.stalled_us - last.stalled_us
            starved = max(0.0, stalled - max(0, sample.throttled_us - last.throttled_us))
        # Frozen at both readings: the whole interval; at one of them, half of it.
        starved += interval_us * (sample.frozen + last.frozen) / 2
        self._starved_us += min(interval_us, starved)
        self._sample, self._sampled_at = sample, now

    def _mark(self, now: float) -> _Mark:
        return _Mark(now, self._sample.cpu_us, self._starved_us)

    def _spent(self, mark: _Mark, now: float) -> Spent:
        return Spent(
            wall_ms=int((now - mark.wall) * 1000),
            cpu_ms=max(0, self._sample.cpu_us - mark.cpu_us) // 1000,
            starved_ms=int((self._starved_us - mark.starved_us) / 1000),
        )

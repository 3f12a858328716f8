"""What one server lets any one client, and all of them together, cost it: the deployment's
limits on logins, live streams, requests, submissions and the similarity scan, each a setting
of `judgekit serve` (README: "Limits")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoginLimits:
    checks_at_once: int = 1
    """Password checks running at once, for browsers with a known-device cookie and, apart,
    for the others (a flood of strangers' logins never queues ahead of a learner's own
    browser); each holds PASSWORD_MEMORY_MIB (auth.py) while it runs."""
    checks_waiting: int = 8
    """Login attempts allowed to wait for a check, in each of the two lanes; beyond, 503."""
    account_failures: int = 5
    """Wrong passwords for one account before each further try must wait (doubling)."""
    address_failures: int = 30
    """Wrong passwords from one client address (a whole class may share one) before back-off."""
    address_tries_per_minute: int = 60
    """Logins, right or wrong, checked per minute from one client address (known devices aside)."""
    device_tries_per_minute: int = 10
    """Logins, right or wrong, checked per minute from one known device."""
    backoff_max_s: float = 60.0
    """The longest wait back-off imposes: an attacker cannot lock a learner out for longer at a
    time, and a learner's own browser (the known-device cookie) is not throttled by others."""
    forget_after_s: float = 15 * 60.0
    """Failures older than this are forgotten."""
    remembered_keys: int = 10_000
    """Accounts, addresses and devices remembered at most (least recent forgotten first)."""

    def __post_init__(self) -> None:
        if self.checks_at_once < 1 or self.checks_waiting < 0:
            raise ValueError("logins: at least one check at once, and no negative queue")
        counts = (
            self.account_failures,
            self.address_failures,
            self.address_tries_per_minute,
            self.device_tries_per_minute,
            self.remembered_keys,
        )
        if min(counts) < 1:
            raise ValueError("logins: thresholds, rates and remembered keys must be positive")
        if self.backoff_max_s <= 0 or self.forget_after_s <= 0:
            raise ValueError("logins: back-off and forgetting times must be positive")


@dataclass(frozen=True)
class StreamLimits:
    per_user: int = 4
    """Live result streams (/submissions/{id}/events) one user may hold open at once."""
    total: int = 200
    """Live result streams open at once on the whole server."""
    poll_s: float = 0.25
    """How often the one poller reads the database for every watched submission."""
    max_s: float = 30 * 60.0
    """A stream ends after this long (the browser reconnects and resumes)."""

    def __post_init__(self) -> None:
        if self.per_user < 1 or self.total < 1:
            raise ValueError("streams: the caps must be at least 1")
        if self.poll_s <= 0 or self.max_s <= 0:
            raise ValueError("streams: the poll interval and the longest stream must be positive")


@dataclass(frozen=True)
class SubmissionLimits:
    per_window: int = 30
    """Submissions one learner may make in any WINDOW_S (admins are not limited): a CE costs
    the judge nothing, but each is stored, listed and compared for similarity."""
    window_s: float = 600.0
    stored_mib: int = 64
    """What one learner's submissions may take on disk in all (about 250 files of the largest
    size, thousands of ordinary ones); admins are not limited."""

    def __post_init__(self) -> None:
        if self.per_window < 1 or self.window_s <= 0 or self.stored_mib < 1:
            raise ValueError("submissions: the rate and the storage must allow some")


@dataclass(frozen=True)
class RequestLimits:
    per_address: int = 32
    """Requests in progress at once from one client address (a class behind one address makes
    a few at a time, 20 at a deadline; a flood makes hundreds), of the 100 threads that serve
    every request. Live streams are not counted: they have their own caps."""
    total: int = 512
    """Requests in progress at once from all addresses; beyond, 503 with Retry-After."""

    def __post_init__(self) -> None:
        if self.per_address < 1 or self.total < self.per_address:
            raise ValueError("requests: at least 1 per address, and no fewer in all")


MIN_CHILD_MEMORY_MIB = 256
"""Less than this and the child cannot even import what it needs."""


@dataclass(frozen=True)
class SimilarityLimits:
    latest_per_user: int = 3
    """Of each learner's submissions not scanned yet, only the latest this many that compiled,
    and separately the latest this many compile errors (scanned last), are fingerprinted; older
    ones are skipped (an accepted one never is: it needs a full judging run)."""
    max_bytes: int = 64 * 1024
    """Only the first this many bytes of a file are fingerprinted (a solution is a few KiB)."""
    memory_mib: int = 512
    """The child process's address-space limit (RLIMIT_AS); over it, that submission fails."""
    timeout_s: float = 60.0
    """A submission the child has not finished in this long is failed and the child restarted."""
    pairs_per_submission: int = 50
    """At most this many similar pairs (the most similar) are stored for one submission."""

    def __post_init__(self) -> None:
        if min(self.latest_per_user, self.max_bytes, self.pairs_per_submission) < 1:
            raise ValueError("similarity: the per-learner, byte and pair limits must be positive")
        if self.memory_mib < MIN_CHILD_MEMORY_MIB or self.timeout_s <= 0:
            raise ValueError(
                f"similarity: at least {MIN_CHILD_MEMORY_MIB} MiB for the child process and a "
                "positive timeout"
            )

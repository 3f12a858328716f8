"""Back-off after wrong passwords, per account, per client address and per known device, and
a rate for every try.

After a threshold of failures under one key, every further try under it must wait, the wait
doubling with each failure up to `LoginLimits.backoff_max_s`; a success clears the device's
record (not the account's: an attacker would get fresh guesses each time its owner logs in);
failures are forgotten after `forget_after_s`. Every try, right or wrong, also takes a token
of its address's or its device's rate (`address_tries_per_minute`, `device_tries_per_minute`),
so that no one fills the password checks with logins, not even correct ones. The checks are
made before the password is: a throttled try costs no password hash.

A learner's own browser carries a known-device cookie from its last successful login
(`DeviceKeys`); with it, the account's and the address's records do not apply (only the
device's own), so an attacker guessing one account, or a classmate behind the same address,
cannot lock its owner out of that browser. Memory is bounded: at most `remembered_keys`
records per kind.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from judgekit.web.guards.limits import LoginLimits


@dataclass
class _Failures:
    count: int
    last: float


class FailureLog:
    """Failures per key, the least recently failed forgotten first past MAX_KEYS."""

    def __init__(self, threshold: int, limits: LoginLimits, clock: Callable[[], float]) -> None:
        self._threshold = threshold
        self._limits = limits
        self._clock = clock
        self._records: OrderedDict[str, _Failures] = OrderedDict()

    def wait_s(self, key: str) -> float:
        """How long a try under KEY must still wait; 0 when it may go ahead."""
        record = self._current(key)
        if record is None or record.count < self._threshold:
            return 0.0
        backoff = min(2.0 ** (record.count - self._threshold), self._limits.backoff_max_s)
        return max(0.0, record.last + backoff - self._clock())

    def failed(self, key: str) -> None:
        record = self._current(key)
        now = self._clock()
        if record is None:
            self._records[key] = _Failures(1, now)
        else:
            record.count, record.last = record.count + 1, now
            self._records.move_to_end(key)
        while len(self._records) > self._limits.remembered_keys:
            self._records.popitem(last=False)

    def clear(self, key: str) -> None:
        self._records.pop(key, None)

    def __len__(self) -> int:
        return len(self._records)

    def _current(self, key: str) -> _Failures | None:
        record = self._records.get(key)
        if record is not None and self._clock() - record.last > self._limits.forget_after_s:
            del self._records[key]
            return None
        return record


class TryRate:
    """A token bucket per key: PER_MINUTE tries, refilled evenly; least recent forgotten."""

    def __init__(self, per_minute: int, limits: LoginLimits, clock: Callable[[], float]) -> None:
        self._capacity = float(per_minute)
        self._refill_per_s = per_minute / 60.0
        self._limits = limits
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def _tokens(self, key: str) -> float:
        tokens, since = self._buckets.get(key, (self._capacity, self._clock()))
        return min(self._capacity, tokens + (self._clock() - since) * self._refill_per_s)

    def wait_s(self, key: str) -> float:
        tokens = self._tokens(key)
        return 0.0 if tokens >= 1 else (1 - tokens) / self._refill_per_s

    def take(self, key: str) -> None:
        self._buckets[key] = (self._tokens(key) - 1, self._clock())
        self._buckets.move_to_end(key)
        while len(self._buckets) > self._limits.remembered_keys:
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        return len(self._buckets)


class DeviceKeys:
    """Known-device cookies: an HMAC of the account name under a key of this process (a
    restart only makes browsers prove themselves once more)."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def issue(self, account: str) -> str:
        return hmac.new(self._key, account.encode("utf-8"), hashlib.sha256).hexdigest()

    def valid(self, account: str, cookie: str | None) -> bool:
        return bool(cookie) and hmac.compare_digest(
            self.issue(account).encode(), str(cookie).encode("utf-8", errors="replace")
        )


@dataclass(frozen=True)
class LoginAttempt:
    account: str
    address: str
    device: str | None
    """The known-device cookie when it is valid for ACCOUNT; None otherwise."""


class LoginThrottle:
    def __init__(self, limits: LoginLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.devices = DeviceKeys()
        self._lock = threading.Lock()
        self._accounts = FailureLog(limits.account_failures, limits, clock)
        self._addresses = FailureLog(limits.address_failures, limits, clock)
        self._devices = FailureLog(limits.account_failures, limits, clock)
        self._address_tries = TryRate(limits.address_tries_per_minute, limits, clock)
        self._device_tries = TryRate(limits.device_tries_per_minute, limits, clock)

    def attempt(self, account: str, address: str, device_cookie: str | None) -> LoginAttempt:
        known = self.devices.valid(account, device_cookie)
        return LoginAttempt(account, address, device_cookie if known else None)

    def wait_s(self, attempt: LoginAttempt) -> float:
        """Seconds before ATTEMPT may check its password (0: now)."""
        with self._lock:
            if attempt.device is not None:
                return max(
                    self._devices.wait_s(attempt.device),
                    self._device_tries.wait_s(attempt.device),
                )
            return max(
                self._accounts.wait_s(attempt.account),
                self._addresses.wait_s(attempt.address),
                self._address_tries.wait_s(attempt.address),
            )

    def tried(self, attempt: LoginAttempt) -> None:
        """ATTEMPT's password is being checked: it takes a token of its rate."""
        with self._lock:
            if attempt.device is not None:
                self._device_tries.take(attempt.device)
            else:
                self._address_tries.take(attempt.address)

    def failed(self, attempt: LoginAttempt) -> None:
        with self._lock:
            if attempt.device is not None:
                self._devices.failed(attempt.device)
            else:
                self._accounts.failed(attempt.account)
                self._addresses.failed(attempt.address)

    def succeeded(self, attempt: LoginAttempt) -> str:
        """Clear ATTEMPT's device record; return the known-device cookie to set."""
        with self._lock:
            if attempt.device is not None:
                self._devices.clear(attempt.device)
        return self.devices.issue(attempt.account)

    def remembered(self) -> int:
        """Records held (for tests of the memory bound)."""
        with self._lock:
            logs = (self._accounts, self._addresses, self._devices)
            rates = (self._address_tries, self._device_tries)
            return sum(len(log) for log in logs) + sum(len(rate) for rate in rates)

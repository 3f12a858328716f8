"""Measuring a server under load, for the availability tests: a process's resident memory
(with its children's), and the latency another client sees on a page while an attack runs."""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx


def rss_mib(pid: int) -> float:
    """PID's resident set size now, in MiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for process {pid}")


def child_pids(pid: int) -> list[int]:
    """PID's direct children (Linux /proc/PID/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


@dataclass(frozen=True)
class Latency:
    count: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    errors: int

    def __str__(self) -> str:
        return (
            f"p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms, max {self.max_ms:.0f} ms "
            f"over {self.count} requests ({self.errors} errors)"
        )


def latency_of(times_s: list[float], errors: int) -> Latency:
    if not times_s:
        return Latency(0, float("inf"), float("inf"), float("inf"), errors)
    ms = sorted(t * 1000 for t in times_s)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return Latency(len(ms), statistics.median(ms), p95, ms[-1], errors)


def others_get_latency(
    url: str, seconds: float, *, stop: threading.Event | None = None, pause_s: float = 0.02
) -> Latency:
    """GET URL one request after another (with PAUSE_S between) for SECONDS, or until STOP is
    set: what another user of the server sees. A request that fails or takes over 10 s counts
    as an error (and its time as 10 s)."""
    times: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    with httpx.Client(timeout=10) as client:
        while time.monotonic() < deadline and not (stop is not None and stop.is_set()):
            started = time.perf_counter()
            try:
                ok = client.get(url).status_code == 200
            except httpx.HTTPError:
                ok = False
            times.append(time.perf_counter() - started if ok else 10.0)
            errors += not ok
            time.sleep(pause_s)
    return latency_of(times, errors)


class UnderLoad:
    """While the block runs: another client's GET latency on URL, and the peak RSS of the
    server PID (and of its children, separately), sampled every 0.1 s.

        with UnderLoad(url, pid) as probe:
            attack()
        probe.latency, probe.peak_rss_mib, probe.peak_children_rss_mib
    """

    def __init__(self, url: str, pid: int, *, max_s: float = 120.0) -> None:
        self.url, self.pid, self.max_s = url, pid, max_s
        self.latency: Latency | None = None
        self.peak_rss_mib = 0.0
        self.peak_children_rss_mib = 0.0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _measure_latency(self) -> None:
        self.latency = others_get_latency(self.url, self.max_s, stop=self._stop)

    def _sample_rss(self) -> None:
        while not self._stop.is_set():
            self.peak_rss_mib = max(self.peak_rss_mib, rss_mib(self.pid))
            children = 0.0
            for child in child_pids(self.pid):
                try:
                    children += rss_mib(child)
                except (OSError, ValueError):
                    continue
            self.peak_children_rss_mib = max(self.peak_children_rss_mib, children)
            self._stop.wait(0.1)

    def __enter__(self) -> UnderLoad:
        self._threads = [
            threading.Thread(target=self._measure_latency, daemon=True),
            threading.Thread(target=self._sample_rss, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(15)

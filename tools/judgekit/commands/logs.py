"""Log lines for the long-running commands (`serve`, `worker`): text, or one JSON object per
line (`--log-format json` or JUDGEKIT_LOG_FORMAT=json) for a log collector."""

from __future__ import annotations

import argparse
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

LOG_FORMAT_ENV = "JUDGEKIT_LOG_FORMAT"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RepeatLimit(logging.Filter):
    """At most BURST records of one kind (logger, level, message template) per WINDOW_S; the
    rest are counted and reported once the window ends. Clients can make the server log (a bad
    request, a dropped connection): they must not be able to fill its disk."""

    BURST = 20
    WINDOW_S = 60.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        with self._lock:
            started, count = self._windows.get(key, (now, 0))
            if now - started >= self.WINDOW_S:
                if count > self.BURST:
                    record.msg = f"{record.msg} (and {count - self.BURST} more like it not logged)"
                started, count = now, 0
            self._windows[key] = (started, count + 1)
            if len(self._windows) > 10_000:  # every kind new: forget the oldest windows
                for old in list(self._windows)[:5_000]:
                    del self._windows[old]
        return count < self.BURST


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
            "thread": record.threadName,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(log_format: str | None) -> None:
    chosen = log_format or os.environ.get(LOG_FORMAT_ENV) or "text"
    if chosen not in ("text", "json"):
        from judgekit.errors import JudgekitError

        raise JudgekitError(f"{LOG_FORMAT_ENV}={chosen!r}: use text or json")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if chosen == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RepeatLimit())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # One line per HTTP request a judge host makes (a case each) would drown the rest.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Alembic lists its autogenerate plugins at every open; its migration steps stay logged.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def add_log_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-format",
        choices=["text", "json"],
        default=None,
        help=f"log lines as text or one JSON object each (default: ${LOG_FORMAT_ENV}, else text)",
    )

"""Log lines for the long-running commands (`serve`, `worker`): text, or one JSON object per
line (`--log-format json` or JUDGEKIT_LOG_FORMAT=json) for a log collector."""

from __future__ import annotations

import argparse
import json
import logging
import os
from datetime import UTC, datetime

LOG_FORMAT_ENV = "JUDGEKIT_LOG_FORMAT"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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

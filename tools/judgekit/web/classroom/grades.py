"""Grade export for teachers: per learner, the best verdict, the number of attempts and the
first AC, as CSV or JSON, streamed a page of users at a time (no page-size cap, never the
whole class in memory), optionally counting only submissions made up to a deadline."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException

CSV_COLUMNS = (
    "user",
    "attempts",
    "best_verdict",
    "best_passed",
    "best_total",
    "best_submission_id",
    "first_ac_at",
    "first_ac_submission_id",
    "first_ac_url",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Grade:
    user: str
    attempts: int
    best_verdict: str | None
    best_passed: int | None
    best_total: int | None
    best_submission_id: int | None
    first_ac_at: str | None
    """ISO-8601 in UTC: when the first accepted submission was made."""
    first_ac_submission_id: int | None
    first_ac_url: str | None


def grade(row: tuple[Any, ...], base_url: str) -> Grade:
    """A row of Database.grade_rows() as a Grade; links are absolute, under BASE_URL."""
    _user_id, name, attempts, best_id, verdict, passed, total, ac_id, ac_at = row
    return Grade(
        user=str(name),
        attempts=int(attempts),
        best_verdict=verdict,
        best_passed=passed,
        best_total=total,
        best_submission_id=best_id,
        first_ac_at=None if ac_at is None else datetime.fromtimestamp(ac_at, UTC).isoformat(),
        first_ac_submission_id=ac_id,
        first_ac_url=None if ac_id is None else f"{base_url.rstrip('/')}/submissions/{ac_id}",
    )


# Deadlines are shown back in UTC: a moment whose UTC year leaves 1..9999 cannot be.
EARLIEST_DEADLINE_YEAR = 1970
LATEST_DEADLINE_YEAR = 9998


def parse_deadline(value: str | None) -> float | None:
    """An ISO-8601 date-time as a timestamp (no offset means UTC); 422 when it is not one."""
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(
            422,
            f"deadline {value!r} is not an ISO-8601 date-time; "
            "write it like 2026-05-31T23:59:00+02:00 (no offset means UTC)",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        in_utc = moment.astimezone(UTC)
    except OverflowError:
        in_utc = None
    if in_utc is None or not EARLIEST_DEADLINE_YEAR <= in_utc.year <= LATEST_DEADLINE_YEAR:
        raise HTTPException(
            422,
            f"deadline {value!r} is out of range: give a date-time between the years "
            f"{EARLIEST_DEADLINE_YEAR} and {LATEST_DEADLINE_YEAR} (in UTC)",
        )
    return in_utc.timestamp()


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text: user names are learner-chosen, and one beginning
    with = + - @ would otherwise run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(grades: Iterable[Grade], rows_per_chunk: int = 200) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for count, item in enumerate(grades, start=1):
        writer.writerow([csv_safe(value) for value in asdict(item).values()])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(
    grades: Iterable[Grade], deadline: float | None, rows_per_chunk: int = 200
) -> Iterator[str]:
    """{"deadline": ..., "grades": [...]} written a chunk of rows at a time."""
    when = None if deadline is None else datetime.fromtimestamp(deadline, UTC).isoformat()
    yield f'{{"deadline": {json.dumps(when)}, "grades": ['
    parts: list[str] = []
    first = True
    for item in grades:
        parts.append(("" if first else ", ") + json.dumps(asdict(item)))
        first = False
        if len(parts) >= rows_per_chunk:
            yield "".join(parts)
            parts.clear()
    yield "".join(parts) + "]}"

"""Numbers that come from a request: row ids and sequence numbers, in the database's range.

Every id in a path, query, form field or header is read here, so that a value out of range
(10**30, -1, a superscript digit that `str.isdigit` accepts) is a 4xx with a message, never an
overflow in the database driver.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from judgekit.row_ids import ROW_ID_MAX

__all__ = ["ROW_ID_MAX", "After", "RowId", "parse_number", "parse_row_id", "parse_sequence"]

RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description=f"a row id, 1 to {ROW_ID_MAX}")]
After = Annotated[
    int,
    Query(
        ge=-1,
        le=ROW_ID_MAX,
        description="the last sequence number already seen; -1 (the default) for all",
    ),
]

_ASCII_DIGITS = frozenset("0123456789")


def parse_number(text: str, *, low: int, high: int = ROW_ID_MAX) -> int | None:
    """TEXT as an integer in LOW..HIGH written in ASCII digits; None when it is not one."""
    text = text.strip()
    if not text or len(text) > len(str(high)) or not set(text) <= _ASCII_DIGITS:
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_row_id(text: str) -> int | None:
    """TEXT as a row id (1..ROW_ID_MAX); None when it is not one."""
    return parse_number(text, low=1)


def parse_sequence(text: str) -> int | None:
    """TEXT as a sequence number (0..ROW_ID_MAX), e.g. a Last-Event-ID; None when not one."""
    return parse_number(text, low=0)

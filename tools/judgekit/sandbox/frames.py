"""Strict parser of the runner's result frames (see sandbox/runner.py).

A frame is one stdout line `<nonce> <json>`. Lines without the nonce are not frames: they are
counted as output and otherwise ignored, so a learner's prints can never become results.
A line with the nonce that is not a well-formed frame is a protocol error.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

MAX_FRAME_BYTES = 64 * 1024
MAX_MESSAGE_CHARS = 4000


class ProtocolError(ValueError):
    """A line claimed to be a frame but was not a valid one."""


@dataclass(frozen=True)
class Ready:
    platform: str


@dataclass(frozen=True)
class Result:
    case: str
    shape: tuple[int, ...]
    values: tuple[float, ...] | None  # None when the array was too large to send


@dataclass(frozen=True)
class CaseError:
    case: str
    error: str
    traceback: str


@dataclass(frozen=True)
class LoadError:
    error: str
    traceback: str


@dataclass(frozen=True)
class Done:
    pass


Frame = Ready | Result | CaseError | LoadError | Done


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ProtocolError(f"frame field {key!r} must be a string")
    return value[-MAX_MESSAGE_CHARS:]


def _result(data: dict[str, Any]) -> Result:
    shape = data.get("shape")
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise ProtocolError("result shape must be a list of non-negative integers")
    values = data.get("values")
    if values is None:
        return Result(_text(data, "case"), tuple(shape), None)
    if not isinstance(values, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in values
    ):
        raise ProtocolError("result values must be a list of numbers")
    if len(values) != math.prod(shape):
        raise ProtocolError("result values do not fill the shape")
    return Result(_text(data, "case"), tuple(shape), tuple(float(v) for v in values))


def parse_line(line: bytes, nonce: str) -> Frame | None:
    """The frame on LINE, None when LINE is not a frame; ProtocolError when it is a bad one."""
    prefix = nonce.encode() + b" "
    if not line.startswith(prefix):
        return None
    if len(line) > MAX_FRAME_BYTES:
        raise ProtocolError("frame too large")
    try:
        data = json.loads(line[len(prefix) :].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ProtocolError("frame is not valid JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError("frame is not a JSON object")
    event = data.get("event")
    if event == "ready":
        return Ready(_text(data, "platform"))
    if event == "result":
        return _result(data)
    if event == "error":
        return CaseError(_text(data, "case"), _text(data, "error"), _text(data, "traceback"))
    if event == "load_error":
        return LoadError(_text(data, "error"), _text(data, "traceback"))
    if event == "done":
        return Done()
    raise ProtocolError(f"unknown frame event {event!r}")

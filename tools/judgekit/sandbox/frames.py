"""The judge's side of the result channel: strict frame parsing and the order frames must keep.

A frame is one stdout line `<nonce> <json>`, written by the sandbox's supervisor
(sandbox/supervisor.py) from what the learner's process reported. Lines without the nonce
are not frames: they are counted as output and otherwise ignored. Every frame is still
learner data: a line with the nonce that is not a well-formed frame, or a frame out of
order, is a `ProtocolError`, never a crash; `FrameOrder` says which frames are progress.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

# Shared with sandbox/supervisor.py, which enforces them first: a test keeps them equal.
MAX_FRAME_BYTES = 64 * 1024
MAX_RESULT_VALUES = 1024
MAX_SHAPE_DIMENSIONS = 8
MAX_MESSAGE_CHARS = 4000
PLATFORMS = frozenset({"cpu", "gpu", "unknown"})
MAX_CASE_ID = 10**6
"""Case ids are below this, whatever the problem (the supervisor has the same limit)."""
# One reading of a case id on both sides: the decimal number without leading zeros, the only
# spelling the supervisor counts as the case it gave ("00" would be case 0 here, not there).
_CASE_ID = re.compile(r"0|[1-9][0-9]*")


class ProtocolError(ValueError):
    """A line claimed to be a frame but was not a valid one, or came out of order."""


@dataclass(frozen=True)
class Warm:
    """The sandbox is up, JAX imported and warmed up: it waits for a job (no learner code yet)."""


@dataclass(frozen=True)
class Ready:
    platform: str


@dataclass(frozen=True)
class Result:
    case: int
    shape: tuple[int, ...]
    values: tuple[float, ...] | None  # None when the array was too large to send


@dataclass(frozen=True)
class CaseError:
    case: int
    error: str
    traceback: str


@dataclass(frozen=True)
class BadResult:
    """The function returned, but nothing usable as an answer (not an array of numbers)."""

    case: int
    reason: str
    """What it returned and what is expected: "returned a dict; expected an array of 3 numbers"."""


@dataclass(frozen=True)
class LoadError:
    error: str
    traceback: str


@dataclass(frozen=True)
class Done:
    pass


@dataclass(frozen=True)
class Violation:
    """The supervisor saw the learner's process break the pipe protocol."""

    reason: str


Frame = Warm | Ready | Result | CaseError | BadResult | LoadError | Done | Violation
CaseAnswer = Result | CaseError | BadResult
"""The one frame each case gets: the next case's input is due after it."""


def _text(data: dict[str, Any], key: str, *, keep_end: bool = False) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ProtocolError(f"frame field {key!r} must be a string")
    value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value[-MAX_MESSAGE_CHARS:] if keep_end else value[:MAX_MESSAGE_CHARS]


def _case(data: dict[str, Any]) -> int:
    case = data.get("case")
    if not isinstance(case, str) or _CASE_ID.fullmatch(case) is None:
        raise ProtocolError("a frame's case id must be a decimal number")
    if len(case) > len(str(MAX_CASE_ID)) or int(case) >= MAX_CASE_ID:
        raise ProtocolError("a frame's case id is out of range")
    return int(case)


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError("result values must be numbers")
    try:
        return float(value)
    except OverflowError:
        raise ProtocolError("a result value is out of the float range") from None


def _result(data: dict[str, Any]) -> Result:
    shape = data.get("shape")
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_SHAPE_DIMENSIONS
        or not all(type(n) is int and 0 <= n < 2**31 for n in shape)
    ):
        raise ProtocolError("result shape must be a short list of non-negative integers")
    size = math.prod(shape)
    values = data.get("values")
    if values is None:
        if size <= MAX_RESULT_VALUES:
            raise ProtocolError("a small result must carry its values")
        return Result(_case(data), tuple(shape), None)
    if not isinstance(values, list) or len(values) != size or size > MAX_RESULT_VALUES:
        raise ProtocolError("result values do not fill the shape")
    return Result(_case(data), tuple(shape), tuple(_number(v) for v in values))


def _frame(data: dict[str, Any]) -> Frame:
    event = data.get("event")
    if event == "warm":
        return Warm()
    if event == "ready":
        platform = data.get("platform")
        if platform not in PLATFORMS:
            raise ProtocolError("a ready frame names an unknown platform")
        return Ready(str(platform))
    if event == "result":
        return _result(data)
    if event == "error":
        return CaseError(_case(data), _text(data, "error"), _text(data, "traceback", keep_end=True))
    if event == "bad_result":
        return BadResult(_case(data), _text(data, "reason"))
    if event == "load_error":
        return LoadError(_text(data, "error"), _text(data, "traceback", keep_end=True))
    if event == "done":
        return Done()
    if event == "violation":
        return Violation(_text(data, "reason"))
    raise ProtocolError("a frame of an unknown kind")


def parse_line(line: bytes, nonce: str) -> Frame | None:
    """The frame on LINE, None when LINE is not a frame; ProtocolError when it is a bad one."""
    prefix = nonce.encode() + b" "
    if not line.startswith(prefix):
        return None
    if len(line) > MAX_FRAME_BYTES:
        raise ProtocolError("frame too large")
    try:
        data = json.loads(line[len(prefix) :].decode("utf-8"))
    except (ValueError, RecursionError, OverflowError):  # bad UTF-8 or JSON, huge numbers
        raise ProtocolError("frame is not valid JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError("frame is not a JSON object")
    return _frame(data)


class FrameOrder:
    """The only order a run's frames may come in; each call says whether a frame is progress.

    `ready` or `load_error` first (the `warm` frame before them belongs to the sandbox's
    start, not to the run); after `ready`, exactly one `result`, `error` or `bad_result` per case,
    case 0, 1, 2, ... in turn; then `done`, and nothing after it. A load error ends the
    run. Anything else is a protocol violation: a second `ready`, a repeated, skipped or
    unknown case, `done` before the last case, or a `violation` the supervisor reported.
    """

    def __init__(self, cases: int) -> None:
        self.cases = cases
        self.loaded = False
        self.ended = False
        self.next_case = 0

    def accept(self, frame: Frame) -> None:
        if isinstance(frame, Violation):
            raise ProtocolError(f"the submission broke the result protocol: {frame.reason}")
        if self.ended:
            raise ProtocolError(f"a {_name(frame)} frame after the run had ended")
        if not self.loaded:
            if isinstance(frame, Ready):
                self.loaded = True
            elif isinstance(frame, LoadError):
                self.ended = True
            else:
                raise ProtocolError(f"a {_name(frame)} frame before the submission was loaded")
            return
        if isinstance(frame, CaseAnswer):
            if frame.case != self.next_case or frame.case >= self.cases:
                expected = f"case {self.next_case}" if self.next_case < self.cases else "the end"
                raise ProtocolError(f"a result for case {frame.case} where {expected} was due")
            self.next_case += 1
            return
        if isinstance(frame, Done) and self.next_case == self.cases:
            self.ended = True
            return
        raise ProtocolError(f"an unexpected {_name(frame)} frame at case {self.next_case}")


def _name(frame: Frame) -> str:
    return {
        Warm: "warm",
        Ready: "ready",
        Result: "result",
        CaseError: "error",
        BadResult: "bad_result",
        LoadError: "load_error",
        Done: "done",
        Violation: "violation",
    }[type(frame)]

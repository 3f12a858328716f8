"""Reading a judge server's JSON as untrusted data: each field checked for its type and range.

A server (a broken one, or one that is not ours) can send anything. Every field the client
uses is read through `Fields`, which returns it with the type asked for or raises
UnexpectedAnswer naming the field, so that a bad answer is one `judgekit: error:` line (exit 2),
never a traceback or a learner verdict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from judgekit.errors import JudgekitError
from judgekit.row_ids import ROW_ID_MAX

MAX_DEPTH = 32
"""The deepest nesting of arrays and objects read (the API's answers are about 5 deep)."""
_SHOWN_CHARS = 60


class UnexpectedAnswer(JudgekitError):
    """The server's answer is not what the API promises; the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"the judge server sent something unexpected: {field} {problem}")


def shown(value: object) -> str:
    """VALUE for a message: its repr, cut to a few dozen characters."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def parse_json(body: bytes, what: str) -> object:
    """BODY as strict JSON (UTF-8, no NaN or Infinity, nesting Python can parse)."""
    try:
        value: object = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise UnexpectedAnswer(what, "is not UTF-8 text") from None
    except RecursionError:
        raise UnexpectedAnswer(what, "is JSON nested too deeply") from None
    except ValueError as error:
        raise UnexpectedAnswer(what, f"is not JSON ({shown(str(error))})") from None
    if _depth(value) > MAX_DEPTH:
        raise UnexpectedAnswer(what, f"is JSON nested more than {MAX_DEPTH} deep")
    return value


def _depth(value: object) -> int:
    """How deep VALUE nests lists and dicts, found without recursion (0 for a scalar)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


@dataclass(frozen=True)
class Fields:
    """The JSON object DATA, found at WHERE (for messages: `the upload answer`, `cases[3]`)."""

    where: str
    data: Mapping[str, Any]

    @classmethod
    def of(cls, value: object, where: str) -> Fields:
        if not isinstance(value, dict):
            raise UnexpectedAnswer(where, f"is {shown(value)}, not a JSON object")
        return cls(where, value)

    def _field(self, name: str) -> str:
        return f"`{name}` of {self.where}"

    def _missing(self, name: str) -> UnexpectedAnswer:
        return UnexpectedAnswer(self._field(name), "is missing")

    def _wrong(self, name: str, value: object, expected: str) -> UnexpectedAnswer:
        return UnexpectedAnswer(self._field(name), f"is {shown(value)}, expected {expected}")

    def integer(self, name: str, low: int = 0, high: int = ROW_ID_MAX) -> int:
        if name not in self.data:
            raise self._missing(name)
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._wrong(name, value, f"an integer from {low} to {high}")
        return value

    def optional_integer(self, name: str, low: int = 0, high: int = ROW_ID_MAX) -> int | None:
        return None if self.data.get(name) is None else self.integer(name, low, high)

    def text(self, name: str) -> str:
        if name not in self.data:
            raise self._missing(name)
        value = self.data[name]
        if not isinstance(value, str):
            raise self._wrong(name, value, "a string")
        return value

    def optional_text(self, name: str) -> str | None:
        return None if self.data.get(name) is None else self.text(name)

    def choice(self, name: str, choices: Sequence[str]) -> str:
        value = self.text(name)
        if value not in choices:
            raise self._wrong(name, value, "one of " + ", ".join(choices))
        return value

    def object(self, name: str) -> Fields:
        if name not in self.data:
            raise self._missing(name)
        return Fields.of(self.data[name], self._field(name))

    def optional_object(self, name: str) -> Fields | None:
        return None if self.data.get(name) is None else self.object(name)

    def optional_list(self, name: str) -> list[Any] | None:
        value = self.data.get(name)
        if value is not None and not isinstance(value, list):
            raise self._wrong(name, value, "a list")
        return value

    def objects(self, name: str) -> list[Fields]:
        """The list NAME (absent: empty), each item a JSON object."""
        items = self.optional_list(name) or []
        return [Fields.of(item, f"{name}[{i}] of {self.where}") for i, item in enumerate(items)]

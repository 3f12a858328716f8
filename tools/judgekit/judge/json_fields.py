"""Reading JSON that judgekit did not just make (a stored row, a judge host's body, a server's
answer): each field checked for its type and range, every error naming the field's path.

`Fields` returns a field with the type asked for or raises MalformedJson, whose message names
the field as `name` of where it is (`verdict` of `case` of cases[0] of the answer), so that
bad data is one line that says what is wrong where, never a KeyError or a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from judgekit.errors import JudgekitError
from judgekit.judge.strict_json import as_number
from judgekit.row_ids import ROW_ID_MAX

_SHOWN_CHARS = 60


class MalformedJson(JudgekitError):
    """JSON that is not what it must be; FIELD names where, PROBLEM what is wrong."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")
        self.field = field
        self.problem = problem


def shown(value: object) -> str:
    """VALUE for a message: its repr, cut to a few dozen characters."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


@dataclass(frozen=True)
class Fields:
    """The JSON object DATA, found at WHERE (for messages: `the upload answer`, `cases[3]`)."""

    where: str
    data: Mapping[str, Any]

    @classmethod
    def of(cls, value: object, where: str) -> Fields:
        if not isinstance(value, dict):
            raise MalformedJson(where, f"is {shown(value)}, not a JSON object")
        return cls(where, value)

    def _field(self, name: str) -> str:
        return f"`{name}` of {self.where}"

    def _missing(self, name: str) -> MalformedJson:
        return MalformedJson(self._field(name), "is missing")

    def _wrong(self, name: str, value: object, expected: str) -> MalformedJson:
        return MalformedJson(self._field(name), f"is {shown(value)}, expected {expected}")

    def only(self, names: Sequence[str]) -> None:
        """Refuse a field not among NAMES (strict: a misspelt or foreign field is an error)."""
        unknown = sorted(str(key) for key in self.data if key not in names)
        if unknown:
            raise MalformedJson(self._field(unknown[0]), "is not a field of it")

    def integer(self, name: str, low: int = 0, high: int = ROW_ID_MAX) -> int:
        if name not in self.data:
            raise self._missing(name)
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._wrong(name, value, f"an integer from {low} to {high}")
        return value

    def optional_integer(self, name: str, low: int = 0, high: int = ROW_ID_MAX) -> int | None:
        return None if self.data.get(name) is None else self.integer(name, low, high)

    def positive_number(self, name: str) -> float:
        if name not in self.data:
            raise self._missing(name)
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e9:
            raise self._wrong(name, value, "a number of seconds above 0")
        return float(value)

    def boolean(self, name: str, default: bool) -> bool:
        """NAME's true or false; DEFAULT when it is absent (a row stored before it)."""
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise self._wrong(name, value, "true or false")
        return value

    def text(self, name: str, *, min_chars: int = 0, max_chars: int | None = None) -> str:
        if name not in self.data:
            raise self._missing(name)
        value = self.data[name]
        if not isinstance(value, str):
            raise self._wrong(name, value, "a string")
        if len(value) < min_chars or (max_chars is not None and len(value) > max_chars):
            most = f" to {max_chars}" if max_chars is not None else " or more"
            raise self._wrong(name, value, f"a string of {min_chars}{most} characters")
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

    def optional_numbers(self, name: str) -> tuple[float, ...] | None:
        """NAME's list of numbers, a non-finite one spelt "NaN", "Infinity" or "-Infinity"."""
        items = self.optional_list(name)
        if items is None:
            return None
        numbers = []
        for index, item in enumerate(items):
            number = as_number(item)
            if number is None:
                raise MalformedJson(
                    f"{name}[{index}] of {self.where}",
                    f'is {shown(item)}, expected a number, "NaN", "Infinity" or "-Infinity"',
                )
            numbers.append(float(number))
        return tuple(numbers)

    def objects(self, name: str) -> list[Fields]:
        """The list NAME (absent: empty), each item a JSON object."""
        items = self.optional_list(name) or []
        return [Fields.of(item, f"{name}[{i}] of {self.where}") for i, item in enumerate(items)]

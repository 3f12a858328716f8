"""The one reader of the package's YAML files (problem.yaml, testcases/recipe.yaml): typed
fields from a mapping, every error naming the field's full path and what was expected."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Any, TypeVar

from judgekit.errors import ProblemFormatError

_E = TypeVar("_E", bound=StrEnum)
_READS: ContextVar[dict[str, str] | None] = ContextVar("judgekit_field_reads", default=None)


@contextmanager
def recording() -> Iterator[dict[str, str]]:
    """Inside: every field read, by path (list indices as `[]`), with what it must be. The
    README's field reference is made from it (package/field_reference.py)."""
    reads: dict[str, str] = {}
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


def integer_value(value: object, where: str, *, minimum: int | None = None) -> int:
    """VALUE as an int (not a bool), at least MINIMUM; the error names WHERE."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProblemFormatError(f"{where}: expected an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ProblemFormatError(f"{where}: must be at least {minimum}, got {value}")
    return value


class Fields:
    """Reads typed fields from one YAML mapping, naming the full path in every error.

    PATH is the mapping's own path ("entry_point.parameters[0]"), empty for the document's
    top level, which errors call DOCUMENT."""

    def __init__(self, data: object, path: str, *, document: str = "problem.yaml") -> None:
        if not isinstance(data, Mapping):
            raise ProblemFormatError(f"{path or document}: expected a mapping, got {_kind(data)}")
        self.data: Mapping[str, Any] = data
        self.path = path

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _read(self, key: str, what: str | None = None) -> None:
        reads = _READS.get()
        if reads is not None:
            path = re.sub(r"\[\d+\]", "[]", self.name(key))
            reads[path] = what or reads.get(path, "any value")

    def raw(self, key: str) -> object:
        self._read(key)
        if key not in self.data:
            raise ProblemFormatError(f"{self.name(key)}: required field is missing")
        return self.data[key]

    def string(self, key: str) -> str:
        self._read(key, "text")
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise ProblemFormatError(
                f"{self.name(key)}: expected a non-empty string, got {value!r}"
            )
        return value

    def optional_string(self, key: str, default: str = "") -> str:
        """KEY's text when present (any scalar, as written), else DEFAULT."""
        self._read(key, "text, optional")
        value = self.data.get(key)
        return default if value is None else str(value)

    def integer(self, key: str, *, minimum: int | None = None) -> int:
        self._read(key, "integer" if minimum is None else f"integer ≥ {minimum}")
        return integer_value(self.raw(key), self.name(key), minimum=minimum)

    def optional_integer(self, key: str, *, minimum: int) -> int | None:
        return self.integer(key, minimum=minimum) if key in self.data else None

    def number(self, key: str, *, positive: bool = False, non_negative: bool = False) -> float:
        self._read(key, "number > 0" if positive else "number ≥ 0" if non_negative else "number")
        value = self.raw(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ProblemFormatError(f"{self.name(key)}: expected a finite number, got {value!r}")
        if positive and value <= 0:
            raise ProblemFormatError(f"{self.name(key)}: must be greater than 0, got {value}")
        if non_negative and value < 0:
            raise ProblemFormatError(f"{self.name(key)}: must not be negative, got {value}")
        return float(value)

    def choice(self, key: str, enum: type[_E]) -> _E:
        self._read(key, "one of " + ", ".join(f"`{member.value}`" for member in enum))
        value = self.raw(key)
        try:
            return enum(str(value)) if isinstance(value, str) else enum(value)  # type: ignore[arg-type]
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise ProblemFormatError(
                f"{self.name(key)}: {value!r} is not one of: {allowed}"
            ) from None

    def items(self, key: str) -> list[object]:
        self._read(key, "non-empty list")
        value = self.raw(key)
        if not isinstance(value, list) or not value:
            raise ProblemFormatError(f"{self.name(key)}: expected a non-empty list, got {value!r}")
        return list(value)

    def optional_items(self, key: str) -> list[object]:
        """KEY's list, or [] when KEY is missing or empty (null)."""
        self._read(key, "list, optional")
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ProblemFormatError(f"{self.name(key)}: expected a list, got {value!r}")
        return list(value)

    def sub(self, key: str) -> Fields:
        self._read(key, "mapping")
        return Fields(self.raw(key), self.name(key))

    def refuse_unknown(self, allowed: set[str]) -> None:
        unknown = sorted(str(key) for key in set(self.data) - allowed)
        if unknown:
            raise ProblemFormatError(f"{self.path}: unknown field(s) {', '.join(unknown)}")


def _kind(value: object) -> str:
    return type(value).__name__

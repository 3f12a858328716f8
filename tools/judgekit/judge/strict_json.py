"""Strict JSON (RFC 8259) for everything judgekit emits or stores.

A learner's result can hold what JSON has no spelling for: NaN or an infinity among the values
it returned, and lone surrogates (from `"\\ud800"` in Python source) in an exception message.
Python's json module writes the former as bare `NaN`/`Infinity`, which other parsers reject,
and Starlette cannot encode the latter as UTF-8. So, one encoding everywhere:

* a non-finite float becomes the string "NaN", "Infinity" or "-Infinity";
* a lone surrogate becomes U+FFFD, the replacement character.

`dumps` applies both and then refuses anything else non-standard (allow_nan=False); `loads`
applies both to what it read, so rows stored before this rule are still served.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

NAN = "NaN"
INFINITY = "Infinity"
NEGATIVE_INFINITY = "-Infinity"
_NON_FINITE = {NAN: math.nan, INFINITY: math.inf, NEGATIVE_INFINITY: -math.inf}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", value)


def json_safe(value: Any) -> Any:
    """VALUE with non-finite floats spelt as strings and lone surrogates replaced, recursively."""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return NAN if math.isnan(value) else INFINITY if value > 0 else NEGATIVE_INFINITY
    if isinstance(value, Mapping):
        return {_text(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def dumps(value: Any, **kwargs: Any) -> str:
    """json.dumps of json_safe(VALUE); never writes NaN, Infinity or a lone surrogate."""
    return json.dumps(json_safe(value), allow_nan=False, **kwargs)


def loads(text: str | bytes) -> Any:
    """json.loads, then json_safe: also reads the bare NaN of older, non-strict writers."""
    return json_safe(json.loads(text))


def as_number(value: Any) -> float | int | None:
    """A value of `expected`/`got` back as a number ("NaN" -> nan); None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return _NON_FINITE.get(value)
    return None

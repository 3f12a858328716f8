"""Reading a judge server's JSON as untrusted data: each field checked for its type and range.

A server (a broken one, or one that is not ours) can send anything. Every field the client
uses is read through `Fields` (judgekit.judge.json_fields), which returns it with the type
asked for or raises an error naming the field, an UnexpectedAnswer once `server_answer` has
turned it into one, so that a bad answer is one `judgekit: error:` line (exit 2), never a
traceback or a learner verdict.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from judgekit.errors import JudgekitError
from judgekit.judge.json_fields import Fields, MalformedJson, shown

__all__ = ["Fields", "UnexpectedAnswer", "parse_json", "server_answer", "shown"]
_P = ParamSpec("_P")
_T = TypeVar("_T")
MAX_DEPTH = 32
"""The deepest nesting of arrays and objects read (the API's answers are about 5 deep)."""


class UnexpectedAnswer(JudgekitError):
    """The server's answer is not what the API promises; the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"the judge server sent something unexpected: {field} {problem}")


def server_answer(parse: Callable[_P, _T]) -> Callable[_P, _T]:
    """PARSE, a reader of a server's answer, with its MalformedJson raised as UnexpectedAnswer."""

    @functools.wraps(parse)
    def parsed(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return parse(*args, **kwargs)
        except MalformedJson as error:
            raise UnexpectedAnswer(error.field, error.problem) from None

    return parsed


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

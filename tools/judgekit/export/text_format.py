"""The stdin text of one test input in an export: one line per parameter, in call order.

- an integer parameter: the integer in decimal, e.g. `42`;
- a real parameter: Python's shortest round-trip `repr` of the float, e.g. `-3.0` or `0.1`;
- a vector parameter: its length, then each element as a real, all on one line separated by
  single spaces, e.g. `3 1.0 2.0 3.0`.

Every line ends with one "\\n"; there is nothing else, and each number has exactly one
spelling (no `+`, no leading or trailing zeros beyond repr's, no `-0`): the input validator
rejects any other. Since float(repr(v)) == v, decoding an
encoded input gives back exactly the numbers of `testcases/`. Parameters are given as
`(name, kind)` pairs, kind one of "integer", "real", "vector" (problem.yaml's `kind`).

`decode_input` uses nothing but builtins: the export copies its source into the generated
programs (the submission wrapper, the input validator), so all of them read inputs alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

InputValues = dict[str, int | float | list[float]]


def _real_text(value: float) -> str:
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{value!r} is not finite")
    return repr(number)


def encode_input(parameters: Sequence[tuple[str, str]], values: Mapping[str, object]) -> str:
    """The text of VALUES (a case's input, as in testcases/*.in) for PARAMETERS."""
    lines = []
    for name, kind in parameters:
        value = values[name]
        if kind == "integer":
            if not isinstance(value, int | float) or not float(value).is_integer():
                raise ValueError(f"{name}: {value!r} is not an integer")
            lines.append(str(int(value)))
        elif kind == "real":
            lines.append(_real_text(value))  # type: ignore[arg-type]
        elif kind == "vector":
            if not isinstance(value, list):
                raise ValueError(f"{name}: {value!r} is not a list")
            lines.append(" ".join([str(len(value)), *(_real_text(v) for v in value)]))
        else:
            raise ValueError(f"{name}: unknown parameter kind {kind!r}")
    return "".join(line + "\n" for line in lines)


def decode_input(parameters: Sequence[tuple[str, str]], text: str) -> InputValues:
    """The input that TEXT encodes; a ValueError naming the line for any other text."""

    def integer(token: str, where: str) -> int:
        digits = token[1:] if token.startswith("-") else token
        if not digits.isdigit() or not digits.isascii() or str(int(token)) != token:
            raise ValueError(f"{where}: {token!r} is not an integer in decimal")
        return int(token)

    def real(token: str, where: str) -> float:
        allowed = set("0123456789+-.eE")
        if not token or not set(token) <= allowed:
            raise ValueError(f"{where}: {token!r} is not a finite decimal number")
        try:
            number = float(token)
        except ValueError:
            number = float("nan")
        if number - number != 0:  # NaN or infinite (1e999)
            raise ValueError(f"{where}: {token!r} is not a finite decimal number")
        if repr(number) != token:
            raise ValueError(f"{where}: {token!r} is not written as {repr(number)!r}")
        return number

    if not text.endswith("\n"):
        raise ValueError("the input must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) != len(parameters):
        raise ValueError(f"expected {len(parameters)} lines, one per parameter, got {len(lines)}")
    values: InputValues = {}
    for number, ((name, kind), line) in enumerate(zip(parameters, lines, strict=True), start=1):
        where = f"line {number} ({name})"
        tokens = line.split(" ")
        if kind == "vector":
            length = integer(tokens[0], where + " length")
            if length != len(tokens) - 1:
                raise ValueError(f"{where}: says {length} values but holds {len(tokens) - 1}")
            values[name] = [real(t, f"{where}[{i}]") for i, t in enumerate(tokens[1:])]
        elif len(tokens) != 1:
            raise ValueError(f"{where}: expected one number, got {len(tokens)} fields")
        elif kind == "integer":
            values[name] = integer(tokens[0], where)
        elif kind == "real":
            values[name] = real(tokens[0], where)
        else:
            raise ValueError(f"{where}: unknown parameter kind {kind!r}")
    return values

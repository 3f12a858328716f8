"""The stdin text of one test input in an export: one line per parameter, in call order.

- an integer parameter: the integer in decimal, e.g. `42`;
- a real parameter: Python's shortest round-trip `repr` of the float, e.g. `-3.0` or `0.1`;
- an array parameter of rank r: its r lengths (outermost first), then each element in
  row-major order (as an integer or a real, by its element kind), all on one line separated by
  single spaces: a vector `3 1.0 2.0 3.0`, a 2 x 3 matrix `2 3 1.0 2.0 3.0 4.0 5.0 6.0`.

Every line ends with one "\\n"; there is nothing else, and each number has exactly one
spelling (no `+`, no leading or trailing zeros beyond repr's, no `-0`): the input validator
rejects any other. Since float(repr(v)) == v, decoding an
encoded input gives back exactly the numbers of `testcases/`. Parameters are given as
`(name, element, rank)` triples: element "integer" or "real", rank 0 for a scalar.

`decode_input` uses nothing but builtins: the export copies its source into the generated
programs (the submission wrapper, the input validator), so all of them read inputs alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from judgekit.package.parameters import Parameter

InputValues = dict[str, Any]
ParameterText = tuple[str, str, int]


def parameter_text(parameter: Parameter) -> ParameterText:
    """PARAMETER as the text format reads it: (name, element kind, rank)."""
    return (parameter.name, "integer" if parameter.integral else "real", len(parameter.dims))


def _real_text(value: float) -> str:
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{value!r} is not finite")
    return repr(number)


def _number_text(value: object, element: str, where: str) -> str:
    if element == "integer":
        if not isinstance(value, int | float) or not float(value).is_integer():
            raise ValueError(f"{where}: {value!r} is not an integer")
        return str(int(value))
    if element == "real":
        return _real_text(value)  # type: ignore[arg-type]
    raise ValueError(f"{where}: unknown element kind {element!r}")


def _flattened(value: object, rank: int, where: str) -> tuple[list[int], list[object]]:
    """The lengths of VALUE's RANK dimensions and its elements in row-major order."""
    lengths: list[int] = []
    level = [value]
    for _axis in range(rank):
        if not all(isinstance(item, list) for item in level):
            raise ValueError(f"{where}: {value!r} is not a rectangular array of rank {rank}")
        sizes = {len(item) for item in level}  # type: ignore[arg-type]
        if len(sizes) > 1:
            raise ValueError(f"{where}: rows of different lengths {sorted(sizes)}")
        lengths.append(sizes.pop() if sizes else 0)
        level = [element for item in level for element in item]  # type: ignore[attr-defined]
    return lengths, level


def encode_input(parameters: Sequence[ParameterText], values: Mapping[str, object]) -> str:
    """The text of VALUES (a case's input, as in testcases/*.in) for PARAMETERS."""
    lines = []
    for name, element, rank in parameters:
        value = values[name]
        if rank == 0:
            lines.append(_number_text(value, element, name))
            continue
        lengths, elements = _flattened(value, rank, name)
        numbers = [_number_text(item, element, name) for item in elements]
        lines.append(" ".join([*(str(n) for n in lengths), *numbers]))
    return "".join(line + "\n" for line in lines)


def decode_input(parameters: Sequence[ParameterText], text: str) -> InputValues:
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

    def nested(flat: list[Any], lengths: list[int]) -> list[Any]:
        if len(lengths) <= 1:
            return flat
        step = 1
        for length in lengths[1:]:
            step *= length
        return [nested(flat[i * step : (i + 1) * step], lengths[1:]) for i in range(lengths[0])]

    if not text.endswith("\n"):
        raise ValueError("the input must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) != len(parameters):
        raise ValueError(f"expected {len(parameters)} lines, one per parameter, got {len(lines)}")
    values: InputValues = {}
    for number, ((name, element, rank), line) in enumerate(
        zip(parameters, lines, strict=True), start=1
    ):
        where = f"line {number} ({name})"
        if element not in ("integer", "real"):
            raise ValueError(f"{where}: unknown element kind {element!r}")
        read = integer if element == "integer" else real
        tokens = line.split(" ")
        if rank == 0:
            if len(tokens) != 1:
                raise ValueError(f"{where}: expected one number, got {len(tokens)} fields")
            values[name] = read(tokens[0], where)
            continue
        if len(tokens) < rank:
            raise ValueError(f"{where}: expected {rank} lengths first, got {len(tokens)} fields")
        lengths = [integer(tokens[axis], f"{where} length {axis}") for axis in range(rank)]
        count = 1
        for length in lengths:
            count *= length
        if count != len(tokens) - rank:
            raise ValueError(
                f"{where}: says {' x '.join(map(str, lengths))} values but holds "
                f"{len(tokens) - rank}"
            )
        flat = [read(t, f"{where}[{i}]") for i, t in enumerate(tokens[rank:])]
        values[name] = nested(flat, lengths)
    return values

"""Compare a returned vector with the expected one, element by element, within a tolerance.

Library use::

    result = check(returned, expected, shape=(3,), rtol=1e-5, atol=1e-6)

Standalone, as a Kattis-style output validator (the submission's output on stdin)::

    python checker/vector_checker.py CASE.in CASE.ans FEEDBACK_DIR [rtol R] [atol A] \
        [shape 3] [names a,b,c] < output

exits 42 when accepted and 43 when rejected, with the reason in FEEDBACK_DIR/judgemessage.txt.
`shape` is comma-separated (`2,3`), `names` too. A setting without its flag is read from the
problem.yaml beside this folder; with rtol, atol and shape all given, no problem.yaml is needed
(as in a Kattis export, where this file runs on its own).
Only the standard library and NumPy are used, so any judge can run this file as it is.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

EXIT_ACCEPT = 42
EXIT_REJECT = 43


@dataclass(frozen=True)
class Returned:
    """What a submission returned: its shape and its values in row-major order."""

    shape: tuple[int, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class Mismatch:
    """The first element outside the tolerance."""

    index: int
    name: str
    expected: float
    got: float
    error: float
    allowed: float


@dataclass(frozen=True)
class CheckResult:
    accepted: bool
    message: str
    mismatch: Mismatch | None = None


class MalformedOutput(ValueError):
    """The output could not be read as a vector of numbers."""


def parse_returned(text: str) -> Returned:
    """Read a vector: JSON (a list, maybe nested, or {"shape", "values"}) or plain numbers."""
    stripped = text.strip()
    if not stripped:
        raise MalformedOutput("the output is empty")
    if stripped[0] in "[{":
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise MalformedOutput(f"the output is not valid JSON: {error}") from None
        if isinstance(data, dict):
            return _from_shape_and_values(data)
        array = _numeric_array(data)
        return Returned(tuple(array.shape), tuple(float(v) for v in array.ravel()))
    tokens = stripped.split()
    try:
        values = tuple(float(token) for token in tokens)
    except ValueError:
        raise MalformedOutput("the output has a token that is not a number") from None
    return Returned((len(values),), values)


def _from_shape_and_values(data: dict[str, object]) -> Returned:
    shape, values = data.get("shape"), data.get("values")
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise MalformedOutput("'shape' must be a list of non-negative integers")
    if not isinstance(values, list):
        raise MalformedOutput("'values' must be a list of numbers")
    array = _numeric_array(values)
    if array.ndim != 1 or array.size != math.prod(shape):
        raise MalformedOutput(f"{array.size} values do not fill shape {tuple(shape)}")
    return Returned(tuple(shape), tuple(float(v) for v in array))


def _numeric_array(data: object) -> np.ndarray:
    if _has_non_number(data):
        raise MalformedOutput("the output holds something that is not a number")
    try:
        return np.asarray(data, dtype=np.float64)
    except ValueError:
        raise MalformedOutput("the output is a ragged list, not an array") from None


def _has_non_number(data: object) -> bool:
    if isinstance(data, list):
        return any(_has_non_number(item) for item in data)
    return isinstance(data, bool) or not isinstance(data, int | float)


def _shape_text(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def check(
    returned: Returned,
    expected: Sequence[float],
    *,
    shape: Sequence[int],
    rtol: float,
    atol: float,
    names: Sequence[str] = (),
) -> CheckResult:
    """Accept when the shape matches and every |got - expected| <= atol + rtol * |expected|."""
    if tuple(returned.shape) != tuple(shape):
        return CheckResult(
            False,
            f"returned an array of shape {_shape_text(returned.shape)}, "
            f"expected shape {_shape_text(shape)}",
        )
    if len(expected) != len(returned.values):
        raise ValueError(f"the answer has {len(expected)} values for shape {tuple(shape)}")
    for index, (want, got) in enumerate(zip(expected, returned.values, strict=True)):
        name = names[index] if index < len(names) else f"element {index}"
        label = f"element {index} ({name})" if index < len(names) else name
        if not math.isfinite(got):
            return CheckResult(
                False,
                f"{label}: got {got}, a non-finite value; expected {want:.9g}",
                Mismatch(index, name, want, got, math.inf, atol + rtol * abs(want)),
            )
        allowed = atol + rtol * abs(want)
        error = abs(got - want)
        if not error <= allowed:
            return CheckResult(
                False,
                f"{label}: expected {want:.9g}, got {got:.9g}; "
                f"|error| {error:.3g} is more than the allowed {allowed:.3g}",
                Mismatch(index, name, want, got, error, allowed),
            )
    return CheckResult(True, f"all {len(expected)} values within tolerance")


def _read_expected(path: Path) -> list[float]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list) or _has_non_number(data):
        raise ValueError(f"{path}: the answer file must be a JSON list of numbers")
    return [float(v) for v in data]


def _problem_settings() -> tuple[tuple[int, ...], float, float, tuple[str, ...]]:
    import yaml  # only needed when no flags are given

    problem = yaml.safe_load((Path(__file__).resolve().parent.parent / "problem.yaml").read_text())
    output = problem["output"]
    tolerance = output["tolerance"]
    return (
        tuple(output["shape"]),
        float(tolerance["rtol"]),
        float(tolerance["atol"]),
        tuple(output.get("names", ())),
    )


FLAGS = ("rtol", "atol", "shape", "names")


def main(argv: Sequence[str]) -> int:
    if len(argv) < 3 or len(argv) % 2 == 0:
        print(__doc__, file=sys.stderr)
        return 2
    _input, answer, feedback = Path(argv[0]), Path(argv[1]), Path(argv[2])
    flags = dict(zip(argv[3::2], argv[4::2], strict=True))
    unknown = set(flags) - set(FLAGS)
    if unknown:
        print(
            f"unknown flag(s): {', '.join(sorted(unknown))}; allowed: {', '.join(FLAGS)}",
            file=sys.stderr,
        )
        return 2
    shape: tuple[int, ...] = ()
    names: tuple[str, ...] = ()
    rtol = atol = 0.0
    if not {"rtol", "atol", "shape"} <= set(flags):
        shape, rtol, atol, names = _problem_settings()
    rtol = float(flags.get("rtol", rtol))
    atol = float(flags.get("atol", atol))
    if "shape" in flags:
        shape = tuple(int(n) for n in flags["shape"].split(",") if n)
    if "names" in flags:
        names = tuple(flags["names"].split(","))
    expected = _read_expected(answer)
    try:
        returned = parse_returned(sys.stdin.read())
    except MalformedOutput as error:
        result = CheckResult(False, str(error))
    else:
        result = check(returned, expected, shape=shape, rtol=rtol, atol=atol, names=names)
    feedback.mkdir(parents=True, exist_ok=True)
    (feedback / "judgemessage.txt").write_text(result.message + "\n", encoding="utf-8")
    return EXIT_ACCEPT if result.accepted else EXIT_REJECT


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The entry point's parameters as problem.yaml declares them: scalars and arrays of any rank.

A scalar (`integer`, `real`) is sent as a Python float. An array (`vector`, `matrix`, or
`array` of any rank) is sent as a JAX array of its `sent_as` dtype; each of its dimensions has
its own domain (`Dimension`), every element the parameter's `[min, max]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from judgekit.errors import ProblemFormatError
from judgekit.package.fields import Fields

INT32_RANGE = (-(2**31), 2**31 - 1)


class ParameterKind(StrEnum):
    INTEGER = "integer"
    REAL = "real"
    VECTOR = "vector"
    MATRIX = "matrix"
    ARRAY = "array"


class SentAs(StrEnum):
    """How the judge hands a parameter to the learner's function."""

    FLOAT = "float"
    FLOAT32_ARRAY = "float32_array"
    INT32_ARRAY = "int32_array"


@dataclass(frozen=True)
class Dimension:
    """The domain of one dimension of an array: MIN <= its length <= MAX."""

    min: int
    max: int


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: ParameterKind
    sent_as: SentAs
    min: float
    max: float
    dims: tuple[Dimension, ...] = ()
    """One domain per dimension of an array, outermost first; empty for a scalar."""

    @property
    def is_array(self) -> bool:
        return bool(self.dims)

    @property
    def integral(self) -> bool:
        """Whether the values (the scalar, or every element) are integers."""
        return self.kind is ParameterKind.INTEGER or self.sent_as is SentAs.INT32_ARRAY

    def dimension_label(self, axis: int) -> str:
        """How messages name dimension AXIS: `len(x)` for a vector, `x.shape[1]` otherwise."""
        if len(self.dims) == 1:
            return f"len({self.name})"
        return f"{self.name}.shape[{axis}]"


ARRAY_RANKS = {ParameterKind.VECTOR: 1, ParameterKind.MATRIX: 2}
ARRAY_SENT_AS = (SentAs.FLOAT32_ARRAY, SentAs.INT32_ARRAY)


def _a(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _dimension(fields: Fields) -> Dimension:
    fields.refuse_unknown({"min", "max"})
    low, high = fields.integer("min", minimum=0), fields.integer("max", minimum=1)
    if low > high:
        raise ProblemFormatError(f"{fields.path}: min ({low}) is greater than max ({high})")
    return Dimension(low, high)


def _dims(fields: Fields, kind: ParameterKind) -> tuple[Dimension, ...]:
    """A vector's `min_length`/`max_length`, or `dims` (one {min, max} per dimension)."""
    if kind is ParameterKind.VECTOR and "dims" not in fields.data:
        low = fields.integer("min_length", minimum=0)
        high = fields.integer("max_length", minimum=1)
        if low > high:
            raise ProblemFormatError(f"{fields.path}: min_length is greater than max_length")
        return (Dimension(low, high),)
    if "min_length" in fields.data or "max_length" in fields.data:
        raise ProblemFormatError(
            f"{fields.path}: min_length and max_length are a vector's; give {_a(kind.value)} "
            "`dims: [{min: ..., max: ...}, ...]`, one per dimension"
        )
    dims = tuple(
        _dimension(Fields(item, f"{fields.name('dims')}[{index}]"))
        for index, item in enumerate(fields.items("dims"))
    )
    rank = ARRAY_RANKS.get(kind)
    if rank is not None and len(dims) != rank:
        raise ProblemFormatError(
            f"{fields.name('dims')}: {_a(kind.value)} has {rank} dimension(s), got {len(dims)}"
        )
    return dims


PARAMETER_FIELDS = {"name", "kind", "sent_as", "min", "max", "dims", "min_length", "max_length"}


def parse_parameter(fields: Fields) -> Parameter:
    fields.refuse_unknown(PARAMETER_FIELDS)
    kind = fields.choice("kind", ParameterKind)
    sent_as = fields.choice("sent_as", SentAs)
    low, high = fields.number("min"), fields.number("max")
    if low > high:
        raise ProblemFormatError(f"{fields.path}: min ({low}) is greater than max ({high})")
    dims: tuple[Dimension, ...] = ()
    if kind in (ParameterKind.INTEGER, ParameterKind.REAL):
        if sent_as is not SentAs.FLOAT:
            raise ProblemFormatError(f"{fields.name('sent_as')}: {_a(kind.value)} is sent as float")
        if "dims" in fields.data:
            raise ProblemFormatError(f"{fields.name('dims')}: {_a(kind.value)} has no dimensions")
    else:
        if sent_as not in ARRAY_SENT_AS:
            allowed = " or ".join(s.value for s in ARRAY_SENT_AS)
            raise ProblemFormatError(
                f"{fields.name('sent_as')}: {_a(kind.value)} is sent as {allowed}"
            )
        dims = _dims(fields, kind)
    parameter = Parameter(
        name=fields.string("name"), kind=kind, sent_as=sent_as, min=low, max=high, dims=dims
    )
    if parameter.integral and not (low.is_integer() and high.is_integer()):
        raise ProblemFormatError(f"{fields.path}: integer values need integral min and max")
    if sent_as is SentAs.INT32_ARRAY and not INT32_RANGE[0] <= low <= high <= INT32_RANGE[1]:
        raise ProblemFormatError(f"{fields.path}: an int32_array's min and max must fit in int32")
    return parameter

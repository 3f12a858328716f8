"""Typed, validated view of problem.yaml: the one source of truth for limits and tolerance."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml

from judgekit.errors import ProblemFormatError
from judgekit.package.fields import Fields
from judgekit.package.parameters import Parameter, parse_parameter

PROBLEM_FILE = "problem.yaml"
DEFAULT_CHECKER = Path("checker") / "vector_checker.py"


class Device(StrEnum):
    CPU = "cpu"
    GPU = "gpu"


class TimeClock(StrEnum):
    """The clock the time limits are on."""

    CPU = "cpu"
    """User CPU seconds of every process in the submission's container, read by the judge host
    from the container's cgroup; a wall-clock backstop stops a run that waits or keeps the
    kernel busy (system time is not counted: its cost depends on the host)."""
    WALL = "wall"
    """Wall-clock seconds as the judge host sees them (depends on the host's load)."""


class Visibility(StrEnum):
    PUBLIC = "public"
    HIDDEN = "hidden"


@dataclass(frozen=True)
class EntryPoint:
    function: str
    parameters: tuple[Parameter, ...]

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    def runner_parameters(self) -> list[dict[str, str]]:
        """The parameters as sandbox/runner.py's job file names them."""
        return [{"name": p.name, "sent_as": p.sent_as.value} for p in self.parameters]

    @property
    def signature(self) -> str:
        return f"{self.function}({', '.join(p.name for p in self.parameters)})"


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float

    def allowed(self, expected: float) -> float:
        return self.atol + self.rtol * abs(expected)


@dataclass(frozen=True)
class Output:
    shape: tuple[int, ...]
    names: tuple[str, ...]
    tolerance: Tolerance


@dataclass(frozen=True)
class WallBackstop:
    """The wall-clock limit above each CPU-time limit: FACTOR x the limit + SLACK_S seconds,
    counted while the host lets the container run (time it was starved is not counted)."""

    factor: float
    slack_s: float

    def seconds(self, limit_s: float) -> float:
        return self.factor * limit_s + self.slack_s


@dataclass(frozen=True)
class Limits:
    time_per_case_s: float
    startup_s: float
    total_time_s: float
    memory_mib: int
    output_bytes: int
    submission_bytes: int
    clock: TimeClock
    """The clock the three time limits are on."""
    wall_backstop: WallBackstop
    """Used when CLOCK is cpu: how long a phase may take in wall-clock time."""

    def wall_limit_s(self, limit_s: float) -> float:
        """The wall-clock limit that goes with the time limit LIMIT_S (a phase's or the run's)."""
        return self.wall_backstop.seconds(limit_s) if self.clock is TimeClock.CPU else limit_s


@dataclass(frozen=True)
class TestGroup:
    name: str
    visibility: Visibility


@dataclass(frozen=True)
class Problem:
    id: str
    title: str
    version: int
    entry_point: EntryPoint
    output: Output
    limits: Limits
    devices: tuple[Device, ...]
    test_groups: tuple[TestGroup, ...]
    root: Path
    checker: Path = DEFAULT_CHECKER
    """The checker file, relative to ROOT (problem.yaml's `checker`)."""
    # The trusted reference solution, relative to root: `reference:` in problem.yaml, else
    # reference/<entry point>.py.
    reference: Path = Path()

    def group(self, name: str) -> TestGroup:
        for group in self.test_groups:
            if group.name == name:
                return group
        raise KeyError(name)

    @property
    def public_groups(self) -> list[str]:
        return [g.name for g in self.test_groups if g.visibility is Visibility.PUBLIC]

    @property
    def hidden_groups(self) -> frozenset[str]:
        return frozenset(g.name for g in self.test_groups if g.visibility is Visibility.HIDDEN)

    @property
    def group_names(self) -> list[str]:
        return [g.name for g in self.test_groups]

    @property
    def testcases_dir(self) -> Path:
        return self.root / "testcases"


def _entry_point(fields: Fields) -> EntryPoint:
    function = fields.string("function")
    if not function.isidentifier():
        raise ProblemFormatError(f"{fields.name('function')}: {function!r} is not a Python name")
    parameters = tuple(
        parse_parameter(Fields(item, f"{fields.name('parameters')}[{index}]"))
        for index, item in enumerate(fields.items("parameters"))
    )
    names = [p.name for p in parameters]
    if len(set(names)) != len(names):
        raise ProblemFormatError(f"{fields.name('parameters')}: parameter names repeat: {names}")
    return EntryPoint(function=function, parameters=parameters)


def _output(fields: Fields) -> Output:
    shape_items = fields.items("shape")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape_items):
        raise ProblemFormatError(f"{fields.name('shape')}: expected positive integers")
    shape = tuple(int(n) for n in shape_items)  # type: ignore[call-overload]
    names = tuple(str(n) for n in fields.items("names"))
    if len(names) != math.prod(shape):
        raise ProblemFormatError(
            f"{fields.name('names')}: {len(names)} names for an output of {math.prod(shape)} values"
        )
    tolerance = fields.sub("tolerance")
    return Output(
        shape=shape,
        names=names,
        tolerance=Tolerance(
            rtol=tolerance.number("rtol", non_negative=True),
            atol=tolerance.number("atol", non_negative=True),
        ),
    )


def _limits(fields: Fields) -> Limits:
    limits = Limits(
        time_per_case_s=fields.number("time_per_case_s", positive=True),
        startup_s=fields.number("startup_s", positive=True),
        total_time_s=fields.number("total_time_s", positive=True),
        memory_mib=fields.integer("memory_mib", minimum=64),
        output_bytes=fields.integer("output_bytes", minimum=1024),
        submission_bytes=fields.integer("submission_bytes", minimum=1),
        clock=fields.choice("clock", TimeClock),
        wall_backstop=_wall_backstop(fields.sub("wall_backstop")),
    )
    if limits.total_time_s < limits.time_per_case_s:
        raise ProblemFormatError(f"{fields.name('total_time_s')}: is less than time_per_case_s")
    return limits


def _wall_backstop(fields: Fields) -> WallBackstop:
    fields.refuse_unknown({"factor", "slack_s"})
    factor = fields.number("factor")
    if factor < 1:
        raise ProblemFormatError(f"{fields.name('factor')}: must be at least 1, got {factor:g}")
    return WallBackstop(factor=factor, slack_s=fields.number("slack_s", non_negative=True))


def _package_file(fields: Fields, key: str, default: Path) -> Path:
    """A Python file inside the package, as a relative path; DEFAULT when the key is absent."""
    if key not in fields.data:
        return default
    text = fields.string(key)
    path = Path(text)
    if path.is_absolute() or ".." in path.parts or path.suffix != ".py":
        raise ProblemFormatError(
            f"{fields.name(key)}: expected a .py file inside the package, got {text!r}"
        )
    return path


def parse_problem(data: object, root: Path) -> Problem:
    """Turn the parsed YAML document into a Problem, or raise naming the first bad field."""
    fields = Fields(data, "")
    devices = tuple(
        Fields({"device": item}, "devices").choice("device", Device)
        for item in fields.items("devices")
    )
    groups = tuple(
        TestGroup(
            name=group.string("name"),
            visibility=group.choice("visibility", Visibility),
        )
        for group in (
            Fields(item, f"test_groups[{index}]")
            for index, item in enumerate(fields.items("test_groups"))
        )
    )
    entry_point = _entry_point(fields.sub("entry_point"))
    return Problem(
        id=fields.string("id"),
        title=fields.string("title"),
        version=fields.integer("version", minimum=1),
        entry_point=entry_point,
        output=_output(fields.sub("output")),
        limits=_limits(fields.sub("limits")),
        devices=devices,
        test_groups=groups,
        root=root,
        checker=_package_file(fields, "checker", DEFAULT_CHECKER),
        # The reference: `reference:`, else reference/<entry point>.py.
        reference=_package_file(
            fields, "reference", Path("reference") / f"{entry_point.function}.py"
        ),
    )


def load_problem(root: Path) -> Problem:
    """Load and validate ROOT/problem.yaml."""
    path = root / PROBLEM_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProblemFormatError(
            f"{path}: not found; run judgekit from the problem package or pass --problem DIR"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ProblemFormatError(f"{path}: not valid YAML: {error}") from None
    try:
        return parse_problem(data, root.resolve())
    except ProblemFormatError as error:
        raise ProblemFormatError(f"{path}: {error}") from None

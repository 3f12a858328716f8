"""The result of judging one submission, typed from the judge to the page, and its one JSON
form: what `judgekit run --json` prints, the HTTP API returns, the web's database stores and
a judge host sends (`to_json`, read back strictly by `from_json`).

JSON schema::

    {
      "verdict": "AC",                  # overall: the first failing case's verdict, else AC
      "message": "...",                 # for the learner
      "device": "cpu", "image": "judgekit-sandbox-cpu:<digest>", "platform": "cpu",
      "time_ms": 2345,                  # wall time of the whole run, measured by the judge
      "cpu_ms": 2100,                   # the container's user CPU time (the limits' clock)
      "reruns": 0,                      # runs done again because the host starved them
      "prewarmed": false,               # a sandbox ready ahead of demand (pool or snapshot)
      "passed": 137, "total": 138,      # cases accepted, cases judged
      "cases": [
        {"id": "sample/01-statement-example", "group": "sample", "verdict": "AC",
         "time_ms": 12, "cpu_ms": 11,      # wall and CPU time; both null for hidden cases
         "message": "...",
         "input": {...}, "expected": [...], "got": [...]}   # these three: public cases only
      ],
      "fuzz_seed": 123,                 # only when fuzz cases were added
      "stderr": "...",                  # only when the run wrote to stderr
      "fuzz_failure": {"case": "fuzz/0007", "input": {...}, "saved_as": "fuzz-seed-123"}
    }                                   # only when a fuzz case failed; saved_as when filed

A case is public in the JSON when it has `input`. The JSON is strict
(judgekit.judge.strict_json): a non-finite number in `expected` or `got` is the string "NaN",
"Infinity" or "-Infinity", and a lone surrogate in any text is U+FFFD. `to_json` writes a
report as it is; what a learner may see of one is judgekit.judge.learner_view's rule, applied
before it leaves the judge. `from_json` refuses anything else with a MalformedJson that names
the field: an unknown field, a wrong type, a negative time, `passed` or `total` that do not
count the cases. Fields added since the first stored results (cpu_ms, reruns, prewarmed,
passed, total) may be absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from judgekit.judge.json_fields import Fields, MalformedJson
from judgekit.judge.strict_json import json_safe
from judgekit.judge.verdict import Verdict

VERDICTS = tuple(verdict.value for verdict in Verdict)
_CASE_FIELDS = (
    "id",
    "group",
    "verdict",
    "time_ms",
    "cpu_ms",
    "message",
    "input",
    "expected",
    "got",
)
_REPORT_FIELDS = (
    "verdict",
    "message",
    "device",
    "image",
    "platform",
    "time_ms",
    "cpu_ms",
    "reruns",
    "prewarmed",
    "passed",
    "total",
    "cases",
    "fuzz_seed",
    "stderr",
    "fuzz_failure",
)
MAX_FUZZ_SEED = 2**64 - 1


def _verdict(fields: Fields) -> Verdict:
    return Verdict(fields.choice("verdict", VERDICTS))


def _tuple(values: Sequence[float] | None) -> tuple[float, ...] | None:
    return None if values is None else tuple(values)


@dataclass(frozen=True)
class CaseResult:
    id: str
    group: str
    verdict: Verdict
    time_ms: int | None
    message: str
    public: bool
    """Whether the learner may see this case's data (judgekit.judge.learner_view.is_public);
    a case that is not public has no input, expected or got in its JSON."""
    input: Mapping[str, Any] | None = None
    expected: Sequence[float] | None = None
    got: Sequence[float] | None = None
    cpu_ms: int | None = None
    """The container's CPU time for this case (time_ms is its wall-clock time)."""

    def __post_init__(self) -> None:
        # Tuples, so that a case compares equal to itself read back from its JSON.
        object.__setattr__(self, "expected", _tuple(self.expected))
        object.__setattr__(self, "got", _tuple(self.got))

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "group": self.group,
            "verdict": self.verdict.value,
            "time_ms": self.time_ms,
            "cpu_ms": self.cpu_ms,
            "message": self.message,
        }
        if self.public:
            data["input"] = dict(self.input) if self.input is not None else {}
            data["expected"] = list(self.expected) if self.expected is not None else None
            data["got"] = list(self.got) if self.got is not None else None
        safe: dict[str, object] = json_safe(data)
        return safe

    @classmethod
    def from_json(cls, value: object, where: str = "the case") -> CaseResult:
        """The case whose JSON is VALUE; MalformedJson naming the field (in WHERE) if it is
        not one."""
        fields = Fields.of(value, where)
        return cls._read(fields)

    @classmethod
    def _read(cls, fields: Fields) -> CaseResult:
        fields.only(_CASE_FIELDS)
        shown_input = fields.optional_object("input")
        return cls(
            id=fields.text("id"),
            group=fields.text("group"),
            verdict=_verdict(fields),
            time_ms=fields.optional_integer("time_ms"),
            cpu_ms=fields.optional_integer("cpu_ms"),
            message=fields.optional_text("message") or "",
            public=shown_input is not None,
            input=dict(shown_input.data) if shown_input is not None else None,
            expected=fields.optional_numbers("expected"),
            got=fields.optional_numbers("got"),
        )


@dataclass(frozen=True)
class FuzzFailure:
    """The first failing fuzz case, shrunk to a smallest input that still fails."""

    case: str
    input: Mapping[str, Any]
    saved_as: str | None = None
    """The regression case it was filed as (`judgekit run --save-failures`)."""

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"case": self.case, "input": dict(self.input)}
        if self.saved_as is not None:
            data["saved_as"] = self.saved_as
        return data

    @classmethod
    def _read(cls, fields: Fields) -> FuzzFailure:
        fields.only(("case", "input", "saved_as"))
        return cls(
            case=fields.text("case"),
            input=dict(fields.object("input").data),
            saved_as=fields.optional_text("saved_as"),
        )


@dataclass(frozen=True)
class JudgeReport:
    verdict: Verdict
    message: str
    device: str
    image: str
    cases: tuple[CaseResult, ...] = ()
    platform: str | None = None
    time_ms: int | None = None
    cpu_ms: int | None = None
    """The container's CPU time over the run (time_ms is its wall-clock time)."""
    reruns: int = 0
    """How many times the run was done again because the host starved it."""
    fuzz_seed: int | None = None
    prewarmed: bool = False
    """Judged in a sandbox started ahead of demand (its start-up was off the clock)."""
    stderr: str | None = None
    """What the run wrote to stderr; None when nothing."""
    fuzz_failure: FuzzFailure | None = None

    @property
    def passed(self) -> int:
        return sum(1 for case in self.cases if case.verdict is Verdict.AC)

    @property
    def total(self) -> int:
        return len(self.cases)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "verdict": self.verdict.value,
            "message": self.message,
            "device": self.device,
            "image": self.image,
            "platform": self.platform,
            "time_ms": self.time_ms,
            "cpu_ms": self.cpu_ms,
            "reruns": self.reruns,
            "prewarmed": self.prewarmed,
            "passed": self.passed,
            "total": self.total,
            "cases": [case.to_json() for case in self.cases],
        }
        if self.fuzz_seed is not None:
            data["fuzz_seed"] = self.fuzz_seed
        if self.stderr is not None:
            data["stderr"] = self.stderr
        if self.fuzz_failure is not None:
            data["fuzz_failure"] = self.fuzz_failure.to_json()
        safe: dict[str, object] = json_safe(data)
        return safe

    @classmethod
    def from_json(cls, value: object, where: str = "the result") -> JudgeReport:
        """The report whose JSON is VALUE; MalformedJson naming the field (in WHERE) if it is
        not one."""
        fields = Fields.of(value, where)
        fields.only(_REPORT_FIELDS)
        failure = fields.optional_object("fuzz_failure")
        report = cls(
            verdict=_verdict(fields),
            message=fields.text("message"),
            device=fields.text("device"),
            image=fields.text("image"),
            cases=tuple(CaseResult._read(case) for case in fields.objects("cases")),
            platform=fields.optional_text("platform"),
            time_ms=fields.optional_integer("time_ms"),
            cpu_ms=fields.optional_integer("cpu_ms"),
            reruns=fields.optional_integer("reruns") or 0,
            fuzz_seed=fields.optional_integer("fuzz_seed", 0, MAX_FUZZ_SEED),
            prewarmed=fields.boolean("prewarmed", default=False),
            stderr=fields.optional_text("stderr"),
            fuzz_failure=FuzzFailure._read(failure) if failure is not None else None,
        )
        for name, count in (("passed", report.passed), ("total", report.total)):
            stated = fields.optional_integer(name)
            if stated is not None and stated != count:
                raise MalformedJson(
                    f"`{name}` of {where}", f"is {stated}, but the cases listed make {count}"
                )
        return report

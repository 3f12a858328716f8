"""The result of judging one submission: typed, and the JSON object `judgekit run --json` prints.

JSON schema (also returned by the HTTP API when a submission is done)::

    {
      "verdict": "AC",                  # overall: the first failing case's verdict, else AC
      "message": "...",                 # for the learner
      "device": "cpu", "image": "judgekit-sandbox-cpu:<digest>", "platform": "cpu",
      "time_ms": 2345,                  # wall time of the whole run, measured by the judge
      "cpu_ms": 2100,                   # the container's CPU time (the clock limits are on)
      "reruns": 0,                      # runs done again because the host starved them
      "prewarmed": false,               # a sandbox ready ahead of demand (pool or snapshot)
      "passed": 137, "total": 138,      # cases accepted, cases judged
      "cases": [
        {"id": "sample/01-statement-example", "group": "sample", "verdict": "AC",
         "time_ms": 12, "cpu_ms": 11,      # wall and CPU time; both null for hidden cases
         "message": "...",
         "input": {...}, "expected": [...], "got": [...]}   # these three: public groups only
      ],
      "fuzz_seed": 123                  # only when fuzz cases were added
    }

The JSON is strict (judgekit.judge.strict_json): a non-finite number in `expected` or `got` is the
string "NaN", "Infinity" or "-Infinity", and a lone surrogate in any text is U+FFFD. What a
hidden case shows is judgekit.judge.learner_view's rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from judgekit.judge.learner_view import hidden_case
from judgekit.judge.strict_json import json_safe
from judgekit.judge.verdict import Verdict


@dataclass(frozen=True)
class CaseResult:
    id: str
    group: str
    verdict: Verdict
    time_ms: int | None
    message: str
    public: bool
    input: Mapping[str, Any] | None = None
    expected: Sequence[float] | None = None
    got: Sequence[float] | None = None
    cpu_ms: int | None = None
    """The container's CPU time for this case (time_ms is its wall-clock time)."""

    def to_json(self) -> dict[str, Any]:
        """The case as the learner sees it (judgekit.judge.learner_view)."""
        data: dict[str, Any] = {
            "id": self.id,
            "group": self.group,
            "verdict": self.verdict.value,
            "time_ms": self.time_ms,
            "cpu_ms": self.cpu_ms,
            "message": self.message,
            "input": dict(self.input) if self.input is not None else None,
            "expected": list(self.expected) if self.expected is not None else None,
            "got": list(self.got) if self.got is not None else None,
        }
        safe: dict[str, Any] = json_safe(data if self.public else hidden_case(data))
        return safe


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
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> int:
        return sum(1 for case in self.cases if case.verdict is Verdict.AC)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
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
            "total": len(self.cases),
            "cases": [case.to_json() for case in self.cases],
        }
        if self.fuzz_seed is not None:
            data["fuzz_seed"] = self.fuzz_seed
        data.update(self.extra)
        safe: dict[str, Any] = json_safe(data)
        return safe

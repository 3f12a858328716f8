"""A hidden case's exact time is a timing channel for its input: what a learner sees (the
report's JSON, the web's stored and live results) has time_ms null for hidden cases, while
public cases and the whole run keep their times."""

from __future__ import annotations

from judgekit.judge.learner_view import learner_case, learner_report
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Problem

PUBLIC = CaseResult("sample/01", "sample", Verdict.AC, 11, "", True, {"seed": 0}, [1.0], [1.0])
HIDDEN = CaseResult("secret/case-001", "secret", Verdict.WA, 1234, "differs", False)


def test_a_hidden_case_has_no_time_in_what_the_learner_sees(problem: Problem) -> None:
    assert learner_case(HIDDEN, problem.hidden_groups).to_json()["time_ms"] is None
    assert learner_case(PUBLIC, problem.hidden_groups).to_json()["time_ms"] == 11


def test_the_web_result_keeps_the_run_time_but_not_the_hidden_case_time(
    problem: Problem,
) -> None:
    report = JudgeReport(Verdict.WA, "m", "cpu", "i", (PUBLIC, HIDDEN), "cpu", time_ms=4321)
    served = learner_report(report, problem.hidden_groups)
    assert served.time_ms == 4321
    assert [case.time_ms for case in served.cases] == [11, None]


def test_a_stored_hidden_case_with_a_time_is_shown_without_it(problem: Problem) -> None:
    # A row stored before the rule, read back: the time is dropped as it leaves.
    raw = {**HIDDEN.to_json(), "time_ms": 1234}
    stored = CaseResult.from_json(raw)
    assert stored.time_ms == 1234
    assert learner_case(stored, problem.hidden_groups).time_ms is None

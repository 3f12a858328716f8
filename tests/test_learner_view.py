"""What a learner may see of a judgement: one test per rule of judgekit.judge.learner_view."""

from __future__ import annotations

from dataclasses import replace

from judgekit.judge.judging import _shown_ids
from judgekit.judge.learner_view import (
    case_message,
    hidden_case,
    hidden_case_id,
    is_public,
    learner_case,
    learner_report,
    overall_message,
)
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Problem, Visibility
from judgekit.package.testcase import TestCase

HIDDEN = frozenset({"secret"})
PUBLIC_CASE = CaseResult(
    "sample/01", "sample", Verdict.AC, 11, "ok", True, {"seed": 0}, [1.0], [1.0], cpu_ms=10
)
HIDDEN_CASE = CaseResult(
    "secret/case-007",
    "secret",
    Verdict.WA,
    1234,
    "element 1: expected 42.5",
    False,
    {"seed": 123456},
    [42.5],
    [0.0],
    cpu_ms=1200,
)


def _report(*cases: CaseResult, message: str = "m", stderr: str | None = None) -> JudgeReport:
    return JudgeReport(Verdict.WA, message, "cpu", "img", cases, time_ms=4321, stderr=stderr)


def test_a_case_is_public_unless_its_group_is_hidden(problem: Problem) -> None:
    assert is_public("sample", HIDDEN) and not is_public("secret", HIDDEN)
    shown = {
        group.name: is_public(group.name, problem.hidden_groups) for group in problem.test_groups
    }
    assert shown == {
        group.name: group.visibility is Visibility.PUBLIC for group in problem.test_groups
    }


def test_a_public_case_shows_everything() -> None:
    assert learner_case(PUBLIC_CASE, HIDDEN) == PUBLIC_CASE


def test_a_hidden_case_shows_its_id_group_verdict_and_verdict_title_only() -> None:
    assert learner_case(HIDDEN_CASE, HIDDEN) == CaseResult(
        "secret/case-007", "secret", Verdict.WA, None, "Wrong Answer", False
    )
    assert learner_case(HIDDEN_CASE, HIDDEN).to_json() == {
        "id": "secret/case-007",
        "group": "secret",
        "verdict": "WA",
        "time_ms": None,
        "cpu_ms": None,
        "message": "Wrong Answer",
    }


def test_a_case_of_a_hidden_group_is_hidden_even_when_it_came_whole() -> None:
    whole = replace(HIDDEN_CASE, public=True)
    assert learner_case(whole, HIDDEN) == learner_case(HIDDEN_CASE, HIDDEN)


def test_a_case_that_came_without_its_data_stays_hidden_in_a_public_group() -> None:
    shown = learner_case(replace(PUBLIC_CASE, public=False), HIDDEN)
    assert not shown.public and shown.input is None and shown.time_ms is None


def test_a_hidden_case_message_is_its_verdict_title_even_for_a_limit() -> None:
    limit = "time limit exceeded: no result within 10 s"
    assert case_message(Verdict.TLE, limit, public=False) == Verdict.TLE.title
    assert case_message(Verdict.TLE, limit, public=True) == limit


def test_the_overall_message_says_only_where_a_hidden_case_failed() -> None:
    assert (
        overall_message(Verdict.WA, "secret/case-007", "x", public=False)
        == "Wrong Answer on secret/case-007"
    )
    assert (
        overall_message(Verdict.WA, "sample/01", "x", public=True) == "Wrong Answer on sample/01: x"
    )


def test_a_report_failing_on_a_hidden_case_has_its_message_replaced() -> None:
    served = learner_report(_report(PUBLIC_CASE, HIDDEN_CASE, message="quotes 42.5"), HIDDEN)
    assert served.message == "Wrong Answer on secret/case-007"


def test_a_report_failing_on_a_public_case_keeps_its_message() -> None:
    failing = replace(PUBLIC_CASE, verdict=Verdict.WA)
    served = learner_report(_report(failing, HIDDEN_CASE, message="differs"), HIDDEN)
    assert served.message == "differs"


def test_no_stderr_when_any_hidden_case_ran() -> None:
    served = learner_report(_report(PUBLIC_CASE, HIDDEN_CASE, stderr="seed=123456"), HIDDEN)
    assert served.stderr is None and "stderr" not in served.to_json()


def test_stderr_stays_when_only_public_cases_ran() -> None:
    served = learner_report(_report(PUBLIC_CASE, stderr="debug"), HIDDEN)
    assert served.stderr == "debug"


def test_the_run_time_stays_and_a_report_without_cases_is_unchanged() -> None:
    assert learner_report(_report(HIDDEN_CASE), HIDDEN).time_ms == 4321
    judge_error = JudgeReport(Verdict.JE, "the Docker engine did not answer", "cpu", "")
    assert learner_report(judge_error, HIDDEN) == judge_error


def test_the_view_is_idempotent() -> None:
    once = learner_report(_report(PUBLIC_CASE, HIDDEN_CASE, stderr="s"), HIDDEN)
    assert learner_report(once, HIDDEN) == once


def test_a_hidden_cases_file_name_is_never_shown_only_its_place_in_its_group() -> None:
    cases = [
        TestCase(group=group, name=name, input={})
        for group, name in [("sample", "1"), ("secret", "10-zero-x"), ("secret", "fuzz-001")]
    ]
    assert _shown_ids(cases, [True, False, False]) == [
        "sample/1",
        "secret/case-001",
        "secret/case-002",
    ]
    assert hidden_case_id("secret", 7) == "secret/case-007"


def test_the_rule_on_the_way_out_hides_a_stored_file_name_and_keeps_a_shown_id() -> None:
    stored = CaseResult("secret/10-zero-x", "secret", Verdict.WA, None, "m", False)
    shown = hidden_case(stored).id
    assert "zero" not in shown and shown.startswith("secret/case-x")
    assert hidden_case(replace(stored, id=shown)).id == shown
    assert hidden_case(replace(stored, id="secret/case-017")).id == "secret/case-017"
    report = learner_report(_report(stored, message="WA on secret/10-zero-x: x"), HIDDEN)
    assert "zero" not in report.message and report.message == f"Wrong Answer on {shown}"

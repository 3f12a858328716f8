"""What a learner may see of a judgement: one test per rule of judgekit.judge.learner_view."""

from __future__ import annotations

from typing import Any

from judgekit.judge.judging import _shown_ids
from judgekit.judge.learner_view import (
    case_message,
    hidden_case,
    hidden_case_id,
    learner_case,
    learner_report,
    overall_message,
)
from judgekit.judge.verdict import Verdict
from judgekit.package.testcase import TestCase

HIDDEN = frozenset({"secret"})
PUBLIC_CASE: dict[str, Any] = {
    "id": "sample/01",
    "group": "sample",
    "verdict": "AC",
    "time_ms": 11,
    "message": "ok",
    "input": {"seed": 0},
    "expected": [1.0],
    "got": [1.0],
}
HIDDEN_CASE: dict[str, Any] = {
    "id": "secret/case-007",
    "group": "secret",
    "verdict": "WA",
    "time_ms": 1234,
    "cpu_ms": 1200,
    "message": "element 1: expected 42.5",
    "input": {"seed": 123456},
    "expected": [42.5],
    "got": [0.0],
}


def _report(*cases: dict[str, Any], message: str = "m") -> dict[str, Any]:
    return {"verdict": "WA", "message": message, "time_ms": 4321, "cases": list(cases)}


def test_a_public_case_shows_everything() -> None:
    assert learner_case(PUBLIC_CASE, HIDDEN) == PUBLIC_CASE


def test_a_hidden_case_shows_its_id_group_verdict_and_verdict_title_only() -> None:
    assert learner_case(HIDDEN_CASE, HIDDEN) == {
        "id": "secret/case-007",
        "group": "secret",
        "verdict": "WA",
        "time_ms": None,
        "cpu_ms": None,
        "message": "Wrong Answer",
    }


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
    assert served["message"] == "Wrong Answer on secret/case-007"


def test_a_report_failing_on_a_public_case_keeps_its_message() -> None:
    failing = {**PUBLIC_CASE, "verdict": "WA"}
    served = learner_report(_report(failing, HIDDEN_CASE, message="differs"), HIDDEN)
    assert served["message"] == "differs"


def test_no_stderr_when_any_hidden_case_ran() -> None:
    served = learner_report({**_report(PUBLIC_CASE, HIDDEN_CASE), "stderr": "seed=123456"}, HIDDEN)
    assert "stderr" not in served


def test_stderr_stays_when_only_public_cases_ran() -> None:
    served = learner_report({**_report(PUBLIC_CASE), "stderr": "debug"}, HIDDEN)
    assert served["stderr"] == "debug"


def test_the_run_time_stays_and_a_report_without_cases_is_unchanged() -> None:
    assert learner_report(_report(HIDDEN_CASE), HIDDEN)["time_ms"] == 4321
    judge_error = {"verdict": "JE", "message": "the Docker engine did not answer"}
    assert learner_report(judge_error, HIDDEN) == judge_error


def test_the_view_is_idempotent() -> None:
    once = learner_report({**_report(PUBLIC_CASE, HIDDEN_CASE), "stderr": "s"}, HIDDEN)
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
    stored = {"id": "secret/10-zero-x", "group": "secret", "verdict": "WA", "message": "m"}
    shown = hidden_case(stored)["id"]
    assert "zero" not in shown and shown.startswith("secret/case-x")
    assert hidden_case({**stored, "id": shown})["id"] == shown
    assert hidden_case({**stored, "id": "secret/case-017"})["id"] == "secret/case-017"
    report = learner_report({"message": "WA on secret/10-zero-x: x", "cases": [stored]}, HIDDEN)
    assert "zero" not in report["message"] and report["message"] == f"Wrong Answer on {shown}"

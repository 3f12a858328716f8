"""Hidden test data never leaves the server: what the web stores and serves of a report."""

from __future__ import annotations

from judgekit.judge.learner_view import learner_report
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Problem

SECRET_INPUT = {"seed": 123456, "x": [7.0], "features": 9, "frozen_bias_value": -3.5}


def _report(problem: Problem) -> JudgeReport:
    sample = CaseResult(
        "sample/01",
        "sample",
        Verdict.AC,
        5,
        "ok",
        True,
        {"seed": 0},
        [1.0, 2.0, 3.0],
        [1.0, 2.0, 3.0],
    )
    secret = CaseResult(
        "secret/case-007",
        "secret",
        Verdict.RTE,
        5,
        f"your function raised ValueError: {SECRET_INPUT}",
        False,
        SECRET_INPUT,
        [1.0, 2.0, 3.0],
        None,
    )
    return JudgeReport(
        Verdict.RTE,
        f"Run-Time Error on secret/case-007: ValueError: {SECRET_INPUT}",
        "cpu",
        "image",
        (sample, secret),
        stderr=f"called with {SECRET_INPUT}",
    )


def test_nothing_of_a_hidden_case_reaches_the_learner(problem: Problem) -> None:
    served = repr(learner_report(_report(problem), problem.hidden_groups).to_json())
    assert "123456" not in served and "-3.5" not in served
    assert "secret/case-007" in served  # which case failed is fine to say


def test_public_cases_keep_their_input_expected_and_got(problem: Problem) -> None:
    served = learner_report(_report(problem), problem.hidden_groups)
    sample = served.cases[0]
    assert sample.input == {"seed": 0} and sample.got == (1.0, 2.0, 3.0)

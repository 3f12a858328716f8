"""The report's one JSON form: what `judgekit run --json` prints, the API serves, the database
stores and a judge host sends, read back strictly into the same typed report."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from judgekit.judge import strict_json
from judgekit.judge.json_fields import MalformedJson
from judgekit.judge.report import CaseResult, FuzzFailure, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.web.routes.api import CaseModel, FuzzFailureModel, ResultModel

PUBLIC = CaseResult(
    "sample/01",
    "sample",
    Verdict.WA,
    12,
    "element 1 (kernel_norm): got nan",
    True,
    {"seed": 0, "x": [1.0, -2.5]},
    [3.0, 2.5, 0.0],
    [3.0, math.nan, -math.inf],
    cpu_ms=11,
)
HIDDEN = CaseResult("secret/case-001", "secret", Verdict.AC, None, "Accepted", False)
REPORT = JudgeReport(
    Verdict.WA,
    "Wrong Answer on sample/01: element 1 (kernel_norm): got nan",
    "cpu",
    "judgekit-sandbox-cpu:abc",
    (PUBLIC, HIDDEN),
    platform="cpu",
    time_ms=2345,
    cpu_ms=2100,
    reruns=1,
    fuzz_seed=123,
    prewarmed=True,
    stderr="debug line",
    fuzz_failure=FuzzFailure("fuzz/0007", {"seed": 5}, saved_as="fuzz-seed-123"),
)
DOCUMENTED_KEYS = [
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
]


def _as_text(report: JudgeReport) -> Any:
    """REPORT's JSON as another program reads it: through strict JSON text."""
    return json.loads(strict_json.dumps(report.to_json()))


def test_a_report_reads_back_from_its_json_as_the_same_report() -> None:
    finite = JudgeReport(Verdict.AC, "", "cpu", "i", (HIDDEN,), platform="cpu", time_ms=3)
    assert JudgeReport.from_json(finite.to_json()) == finite
    assert JudgeReport.from_json(_as_text(finite)) == finite
    again = JudgeReport.from_json(_as_text(REPORT))
    assert strict_json.dumps(again.to_json()) == strict_json.dumps(REPORT.to_json())
    assert again.cases[0].got is not None and math.isnan(again.cases[0].got[1])
    assert again.cases[0].got[2] == -math.inf
    assert again.fuzz_failure == REPORT.fuzz_failure and again.stderr == "debug line"


def test_the_json_has_the_documented_fields_in_order_and_strict_numbers() -> None:
    data = _as_text(REPORT)
    assert list(data) == DOCUMENTED_KEYS
    assert (data["passed"], data["total"]) == (1, 2)
    assert data["cases"][0]["got"] == [3.0, "NaN", "-Infinity"]
    assert "NaN" not in strict_json.dumps(REPORT.to_json()).replace('"NaN"', "")


def test_optional_fields_are_left_out_when_there_is_nothing_to_say() -> None:
    data = _as_text(JudgeReport(Verdict.JE, "the engine did not answer", "cpu", ""))
    assert list(data) == DOCUMENTED_KEYS[:12] and data["cases"] == []


def test_a_case_is_public_in_the_json_when_it_carries_its_input() -> None:
    public, hidden = _as_text(REPORT)["cases"]
    assert {"input", "expected", "got"} <= set(public)
    assert not {"input", "expected", "got"} & set(hidden)
    assert CaseResult.from_json(public).public and not CaseResult.from_json(hidden).public
    # What a case not public holds stays off the wire, whoever made it.
    leaky = CaseResult("secret/case-002", "secret", Verdict.WA, 9, "", False, {"seed": 7}, [1.0])
    assert "input" not in leaky.to_json() and "expected" not in leaky.to_json()


def test_a_result_stored_before_the_newer_fields_still_reads() -> None:
    stored = (
        '{"verdict": "WA", "message": "m", "device": "cpu", "image": "i", "platform": "cpu",'
        ' "time_ms": 5, "cases": [{"id": "sample/01", "group": "sample", "verdict": "WA",'
        ' "time_ms": 3, "message": "x", "input": {"seed": 0}, "expected": [1], "got": [NaN]}]}'
    )
    report = JudgeReport.from_json(strict_json.loads(stored))
    assert (report.cpu_ms, report.reruns, report.prewarmed, report.passed) == (None, 0, False, 0)
    case = report.cases[0]
    assert case.expected == (1.0,) and case.got is not None and math.isnan(case.got[0])


def _bad(**changes: object) -> dict[str, object]:
    return {**REPORT.to_json(), **changes}


def _bad_case(index: int, **changes: object) -> dict[str, object]:
    cases = list(_as_text(REPORT)["cases"])
    cases[index] = {**cases[index], **changes}
    return _bad(cases=cases)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ([], "the result is [], not a JSON object"),
        (_bad(verdict="OK"), "`verdict` of the result is 'OK', expected one of AC, WA"),
        (_bad(message=None), "`message` of the result is None, expected a string"),
        (_bad(time_ms=-1), "`time_ms` of the result is -1, expected an integer from 0"),
        (_bad(prewarmed="yes"), "`prewarmed` of the result is 'yes', expected true or false"),
        (_bad(passed=2), "`passed` of the result is 2, but the cases listed make 1"),
        (_bad(total=3), "`total` of the result is 3, but the cases listed make 2"),
        (_bad(extra=1), "`extra` of the result is not a field of it"),
        (_bad(cases=[None]), "cases[0] of the result is None, not a JSON object"),
        (_bad(fuzz_failure={"case": "f"}), "`input` of `fuzz_failure` of the result is missing"),
        (_bad_case(0, got=[1.0, "nan"]), "got[1] of cases[0] of the result is 'nan', expected"),
        (_bad_case(0, input=[1]), "`input` of cases[0] of the result is [1], not a JSON object"),
        (_bad_case(1, time_ms=True), "`time_ms` of cases[1] of the result is True"),
        (_bad_case(1, id=7), "`id` of cases[1] of the result is 7, expected a string"),
        (_bad_case(1, stdout="x"), "`stdout` of cases[1] of the result is not a field of it"),
    ],
)
def test_malformed_json_is_refused_naming_the_field(data: object, named: str) -> None:
    with pytest.raises(MalformedJson) as error:
        JudgeReport.from_json(data)
    assert named in str(error.value)


def test_the_apis_result_model_describes_exactly_the_reports_json() -> None:
    """The HTTP API's schema (/openapi.json) names every field of the report and of its cases,
    and validates a full report's JSON as it is."""
    data = _as_text(REPORT)
    assert list(ResultModel.model_fields) == DOCUMENTED_KEYS
    assert list(CaseModel.model_fields) == list(data["cases"][0])  # a public case has them all
    assert list(FuzzFailureModel.model_fields) == list(data["fuzz_failure"])
    assert ResultModel.model_validate(data).model_dump(exclude_none=True) == {
        **data,
        "cases": [{k: v for k, v in case.items() if v is not None} for case in data["cases"]],
    }

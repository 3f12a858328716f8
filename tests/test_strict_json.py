"""Strict JSON from the report and from `judgekit run --json`: non-finite numbers are the
strings "NaN", "Infinity" and "-Infinity", and a lone surrogate is U+FFFD."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from judgekit.cli import main
from judgekit.commands import run as run_command
from judgekit.judge import strict_json
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict


def strict_loads(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _report() -> JudgeReport:
    case = CaseResult(
        "sample/01",
        "sample",
        Verdict.WA,
        4,
        "got \ud83d",
        True,
        {"seed": 0},
        [1.0, 2.0, 3.0],
        [math.nan, math.inf, -math.inf],
    )
    return JudgeReport(Verdict.WA, "bad \udfff", "cpu", "image", (case,), "cpu", 7)


def test_non_finite_numbers_and_lone_surrogates_have_one_spelling() -> None:
    data = {"got": (math.nan, math.inf, -math.inf, 1.5), "text": "a\ud800b", "\udc00": [2]}
    assert strict_json.json_safe(data) == {
        "got": ["NaN", "Infinity", "-Infinity", 1.5],
        "text": "a\ufffdb",
        "\ufffd": [2],
    }
    assert strict_json.loads('{"got": [NaN, -Infinity], "m": "\\ud800"}') == {
        "got": ["NaN", "-Infinity"],
        "m": "\ufffd",
    }


def test_a_valid_surrogate_pair_is_kept() -> None:
    assert strict_json.loads('"\\ud83d\\ude00"') == "\U0001f600"


def test_the_report_json_is_strict() -> None:
    text = json.dumps(_report().to_json(), allow_nan=False)
    case = strict_loads(text)["cases"][0]
    assert case["got"] == ["NaN", "Infinity", "-Infinity"] and case["message"] == "got \ufffd"


def test_run_json_prints_strict_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fake_judge(*_args: object, **_kwargs: object) -> JudgeReport:
        return _report()

    monkeypatch.setattr(run_command, "judge_with_fuzz", fake_judge)
    submission = tmp_path / "s.py"
    submission.write_text("x = 1\n")
    assert main(["run", str(submission), "--cases", "sample", "--json"]) == 1
    printed = strict_loads(capsys.readouterr().out)
    assert printed["cases"][0]["got"] == ["NaN", "Infinity", "-Infinity"]
    assert printed["message"] == "bad \ufffd"

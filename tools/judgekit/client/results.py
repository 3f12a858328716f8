"""The server's JSON (the learner view of `judgekit run --json`) read back as our report types,
so that `judgekit submit` prints results exactly as `judgekit run` does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from judgekit.errors import JudgekitError
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict


def _verdict(value: object) -> Verdict:
    try:
        return Verdict(str(value))
    except ValueError:
        raise JudgekitError(f"the server sent an unknown verdict {value!r}") from None


def _optional_int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def case_from_json(case: Mapping[str, Any]) -> CaseResult:
    return CaseResult(
        id=str(case.get("id", "?")),
        group=str(case.get("group", "")),
        verdict=_verdict(case.get("verdict")),
        time_ms=_optional_int(case.get("time_ms")),
        message=str(case.get("message") or ""),
        public=case.get("input") is not None,
        input=case.get("input"),
        expected=case.get("expected"),
        got=case.get("got"),
    )


def report_from_json(result: Mapping[str, Any]) -> JudgeReport:
    platform = result.get("platform")
    return JudgeReport(
        verdict=_verdict(result.get("verdict")),
        message=str(result.get("message") or ""),
        device=str(result.get("device") or ""),
        image=str(result.get("image") or ""),
        cases=tuple(case_from_json(case) for case in result.get("cases") or ()),
        platform=str(platform) if platform is not None else None,
        time_ms=_optional_int(result.get("time_ms")),
    )

"""The server's JSON (the learner view of `judgekit run --json`) read back as our report types,
so that `judgekit submit` prints results exactly as `judgekit run` does.

Read strictly (judgekit.client.untrusted): a field of the wrong type, an unknown verdict or a
negative time is an UnexpectedAnswer naming the field, never a traceback.
"""

from __future__ import annotations

from judgekit.client.untrusted import Fields
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict

VERDICTS = tuple(verdict.value for verdict in Verdict)


def _verdict(fields: Fields) -> Verdict:
    return Verdict(fields.choice("verdict", VERDICTS))


def case_from_json(case: Fields) -> CaseResult:
    shown_input = case.optional_object("input")
    return CaseResult(
        id=case.text("id"),
        group=case.text("group"),
        verdict=_verdict(case),
        time_ms=case.optional_integer("time_ms"),
        message=case.optional_text("message") or "",
        public=shown_input is not None,
        input=shown_input.data if shown_input is not None else None,
        expected=case.optional_list("expected"),
        got=case.optional_list("got"),
    )


def report_from_json(result: Fields) -> JudgeReport:
    return JudgeReport(
        verdict=_verdict(result),
        message=result.optional_text("message") or "",
        device=result.optional_text("device") or "",
        image=result.optional_text("image") or "",
        cases=tuple(case_from_json(case) for case in result.objects("cases")),
        platform=result.optional_text("platform"),
        time_ms=result.optional_integer("time_ms"),
    )

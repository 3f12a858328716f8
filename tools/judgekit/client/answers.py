"""The answers of the three API calls `judgekit submit` makes, parsed strictly into types.

Each parse takes the decoded JSON (anything) and returns a typed answer or raises
UnexpectedAnswer naming the field (judgekit.client.untrusted). Besides types it checks what
the API promises: ids in range, a progress row's `seq` after the `after` asked for and
increasing, a status the server has, the submission asked for and not another.
"""

from __future__ import annotations

from dataclasses import dataclass

from judgekit.client.untrusted import Fields, UnexpectedAnswer, server_answer
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.row_ids import ROW_ID_MAX

STATUSES = ("queued", "running", "done")
DONE = "done"


@dataclass(frozen=True)
class CaseRow:
    seq: int
    case: CaseResult


@dataclass(frozen=True)
class CaseProgress:
    """GET /api/submissions/{id}/cases?after=SEQ: the cases finished after SEQ."""

    status: str
    total: int
    rows: tuple[CaseRow, ...]

    @property
    def done(self) -> bool:
        return self.status == DONE


@dataclass(frozen=True)
class SubmissionState:
    """GET /api/submissions/{id}: its status and, when done, its result."""

    id: int
    status: str
    result: JudgeReport | None


@server_answer
def accepted_id(answer: object) -> int:
    """The id in the answer to POST /api/submissions."""
    return Fields.of(answer, "the upload answer").integer("id", 1, ROW_ID_MAX)


@server_answer
def case_progress(answer: object, after: int) -> CaseProgress:
    fields = Fields.of(answer, "the case progress answer")
    rows = []
    last = after
    for row in fields.objects("cases"):
        seq = row.integer("seq", last + 1, ROW_ID_MAX)
        case = row.object("case")
        rows.append(CaseRow(seq, CaseResult.from_json(case.data, case.where)))
        last = seq
    return CaseProgress(
        status=fields.choice("status", STATUSES),
        total=fields.integer("total"),
        rows=tuple(rows),
    )


@server_answer
def submission_state(answer: object, submission_id: int) -> SubmissionState:
    fields = Fields.of(answer, f"the answer for submission #{submission_id}")
    got = fields.integer("id", 1, ROW_ID_MAX)
    if got != submission_id:
        raise UnexpectedAnswer(f"`id` of {fields.where}", f"is {got}, not {submission_id}")
    result = fields.optional_object("result")
    return SubmissionState(
        id=got,
        status=fields.choice("status", STATUSES),
        result=JudgeReport.from_json(result.data, result.where) if result is not None else None,
    )

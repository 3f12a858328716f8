"""The class routes of the JSON API: grade export for admins."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from judgekit.web.classroom.grades import CSV_COLUMNS, parse_deadline
from judgekit.web.classroom.pages import grades_response
from judgekit.web.routes.api import ApiUser, Context, ErrorBody

router = APIRouter(prefix="/api", tags=["api"])


class GradeModel(BaseModel):
    user: str
    attempts: int = Field(description="submissions made (up to the deadline when one is given)")
    best_verdict: str | None = Field(
        description="AC when any submission was accepted, else the verdict of the one that "
        "passed the most cases; null when nothing was judged"
    )
    best_passed: int | None
    best_total: int | None
    best_submission_id: int | None
    first_ac_at: str | None = Field(description="ISO-8601 (UTC) time the first AC was submitted")
    first_ac_submission_id: int | None
    first_ac_url: str | None = Field(description="the first AC's page")


class GradeList(BaseModel):
    deadline: str | None = Field(description="the deadline applied, ISO-8601 in UTC")
    grades: list[GradeModel] = Field(description="one per learner (admins left out), by user id")


_CSV = {
    "schema": {"type": "string"},
    "example": ",".join(CSV_COLUMNS) + "\r\n",
}
_GRADE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the grades, streamed",
        "content": {"text/csv": _CSV},
    },
    **{code: {"model": ErrorBody} for code in (401, 403, 422)},
}


@router.get(
    "/grades",
    response_model=GradeList,
    responses=_GRADE_RESPONSES,
    summary="Per learner: best verdict, attempts, first AC (admin token; CSV or JSON, streamed)",
)
def export_grades(
    request: Request,
    user: ApiUser,
    context: Context,
    format: Annotated[Literal["csv", "json"], Query(description="csv or json")] = "json",
    deadline: Annotated[
        str | None,
        Query(
            description="count only submissions made up to this ISO-8601 date-time "
            "(no offset means UTC)",
            examples=["2026-05-31T23:59:00+02:00"],
        ),
    ] = None,
) -> StreamingResponse:
    if not user.is_admin:
        raise HTTPException(403, "grade export is for admins")
    return grades_response(context, format, parse_deadline(deadline))

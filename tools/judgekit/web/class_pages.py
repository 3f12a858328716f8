"""Admin pages for a class: grade export (HTML, CSV, JSON) and similarity between submissions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from judgekit.web.context import AppContext, get_context
from judgekit.web.db import User
from judgekit.web.grades import Grade, csv_chunks, grade, json_chunks, parse_deadline
from judgekit.web.pages import login_redirect, render
from judgekit.web.views import current_user

router = APIRouter(include_in_schema=False)
Context = Annotated[AppContext, Depends(get_context)]
PageId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def admin_user(request: Request) -> User | None:
    """The signed-in admin; None when nobody is signed in; 404 for a learner (as /admin)."""
    user = current_user(request)
    if user is not None and not user.is_admin:
        raise HTTPException(404, "not found")
    return user


def grades(context: AppContext, deadline: float | None, base_url: str) -> Iterator[Grade]:
    for row in context.db.grade_rows(deadline=deadline):
        yield grade(row, base_url)


def grades_response(
    context: AppContext, kind: str, deadline: float | None, base_url: str
) -> StreamingResponse:
    """The grades as a streamed CSV or JSON download."""
    rows = grades(context, deadline, base_url)
    if kind == "csv":
        return StreamingResponse(
            csv_chunks(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="grades.csv"'},
        )
    return StreamingResponse(json_chunks(rows, deadline), media_type="application/json")


@router.get("/admin/grades", response_class=HTMLResponse)
def grades_page(request: Request, context: Context, deadline: str | None = None) -> Response:
    if admin_user(request) is None:
        return login_redirect(request)
    when = parse_deadline(deadline)
    query = f"?{urlencode({'deadline': deadline})}" if deadline else ""
    return render(
        request,
        "grades.html",
        {
            "grades": list(grades(context, when, str(request.base_url))),
            "deadline": deadline or "",
            "query": query,
        },
    )


@router.get("/admin/grades.{kind}")
def grades_download(
    request: Request, kind: str, context: Context, deadline: str | None = None
) -> Response:
    if admin_user(request) is None:
        return login_redirect(request)
    if kind not in ("csv", "json"):
        raise HTTPException(404, "grades come as grades.csv or grades.json")
    return grades_response(context, kind, parse_deadline(deadline), str(request.base_url))

"""Admin pages for a class: grade export (HTML, CSV, JSON) and similarity between submissions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from judgekit.web.classroom.grades import Grade, csv_chunks, grade, json_chunks, parse_deadline
from judgekit.web.db.ids import RowId
from judgekit.web.routes.context import AppContext, get_context, source_text
from judgekit.web.routes.pages import ADMIN_ONLY, render
from judgekit.web.similarity.measure import Regions, marked_segments

router = APIRouter(include_in_schema=False, dependencies=ADMIN_ONLY)
"""Every route here is an admin page: the router holds the one admin gate for all of them."""
Context = Annotated[AppContext, Depends(get_context)]
PageId = RowId


def grades(context: AppContext, deadline: float | None) -> Iterator[Grade]:
    for row in context.db.grade_rows(deadline=deadline):
        yield grade(row, context.settings.base_url)


def grades_response(context: AppContext, kind: str, deadline: float | None) -> StreamingResponse:
    """The grades as a streamed CSV or JSON download."""
    rows = grades(context, deadline)
    if kind == "csv":
        return StreamingResponse(
            csv_chunks(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="grades.csv"'},
        )
    return StreamingResponse(json_chunks(rows, deadline), media_type="application/json")


@router.get("/admin/grades", response_class=HTMLResponse)
def grades_page(request: Request, context: Context, deadline: str | None = None) -> Response:
    when = parse_deadline(deadline)
    query = f"?{urlencode({'deadline': deadline})}" if deadline else ""
    return render(
        request,
        "grades.html",
        {
            "grades": list(grades(context, when)),
            "deadline": deadline or "",
            "query": query,
        },
    )


@router.get("/admin/grades.{kind}")
def grades_download(kind: str, context: Context, deadline: str | None = None) -> Response:
    if kind not in ("csv", "json"):
        raise HTTPException(404, "grades come as grades.csv or grades.json")
    return grades_response(context, kind, parse_deadline(deadline))


@router.get("/admin/similarity", response_class=HTMLResponse)
def similarity_page(request: Request, context: Context) -> Response:
    return render(
        request,
        "similarity.html",
        {
            "pairs": context.db.similarity_pairs(),
            "threshold": context.settings.similarity_threshold,
            "outcomes": context.db.similarity_outcomes(),
            "latest_per_user": context.settings.similarity.latest_per_user,
        },
    )


@router.get("/admin/similarity/{first_id}/{second_id}", response_class=HTMLResponse)
def similarity_pair_page(
    request: Request, first_id: PageId, second_id: PageId, context: Context
) -> Response:
    stored = context.db.similarity_pair(first_id, second_id)
    first, second = context.db.submission(first_id), context.db.submission(second_id)
    if stored is None or first is None or second is None:
        raise HTTPException(404, f"no similar pair {first_id} and {second_id}")
    score, first_regions, second_regions = stored
    sides = [
        {
            "submission": submission,
            "segments": marked_segments(
                source_text(context, submission), _regions(json.loads(regions))
            ),
        }
        for submission, regions in ((first, first_regions), (second, second_regions))
    ]
    return render(request, "similarity_pair.html", {"score": score, "sides": sides})


def _regions(data: object) -> Regions:
    if not isinstance(data, list):
        return ()
    return tuple((int(pair[0]), int(pair[1])) for pair in data if len(pair) == 2)

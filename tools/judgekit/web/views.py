"""What the pages and the live event stream both show: who is signed in, and a submission's
result as _result.html renders it."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from judgekit.web import auth
from judgekit.web.context import AppContext, get_context
from judgekit.web.db import Submission, User
from judgekit.web.queue_place import queue_place
from judgekit.web.summary import group_summaries
from judgekit.web.templating import case_view, expected_case_count


def current_user(request: Request) -> User | None:
    context = get_context(request)
    return auth.session_user(context.db, request.cookies.get(auth.SESSION_COOKIE))


def result_values(context: AppContext, submission: Submission) -> dict[str, Any]:
    """What _result.html needs."""
    problem = context.settings.problem
    result = submission.result
    if result is not None:
        cases = list(result.get("cases", []))
    else:
        cases = [case for _seq, case in context.db.case_results(submission.id)]
    views = [case_view(case, problem) for case in cases]
    first_failing = next((v.id for v in views if v.failed and v.public), None)
    return {
        "submission": submission,
        "result": result,
        "cases": views,
        "groups": group_summaries(views, problem, context.settings.groups),
        "first_failing": first_failing,
        "expected_total": expected_case_count(problem, context.settings.groups),
        "queue": queue_place(context.db, submission, context.pool),
    }

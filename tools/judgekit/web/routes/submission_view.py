"""What the pages and the live event stream both show: who is signed in (and the admin pages'
gate), and a submission's result as _result.html renders it."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request

from judgekit.judge.verdict import Verdict
from judgekit.web.accounts import auth
from judgekit.web.db.database import Submission, User
from judgekit.web.judging.queue_place import queue_place
from judgekit.web.routes.context import AppContext, get_context, learner_cases, learner_result
from judgekit.web.routes.live_results import LiveCase, Reader
from judgekit.web.views.summary import group_summaries
from judgekit.web.views.templating import (
    case_view,
    render_case_rows,
    templates,
)


def current_user(request: Request) -> User | None:
    context = get_context(request)
    return auth.session_user(context.db, request.cookies.get(auth.SESSION_COOKIE))


def admin_user(request: Request) -> User | None:
    """The signed-in admin; None when nobody is signed in (the page sends them to log in); a
    learner gets 404, as if the admin pages did not exist."""
    user = current_user(request)
    if user is not None and not user.is_admin:
        raise HTTPException(404, "not found")
    return user


def result_values(context: AppContext, submission: Submission) -> dict[str, Any]:
    """What _result.html needs."""
    problem = context.settings.problem
    result = learner_result(context, submission)
    if result is not None:
        cases = list(result.cases)
    else:
        cases = [case for _seq, case in learner_cases(context, submission.id)]
    views = [case_view(case, problem) for case in cases]
    first_failing = next((v.id for v in views if v.failed and v.public), None)
    return {
        "submission": submission,
        "result": result,
        "cases": views,
        "groups": group_summaries(views, problem, context.settings.case_counts),
        "first_failing": first_failing,
        "expected_total": context.settings.case_total,
        "queue": queue_place(context.db, submission, context.pool),
    }


def live_reader(context: AppContext) -> Reader:
    """How the live-results poller reads a submission: what the pages would show of it."""
    problem = context.settings.problem

    def cases_after(submission: Submission, after: int) -> list[LiveCase]:
        rows = learner_cases(context, submission.id, after)
        return [
            LiveCase(
                seq=seq,
                group=case.group,
                verdict=case.verdict.value,
                html=render_case_rows(case, problem, open_first=case.verdict is not Verdict.AC),
            )
            for seq, case in rows
        ]

    def queue(submission: Submission) -> dict[str, object] | None:
        place = queue_place(context.db, submission, context.pool)
        return None if place is None else {**place.to_json(), "text": place.text}

    def result_html(submission: Submission) -> str:
        values = result_values(context, submission)
        return templates.env.get_template("_result.html").render(**values)

    return Reader(context.db.submission, cases_after, queue, result_html)

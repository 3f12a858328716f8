"""HTML pages: problem, login, submit, my submissions, one submission, admin."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from judgekit.errors import JudgekitError
from judgekit.package.testcase import load_cases
from judgekit.web.accounts import auth
from judgekit.web.accounts.password_checks import ChecksBusy
from judgekit.web.db.database import Status, User
from judgekit.web.db.ids import RowId, parse_row_id
from judgekit.web.routes.context import (
    MULTIPART_OVERHEAD,
    AppContext,
    accept_submission,
    get_context,
    parse_device,
    read_body_limited,
    source_text,
    visible_submission,
    with_body,
)
from judgekit.web.routes.submission_view import admin_user, current_user, result_values
from judgekit.web.views.markup import highlight_python, pygments_css, render_markdown
from judgekit.web.views.templating import templates

router = APIRouter(include_in_schema=False)
Context = Annotated[AppContext, Depends(get_context)]
PageId = RowId

BUSY_RETRY_S = 2

_statement_cache: dict[tuple[str, float], str] = {}


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def render(
    request: Request,
    name: str,
    values: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page; make sure the browser holds a CSRF cookie that the forms repeat."""
    context = get_context(request)
    csrf = request.cookies.get(auth.CSRF_COOKIE) or ""
    fresh = not csrf
    if fresh:
        csrf = auth.new_token()
    data: dict[str, Any] = {
        "user": current_user(request),
        "problem": context.settings.problem,
        "csrf_token": csrf,
        "csrf_field": auth.CSRF_FIELD,
        "path": request.url.path,
    }
    data.update(values or {})
    response = templates.TemplateResponse(request, name, data, status_code=status_code)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if fresh:
        response.set_cookie(
            auth.CSRF_COOKIE,
            csrf,
            httponly=True,
            samesite="lax",
            secure=context.settings.secure_cookies,
        )
    return response


def error_page(
    request: Request, status_code: int, message: str, headers: Mapping[str, str] | None
) -> HTMLResponse:
    return render(
        request,
        "error.html",
        {"status_code": status_code, "message": message},
        status_code=status_code,
        headers=headers,
    )


def login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


class SignInFirst(Exception):
    """Nobody is signed in on a page that needs someone: the app answers with
    `login_redirect` (web.app registers the handler), back to this page after the login."""


def require_admin(request: Request) -> User:
    """The one gate of every admin page, as a dependency (ADMIN_ONLY): the signed-in admin;
    nobody signed in: SignInFirst; a learner: 404, as if the admin pages did not exist."""
    user = admin_user(request)
    if user is None:
        raise SignInFirst(request.url.path)
    return user


ADMIN_ONLY = (Depends(require_admin),)
"""The `dependencies` of every admin route (here and in web.classroom.pages)."""


def check_csrf(request: Request, form: FormData) -> None:
    field = form.get(auth.CSRF_FIELD)
    if not auth.tokens_match(
        field if isinstance(field, str) else None, request.cookies.get(auth.CSRF_COOKIE)
    ):
        raise HTTPException(403, "the form has expired or came from another site; reload the page")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/submissions"


# -- problem -------------------------------------------------------------------------------


def statement_html(context: AppContext) -> str:
    path = context.settings.problem.root / "statement.md"
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError:
        return "<p><em>The statement is not written yet.</em></p>"
    if key not in _statement_cache:
        _statement_cache.clear()
        _statement_cache[key] = render_markdown(path.read_text(encoding="utf-8"))
    return _statement_cache[key]


def sample_cases(context: AppContext) -> list[Any]:
    problem = context.settings.problem
    try:
        return load_cases(problem.testcases_dir, problem.public_groups)
    except JudgekitError:
        return []


@router.get("/", response_class=HTMLResponse)
def problem_page(request: Request, context: Context) -> Response:
    return render(
        request,
        "problem.html",
        {
            "statement": statement_html(context),
            "samples": sample_cases(context),
            "limits": context.settings.problem.limits,
            "devices": context.settings.devices,
        },
    )


@router.get("/pygments.css")
def pygments_stylesheet() -> Response:
    return Response(pygments_css(), media_type="text/css")


# -- login ---------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
async def login_submit(request: Request, context: Context) -> Response:
    body = await read_body_limited(request, 16 * 1024)
    form = await with_body(request, body).form(max_files=0, max_fields=8)
    check_csrf(request, form)
    name = str(form.get("name") or "")
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or ""))
    throttle = context.login_throttle
    attempt = throttle.attempt(
        name,
        request.client.host if request.client else "unknown",
        request.cookies.get(auth.DEVICE_COOKIE),
    )
    values = {"next": target, "name": name}
    wait_s = math.ceil(throttle.wait_s(attempt))
    if wait_s > 0:
        return render(
            request,
            "login.html",
            {**values, "error": f"Too many wrong passwords: try again in {wait_s} s."},
            status_code=429,
            headers={"Retry-After": str(wait_s)},
        )
    throttle.tried(attempt)
    try:
        session = await context.password_checks.run(
            functools.partial(auth.login, context.db, name, password),
            known_device=attempt.device is not None,
        )
    except ChecksBusy:
        return render(
            request,
            "login.html",
            {**values, "error": "The server is busy checking other logins: try again shortly."},
            status_code=503,
            headers={"Retry-After": str(BUSY_RETRY_S)},
        )
    if session is None:
        throttle.failed(attempt)
        return render(
            request,
            "login.html",
            {**values, "error": "Wrong name or password."},
            status_code=401,
        )
    response = RedirectResponse(target, status_code=303)
    secure = context.settings.secure_cookies
    response.set_cookie(
        auth.SESSION_COOKIE,
        session,
        max_age=auth.SESSION_LIFETIME_S,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    response.set_cookie(
        auth.DEVICE_COOKIE,
        throttle.succeeded(attempt),
        max_age=auth.DEVICE_LIFETIME_S,
        httponly=True,
        samesite="strict",
        secure=secure,
    )
    return response


@router.post("/logout")
async def logout(request: Request, context: Context) -> Response:
    body = await read_body_limited(request, 16 * 1024)
    form = await with_body(request, body).form(max_files=0, max_fields=4)
    check_csrf(request, form)
    session = request.cookies.get(auth.SESSION_COOKIE)
    if session:
        context.db.delete_session(auth.token_hash(session))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE)
    return response


# -- submit --------------------------------------------------------------------------------


@router.get("/submit", response_class=HTMLResponse)
def submit_page(request: Request, context: Context) -> Response:
    if current_user(request) is None:
        return login_redirect(request)
    return render(request, "submit.html", _submit_values(context, None))


def _submit_values(context: AppContext, error: str | None, code: str = "") -> dict[str, Any]:
    return {
        "devices": context.settings.devices,
        "limit": context.settings.upload_limit,
        "error": error,
        "code": code,
    }


@router.post("/submit")
async def submit_form(request: Request, context: Context) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    limit = context.settings.upload_limit
    try:
        body = await read_body_limited(request, 2 * limit + MULTIPART_OVERHEAD)
    except HTTPException as error:
        return render(
            request, "submit.html", _submit_values(context, str(error.detail)), status_code=413
        )
    try:
        form = await with_body(request, body).form(max_files=1, max_fields=8)
    except Exception:
        raise HTTPException(400, "cannot read the form") from None
    check_csrf(request, form)
    upload = form.get("file")
    code = form.get("code")
    if isinstance(upload, UploadFile) and upload.filename:
        content, filename = await upload.read(), upload.filename
    else:
        content = (code if isinstance(code, str) else "").replace("\r\n", "\n").encode("utf-8")
        filename = "editor.py"
    device_value = form.get("device")
    try:
        device = parse_device(context, device_value if isinstance(device_value, str) else None)
        from starlette.concurrency import run_in_threadpool

        submission_id = await run_in_threadpool(
            accept_submission, context, user, filename, content, device
        )
    except HTTPException as error:
        text = code if isinstance(code, str) else ""
        return render(
            request,
            "submit.html",
            _submit_values(context, str(error.detail), text if len(text) <= limit else ""),
            status_code=error.status_code,
            headers=error.headers,
        )
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)


# -- submissions ---------------------------------------------------------------------------


@router.get("/submissions", response_class=HTMLResponse)
def my_submissions(request: Request, context: Context) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    rows = context.db.submissions(user_id=user.id)
    return render(request, "submissions.html", {"submissions": rows, "title": "My submissions"})


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(request: Request, submission_id: PageId, context: Context) -> Response:
    user = current_user(request)
    if user is None:
        return login_redirect(request)
    submission = visible_submission(context, user, submission_id)
    values = result_values(context, submission)
    values["code_html"] = highlight_python(source_text(context, submission))
    return render(request, "submission.html", values)


# -- admin ---------------------------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse, dependencies=ADMIN_ONLY)
def admin_page(request: Request, context: Context) -> Response:
    return render(
        request,
        "admin.html",
        {
            "submissions": context.db.submissions(limit=500),
            "counts": context.db.status_counts(),
            "slots": context.pool.judging_slots(),
            "queues": context.pool.queue_depths(),
            "distributed": context.settings.broker_url is not None,
            "statuses": list(Status),
        },
    )


@router.post("/admin/rejudge", dependencies=ADMIN_ONLY)
async def rejudge(request: Request, context: Context) -> Response:
    body = await read_body_limited(request, 16 * 1024)
    form = await with_body(request, body).form(max_files=0, max_fields=4)
    check_csrf(request, form)
    target = str(form.get("submission_id") or "all")
    if target == "all":
        context.db.requeue(None)
    else:
        submission_id = parse_row_id(target)
        if submission_id is None:
            raise HTTPException(422, "submission_id must be a submission's number or 'all'")
        if context.db.submission(submission_id) is None:
            raise HTTPException(404, f"submission {submission_id} not found")
        context.db.requeue(submission_id)
    context.pool.notify()
    return RedirectResponse("/admin", status_code=303)

"""The FastAPI application factory: `create_app(settings, judge)`.

`judge` is what the in-process judging threads call for each submission; `judgekit serve` passes the
sandboxed Docker judge (judgehost.job.real_judge()). Tests of the queue may pass a fake one.
With `settings.broker_url`, remote judge hosts judge instead (web.judging.judge_hosts) and report
through /api/judgehost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from judgekit import __version__
from judgekit.judgehost.job import Judge
from judgekit.judgehost.protocol import hello_for
from judgekit.web.accounts.login_throttle import LoginThrottle
from judgekit.web.accounts.password_checks import PasswordChecks
from judgekit.web.classroom import api as class_api
from judgekit.web.classroom import pages as class_pages
from judgekit.web.db.database import Database
from judgekit.web.guards.client_fairness import ClientFairness
from judgekit.web.guards.security_headers import SECURITY_HEADERS, SecurityHeaders
from judgekit.web.judging.executor import Executor
from judgekit.web.judging.judge_hosts import JudgeHosts
from judgekit.web.judging.threads import JudgingThreads
from judgekit.web.routes import api, events, judgehost_api, pages
from judgekit.web.routes.context import AppContext
from judgekit.web.routes.live_results import LiveResults
from judgekit.web.routes.submission_view import live_reader
from judgekit.web.settings import Settings
from judgekit.web.similarity.scan import SimilarityScan

STATIC_DIR = Path(__file__).parent / "static"
REQUEST_THREADS = 100
log = logging.getLogger("judgekit.web")


def create_app(
    settings: Settings, judge: Judge, *, start_judging: bool = True, scan_similarity: bool = True
) -> FastAPI:
    db = Database(settings.db_url)
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    pool: Executor
    hello = None
    if settings.broker_url is None:
        pool = JudgingThreads(settings, db, judge)
    else:
        pool = JudgeHosts(settings, db, settings.broker_url)
        hello = hello_for(settings.problem, settings.lease_s)
    context = AppContext(
        settings=settings,
        db=db,
        pool=pool,
        login_throttle=LoginThrottle(settings.logins),
        password_checks=PasswordChecks(settings.logins),
        live_results=LiveResults(settings.streams),
        hello=hello,
    )
    scan = SimilarityScan(settings, db)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The threads that run every page and API call (anyio's default is 40): room for a
        # few addresses at their cap (RequestLimits.per_address) and everyone else.
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        if start_judging:
            pool.start()
        if scan_similarity:
            scan.start()
        live = asyncio.create_task(context.live_results.run(live_reader(context)))
        try:
            yield
        finally:
            live.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await live
            pool.stop()
            scan.stop()
            context.password_checks.close()
            db.close()

    # No /docs or /redoc: they are pages from a CDN outside the judge's own rules. The schema
    # stays at /openapi.json.
    app = FastAPI(
        title=f"judgekit: {settings.problem.title}",
        version=__version__,
        description="Online judge for one problem. JSON API under /api with bearer tokens.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # A slash redirect would be built from the request's Host header.
        redirect_slashes=False,
    )
    app.add_middleware(
        ClientFairness,
        per_address=settings.requests.per_address,
        total=settings.requests.total,
    )
    app.add_middleware(SecurityHeaders)
    app.state.judgekit = context
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api.router)
    app.include_router(class_api.router)
    if settings.judgehost_token is not None:
        app.include_router(judgehost_api.router)
    app.include_router(events.router)
    app.include_router(pages.router)
    app.include_router(class_pages.router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api") or not pages.wants_html(request):
            return JSONResponse(
                {"detail": str(error.detail)}, status_code=error.status_code, headers=error.headers
            )
        return pages.error_page(request, error.status_code, str(error.detail), error.headers)

    @app.exception_handler(pages.SignInFirst)
    async def sign_in_first(request: Request, _error: pages.SignInFirst) -> Response:
        return pages.login_redirect(request)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in error.errors()
        )
        if request.url.path.startswith("/api") or not pages.wants_html(request):
            return JSONResponse({"detail": detail or "invalid request"}, status_code=422)
        return pages.error_page(request, 422, detail or "invalid request", None)

    @app.exception_handler(ClientDisconnect)
    async def client_gone(request: Request, error: ClientDisconnect) -> Response:
        # Nobody reads this answer; nothing is logged (a client could fill the log so).
        return JSONResponse({"detail": "the client went away"}, status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:  # pragma: no cover
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        # Answered from outside the middleware: the judge's headers are added here.
        return JSONResponse(
            {"detail": "internal error"}, status_code=500, headers=dict(SECURITY_HEADERS)
        )

    return app

"""`judgekit serve`: the judge's web UI and HTTP API with in-process judging workers."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from judgekit.exit_codes import ExitCode
from judgekit.problem import Device, load_problem
from judgekit.web.settings import DEFAULT_DATA_DIR, DEFAULT_MAX_PENDING, Settings, default_workers


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the web UI and the JSON API, judging submissions in the sandbox",
        description=(
            "Serve the problem page, submission upload, live results and an admin page, plus "
            "a JSON API under /api (OpenAPI schema at /openapi.json). Everything lives in one "
            "SQLite file and an uploads folder under --data; judging runs in-process, each "
            "submission in a fresh sandbox container. Create the first account with "
            "`judgekit users add NAME --admin`."
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help="database and uploads folder (default: ./%(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="judging threads (default: the number of cores, %(default)s)",
    )
    parser.add_argument(
        "--max-pending",
        type=int,
        default=DEFAULT_MAX_PENDING,
        metavar="N",
        help="queued or running submissions allowed per user (default: %(default)s)",
    )
    parser.add_argument(
        "--device",
        dest="devices",
        action="append",
        choices=[d.value for d in Device],
        help="a device this judge runs on; repeat for both (default: cpu)",
    )
    parser.add_argument(
        "--secure-cookies", action="store_true", help="mark cookies Secure (behind HTTPS)"
    )
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    import uvicorn

    from judgekit.errors import JudgekitError
    from judgekit.web.app import create_app
    from judgekit.web.workers import real_judge

    problem = load_problem(options.problem)
    devices = tuple(Device(d) for d in dict.fromkeys(options.devices or ["cpu"]))
    unsupported = [d.value for d in devices if d not in problem.devices]
    if unsupported:
        raise JudgekitError(f"--device {', '.join(unsupported)}: not in problem.yaml devices")
    if options.workers < 1 or options.max_pending < 1:
        raise JudgekitError("--workers and --max-pending must be at least 1")
    settings = Settings(
        problem=problem,
        data_dir=options.data,
        host=options.host,
        port=options.port,
        workers=options.workers,
        max_pending_per_user=options.max_pending,
        devices=devices,
        secure_cookies=options.secure_cookies,
    )
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        judge = real_judge()
    except ImportError as error:
        raise JudgekitError(f"the sandboxed judge is not available: {error}") from None
    app = create_app(settings, judge)
    print(
        f"judgekit: serving {problem.title} on http://{settings.host}:{settings.port} "
        f"(data in {settings.data_dir}, {settings.workers} workers)",
        flush=True,
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", access_log=False)
    return int(ExitCode.OK)

"""`judgekit serve`: the judge's web UI and HTTP API, judging in-process or through a broker."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from judgekit.commands.arguments import (
    add_database_url_option,
    judge_data_folder,
    non_negative,
    port,
    positive,
)
from judgekit.commands.limit_options import add_limit_options, limits_from
from judgekit.commands.listening import listening_socket
from judgekit.commands.logs import add_log_format_option, configure_logging
from judgekit.commands.worker import BROKER_ENV, TOKEN_ENV
from judgekit.errors import JudgekitError
from judgekit.exit_codes import ExitCode
from judgekit.judgehost.broker import redacted
from judgekit.package.problem import Device, load_problem
from judgekit.web.settings import (
    DEFAULT_DATA_DIR,
    DEFAULT_DEVICES,
    DEFAULT_HOST,
    DEFAULT_MAX_PENDING,
    DEFAULT_PORT,
    Settings,
    default_judging_threads,
)

# The judge-host token is a shared secret: too short, it can be guessed over the network.
MIN_JUDGEHOST_TOKEN_LENGTH = 32

DEPRECATED_THREADS_FLAG = "--workers"
"""The old name of --judging-threads (the in-process threads are not judge hosts, which
`judgekit worker` starts); still accepted, with a warning on stderr."""

if TYPE_CHECKING:
    from judgekit.judge.prewarmed import PrewarmedSandboxes


class _DeprecatedAlias(argparse.Action):
    """Sets the option it renames, saying on stderr which name to use instead."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        new = "--" + self.dest.replace("_", "-")
        print(f"judgekit: warning: {option_string} is deprecated: use {new}", file=sys.stderr)
        setattr(namespace, self.dest, values)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the web UI and the JSON API, judging submissions in the sandbox",
        description=(
            "Serve the problem page, submission upload, live results and an admin page, plus "
            "a JSON API under /api (OpenAPI schema at /openapi.json). Everything lives in a "
            "database (by default one SQLite file under --data; see --database-url) and an "
            "uploads folder under --data; judging runs in-process, each "
            "submission in a fresh sandbox container. Create the first account with "
            "`judgekit users add NAME --admin`."
        ),
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="address to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=port, default=DEFAULT_PORT, help="port, 1 to 65535 (default: %(default)s)"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help="database and uploads folder (default: ./%(default)s)",
    )
    parser.add_argument(
        "--judging-threads",
        type=positive,
        default=default_judging_threads(),
        metavar="N",
        help="submissions judged at once in this process, each in a thread of its own "
        "(default: the number of cores, %(default)s; unused with --broker)",
    )
    parser.add_argument(
        DEPRECATED_THREADS_FLAG,
        dest="judging_threads",
        type=positive,
        default=argparse.SUPPRESS,
        action=_DeprecatedAlias,
        help=argparse.SUPPRESS,  # the old name of --judging-threads, still accepted
    )
    parser.add_argument(
        "--pool-size",
        type=non_negative,
        default=None,
        metavar="N",
        help="prewarmed sandboxes kept ready per device, each used once (default: one per "
        "judging thread; 0: every submission starts a cold one)",
    )
    parser.add_argument(
        "--max-pending",
        type=positive,
        default=DEFAULT_MAX_PENDING,
        metavar="N",
        help="queued or running submissions allowed per user (default: %(default)s)",
    )
    parser.add_argument(
        "--device",
        dest="devices",
        action="append",
        choices=[d.value for d in Device],
        help="a device this judge runs on; repeat for both "
        f"(default: {', '.join(d.value for d in DEFAULT_DEVICES)})",
    )
    parser.add_argument(
        "--secure-cookies", action="store_true", help="mark cookies Secure (behind HTTPS)"
    )
    add_database_url_option(parser)
    parser.add_argument(
        "--broker",
        metavar="URL",
        default=None,
        help=f"a Celery broker (redis://...): judge hosts (`judgekit worker`) judge, not this "
        f"process; needs {TOKEN_ENV} (default: ${BROKER_ENV}; none: in-process judging threads)",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        default=None,
        help="how learners reach this server, e.g. https://judge.example.org, for links in the "
        "grade export (default: http://HOST:PORT)",
    )
    parser.add_argument(
        "--forwarded-allow-ips",
        metavar="ADDRESSES",
        default=None,
        help="comma-separated addresses of proxies in front whose X-Forwarded-For names the "
        "client (default: none; every connection's own address counts for login throttling)",
    )
    add_limit_options(parser)
    add_log_format_option(parser)
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    configure_logging(options.log_format)
    problem = load_problem(options.problem)
    devices = (
        tuple(Device(d) for d in dict.fromkeys(options.devices))
        if options.devices
        else DEFAULT_DEVICES
    )
    unsupported = [d.value for d in devices if d not in problem.devices]
    if unsupported:
        raise JudgekitError(f"--device {', '.join(unsupported)}: not in problem.yaml devices")
    broker_url = options.broker or os.environ.get(BROKER_ENV) or None
    token = os.environ.get(TOKEN_ENV) or None
    if broker_url is not None and token is None:
        raise JudgekitError(
            f"a broker needs a judge-host token: set {TOKEN_ENV} to a long random secret "
            "(the same on every judge host)"
        )
    if token is not None and len(token) < MIN_JUDGEHOST_TOKEN_LENGTH:
        raise JudgekitError(
            f"{TOKEN_ENV} is {len(token)} characters long: use a random secret of at least "
            f"{MIN_JUDGEHOST_TOKEN_LENGTH}, e.g. `python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`"
        )
    settings = Settings(
        problem=problem,
        data_dir=options.data,
        host=options.host,
        port=options.port,
        judging_threads=options.judging_threads,
        max_pending_per_user=options.max_pending,
        devices=devices,
        secure_cookies=options.secure_cookies,
        broker_url=broker_url,
        judgehost_token=token,
        database_url=options.database_url,
        public_url=options.public_url,
        forwarded_allow_ips=options.forwarded_allow_ips,
        **limits_from(options),
    )
    with listening_socket(settings.host, settings.port) as sock:
        judge_data_folder(settings.data_dir, settings.database_url)
        if broker_url is not None:
            started = _serve(settings, sock, None, f"judge hosts via {redacted(broker_url)}")
        else:
            threads = settings.judging_threads
            pool_size = threads if options.pool_size is None else options.pool_size
            try:
                from judgekit.judge.prewarmed import PrewarmedSandboxes
            except ImportError as error:
                raise JudgekitError(f"the sandboxed judge is not available: {error}") from None
            with PrewarmedSandboxes(problem, devices, pool_size) as sandboxes:
                started = _serve(
                    settings,
                    sock,
                    sandboxes,
                    f"{threads} judging thread(s), {pool_size} prewarmed sandbox(es) per device",
                )
    if not started:
        raise JudgekitError("the server did not start; the log above says why")
    return int(ExitCode.OK)


def _serve(
    settings: Settings, sock: socket.socket, sandboxes: PrewarmedSandboxes | None, judged_by: str
) -> bool:
    import uvicorn

    from judgekit.judgehost.job import real_judge
    from judgekit.web.app import create_app
    from judgekit.web.db.connection import shown_url
    from judgekit.web.http_server import server_config

    app = create_app(settings, real_judge(sandboxes))
    print(
        f"judgekit: serving {settings.problem.title} on http://{settings.host}:{settings.port} "
        f"(data in {settings.data_dir}, database {shown_url(settings.db_url)}, {judged_by})",
        flush=True,
    )
    server = uvicorn.Server(server_config(app, settings))
    try:
        server.run(sockets=[sock])
    except SystemExit:  # uvicorn's own exit when the app's start-up fails
        return False
    return bool(server.started)

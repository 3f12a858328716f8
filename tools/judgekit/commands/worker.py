"""`judgekit worker`: a judge host consuming its device's queue for a web app."""

from __future__ import annotations

import argparse
import os
import socket

from judgekit.client.token import SERVER_ENV
from judgekit.commands.arguments import positive
from judgekit.commands.logs import add_log_format_option, configure_logging
from judgekit.errors import JudgekitError
from judgekit.exit_codes import ExitCode
from judgekit.package.problem import Device, load_problem

BROKER_ENV = "JUDGEKIT_BROKER_URL"
TOKEN_ENV = "JUDGEKIT_JUDGEHOST_TOKEN"
HEARTBEAT_S = 5.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "worker",
        help="start a judge host: judges submissions for a web app started with a broker",
        description=(
            "Start a judge host (the command keeps Celery's name for it, a worker): it "
            "consumes the broker's queue for one device and judges each submission in this "
            "host's sandbox, reporting cases and results to the web app's judge-host API. "
            f"Needs the broker ({BROKER_ENV}), the web app's address ({SERVER_ENV}) and the "
            f"judge-host token ({TOKEN_ENV}, from the environment only). Refuses to start "
            "when this checkout's problem package or sandbox differs from the web app's."
        ),
    )
    parser.add_argument(
        "--device",
        choices=[d.value for d in Device],
        default="cpu",
        help="the queue to consume (default: %(default)s)",
    )
    parser.add_argument(
        "--concurrency",
        type=positive,
        default=1,
        metavar="N",
        help="submissions judged at once (default: %(default)s)",
    )
    parser.add_argument(
        "--broker",
        metavar="URL",
        default=None,
        help=f"the broker, redis://... (default: ${BROKER_ENV})",
    )
    parser.add_argument(
        "--server",
        metavar="URL",
        default=None,
        help=f"the web app, http://host:port (default: ${SERVER_ENV})",
    )
    parser.add_argument(
        "--name",
        default=None,
        help="this host's name on the admin page (default: DEVICE@HOSTNAME-PID)",
    )
    add_log_format_option(parser)
    parser.set_defaults(handler=run)


def _required(value: str | None, env: str, option: str) -> str:
    value = value or os.environ.get(env)
    if not value:
        raise JudgekitError(f"no {option}: give {option} URL or set {env}")
    return value


def run(options: argparse.Namespace) -> int:
    from judgekit.judgehost.start import start_judge_host

    configure_logging(options.log_format)
    device = Device(options.device)
    token = os.environ.get(TOKEN_ENV)
    if not token:
        raise JudgekitError(f"no judge-host token: set {TOKEN_ENV} to the web app's")
    problem = load_problem(options.problem)
    if device not in problem.devices:
        raise JudgekitError(f"--device {device.value}: not in problem.yaml devices")
    start_judge_host(
        problem=problem,
        device=device,
        concurrency=options.concurrency,
        broker_url=_required(options.broker, BROKER_ENV, "--broker"),
        server=_required(options.server, SERVER_ENV, "--server"),
        token=token,
        name=options.name or f"{device.value}@{socket.gethostname()}-{os.getpid()}",
        heartbeat_s=HEARTBEAT_S,
    )
    return int(ExitCode.OK)

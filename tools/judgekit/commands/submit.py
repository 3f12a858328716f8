"""`judgekit submit FILE`: upload to a web judge (`judgekit serve`) and follow the verdict.

Shows each case as the server finishes it, under a progress bar (on a terminal), then the
summary `judgekit run` prints; `--json` prints the result object of `judgekit run --json`.
Server and token resolution: judgekit.client.token. Exit codes as `judgekit run`. Each HTTP
call has a deadline (`--timeout`), and following the verdict has one too (`--wait`, by default
WAIT_PER_RUN times the problem's limits.total_time_s, for the queue ahead of it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from judgekit.client.connection import JudgeServer
from judgekit.client.token import DEFAULT_SERVER, resolve_server, resolve_token
from judgekit.client.transport import CallLimits
from judgekit.commands.arguments import positive, readable_file
from judgekit.commands.console import VERDICT_STYLE, print_report
from judgekit.commands.plain_text import plain
from judgekit.errors import JudgekitError
from judgekit.judge import strict_json
from judgekit.judge.report import JudgeReport
from judgekit.judge.verdict import Verdict, exit_code_for
from judgekit.package.problem import Device, Problem, load_problem

POLL_S = 0.5
WAIT_PER_RUN = 10
"""--wait's default, in runs of the problem's limits.total_time_s: its own and the queue's."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "submit",
        help="upload a submission to a web judge and follow its verdict",
        description=(
            "Upload FILE to a `judgekit serve` web judge, show each case as it is judged, then "
            "the verdict; exit codes as `judgekit run`. Server: --server, else "
            f"$JUDGEKIT_SERVER, else {DEFAULT_SERVER}. Token: --token (visible to other users "
            "in `ps`), else the file --token-file, else $JUDGEKIT_TOKEN, else the file "
            "$JUDGEKIT_TOKEN_FILE or ~/.config/judgekit/token; a token file must be mode 0600 "
            "(chmod 600 PATH)."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--server", default=None, metavar="URL")
    parser.add_argument(
        "--token",
        default=None,
        help="the API token; other users can see it in `ps`; write --token=TOKEN (it may start "
        "with -)",
    )
    parser.add_argument("--token-file", type=Path, default=None, metavar="PATH")
    parser.add_argument("--device", type=Device, choices=list(Device), default=Device.CPU)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--timeout",
        type=positive,
        default=int(CallLimits.deadline_s),
        metavar="SECONDS",
        help="the most one HTTP call may take, connecting to reading the whole answer "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--wait",
        type=positive,
        default=None,
        metavar="SECONDS",
        help=f"the most to wait for the verdict after uploading (default: {WAIT_PER_RUN} times "
        "the problem's limits.total_time_s)",
    )
    parser.set_defaults(handler=run)


def _check_size(options: argparse.Namespace, problem: Problem, content: bytes) -> None:
    limit = problem.limits.submission_bytes
    if len(content) > limit:
        raise JudgekitError(
            f"{options.file}: {len(content)} bytes, over the judge's limit of {limit} bytes "
            "(problem.yaml limits.submission_bytes)"
        )


def _follow(
    server: JudgeServer, submission_id: int, console: Console | None, wait_s: float
) -> JudgeReport:
    """Poll until done, WAIT_S at most; show each finished case on CONSOLE (None: quietly)."""
    deadline = time.monotonic() + wait_s
    after = -1
    progress = Progress(
        TextColumn("judging"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=console is None,
    )
    with progress:
        task = progress.add_task("judging", total=None)
        while True:
            state = server.progress(submission_id, after)
            progress.update(task, total=state.total)
            for row in state.rows:
                after = row.seq
                case = row.case
                progress.advance(task)
                if console is not None:
                    line = Text.assemble((case.verdict.value, VERDICT_STYLE[case.verdict]), " ")
                    line.append_text(plain(case.id))
                    if case.time_ms is not None:
                        line.append(f" {case.time_ms} ms")
                    if case.message and case.verdict is not Verdict.AC:
                        line.append(" ").append_text(plain(case.message))
                    progress.console.print(line, soft_wrap=True)
            if state.done:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise JudgekitError(
                    f"no verdict for submission #{submission_id} within {wait_s:g} s (the "
                    f"server says {state.status}); it is still on the server: pass a larger "
                    "--wait SECONDS to wait longer"
                )
            time.sleep(min(POLL_S, left))
    result = server.submission(submission_id).result
    if result is None:
        raise JudgekitError(f"submission {submission_id} is done but the server sent no result")
    return result


def run(options: argparse.Namespace) -> int:
    readable_file(options.file, "FILE")
    content = options.file.read_bytes()
    problem = load_problem(options.problem)
    _check_size(options, problem, content)
    url = resolve_server(options.server, os.environ)
    token = resolve_token(options.token, options.token_file, os.environ)
    console = Console(stderr=True, highlight=False)

    def waiting(seconds: float, attempt: int) -> None:
        console.print(
            plain(f"judgekit: rate-limited by the server (429); waiting {seconds:g} s ({attempt})")
        )

    limits = CallLimits(deadline_s=options.timeout)
    server = JudgeServer(url, token.value, token.source, on_wait=waiting, limits=limits)
    submission_id = server.upload(options.file, content, options.device.value)
    if not options.json:
        console.print(plain(f"submitted {options.file} to {url} as #{submission_id}"))
    live = not options.json and console.is_terminal
    wait_s = options.wait or WAIT_PER_RUN * problem.limits.total_time_s
    report = _follow(server, submission_id, console if live else None, wait_s)
    if options.json:
        print(strict_json.dumps(report.to_json(), indent=2))
    else:
        print_report(console, report, options.file, 0, table=not live)
    sys.stdout.flush()
    return exit_code_for(report.verdict)

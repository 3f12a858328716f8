"""Processes of a distributed judge on loopback, as the compose file runs them on hosts:
`judgekit serve --broker` (the web app) and `judgekit worker` (judge hosts)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from pathlib import Path

from repo_support import REPO_ROOT
from web_support import Process, Server, serve, spawn, until

HOST_TOKEN = "judge-host-token-for-tests-" + "0123456789abcdef" * 2


def judgekit_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"JUDGEKIT_JUDGEHOST_TOKEN": HOST_TOKEN, **extra})
    return env


def start_web_app(
    data: Path,
    broker_url: str,
    *,
    env: Mapping[str, str] = {},
    problem: Path = REPO_ROOT,
    max_pending: int = 50,
    database_url: str | None = None,
) -> Server:
    """`judgekit serve --broker BROKER_URL`: the web app alone, judging left to judge hosts."""
    if database_url is not None:
        env = {**env, "JUDGEKIT_DATABASE_URL": database_url}
    args = ["--broker", broker_url, "--max-pending", str(max_pending)]
    log = data.parent / f"web-{time.time_ns()}.log"
    return serve(data, args, env=judgekit_env(env), problem=problem, log=log)


def start_judge_host(
    folder: Path,
    name: str,
    broker_url: str,
    server: str,
    *,
    env: Mapping[str, str] = {},
    concurrency: int = 1,
) -> Process:
    return spawn(
        [
            "worker",
            "--device",
            "cpu",
            "--concurrency",
            str(concurrency),
            "--broker",
            broker_url,
            "--server",
            server,
            "--name",
            name,
        ],
        folder / f"judge-host-{name}-{time.time_ns()}.log",
        judgekit_env(env),
    )


def wait_for_log(process: Process, text: str, timeout: float) -> None:
    """Until PROCESS has logged TEXT; an AssertionError with its log's end when it exits
    first or TIMEOUT seconds pass."""

    def logged_or_exited() -> bool | None:
        return True if text in process.text() or process.process.poll() is not None else None

    with contextlib.suppress(AssertionError):
        until(f"{text!r} logged", logged_or_exited, timeout)
    assert text in process.text(), f"never logged {text!r}:\n{process.text()[-3000:]}"

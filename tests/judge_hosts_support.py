"""Processes of a distributed judge on loopback, as the compose file runs them on hosts:
`judgekit serve --broker` (the web app) and `judgekit worker` (judge hosts)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from web_support import REPO_ROOT, free_port, wait_until_serving

HOST_TOKEN = "judge-host-token-for-tests-" + "0123456789abcdef" * 2


def judgekit_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"JUDGEKIT_JUDGEHOST_TOKEN": HOST_TOKEN, **extra})
    return env


@dataclass
class Process:
    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the process group: no clean-up of any kind."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(20)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()


def spawn(
    args: Sequence[str], log: Path, env: Mapping[str, str], problem: Path = REPO_ROOT
) -> Process:
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "judgekit.cli", "--problem", str(problem), *args],
        stdout=handle,
        stderr=subprocess.STDOUT,
        env=dict(env),
        start_new_session=True,
    )
    return Process(process, log)


@dataclass
class WebApp:
    process: Process
    url: str


def start_web_app(
    data: Path,
    broker_url: str,
    *,
    env: Mapping[str, str] = {},
    problem: Path = REPO_ROOT,
    max_pending: int = 50,
    database_url: str | None = None,
) -> WebApp:
    port = free_port()
    if database_url is not None:
        env = {**env, "JUDGEKIT_DATABASE_URL": database_url}
    process = spawn(
        [
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data",
            str(data),
            "--broker",
            broker_url,
            "--max-pending",
            str(max_pending),
        ],
        data.parent / f"web-{port}.log",
        judgekit_env(env),
        problem,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(process.process, url, process.log, timeout=90)
    return WebApp(process, url)


def start_worker(
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
        folder / f"worker-{name}-{time.time_ns()}.log",
        judgekit_env(env),
    )


def wait_for_log(process: Process, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in process.text():
        if process.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"never logged {text!r}:\n{process.text()[-3000:]}")
        time.sleep(0.2)

"""Helpers for the web tests: a clearly fake judge for queue/API unit tests, a real server
process for the end-to-end tests, and the CI rule (missing Docker or Chromium fails in CI)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from judgekit.judge.judging import check_source
from judgekit.judge.learner_view import is_public
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Device, Problem
from judgekit.package.testcase import load_cases

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, reason: str) -> None:
    """Skip locally with REASON when CONDITION is false; in CI (CI=true) fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def docker_ready() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        result = subprocess.run(["docker", "info"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    if result.returncode != 0:
        return False
    try:
        import judgekit.judge.judging  # noqa: F401
    except ImportError:
        return False
    return True


def need_docker() -> None:
    need(docker_ready(), "a running Docker engine and judgekit.judge.judging (run tools/setup.sh)")


def need_chromium() -> None:
    need(CHROMIUM.exists(), f"Debian's Chromium at {CHROMIUM}")


class StepGate:
    """A gate for InstantFakeJudge that lets judge calls through one per `step()`, or all of
    them while open (`open()`, `close()`)."""

    def __init__(self) -> None:
        self._steps = threading.Semaphore(0)
        self._open = threading.Event()

    def step(self) -> None:
        self._steps.release()

    def open(self) -> None:
        self._open.set()
        self._steps.release(100)

    def close(self) -> None:
        self._open.clear()
        while self._steps.acquire(blocking=False):
            pass

    def wait(self, timeout: float) -> bool:
        return self._open.is_set() or self._steps.acquire(timeout=timeout)


class InstantFakeJudge:
    """A FAKE judge for unit tests of the queue and the API only (never for end-to-end tests).

    Empty, non-UTF-8 or unparsable files get CE; a file containing `WRONG` gets WA on every
    case, one containing `HALF` WA on every second case of each group; anything else gets AC.
    `gate`, when set, makes each call wait for it first.
    """

    def __init__(self, gate: threading.Event | StepGate | None = None) -> None:
        self.gate = gate
        self.calls: list[Path] = []
        self._lock = threading.Lock()

    def __call__(
        self,
        problem: Problem,
        submission: Path,
        *,
        device: Device,
        groups: Sequence[str],
        on_case: Callable[[CaseResult], None] | None = None,
    ) -> JudgeReport:
        with self._lock:
            self.calls.append(submission)
        if self.gate is not None:
            self.gate.wait(30)
        data = submission.read_bytes()
        source_problem = check_source(problem, data)
        if source_problem is not None:
            return JudgeReport(
                Verdict.CE, f"fake CE: {source_problem.message}", device.value, "fake"
            )
        all_wrong, half = b"WRONG" in data, b"HALF" in data
        cases = []
        index_in_group: dict[str, int] = {}
        for case in load_cases(problem.testcases_dir, groups):
            index = index_in_group[case.group] = index_in_group.get(case.group, -1) + 1
            wrong = all_wrong or (half and index % 2 == 1)
            answer = case.answer or ()
            got = [v + 1.0 for v in answer] if wrong else list(answer)
            result = CaseResult(
                id=case.id,
                group=case.group,
                verdict=Verdict.WA if wrong else Verdict.AC,
                time_ms=1,
                message="values differ" if wrong else "",
                public=is_public(case.group, problem.hidden_groups),
                input=case.input,
                expected=list(answer),
                got=got,
            )
            if on_case is not None:
                on_case(result)
            cases.append(result)
        verdict = Verdict.WA if any(c.verdict is Verdict.WA for c in cases) else Verdict.AC
        return JudgeReport(verdict, "fake", device.value, "fake", tuple(cases), "cpu", 5)


def a_report(verdict: Verdict, *, passed: int, total: int) -> JudgeReport:
    """A VERDICT report of TOTAL cases of which PASSED were accepted (the others: WA)."""
    cases = tuple(
        CaseResult(
            f"sample/{index:02d}",
            "sample",
            Verdict.AC if index < passed else Verdict.WA,
            1,
            "",
            True,
            {},
        )
        for index in range(total)
    )
    return JudgeReport(verdict, "", "cpu", "img", cases)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def add_user(
    data: Path, name: str, password: str, *, admin: bool = False, database_url: str | None = None
) -> str:
    """Create a user through the real CLI; return the API token (its last output line)."""
    args = [
        sys.executable,
        "-m",
        "judgekit.cli",
        "--problem",
        str(REPO_ROOT),
        "users",
        "add",
        name,
        "--data",
        str(data),
        "--password-stdin",
    ]
    if admin:
        args.append("--admin")
    if database_url is not None:
        args += ["--database-url", database_url]
    result = subprocess.run(
        args, input=password + "\n", capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.strip().splitlines()[-1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(
    data: Path,
    *,
    workers: int = 2,
    max_pending: int = 10,
    port: int | None = None,
    pool_size: int | None = None,
) -> Server:
    """`judgekit serve` as a real process on loopback, with the real judge; waits until up.
    POOL_SIZE: --pool-size (0: no prewarmed sandbox, for tests whose files never run)."""
    port = port or free_port()
    pool = [] if pool_size is None else ["--pool-size", str(pool_size)]
    log = data / f"server-{port}-{time.time_ns()}.log"
    data.mkdir(parents=True, exist_ok=True)
    handle = log.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "judgekit.cli",
            "--problem",
            str(REPO_ROOT),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data",
            str(data),
            "--workers",
            str(workers),
            "--max-pending",
            str(max_pending),
            *pool,
        ],
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(process, url, log, timeout=60)
    return Server(process, url, log)


def wait_until_serving(
    process: subprocess.Popen[bytes], url: str, log: Path, *, timeout: float
) -> None:
    """Wait until the `judgekit serve` PROCESS answers at URL; kill it and raise (with its
    log) when it exits or does not answer in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')}")
        try:
            if httpx.get(url + "/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text(errors='replace')}")


@contextmanager
def running_server(data: Path, **kwargs: int) -> Iterator[Server]:
    server = start_server(data, **kwargs)
    try:
        yield server
    finally:
        server.stop()


def wait_done(
    client: httpx.Client, ids: Sequence[int], timeout: float, *, poll_s: float = 0.5
) -> dict[int, dict[str, object]]:
    """Poll until every submission in IDS is done; return their final JSON."""
    deadline = time.monotonic() + timeout
    done: dict[int, dict[str, object]] = {}
    while time.monotonic() < deadline and len(done) < len(ids):
        for submission_id in ids:
            if submission_id in done:
                continue
            response = client.get(f"/api/submissions/{submission_id}")
            response.raise_for_status()
            body = response.json()
            if body["status"] == "done":
                done[submission_id] = body
        if len(done) < len(ids):
            time.sleep(poll_s)
    return done


def stored_submission(data: Path, user: str, *, held_by: str | None = None) -> int:
    """A submission of USER written straight into DATA's database, as if uploaded (its file is
    never run); HELD_BY claims it for a judge host of that name that never reports back."""
    from judgekit.web.db.database import Database

    db = Database.for_data_dir(data)
    try:
        owner = db.user_by_name(user)
        assert owner is not None, f"no user {user!r}"
        submission_id = db.add_submission(
            user_id=owner.id,
            filename="stored.py",
            stored_name="stored.py",
            size=1,
            sha256="0" * 64,
            device="cpu",
            max_pending=1000,
            problem_id="frozen-kernel-unchanged",
        )
        if held_by is not None:
            assert db.claim(submission_id, held_by, 3600.0) is not None
        return submission_id
    finally:
        db.close()

"""Helpers for the web tests: a clearly fake judge for queue/API unit tests, a real server
process for the end-to-end tests (the one wrapper of a judgekit child process), and the one
way to wait for a submission's status."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
from judgekit.judge.judging import check_source
from judgekit.judge.learner_view import is_public
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.judgehost.job import Judge
from judgekit.package.problem import Device, Problem
from judgekit.package.testcase import load_cases
from judgekit.web.app import create_app
from judgekit.web.settings import Settings
from repo_support import REPO_ROOT, judgekit_command, need
from starlette.testclient import TestClient

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery"
T = TypeVar("T")


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
    args = ["users", "add", name, "--data", str(data), "--password-stdin"]
    if admin:
        args.append("--admin")
    if database_url is not None:
        args += ["--database-url", database_url]
    result = subprocess.run(
        judgekit_command(*args),
        input=password + "\n",
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip().splitlines()[-1]


@dataclass
class Process:
    """A `judgekit` child process in a process group of its own, its output in LOG."""

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
        """SIGTERM the process group, as a service manager stops it; SIGKILL after 60 s."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()


def spawn(
    args: Sequence[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    problem: Path = REPO_ROOT,
) -> Process:
    """`judgekit --problem PROBLEM ARGS` started in the background, writing to LOG."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as handle:
        process = subprocess.Popen(
            judgekit_command(*args, problem=problem),
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=None if env is None else dict(env),
            start_new_session=True,
        )
    return Process(process, log)


@dataclass
class Server(Process):
    """A `judgekit serve` process that answers at URL."""

    url: str


def serve(
    data: Path,
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    problem: Path = REPO_ROOT,
    log: Path | None = None,
    timeout: float = 90,
) -> Server:
    """`judgekit serve` on a free loopback port with DATA and ARGS; waits until it answers
    (or raises with its log). LOG: DATA/server-PORT-TIME.log unless given."""
    port = free_port()
    log = log or data / f"server-{port}-{time.time_ns()}.log"
    data.mkdir(parents=True, exist_ok=True)
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--data", str(data), *args]
    started = spawn(args, log, env, problem)
    server = Server(started.process, started.log, f"http://127.0.0.1:{port}")
    wait_until_serving(server, timeout=timeout)
    return server


def start_server(
    data: Path, *, judging_threads: int = 2, max_pending: int = 10, pool_size: int | None = None
) -> Server:
    """`judgekit serve` as a real process on loopback, with the real judge; waits until up.
    POOL_SIZE: --pool-size (0: no prewarmed sandbox, for tests whose files never run)."""
    pool = [] if pool_size is None else ["--pool-size", str(pool_size)]
    args = ["--judging-threads", str(judging_threads), "--max-pending", str(max_pending), *pool]
    return serve(data, args, timeout=60)


def wait_until_serving(server: Server, *, timeout: float) -> None:
    """Wait until SERVER answers at its URL; kill it and raise (with its log) when it exits or
    does not answer in time."""

    def answering() -> bool | None:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited: {server.text()}")
        try:
            return httpx.get(server.url + "/openapi.json", timeout=2).status_code == 200 or None
        except httpx.HTTPError:
            return None

    try:
        until(f"{server.url} answering", answering, timeout)
    except AssertionError:
        server.kill()
        raise RuntimeError(f"server did not start: {server.text()}") from None


@contextmanager
def running_server(data: Path, **kwargs: int) -> Iterator[Server]:
    server = start_server(data, **kwargs)
    try:
        yield server
    finally:
        server.stop()


POLL_FIRST_S = 0.02
POLL_MAX_S = 0.5


def until(
    what: str, answer: Callable[[], T | None], timeout: float, *, slowest_s: float = POLL_MAX_S
) -> T:
    """ANSWER's first answer that is not None. Asked again after 0.02 s, then after twice as
    long each time up to SLOWEST_S (quick when the answer is quick, no flood of requests when
    it is slow); an AssertionError naming WHAT after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    pause = POLL_FIRST_S
    while True:
        found = answer()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(pause)
        pause = min(2 * pause, slowest_s)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def until_status(
    client: httpx.Client,
    ids: Sequence[int],
    status: str = "done",
    *,
    timeout: float,
    token: str | None = None,
    slowest_s: float = POLL_MAX_S,
) -> dict[int, dict[str, object]]:
    """Poll the API (with TOKEN's bearer header, or CLIENT's own headers) until every
    submission in IDS has STATUS; their JSON then (a starlette TestClient is an httpx.Client
    too). An AssertionError names those still without it after TIMEOUT seconds."""
    headers = {} if token is None else bearer(token)
    seen: dict[int, dict[str, object]] = {}

    def all_there() -> dict[int, dict[str, object]] | None:
        for submission_id in ids:
            if submission_id not in seen:
                response = client.get(f"/api/submissions/{submission_id}", headers=headers)
                response.raise_for_status()
                body = dict(response.json())
                if body["status"] == status:
                    seen[submission_id] = body
        return seen if len(seen) == len(set(ids)) else None

    try:
        return until(f"every submission {status}", all_there, timeout, slowest_s=slowest_s)
    except AssertionError:
        left = sorted(set(ids) - set(seen))
        raise AssertionError(f"submissions {left} never became {status} in {timeout} s") from None


def until_one(
    client: httpx.Client,
    submission_id: int,
    status: str = "done",
    *,
    timeout: float = 30,
    token: str | None = None,
) -> dict[str, object]:
    """`until_status` for one submission: its JSON once it has STATUS."""
    done = until_status(client, [submission_id], status, timeout=timeout, token=token)
    return done[submission_id]


def app_client(settings: Settings, judge: Judge | None = None) -> TestClient:
    """The real app in process (a starlette TestClient; enter it to start its judging threads), with
    SETTINGS, judged by JUDGE (a new InstantFakeJudge unless given)."""
    return TestClient(create_app(settings, InstantFakeJudge() if judge is None else judge))


def upload(
    client: httpx.Client, token: str, content: bytes = b"x = 1\n", name: str = "s.py"
) -> int:
    """Upload CONTENT as TOKEN's file NAME through the API; its submission id."""
    response = client.post(
        "/api/submissions", headers=bearer(token), files={"file": (name, content, "text/x-python")}
    )
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


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

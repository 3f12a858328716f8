"""The distributed judge for real: `judgekit serve --broker` on PostgreSQL with a real
redis-server, two
`judgekit worker` processes judging in the Docker sandbox, one SIGKILLed mid-job and Redis
restarted (losing every message) along the way. Every submission ends with exactly one
verdict, the one `judgekit run` gives for the same file. Also: a judge host whose package or
sandbox differs from the web app's refuses to start.

Figures (submissions per minute, upload-to-verdict p50/p95) go to artifacts/scale-out.json."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from judge_hosts_support import start_judge_host, start_web_app, wait_for_log
from judgekit.web.db.database import Database, Status
from postgres_support import PostgresServer
from redis_support import RedisServer
from repo_support import REPO_ROOT, judgekit_command, need
from web_support import Process, add_user, need_docker

pytestmark = [pytest.mark.docker, pytest.mark.timeout(1500)]

ARTIFACTS = REPO_ROOT / "artifacts"
SUBMISSIONS = REPO_ROOT / "submissions"
FILES = {
    "correct": REPO_ROOT / "reference" / "frozen_kernel_unchanged.py",
    "wrong": SUBMISSIONS / "wrong_answer" / "forgot_the_scaling.py",
    "crashing": SUBMISSIONS / "run_time_error" / "raises_an_exception.py",
    "timing_out": SUBMISSIONS / "time_limit_exceeded" / "busy_loop.py",
    "compile_error": SUBMISSIONS / "compile_error" / "syntax_error.py",
}
# The slow ones first: each host's first job then takes 10 s of CPU or more, time enough to
# kill a host surely mid-job (a restored sandbox judges the others in about a second).
MIX = ["timing_out"] * 3 + ["correct"] * 12 + ["wrong"] * 7 + ["crashing"] * 5
MIX += ["compile_error"] * (30 - len(MIX))
SLOW = "timing_out"
USERS = 5


def run_verdict(path: Path) -> tuple[str, int, int]:
    """What `judgekit run --json` says of PATH: verdict, passed, total."""
    result = subprocess.run(
        judgekit_command("run", "--json", str(path)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(result.stdout)
    return str(report["verdict"]), int(report["passed"]), int(report["total"])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def test_thirty_submissions_two_hosts_a_killed_host_and_a_lost_broker(
    tmp_path: Path, broker: RedisServer, postgres_server: PostgresServer | None
) -> None:
    need_docker()
    need(postgres_server is not None, "PostgreSQL 15 (run tools/setup.sh)")
    assert postgres_server is not None
    database = postgres_server.create_database()
    with ThreadPoolExecutor(len(FILES)) as pool:  # each run mostly waits for its container
        expected = dict(zip(FILES, pool.map(run_verdict, FILES.values()), strict=True))
    data = tmp_path / "judge-data"
    tokens = [
        add_user(data, f"learner{i}", f"password of learner {i}", database_url=database)
        for i in range(USERS)
    ]
    admin = add_user(data, "teacher", "password of the teacher", admin=True, database_url=database)
    web = start_web_app(data, broker.url, max_pending=len(MIX), database_url=database)
    hosts: list[Process] = []
    try:
        for name in ("host-a", "host-b"):
            hosts.append(start_judge_host(tmp_path, name, broker.url, web.url))
        for host in hosts:
            wait_for_log(host, "judge host", 180)

        uploaded: dict[int, tuple[str, float]] = {}
        for index, kind in enumerate(MIX):
            headers = {"Authorization": f"Bearer {tokens[index % USERS]}"}
            response = httpx.post(
                f"{web.url}/api/submissions",
                headers=headers,
                files={"file": (f"{kind}.py", FILES[kind].read_bytes())},
            )
            assert response.status_code == 202, response.text
            uploaded[int(response.json()["id"])] = (kind, time.monotonic())
        started = min(at for _, at in uploaded.values())

        finished: dict[int, tuple[dict[str, object], float]] = {}
        killed = restarted = False
        victim_claims: list[int] = []
        with httpx.Client(
            base_url=web.url, timeout=30, headers={"Authorization": f"Bearer {admin}"}
        ) as client:
            deadline = time.monotonic() + 1200
            while len(finished) < len(uploaded) and time.monotonic() < deadline:
                for submission_id in uploaded:
                    if submission_id in finished:
                        continue
                    body = client.get(f"/api/submissions/{submission_id}").json()
                    if body["status"] == "done":
                        finished[submission_id] = (body, time.monotonic())
                if not killed:
                    claims = [line for line in hosts[0].text().splitlines() if ": claimed" in line]
                    last = claims[-1] if claims else ""
                    claimed_id = int(last.split("submission ")[1].split(":")[0]) if last else 0
                    slow = claimed_id in uploaded and uploaded[claimed_id][0] == SLOW
                    if slow and claimed_id not in finished:
                        time.sleep(1.0)  # into its cases, seconds before its end
                        hosts[0].kill()
                        victim_claims.append(claimed_id)
                        hosts.append(start_judge_host(tmp_path, "host-c", broker.url, web.url))
                        killed = True
                if killed and not restarted and len(finished) >= len(MIX) // 2:
                    broker.restart()  # no persistence: every waiting message is lost
                    restarted = True
                time.sleep(1.0)
        last_verdict = max((at for _, at in finished.values()), default=time.monotonic())
    finally:
        for host in hosts:
            host.stop()
        web.stop()

    assert killed and restarted
    assert set(finished) == set(uploaded), f"no verdict for {set(uploaded) - set(finished)}"
    wrong = {
        submission_id: (kind, (body["verdict"], body["passed"], body["total"]), expected[kind])
        for submission_id, (kind, _) in uploaded.items()
        for body, _ in [finished[submission_id]]
        if (body["verdict"], body["passed"], body["total"]) != expected[kind]
    }
    assert not wrong
    victim = finished[victim_claims[0]][0]
    assert victim["verdict"] == expected[uploaded[victim_claims[0]][0]][0]
    db = Database(database)
    try:
        rows = db.submissions(limit=1000)
        victim_row = db.submission(victim_claims[0])
    finally:
        db.close()
    assert len(rows) == len(uploaded)
    assert all(row.status is Status.DONE and row.result is not None for row in rows)
    assert victim_row is not None and victim_row.attempts >= 2  # judged again after the kill

    latencies = [at - uploaded[i][1] for i, (_, at) in finished.items()]
    figures = {
        "submissions": len(uploaded),
        "judge_hosts": 2,
        "verdicts": {kind: list(expected[kind]) for kind in FILES},
        "submissions_per_minute": round(len(uploaded) * 60 / (last_verdict - started), 1),
        "upload_to_verdict_p50_s": round(statistics.median(latencies), 1),
        "upload_to_verdict_p95_s": round(percentile(latencies, 0.95), 1),
        "killed_mid_job": victim_claims[0],
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "scale-out.json").write_text(json.dumps(figures, indent=2) + "\n")
    print("scale-out:", json.dumps(figures))


def package_copy(tmp_path: Path) -> Path:
    """A copy of this problem package (what a web app on another checkout serves)."""
    copy = tmp_path / "other-checkout"
    copy.mkdir()
    for name in ("problem.yaml", "statement.md", "checker", "reference", "sandbox", "testcases"):
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(
                source,
                copy / name,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__", "wheelhouse"),
            )
        else:
            shutil.copy2(source, copy / name)
    return copy


@pytest.mark.parametrize("change", ["test data", "sandbox"])
def test_a_judge_host_that_differs_from_the_web_app_refuses_to_start(
    tmp_path: Path, broker: RedisServer, change: str
) -> None:
    need_docker()
    other = package_copy(tmp_path)
    if change == "test data":
        answer = next((other / "testcases" / "secret").glob("*.ans"))
        answer.write_text(answer.read_text().replace("]", ", 0.0]"))
    else:
        runner = other / "sandbox" / "runner.py"
        runner.write_text(runner.read_text() + "\n# changed\n")
    web = start_web_app(tmp_path / "judge-data", broker.url, problem=other)
    try:
        host = start_judge_host(tmp_path, "mismatched", broker.url, web.url)
        assert host.process.wait(120) == 2
        words = "problem package" if change == "test data" else "sandbox image inputs"
        assert words in host.text()
        assert "differs from the web app" in host.text()
    finally:
        web.stop()

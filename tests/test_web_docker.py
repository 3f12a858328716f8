"""End-to-end tests of `judgekit serve` with the real sandboxed judge (Docker): a SIGKILL in
the middle of judging loses nothing, and a bounded load test on loopback.

Run with the Docker engine up and the sandbox image built (tools/setup.sh). In CI (CI=true)
a missing engine is a failure; locally these tests skip with the reason."""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from repo_support import REFERENCE, REPO_ROOT
from web_support import (
    add_user,
    need_docker,
    running_server,
    start_server,
    until,
    until_status,
    upload,
)

pytestmark = [pytest.mark.docker, pytest.mark.timeout(600)]

REFERENCE_SOURCE = REFERENCE.read_bytes()
ARTIFACTS = REPO_ROOT / "artifacts"


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    """A result without its timings: what must be equal when the same file is judged again."""
    cases = [
        {k: v for k, v in case.items() if k not in {"time_ms", "cpu_ms"}}
        for case in result["cases"]
    ]
    return {
        "verdict": result["verdict"],
        "passed": result["passed"],
        "total": result["total"],
        "cases": cases,
    }


def test_sigkill_mid_judging_loses_nothing(tmp_path: Path) -> None:
    need_docker()
    data = tmp_path / "judge-data"
    token = add_user(data, "alice", "password for alice")
    headers = {"Authorization": f"Bearer {token}"}
    server = start_server(data, judging_threads=2)
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            ids = [upload(client, token, REFERENCE_SOURCE, "ref.py") for _ in range(4)]

            def under_way() -> bool | None:
                statuses = [client.get(f"/api/submissions/{i}").json()["status"] for i in ids]
                return "running" in statuses or None

            # Wait until judging is under way (a submission running, ideally with cases done).
            until("a submission running", under_way, timeout=120)
            time.sleep(2.0)
        server.kill()  # SIGKILL: no clean-up of any kind
    finally:
        server.stop()
    with sqlite3.connect(data / "judge.sqlite3") as connection:
        before = dict(connection.execute("SELECT id, status FROM submissions").fetchall())
    assert sorted(before) == sorted(ids)
    assert "running" in before.values()

    with (
        running_server(data, judging_threads=2) as restarted,
        httpx.Client(base_url=restarted.url, headers=headers, timeout=30) as client,
    ):
        done = until_status(client, ids, timeout=400)
    assert sorted(done) == sorted(ids), "a submission was lost"
    results = [comparable(done[i]["result"]) for i in ids]  # type: ignore[arg-type]
    for i, result in zip(ids, results, strict=True):
        assert result == results[0], (
            f"submission {i} got a different result from {ids[0]}: {result['verdict']}, "
            f"{result['total']} cases, against {results[0]['verdict']}, {results[0]['total']}"
        )
    assert results[0]["verdict"] == "AC"
    with sqlite3.connect(data / "judge.sqlite3") as connection:
        rows = connection.execute("SELECT id, status, attempts FROM submissions").fetchall()
    assert all(status == "done" for _, status, _ in rows)
    interrupted = [i for i, s in before.items() if s == "running"]
    attempts = {i: a for i, _, a in rows}
    assert all(attempts[i] == 2 for i in interrupted), attempts


QUICK_UPLOADS: tuple[bytes, ...] = (
    b"",  # empty
    b"\xff\xfe\x00bad",  # not UTF-8
    b"def frozen_kernel_unchanged(:\n",  # syntax error
    b"x = = 1\n",  # another syntax error
)


def test_load_200_uploads_from_20_clients(tmp_path: Path) -> None:
    need_docker()
    clients, per_client = 20, 10
    real = clients // 2  # uploads that run in the sandbox: every other client's first
    data = tmp_path / "judge-data"
    tokens = [add_user(data, f"load{n:02d}", "load test password") for n in range(clients)]
    accepted: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()
    with running_server(data, judging_threads=2, max_pending=per_client) as server:
        started = time.monotonic()

        def client_run(index: int) -> None:
            rng = random.Random(index)
            headers = {"Authorization": f"Bearer {tokens[index]}"}
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
                for n in range(per_client):
                    runs = n == 0 and index % 2 == 0
                    body = REFERENCE_SOURCE if runs else rng.choice(QUICK_UPLOADS)
                    response = client.post("/api/submissions", files={"file": ("s.py", body)})
                    with lock:
                        if response.status_code == 202:
                            accepted.append(int(response.json()["id"]))
                        else:
                            failures.append(f"{response.status_code} {response.text}")

        threads = [threading.Thread(target=client_run, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        uploaded_s = time.monotonic() - started
        assert not failures, failures[:5]
        assert len(accepted) == clients * per_client
        admin_token = add_user(data, "loadadmin", "load test password", admin=True)
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=60
        ) as client:
            # A deadline against a hang, not a speed target (the figures go to the artefact):
            # 10 real runs of the whole test set on two judging threads take minutes on a busy host.
            # Polling 200 ids every 2 s keeps the poller's own load off the judge's cores.
            done = until_status(client, accepted, timeout=1500, slowest_s=2.0)
        last_verdict_s = time.monotonic() - started
    lost = len(set(accepted) - set(done))
    verdicts: dict[str, int] = {}
    for body in done.values():
        verdicts[str(body["verdict"])] = verdicts.get(str(body["verdict"]), 0) + 1
    with sqlite3.connect(data / "judge.sqlite3") as connection:
        stored = connection.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    files = len(list((data / "uploads").iterdir()))
    figures = {
        "uploads": len(accepted),
        "clients": clients,
        "sandbox_runs": verdicts.get("AC", 0),
        "verdicts": verdicts,
        "stored_rows": stored,
        "stored_files": files,
        "upload_phase_s": round(uploaded_s, 2),
        "time_to_last_verdict_s": round(last_verdict_s, 2),
        # Sandbox runs (the rest are compile errors, judged without one) per minute.
        "sandbox_runs_per_minute": round(verdicts.get("AC", 0) * 60 / last_verdict_s, 1),
        "lost": lost,
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load-test.json").write_text(json.dumps(figures, indent=2) + "\n")
    print("load test:", json.dumps(figures))
    assert lost == 0
    assert stored == files == len(accepted)
    assert verdicts.get("AC", 0) == real
    assert verdicts.get("CE", 0) == clients * per_client - real

"""Benchmark: submissions per minute with one and with two judge hosts, in one run.

Starts a private redis-server, `judgekit serve --broker` and N `judgekit worker` processes on
loopback (the parts of tools/deploy/compose.yaml as local processes), uploads the same batch of
reference submissions for N = 1 and N = 2, and prints for each the rate and the upload-to-
verdict p50/p95, and the ratio of the two rates. Needs Docker and the sandbox image.
Usage: .venv/bin/python tools/benchmarks/judge_hosts.py [--submissions 12]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests"))  # the tests' process helpers, reused as they are

from judge_hosts_support import start_judge_host, start_web_app, wait_for_log  # noqa: E402
from redis_support import RedisServer  # noqa: E402
from web_support import add_user, free_port  # noqa: E402

REFERENCE = (REPO_ROOT / "reference" / "frozen_kernel_unchanged.py").read_bytes()


def measure(folder: Path, hosts: int, submissions: int) -> dict[str, float]:
    broker = RedisServer(free_port(), folder / "redis")
    broker.folder.mkdir(parents=True)
    broker.start()
    data = folder / "judge-data"
    token = add_user(data, "bench", "benchmark password")
    web = start_web_app(data, broker.url, max_pending=submissions)
    judge_hosts = [
        start_judge_host(folder, f"bench-{i}", broker.url, web.url) for i in range(hosts)
    ]
    try:
        for host in judge_hosts:
            wait_for_log(host, "judge host", 180)
        time.sleep(20)  # let each host's prewarmed sandbox finish booting
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=web.url, headers=headers, timeout=30) as client:
            uploaded = {}
            for _ in range(submissions):
                response = client.post("/api/submissions", files={"file": ("r.py", REFERENCE)})
                uploaded[int(response.json()["id"])] = time.monotonic()
            done: dict[int, float] = {}
            while len(done) < len(uploaded):
                for submission_id in uploaded.keys() - done.keys():
                    if client.get(f"/api/submissions/{submission_id}").json()["status"] == "done":
                        done[submission_id] = time.monotonic()
                time.sleep(0.25)
        first = min(uploaded.values())
        latencies = sorted(done[i] - uploaded[i] for i in uploaded)
        return {
            "per_minute": len(uploaded) * 60 / (max(done.values()) - first),
            "p50_s": statistics.median(latencies),
            "p95_s": latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))],
        }
    finally:
        for host in judge_hosts:
            host.stop()
        web.process.stop()
        broker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=12)
    options = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="judgekit-bench-hosts-") as folder:
        for hosts in (1, 2):
            results[hosts] = measure(Path(folder) / f"hosts-{hosts}", hosts, options.submissions)
            figures = results[hosts]
            print(
                f"{hosts} judge host(s): {figures['per_minute']:.1f} submissions/min, "
                f"upload to verdict p50 {figures['p50_s']:.1f} s, p95 {figures['p95_s']:.1f} s",
                flush=True,
            )
    print(f"two hosts / one host: {results[2]['per_minute'] / results[1]['per_minute']:.2f}x")


if __name__ == "__main__":
    main()

"""Availability under attack: one learner cannot grow the server without bound nor slow the
pages for everyone else. Each test runs a real `judgekit serve` on 127.0.0.1, attacks it as one
learner, and measures the server's resident memory and another client's `GET /` latency while
the attack runs (tests/load_support.py), against the bounds the README gives under "Limits"."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from judgekit.package.problem import Problem
from judgekit.web.accounts import auth
from judgekit.web.db.database import Database
from judgekit.web.guards.limits import RequestLimits, SimilarityLimits
from judgekit.web.http_server import (
    HEADER_TIMEOUT_S,
    MAX_CONNECTIONS_PER_ADDRESS,
    WRITE_TIMEOUT_S,
)
from load_support import UnderLoad, others_get_latency, rss_mib
from web_support import (
    PASSWORD,
    Server,
    add_user,
    running_server,
    start_server,
    stored_submission,
    until_status,
)

RSS_GROWTH_MAX_MIB = 100
"""The server process may grow by at most this much during an attack (README: Limits)."""
OTHERS_P95_MAX_MS = 250
"""Another client's GET / p95 during an attack, on this 2-core machine (README: Limits)."""


# -- similarity --------------------------------------------------------------------------------

SIMILARITY_FLOOD_FILES = 12


def syntax_error_file(seed: int, size: int) -> bytes:
    """SIZE bytes of code-like text, different for each SEED, that does not compile."""
    rng = random.Random(seed)
    lines = [f"def broken_{seed}(:"]
    length = len(lines[0])
    while length < size:
        line = (
            f"    v{rng.randrange(10**6)} = v{rng.randrange(10**6)} * {rng.random():.6f}"
            f" + len('s{rng.randrange(1000)}')"
        )
        lines.append(line)
        length += len(line) + 1
    return "\n".join(lines).encode()[:size]


def _wait_scanned(data: Path, count: int, timeout_s: float) -> dict[str, int]:
    """The similarity scan's outcomes once COUNT submissions are done with (or at timeout)."""
    db = Database.for_data_dir(data)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            outcomes = db.similarity_outcomes()
            if sum(outcomes.values()) >= count or time.monotonic() > deadline:
                return outcomes
            time.sleep(0.2)
    finally:
        db.close()


def test_similarity_flood_of_distinct_syntax_errors_neither_grows_the_server_nor_slows_others(
    tmp_path: Path, problem: Problem
) -> None:
    data = tmp_path / "judge-data"
    token = add_user(data, "mallory", PASSWORD)
    files = [
        syntax_error_file(n, problem.limits.submission_bytes) for n in range(SIMILARITY_FLOOD_FILES)
    ]
    limits = SimilarityLimits()
    with (
        running_server(data, max_pending=SIMILARITY_FLOOD_FILES, pool_size=0) as server,
        httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client,
    ):
        home, pid = server.url + "/", server.process.pid
        quiet = others_get_latency(home, 3)
        rss_before = rss_mib(pid)
        with UnderLoad(home, pid) as probe:
            ids = []
            for n, content in enumerate(files):  # back to back: each is a CE in milliseconds
                response = client.post(
                    "/api/submissions", files={"file": (f"flood{n}.py", content)}
                )
                assert response.status_code == 202, response.text
                ids.append(int(response.json()["id"]))
            done = until_status(client, ids, timeout=30)
            outcomes = _wait_scanned(data, len(ids), 30)
            time.sleep(1)  # the probe keeps measuring a little after the scan's last file
        rss_after = rss_mib(pid)
    assert probe.latency is not None
    print(
        f"\nsimilarity flood of {len(ids)} x {len(files[0])} B syntax errors: server RSS "
        f"{rss_before:.0f} MiB before, peak {probe.peak_rss_mib:.0f}, after {rss_after:.0f} "
        f"(growth {probe.peak_rss_mib - rss_before:.0f} MiB); the scan's child process peak "
        f"{probe.peak_children_rss_mib:.0f} MiB; others' GET / quiet: {quiet}; during: "
        f"{probe.latency}; scan outcomes {outcomes}"
    )
    assert {body["verdict"] for body in done.values()} == {"CE"} and len(done) == len(ids)
    kept = limits.latest_per_user
    assert outcomes == {"compared": kept, "skipped": len(ids) - kept}
    assert probe.peak_children_rss_mib > 0, "the scan ran in a child process"
    assert probe.peak_rss_mib - rss_before < RSS_GROWTH_MAX_MIB
    assert probe.latency.errors == 0
    assert probe.latency.p95_ms < OTHERS_P95_MAX_MS


# -- logins, streams, slow and flooding clients ------------------------------------------------


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    data = tmp_path / "judge-data"
    db = Database.for_data_dir(data)
    try:
        for name in ("alice", "victim", "mallory"):
            auth.create_user(db, name, PASSWORD, admin=False)
    finally:
        db.close()
    running = start_server(data, judging_threads=1, pool_size=0)
    try:
        yield running
    finally:
        running.stop()


def _data_dir(server: Server) -> Path:
    return server.log.parent


ATTACKER = "127.0.0.2"
"""The attackers' source address (any 127.x.y.z reaches loopback); others browse from 127.0.0.1."""


@contextmanager
def _csrf_client(url: str, address: str = "127.0.0.1") -> Iterator[httpx.Client]:
    """A client from ADDRESS holding the login form's CSRF cookie."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=url, timeout=30, transport=transport) as client:
        while client.get("/login").status_code == 429:  # its address's other requests
            time.sleep(0.1)
        yield client


def _log_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    return client.post(
        "/login",
        data={
            "name": name,
            "password": password,
            auth.CSRF_FIELD: client.cookies.get(auth.CSRF_COOKIE) or "",
        },
    )


def _report(what: str, probe: UnderLoad, before_mib: float) -> None:
    print(
        f"\n{what}: others' GET / {probe.latency}; server RSS {before_mib:.0f} -> peak "
        f"{probe.peak_rss_mib:.0f} MiB (+{probe.peak_rss_mib - before_mib:.0f})"
    )


def test_a_flood_of_wrong_logins_costs_bounded_memory_and_does_not_slow_others(
    server: Server,
) -> None:
    pid = server.process.pid
    before = rss_mib(pid)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + 12.0

    def attacker(index: int) -> None:
        with _csrf_client(server.url, ATTACKER) as client:
            while time.monotonic() < stop_at:
                status = _log_in(client, f"guess{index % 6}", f"wrong password {index}").status_code
                with lock:
                    statuses[status] += 1

    with UnderLoad(server.url + "/", pid, max_s=30) as probe, ThreadPoolExecutor(24) as pool:
        list(pool.map(attacker, range(24)))
    _report("24 concurrent wrong logins for 12 s", probe, before)
    print(f"answers: {dict(statuses)}")
    assert probe.latency is not None and probe.latency.errors == 0
    assert probe.peak_rss_mib - before < RSS_GROWTH_MAX_MIB
    assert probe.latency.p95_ms < OTHERS_P95_MAX_MS
    assert set(statuses) <= {401, 429, 503}
    assert statuses[429] + statuses[503] > 0, "the flood was never throttled"


def test_guessing_one_accounts_password_is_throttled_without_locking_its_owner_out(
    server: Server,
) -> None:
    with _csrf_client(server.url) as owner:
        assert _log_in(owner, "victim", PASSWORD).status_code == 303
        device = owner.cookies.get(auth.DEVICE_COOKIE)
    answers = []
    with _csrf_client(server.url, ATTACKER) as attacker:
        for index in range(25):
            answers.append(_log_in(attacker, "victim", f"guess {index}").status_code)
        refused = _log_in(attacker, "victim", PASSWORD)
    assert answers[:5] == [401] * 5 and set(answers[5:]) <= {401, 429} and 429 in answers
    assert refused.status_code == 429, "the right password got in during the back-off"
    assert int(refused.headers["Retry-After"]) >= 1
    with _csrf_client(server.url) as owner_again:
        owner_again.cookies.set(auth.DEVICE_COOKIE, device or "")
        back = _log_in(owner_again, "victim", PASSWORD)
        assert back.status_code == 303 and owner_again.cookies.get(auth.SESSION_COOKIE)


def _held_submission(server: Server, user: str) -> int:
    """A submission that stays `running` (claimed by a judge that never reports)."""
    return stored_submission(_data_dir(server), user, held_by="a judge that never reports")


def test_one_learner_opening_200_live_streams_is_capped_and_others_stay_fast(
    server: Server,
) -> None:
    submission_id = _held_submission(server, "mallory")
    pid = server.process.pid
    before = rss_mib(pid)
    with _csrf_client(server.url) as login:
        assert _log_in(login, "mallory", PASSWORD).status_code == 303
        cookies = dict(login.cookies.items())
    statuses: Counter[int] = Counter()
    opened: list[httpx.Response] = []
    clients: list[httpx.Client] = []
    lock = threading.Lock()

    def open_stream(_index: int) -> None:
        transport = httpx.HTTPTransport(local_address=ATTACKER)
        client = httpx.Client(base_url=server.url, cookies=cookies, timeout=30, transport=transport)
        request = client.build_request("GET", f"/submissions/{submission_id}/events")
        response = client.send(request, stream=True)
        with lock:
            statuses[response.status_code] += 1
            clients.append(client)
            if response.status_code == 200:
                opened.append(response)
            else:
                response.close()

    try:
        with UnderLoad(server.url + "/", pid, max_s=30) as probe:
            with ThreadPoolExecutor(32) as pool:
                list(pool.map(open_stream, range(200)))
            time.sleep(8)  # the open streams stay open while others browse
        _report("200 live streams from one learner", probe, before)
        print(f"answers: {dict(statuses)}")
    finally:
        for response in opened:
            response.close()
        for client in clients:
            client.close()
    assert statuses[200] == 4 and statuses[429] == 196
    assert probe.latency is not None and probe.latency.errors == 0
    assert probe.latency.p95_ms < OTHERS_P95_MAX_MS
    assert probe.peak_rss_mib - before < RSS_GROWTH_MAX_MIB


def test_connections_that_never_finish_their_headers_are_closed(server: Server) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    sockets = []
    for _ in range(50):
        sock = socket.create_connection((host, int(port)), timeout=HEADER_TIMEOUT_S + 10)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        sockets.append(sock)
    started = time.monotonic()
    try:
        with UnderLoad(server.url + "/", server.process.pid, max_s=HEADER_TIMEOUT_S + 10) as probe:
            while time.monotonic() - started < HEADER_TIMEOUT_S - 1:
                for sock in sockets:  # a byte now and then, as a slow-loris client sends
                    sock.sendall(b"X")
                time.sleep(1)
            closed_after = []
            for sock in sockets:
                assert sock.recv(1024) == b""
                closed_after.append(time.monotonic() - started)
    finally:
        for sock in sockets:
            sock.close()
    print(f"\n50 slow-header connections: others' GET / {probe.latency}")
    assert max(closed_after) < HEADER_TIMEOUT_S + 5
    assert probe.latency is not None and probe.latency.errors == 0


def test_one_address_flooding_the_api_gets_its_share_and_others_stay_fast(server: Server) -> None:
    """Twice the per-address cap of connections from 127.0.0.2 polling the live-cases API (the
    thread pool that serves every page has 40 threads)."""
    submission_id = _held_submission(server, "mallory")
    db = Database.for_data_dir(_data_dir(server))
    try:
        _user, token = auth.create_user(db, "flooder", PASSWORD, admin=False)
    finally:
        db.close()
    pid = server.process.pid
    before = rss_mib(pid)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + 10.0
    url = f"/api/submissions/{submission_id}/cases"

    def flooder(_index: int) -> None:
        transport = httpx.HTTPTransport(local_address=ATTACKER)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, transport=transport, timeout=30) as client:
            while time.monotonic() < stop_at:
                status = client.get(url, headers=headers).status_code
                with lock:
                    statuses[status] += 1
                time.sleep(0.05)

    flooders = 2 * RequestLimits().per_address
    with UnderLoad(server.url + "/", pid, max_s=30) as probe, ThreadPoolExecutor(flooders) as pool:
        list(pool.map(flooder, range(flooders)))
    _report(f"{flooders} connections from one address polling the API for 10 s", probe, before)
    print(f"answers: {dict(statuses)}")
    assert set(statuses) <= {404, 429}  # not mallory's submission: 404 for the flooder
    assert statuses[429] > 0
    assert probe.latency is not None and probe.latency.errors == 0
    assert probe.latency.p95_ms < OTHERS_P95_MAX_MS
    assert probe.peak_rss_mib - before < RSS_GROWTH_MAX_MIB


def test_one_address_holds_a_bounded_number_of_connections(server: Server) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    held = []
    try:
        for _ in range(MAX_CONNECTIONS_PER_ADDRESS):
            sock = socket.create_connection((host, int(port)), 10, source_address=(ATTACKER, 0))
            held.append(sock)
        time.sleep(0.5)
        extra = socket.create_connection((host, int(port)), 10, source_address=(ATTACKER, 0))
        with extra:
            answer = extra.recv(4096).decode()
        assert (
            answer.startswith("HTTP/1.1 503")
            and "x-content-type-options: nosniff" in answer.lower()
        )
        assert httpx.get(server.url + "/", timeout=10).status_code == 200  # another address
    finally:
        for sock in held:
            sock.close()


def test_a_client_that_never_reads_its_answers_is_dropped(server: Server) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    sock.connect((host, int(port)))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 200)  # pipelined, never read
    started = time.monotonic()
    try:
        time.sleep(WRITE_TIMEOUT_S + 3)
        sock.settimeout(5)
        closed = False
        try:
            while sock.recv(65536):
                pass
            closed = True
        except ConnectionResetError:
            closed = True
        assert closed, "the connection is still open"
    finally:
        sock.close()
    print(f"\na client that never reads: dropped within {time.monotonic() - started:.0f} s")


def test_clients_that_go_away_mid_body_or_send_garbage_leave_no_tracebacks(
    server: Server,
) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    for _ in range(200):
        with socket.create_connection((host, int(port)), 10) as sock:
            sock.sendall(
                b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n\r\nname="
            )
    with socket.create_connection((host, int(port)), 10) as sock:
        sock.sendall(b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = sock.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 400") and "x-content-type-options: nosniff" in answer.lower()
    time.sleep(1)
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log and "unexpected error" not in log, log[-3000:]
    assert len(log) < 20_000

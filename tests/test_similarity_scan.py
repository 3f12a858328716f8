"""The similarity scan's child process (web.similarity.child, driven by
web.similarity.scan.SimilarityChild): it runs apart from the web process under a memory limit
and a low CPU priority, reads only the first bytes of each file, keeps a compact fingerprint
per learner in the database, and is started again when it dies or overruns its time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from judgekit.judge.verdict import Verdict
from judgekit.web.db.database import Database
from judgekit.web.db.tables import similarity_fingerprints
from judgekit.web.similarity.child import NICENESS, ChildConfig
from judgekit.web.similarity.measure import Fingerprint
from judgekit.web.similarity.scan import ChildUnavailable, SimilarityChild
from repo_support import REPO_ROOT
from sqlalchemy import select
from web_support import a_report

FILES = Path(__file__).resolve().parent / "similarity_files"


class Class:
    """A database with learners' finished submissions and their files."""

    def __init__(self, url: str, uploads: Path) -> None:
        self.db = Database(url)
        self.uploads = uploads
        uploads.mkdir(parents=True, exist_ok=True)

    def judged(self, name: str, content: bytes) -> int:
        user = self.db.user_by_name(name) or self.db.add_user(name, "x", f"t-{name}", admin=False)
        stored = f"{name}-{len(list(self.uploads.iterdir()))}"
        (self.uploads / stored).write_bytes(content)
        submission_id = self.db.add_submission(
            user_id=user.id,
            filename="s.py",
            stored_name=stored,
            size=len(content),
            sha256="h",
            device="cpu",
            max_pending=99,
        )
        claimed = self.db.claim_next()
        assert claimed is not None and claimed.id == submission_id
        self.db.finish(submission_id, claimed.attempts, a_report(Verdict.WA, passed=0, total=1))
        return submission_id

    def config(self, *, max_bytes: int = 64 * 1024, memory_mib: int = 512) -> ChildConfig:
        return ChildConfig(
            database_url=self.db.url,
            uploads_dir=str(self.uploads),
            statement=str(REPO_ROOT / "statement.md"),
            threshold=0.6,
            max_bytes=max_bytes,
            memory_mib=memory_mib,
            pairs_per_submission=50,
        )


@pytest.fixture()
def klass(database_url: str, tmp_path: Path) -> Iterator[Class]:
    made = Class(database_url, tmp_path / "uploads")
    try:
        yield made
    finally:
        made.db.close()


@pytest.fixture()
def sqlite_class(tmp_path: Path) -> Iterator[Class]:
    made = Class(f"sqlite:///{tmp_path / 'judge.sqlite3'}", tmp_path / "uploads")
    try:
        yield made
    finally:
        made.db.close()


def _limits(pid: int) -> tuple[int, int]:
    """(the address-space limit in bytes, the nice value) of process PID."""
    line = next(
        row for row in Path(f"/proc/{pid}/limits").read_text().splitlines() if "address" in row
    )
    nice = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
    return int(line.split()[3]), nice


def test_a_copy_is_found_by_a_child_process_under_a_memory_limit_and_a_low_priority(
    klass: Class,
) -> None:
    original = klass.judged("alice", (FILES / "original.py.txt").read_bytes())
    copy = klass.judged("bob", (FILES / "renamed_copy.py.txt").read_bytes())
    child = SimilarityChild(klass.config(memory_mib=300), timeout_s=60)
    try:
        assert [child.scan(original), child.scan(copy)] == ["compared", "compared"]
        pid = child.pid
        assert pid is not None and pid != os.getpid()
        assert _limits(pid) == (300 * 2**20, NICENESS)
    finally:
        child.stop()
    assert child.pid is None
    pairs = klass.db.similarity_pairs()
    assert [(p[0], p[2]) for p in pairs] == [(original, copy)] and pairs[0][4] > 0.9
    stored = klass.db.similarity_pair(original, copy)
    assert stored is not None and stored[1] != "[]" and stored[2] != "[]"


def test_only_the_first_bytes_are_read_and_kept_as_a_compact_fingerprint(
    sqlite_class: Class,
) -> None:
    big = b"".join(
        f"value_{n} = value_{n - 1} * {n} + len('s{n}')\n".encode() for n in range(1, 12_000)
    )
    assert len(big) > 256 * 1024
    submission = sqlite_class.judged("alice", big)
    child = SimilarityChild(sqlite_class.config(max_bytes=16 * 1024), timeout_s=60)
    try:
        assert child.scan(submission) == "compared"
    finally:
        child.stop()
    with sqlite_class.db.engine.connect() as connection:
        blob, source_bytes = connection.execute(
            select(similarity_fingerprints.c.fingerprint, similarity_fingerprints.c.source_bytes)
        ).one()
    fingerprint = Fingerprint.from_bytes(blob)
    assert source_bytes == len(big)
    assert 0 < len(fingerprint.hashes) < 16 * 1024  # k-grams of the first 16 KiB only
    assert len(blob) <= 12 * len(fingerprint.hashes) + 64  # two arrays, not Python objects


def test_a_child_that_dies_is_started_again_for_the_next_submission(
    sqlite_class: Class,
) -> None:
    first = sqlite_class.judged("alice", (FILES / "original.py.txt").read_bytes())
    second = sqlite_class.judged("bob", (FILES / "independent_functional.py.txt").read_bytes())
    child = SimilarityChild(sqlite_class.config(), timeout_s=60)
    try:
        assert child.scan(first) == "compared"
        dead = child.pid
        assert dead is not None
        os.kill(dead, signal.SIGKILL)
        assert child.scan(second) == "compared"
        assert child.pid not in (None, dead)
    finally:
        child.stop()
    assert sqlite_class.db.similarity_outcomes() == {"compared": 2}


def test_a_submission_over_the_time_limit_fails_and_the_child_is_replaced(
    sqlite_class: Class,
) -> None:
    slow = sqlite_class.judged("alice", b"x = [\n" + b"1, 2, 3,\n" * 8000)
    quick = sqlite_class.judged("bob", (FILES / "original.py.txt").read_bytes())
    child = SimilarityChild(sqlite_class.config(), timeout_s=0.001)
    try:
        assert child.scan(slow) == "failed"
        assert child.pid is None  # killed: the next submission gets a fresh one
        child.timeout_s = 60
        assert child.scan(quick) == "compared"
    finally:
        child.stop()


def test_the_memory_limit_turns_an_allocation_beyond_it_into_a_memory_error() -> None:
    program = (
        "from judgekit.web.similarity.child import limit_this_process\n"
        "limit_this_process(256)\n"
        "data = bytearray(300 * 2**20)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and "MemoryError" in result.stderr


def test_stopping_the_scan_ends_its_child_even_in_the_middle_of_a_submission(
    sqlite_class: Class,
) -> None:
    quick = sqlite_class.judged("alice", (FILES / "original.py.txt").read_bytes())
    slow = sqlite_class.judged("bob", b"x = [\n" + b"1, 2, 3,\n" * 100_000)
    child = SimilarityChild(sqlite_class.config(max_bytes=2**20), timeout_s=60)
    assert child.scan(quick) == "compared"
    pid = child.pid
    assert pid is not None
    outcome: list[object] = []

    def scan_slow() -> None:
        try:
            outcome.append(child.scan(slow))
        except ChildUnavailable as error:
            outcome.append(error)

    thread = threading.Thread(target=scan_slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    child.stop()
    thread.join(20)
    assert time.monotonic() - started < 15 and not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], ChildUnavailable)
    assert not Path(f"/proc/{pid}").exists()  # ended and reaped
    assert child.pid is None

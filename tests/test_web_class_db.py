"""The class views' data on SQLite and PostgreSQL alike (conftest's `database_url`): the
similarity tables (migrations 0003 and 0004, stored pairs and fingerprints, the scan's
bookkeeping and its per-learner limit) and the judging slots the queue's wait estimate divides
by, in-process and with judge hosts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Problem
from judgekit.web.db.database import Database
from judgekit.web.db.migrations import _config
from judgekit.web.db.tables import judge_hosts
from judgekit.web.judging.judge_hosts import HEARTBEAT_STALE_S, JudgeHosts
from judgekit.web.judging.queue_place import NO_SLOTS, queue_place
from judgekit.web.judging.threads import JudgingThreads
from judgekit.web.settings import Settings
from sqlalchemy import inspect, text, update
from web_support import InstantFakeJudge, a_report


@pytest.fixture()
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        database.close()


def _judged(db: Database, user_id: int, device: str = "cpu", verdict: str = "AC") -> int:
    submission_id = db.add_submission(
        user_id=user_id,
        filename="s.py",
        stored_name="s",
        size=1,
        sha256="h",
        device=device,
        max_pending=99,
    )
    claimed = db.claim_next()
    assert claimed is not None and claimed.id == submission_id
    assert db.finish(submission_id, claimed.attempts, a_report(Verdict(verdict), passed=1, total=1))
    return submission_id


def test_the_similarity_tables_keep_scores_and_times_as_double_precision(db: Database) -> None:
    columns = {c["name"]: c for c in inspect(db.engine).get_columns("similarity_pairs")}
    assert set(columns) == {
        "first_id",
        "second_id",
        "score",
        "first_regions",
        "second_regions",
        "computed_at",
    }
    if db.dialect == "postgresql":
        assert str(columns["score"]["type"]) == "DOUBLE PRECISION"
        assert str(columns["computed_at"]["type"]) == "DOUBLE PRECISION"
    indexes = inspect(db.engine).get_indexes("similarity_pairs")
    assert [i["column_names"] for i in indexes if i["name"] == "similarity_pairs_by_score"] == [
        ["score"]
    ]
    assert inspect(db.engine).get_pk_constraint("similarity_checked")["constrained_columns"] == [
        "submission_id"
    ]
    checked = {c["name"] for c in inspect(db.engine).get_columns("similarity_checked")}
    assert checked == {"submission_id", "checked_at", "outcome"}
    prints = {c["name"]: c for c in inspect(db.engine).get_columns("similarity_fingerprints")}
    assert set(prints) == {"submission_id", "user_id", "fingerprint", "source_bytes", "computed_at"}
    if db.dialect == "postgresql":
        assert str(prints["fingerprint"]["type"]) == "BYTEA"


def test_migrations_0004_and_0003_go_down_and_up_again(db: Database) -> None:
    from alembic import command

    similarity = {"similarity_pairs", "similarity_checked", "similarity_fingerprints"}
    for target, tables in (
        ("0003_similarity", {"similarity_pairs", "similarity_checked"}),
        ("0002_distributed", set()),
        ("head", similarity),
    ):
        with db.transaction() as connection:
            getattr(command, "downgrade" if target != "head" else "upgrade")(
                _config(connection), target
            )
        assert set(inspect(db.engine).get_table_names()) & similarity == tables
    assert db.schema_revision == "0005_judge_hosts"


def test_what_0003_scanned_stays_scanned_as_compared_through_0004(db: Database) -> None:
    from alembic import command

    alice = db.add_user("a", "x", "t-a", admin=False).id
    scanned, waiting = _judged(db, alice), _judged(db, alice)
    with db.transaction() as connection:
        command.downgrade(_config(connection), "0003_similarity")
        connection.execute(
            text("INSERT INTO similarity_checked (submission_id, checked_at) VALUES (:id, 1.0)"),
            {"id": scanned},
        )
    with db.transaction() as connection:
        command.upgrade(_config(connection), "head")
    assert db.similarity_outcomes() == {"compared": 1}
    assert db.similarity_work(latest_per_user=3) == [waiting]


def test_similarity_pairs_are_stored_replaced_and_listed_most_similar_first(
    db: Database,
) -> None:
    alice, bob, carol = (db.add_user(n, "x", f"t-{n}", admin=False).id for n in "abc")
    first, second, third = _judged(db, alice), _judged(db, bob), _judged(db, carol)
    assert db.similarity_work(latest_per_user=3) == [first, second, third]

    regions = json.dumps([[0, 4]])
    db.record_similarity(first, [])
    db.record_similarity(second, [(first, second, 0.75, regions, regions)])
    db.record_similarity(third, [(first, third, 0.9, regions, "[]")])
    db.record_similarity(third, [(first, third, 0.95, regions, "[]")])  # again: replaced
    assert db.similarity_work(latest_per_user=3) == []
    assert db.similarity_pairs() == [
        (first, "a", third, "c", pytest.approx(0.95)),
        (first, "a", second, "b", pytest.approx(0.75)),
    ]
    stored = db.similarity_pair(first, third)
    assert stored is not None and stored[0] == pytest.approx(0.95)
    assert stored[1:] == (regions, "[]")
    assert db.similarity_pair(second, third) is None
    assert db.similarity_outcomes() == {"compared": 3}


def test_only_each_learners_latest_few_are_scanned_compile_errors_last_accepted_always(
    db: Database,
) -> None:
    flooder, other = (db.add_user(n, "x", f"t-{n}", admin=False).id for n in ("mallory", "ada"))
    accepted = _judged(db, flooder, verdict="AC")
    wrong = [_judged(db, flooder, verdict="WA") for _ in range(4)]
    errors = [_judged(db, flooder, verdict="CE") for _ in range(5)]
    theirs = _judged(db, other, verdict="WA")
    work = db.similarity_work(latest_per_user=2, limit=100)
    assert work == [accepted, *wrong[-2:], theirs, *errors[-2:]]
    assert db.similarity_outcomes() == {"skipped": 2 + 3}
    db.mark_similarity(work[0], "failed")
    assert db.similarity_work(latest_per_user=2, limit=2) == work[1:3]
    assert db.similarity_outcomes() == {"skipped": 5, "failed": 1}


def test_each_learner_keeps_only_their_latest_fingerprint_read_by_others_in_batches(
    db: Database,
) -> None:
    users = [db.add_user(f"u{n}", "x", f"t-{n}", admin=False).id for n in range(5)]
    latest = {}
    for user in users:
        for attempt in range(2):
            submission = _judged(db, user)
            db.store_fingerprint(submission, user, f"{user}-{attempt}".encode(), 10)
            latest[user] = submission
    db.store_fingerprint(latest[users[0]], users[0], b"again", 10)  # replaced
    db.store_fingerprint(latest[users[-1]] - 1, users[-1], b"late", 10)  # older: not kept
    assert db.fingerprints_of_others(users[0], limit=99) == [
        (latest[user], f"{user}-1".encode()) for user in users[1:]
    ]
    first = db.fingerprints_of_others(users[0], limit=2)
    rest = db.fingerprints_of_others(users[0], after=first[-1][0], limit=2)
    assert [i for i, _ in first + rest] == [latest[user] for user in users[1:]]
    assert (latest[users[0]], b"again") in db.fingerprints_of_others(users[1])


def test_in_process_judging_threads_are_the_slots_of_every_device(
    problem: Problem, tmp_path: Path, db: Database
) -> None:
    settings = Settings(problem=problem, data_dir=tmp_path, judging_threads=3)
    pool = JudgingThreads(settings, db, InstantFakeJudge())
    assert pool.slots("cpu") == pool.slots("gpu") == 3


def test_live_judge_host_slots_of_the_device_divide_the_wait_and_none_gives_no_estimate(
    problem: Problem, tmp_path: Path, db: Database
) -> None:
    settings = Settings(problem=problem, data_dir=tmp_path, broker_url="redis://127.0.0.1:9/0")
    hosts = JudgeHosts(settings, db, "redis://127.0.0.1:9/0")  # the broker is never contacted
    user = db.add_user("ada", "x", "t", admin=False).id
    _judged(db, user)  # some judging history
    waiting = db.submission(
        db.add_submission(
            user_id=user,
            filename="s.py",
            stored_name="s",
            size=1,
            sha256="h",
            device="cpu",
            max_pending=99,
        )
    )
    assert waiting is not None
    place = queue_place(db, waiting, hosts)
    assert place is not None and place.estimated_wait_s is None and NO_SLOTS in place.text

    for name, device in (("h/1", "cpu"), ("h/2", "cpu"), ("g/1", "gpu"), ("old/1", "cpu")):
        db.record_judge_host_heartbeat(name, device, "img", {}, None)
    with db.transaction() as connection:
        connection.execute(
            update(judge_hosts)
            .where(judge_hosts.c.name == "old/1")
            .values(heartbeat_at=judge_hosts.c.heartbeat_at - 2 * HEARTBEAT_STALE_S)
        )
    assert hosts.slots("cpu") == 2 and hosts.slots("gpu") == 1
    place = queue_place(db, waiting, hosts)
    assert place is not None and place.position == 1 and place.estimated_wait_s is not None

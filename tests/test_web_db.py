"""The judge database on SQLite and PostgreSQL alike: leases for judge hosts, atomic claims
and the pending quota under concurrency, judge-host heartbeats, awkward text, readable errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pytest
from judgekit.cli import main
from judgekit.judge.json_fields import MalformedJson
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Problem
from judgekit.row_ids import ROW_ID_MAX
from judgekit.web.db.connection import DATABASE_URL_ENV, shown_url, sqlite_url
from judgekit.web.db.database import DB_FILE, Database, DatabaseUnavailable, Status, TooManyPending
from judgekit.web.settings import Settings, resolve_database_url
from sqlalchemy import text
from web_support import a_report

T = TypeVar("T")
A_CASE = CaseResult("sample/01", "sample", Verdict.AC, 1, "", True, {"seed": 0}, [1.0], [1.0])


@pytest.fixture()
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        database.close()


def _user(db: Database, name: str = "ada") -> int:
    return db.add_user(name, "x", f"token-{name}", admin=False).id


def _submit(db: Database, user_id: int, max_pending: int = 100) -> int:
    return db.add_submission(
        user_id=user_id,
        filename="s.py",
        stored_name="s",
        size=1,
        sha256="h",
        device="cpu",
        max_pending=max_pending,
    )


def _together(count: int, action: Callable[[int], T]) -> list[T | BaseException]:
    """ACTION(i) in COUNT threads released at once; each result or exception."""
    barrier = threading.Barrier(count)
    results: list[T | BaseException] = [RuntimeError("did not run")] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = action(index)
        except BaseException as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _expire_lease(db: Database, submission_id: int) -> None:
    with db.transaction() as connection:
        connection.execute(
            text("UPDATE submissions SET lease_until = :t WHERE id = :id"),
            {"t": time.time() - 1, "id": submission_id},
        )


def test_claim_takes_a_queued_submission_under_a_lease(db: Database) -> None:
    submission_id = _submit(db, _user(db))
    before = time.time()
    claimed = db.claim(submission_id, "w1", 30.0)
    assert claimed is not None and claimed.status is Status.RUNNING and claimed.attempts == 1
    assert claimed.judge_host == "w1" and claimed.lease_until is not None
    assert before + 30 <= claimed.lease_until <= time.time() + 30
    assert db.claim(submission_id, "w2", 30.0) is None  # a live lease is the holder's
    assert db.claim(9999, "w2", 30.0) is None
    assert db.renew_lease(submission_id, 1, 60.0)
    assert not db.renew_lease(submission_id, 2, 60.0)
    assert db.requeue_expired_leases() == []
    assert db.add_case_result(submission_id, 1, A_CASE)
    assert db.finish(submission_id, 1, a_report(Verdict.AC, passed=1, total=1))
    done = db.submission(submission_id)
    assert done is not None and done.status is Status.DONE
    assert done.lease_until is None and done.judge_host is None
    assert db.claim(submission_id, "w2", 30.0) is None
    assert not db.renew_lease(submission_id, 1, 60.0)


def test_an_expired_lease_is_claimed_again_or_requeued(db: Database) -> None:
    user_id = _user(db)
    first, second = _submit(db, user_id), _submit(db, user_id)
    assert db.claim(first, "w1", 30.0) is not None
    assert db.add_case_result(first, 1, A_CASE)
    _expire_lease(db, first)
    again = db.claim(first, "w2", 30.0)
    assert again is not None and again.judge_host == "w2" and again.attempts == 2
    assert db.case_results(first) == []
    stale = 1  # the first judge host's attempt
    assert not db.finish(first, stale, a_report(Verdict.AC, passed=1, total=1))
    assert db.claim(second, "w1", 30.0) is not None
    _expire_lease(db, second)
    assert db.requeue_expired_leases() == [second]
    requeued = db.submission(second)
    assert requeued is not None and requeued.status is Status.QUEUED
    assert (requeued.started_at, requeued.lease_until, requeued.judge_host) == (None, None, None)
    assert [s.id for s in db.queued_submissions()] == [second]


def test_only_the_attempt_that_holds_a_submission_may_write_to_it(db: Database) -> None:
    submission_id = _submit(db, _user(db))

    def writes(attempt: int) -> list[bool]:
        """Each write an attempt may make, except finishing: a case, a lease renewal, a retry."""
        return [
            db.add_case_result(submission_id, attempt, A_CASE),
            db.renew_lease(submission_id, attempt, 30.0),
        ]

    assert writes(0) == [False, False] and not db.retry(submission_id, 0)  # queued: nobody's
    assert db.claim(submission_id, "w1", 30.0) is not None
    _expire_lease(db, submission_id)
    assert db.claim(submission_id, "w2", 30.0) is not None  # attempt 2 holds it now
    assert writes(1) == [False, False] and not db.retry(submission_id, 1)
    assert not db.finish(submission_id, 1, a_report(Verdict.AC, passed=1, total=1))
    assert writes(2) == [True, True]
    assert db.finish(submission_id, 2, a_report(Verdict.AC, passed=1, total=1))
    assert writes(2) == [False, False] and not db.retry(submission_id, 2)  # done: nobody's
    done = db.submission(submission_id)
    assert done is not None and done.status is Status.DONE and done.verdict == "AC"


def test_the_largest_row_id_a_request_may_name_finds_no_row_on_every_backend(
    db: Database,
) -> None:
    largest = ROW_ID_MAX
    assert db.submission(largest) is None and db.case_results(largest, largest - 1) == []
    assert not db.add_case_result(largest, largest, A_CASE)
    assert not db.renew_lease(largest, largest, 30.0) and not db.retry(largest, largest)
    assert db.claim(largest, "w1", 30.0) is None and db.requeue(largest) == 0
    db.record_judge_host_heartbeat("w1", "cpu", "img", {}, largest)
    assert [w.submission_id for w in db.judge_host_statuses()] == [largest]


def test_requeue_interrupted_leaves_leased_rows_to_their_judge_hosts(db: Database) -> None:
    user_id = _user(db)
    remote, local, waiting = _submit(db, user_id), _submit(db, user_id), _submit(db, user_id)
    assert db.claim(remote, "w1", 30.0) is not None
    claimed = db.claim_next()
    assert claimed is not None and claimed.id == local and claimed.lease_until is None
    assert db.requeue_interrupted() == 1
    statuses = {s.id: s.status for s in db.submissions()}
    assert statuses == {remote: Status.RUNNING, local: Status.QUEUED, waiting: Status.QUEUED}
    assert [s.id for s in db.queued_submissions(limit=1)] == [local]
    assert db.requeue(remote) == 1
    back = db.submission(remote)
    assert back is not None and back.judge_host is None and back.lease_until is None


def test_ten_threads_claim_one_submission_and_exactly_one_wins(db: Database) -> None:
    submission_id = _submit(db, _user(db))
    results = _together(10, lambda i: db.claim(submission_id, f"w{i}", 30.0))
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(r is not None for r in results) == 1
    row = db.submission(submission_id)
    assert row is not None and row.attempts == 1


def test_claim_next_from_many_threads_claims_each_submission_once(db: Database) -> None:
    user_id = _user(db)
    ids = {_submit(db, user_id) for _ in range(12)}

    def drain(_index: int) -> list[int]:
        claimed = []
        while (submission := db.claim_next()) is not None:
            claimed.append(submission.id)
        return claimed

    results = _together(6, drain)
    claimed = [i for r in results if not isinstance(r, BaseException) for i in r]
    assert len(claimed) == len(ids), results
    assert set(claimed) == ids
    assert all(s.attempts == 1 for s in db.submissions())


def test_the_pending_quota_holds_under_concurrent_submits(db: Database) -> None:
    user_id = _user(db)
    results = _together(12, lambda _i: _submit(db, user_id, max_pending=3))
    accepted = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, TooManyPending)]
    assert len(accepted) == 3 and len(refused) == 9, results
    assert db.pending_count(user_id) == 3


def test_judge_host_heartbeats_are_upserted_newest_first(db: Database) -> None:
    db.record_judge_host_heartbeat("w1", "cpu", "img:1", {"jax": "0.4"}, None)
    first = db.judge_host_statuses()
    time.sleep(0.01)
    db.record_judge_host_heartbeat("w2", "gpu", "img:2", {}, None)
    time.sleep(0.01)
    db.record_judge_host_heartbeat("w1", "cpu", "img:1", {"jax": "0.5"}, 7)
    statuses = db.judge_host_statuses()
    assert [w.name for w in statuses] == ["w1", "w2"]
    w1 = statuses[0]
    assert w1.started_at == first[0].started_at < w1.heartbeat_at
    assert w1.versions == {"jax": "0.5"} and w1.submission_id == 7 and w1.image == "img:1"


def test_concurrent_first_heartbeats_make_one_row(db: Database) -> None:
    results = _together(8, lambda i: db.record_judge_host_heartbeat("w", "cpu", "img", {}, i))
    assert results == [None] * 8
    assert [w.name for w in db.judge_host_statuses()] == ["w"]


def test_the_database_option_wins_over_the_environment(
    problem: Problem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    assert resolve_database_url(tmp_path) == sqlite_url(tmp_path / DB_FILE)
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql://u@h/env")
    assert Settings(problem=problem, data_dir=tmp_path).db_url == "postgresql://u@h/env"
    option = Settings(problem=problem, data_dir=tmp_path, database_url="sqlite:///o.db")
    assert option.db_url == "sqlite:///o.db"


def test_nul_and_lone_surrogates_in_results_round_trip(db: Database) -> None:
    submission_id = _submit(db, _user(db))
    awkward = "nul\x00 and \ud800 lone"
    claimed = db.claim_next()
    assert claimed is not None
    assert db.add_case_result(submission_id, 1, replace(A_CASE, message=awkward))
    ((seq, case),) = db.case_results(submission_id)
    assert seq == 0 and "\x00" in case.message
    assert db.finish(submission_id, 1, JudgeReport(Verdict.WA, awkward, "cpu", "img"))
    row = db.submission(submission_id)
    assert row is not None and row.result is not None
    message = row.result.message
    assert message.startswith("nul\x00 and ") and message.endswith(" lone")
    assert "\x00" not in (row.result_json or "")
    assert db.user_by_name("ada\x00") is None and db.user_by_name("ada\udc80") is None


def test_a_result_reads_back_as_the_report_stored(db: Database) -> None:
    submission_id = _submit(db, _user(db))
    assert db.claim_next() is not None
    assert db.add_case_result(submission_id, 1, A_CASE)
    assert db.case_results(submission_id) == [(0, A_CASE)]
    report = JudgeReport(Verdict.AC, "", "cpu", "img", (A_CASE,), "cpu", 5, cpu_ms=4)
    assert db.finish(submission_id, 1, report)
    row = db.submission(submission_id)
    assert row is not None and row.result == report
    assert (row.verdict, row.passed, row.total, row.time_ms) == ("AC", 1, 1, 5)


def test_a_stored_result_that_is_not_a_report_is_an_error_naming_the_field(
    db: Database,
) -> None:
    submission_id = _submit(db, _user(db))
    with db.transaction() as connection:
        connection.execute(
            text("UPDATE submissions SET status = 'done', result_json = :r WHERE id = :id"),
            {
                "r": '{"verdict": "OK", "message": "", "device": "cpu", "image": ""}',
                "id": submission_id,
            },
        )
    row = db.submission(submission_id)
    assert row is not None
    with pytest.raises(
        MalformedJson, match=f"`verdict` of the stored result of submission {submission_id} is 'OK'"
    ):
        _ = row.result


def test_a_bad_database_url_is_one_line_without_the_password(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql://judge:s3cret@127.0.0.1:1/judge"
    with pytest.raises(DatabaseUnavailable) as caught:
        Database(url)
    assert "s3cret" not in str(caught.value)
    assert str(caught.value).startswith(
        "cannot open the database at postgresql://judge@127.0.0.1:1/judge (password hidden): "
    )
    assert shown_url("nonsense://a:b@c") == "nonsense://a@c (password hidden)"
    monkeypatch.setenv("JUDGEKIT_DATABASE_URL", url)
    code = main(["users", "add", "ada", "--data", str(tmp_path / "d"), "--password-stdin"])
    err = capsys.readouterr().err
    assert code == 2 and "s3cret" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith("judgekit: error: cannot open the database at postgresql://judge@")
    assert err.strip().endswith("; check JUDGEKIT_DATABASE_URL")
    code = main(["users", "add", "ada", "--data", str(tmp_path / "d"), "--database-url",
                 "mysql://u:pw@h/db", "--password-stdin"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "pw@" not in err and err.strip().endswith("; check --database-url")

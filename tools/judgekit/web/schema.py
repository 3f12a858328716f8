"""The judge database's schema, as migrations: each moves it one version up, and
PRAGMA user_version records how far a database file has come, so an old file is upgraded in
place when the server opens it."""

from __future__ import annotations

import sqlite3

# Each entry moves the schema one version up; PRAGMA user_version records how far we are.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        is_admin INTEGER NOT NULL DEFAULT 0,
        token_hash TEXT UNIQUE,
        created_at REAL NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id INTEGER NOT NULL REFERENCES users(id),
        created_at REAL NOT NULL,
        filename TEXT NOT NULL,
        stored_name TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        device TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done')),
        attempts INTEGER NOT NULL DEFAULT 0,
        verdict TEXT,
        passed INTEGER,
        total INTEGER,
        time_ms INTEGER,
        result_json TEXT,
        started_at REAL,
        finished_at REAL
    );
    CREATE INDEX submissions_by_user ON submissions(user_id, id);
    CREATE INDEX submissions_by_status ON submissions(status, id);
    CREATE TABLE case_results (
        submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        case_json TEXT NOT NULL,
        PRIMARY KEY (submission_id, seq)
    );
    """,
    # Which problem (problem.yaml's id) each submission was made for. Rows from before this
    # version keep NULL: the database did not know.
    """
    ALTER TABLE submissions ADD COLUMN problem_id TEXT;
    CREATE INDEX submissions_by_problem ON submissions(problem_id, id);
    """,
    # Similarity between submissions of different users, found by a background scan:
    # pairs above the threshold (first_id < second_id) with the matching regions of each file
    # as JSON [[start, end], ...] character offsets, and which submissions were scanned.
    """
    CREATE TABLE similarity_pairs (
        first_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        second_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        score REAL NOT NULL,
        first_regions TEXT NOT NULL,
        second_regions TEXT NOT NULL,
        computed_at REAL NOT NULL,
        PRIMARY KEY (first_id, second_id)
    );
    CREATE INDEX similarity_pairs_by_score ON similarity_pairs(score);
    CREATE TABLE similarity_checked (
        submission_id INTEGER PRIMARY KEY REFERENCES submissions(id) ON DELETE CASCADE,
        checked_at REAL NOT NULL
    );
    """,
)


def migrate(connection: sqlite3.Connection) -> None:
    """Run the migrations CONNECTION's database has not had yet, inside the caller's transaction."""
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        for statement in script.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version={number}")

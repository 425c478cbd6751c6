"""Class mode's schema: the one place its migrations live.

Each migration is a version number and its statements, written once for SQLite and PostgreSQL alike
(``TEXT``, ``BIGINT``, ``DOUBLE PRECISION``: both read them; JSON is stored as text). :func:`migrate`
applies the missing ones in order, records each in ``schema_version``, and is idempotent. It is safe when
two processes start at once: SQLite's write lock (``BEGIN IMMEDIATE``) or PostgreSQL's transaction-level
advisory lock lets one of them migrate while the other waits, then finds nothing left to do.

Never edit a migration that shipped: add the next one.
"""

from __future__ import annotations

import time

from classroom.db import Database, Tx

ADVISORY_LOCK = 0x5EC1A55  # any constant of this app's own: PostgreSQL's migration lock

MIGRATIONS: list[tuple[int, tuple[str, ...]]] = [
    (
        1,
        (
            """CREATE TABLE rooms (
                code TEXT PRIMARY KEY,
                teacher_hash TEXT NOT NULL,
                created DOUBLE PRECISION NOT NULL,
                touched DOUBLE PRECISION NOT NULL,
                phase TEXT NOT NULL DEFAULT 'lobby' CHECK (phase IN ('lobby', 'open', 'revealed')),
                show_spread INTEGER NOT NULL DEFAULT 0,
                question_id TEXT,
                students INTEGER NOT NULL DEFAULT 0,
                version BIGINT NOT NULL DEFAULT 1,
                answers_version BIGINT NOT NULL DEFAULT 1
            )""",
            "CREATE INDEX rooms_touched ON rooms (touched)",
            """CREATE TABLE questions (
                id TEXT PRIMARY KEY,
                code TEXT NOT NULL REFERENCES rooms (code) ON DELETE CASCADE,
                n INTEGER NOT NULL,
                spec TEXT NOT NULL,
                asked DOUBLE PRECISION NOT NULL,
                revealed DOUBLE PRECISION,
                UNIQUE (code, n)
            )""",
            """CREATE TABLE students (
                id TEXT PRIMARY KEY,
                code TEXT NOT NULL REFERENCES rooms (code) ON DELETE CASCADE,
                n INTEGER NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                nickname TEXT NOT NULL,
                nick_key TEXT NOT NULL,
                joined DOUBLE PRECISION NOT NULL,
                UNIQUE (code, n),
                UNIQUE (code, nick_key)
            )""",
            """CREATE TABLE answers (
                question_id TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
                student_id TEXT NOT NULL REFERENCES students (id) ON DELETE CASCADE,
                value TEXT NOT NULL,
                answered DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (question_id, student_id)
            )""",
            "CREATE INDEX answers_student ON answers (student_id)",
        ),
    ),
]
"""``(version, statements)`` in order; versions are 1, 2, 3, … without gaps."""

LATEST = MIGRATIONS[-1][0]


def _lock_and_read(tx: Tx) -> int:
    """Take the migration lock; the version the database is at (0 for a new one)."""
    if tx.dialect == "postgresql":
        tx.one("SELECT pg_advisory_xact_lock(?)", (ADVISORY_LOCK,))
    tx.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied DOUBLE PRECISION)")
    row = tx.one("SELECT MAX(version) FROM schema_version")
    return int(row[0]) if row is not None and row[0] is not None else 0


def current_version(db: Database) -> int:
    """The latest migration applied to ``db`` (0 when none)."""

    def read(tx: Tx) -> int:
        table = (
            tx.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
            if tx.dialect == "sqlite"
            else tx.one("SELECT 1 WHERE to_regclass('schema_version') IS NOT NULL")
        )
        if table is None:
            return 0
        row = tx.one("SELECT MAX(version) FROM schema_version")
        return int(row[0]) if row is not None and row[0] is not None else 0

    return db.run(read, write=False)


def migrate(db: Database) -> list[int]:
    """Apply every migration ``db`` lacks, in one transaction; the versions applied (``[]``: up to date)."""

    def apply(tx: Tx) -> list[int]:
        at = _lock_and_read(tx)
        done: list[int] = []
        for version, statements in MIGRATIONS:
            if version <= at:
                continue
            for sql in statements:
                tx.run(sql)
            tx.run("INSERT INTO schema_version (version, applied) VALUES (?, ?)", (version, time.time()))
            done.append(version)
        return done

    return db.run(apply, write=True)

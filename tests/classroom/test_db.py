"""Connections, settings, migrations and restarts, on a real SQLite file and a real PostgreSQL cluster."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import classroom.db as db_module
import classroom.rooms as rooms_module
from classroom.db import Database, Unavailable, database_url, open_database, parse_url
from classroom.rooms import Rooms
from classroom.schema import MIGRATIONS, current_version, migrate
from harness import postgres

SPEC = {"source": "quiz", "seed": 3, "n": 1}
REPO = Path(__file__).resolve().parents[2]


# ---- the setting ---------------------------------------------------------------------------------------------


def test_the_default_is_a_sqlite_file_in_the_repos_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXPLORER_DATABASE_URL", raising=False)
    assert database_url() == f"sqlite:///{REPO / 'data' / 'classroom.sqlite3'}"
    assert parse_url(database_url()) == ("sqlite", str(REPO / "data" / "classroom.sqlite3"))
    monkeypatch.setenv("EXPLORER_DATABASE_URL", "   ")
    assert database_url().startswith("sqlite:///")


def test_the_setting_names_the_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EXPLORER_DATABASE_URL", "postgresql://ana@db.example:6543/explorer")
    assert database_url() == "postgresql://ana@db.example:6543/explorer"
    assert parse_url(database_url()) == ("postgresql", "postgresql://ana@db.example:6543/explorer")
    assert parse_url("postgresql://u@/db?host=/run/pg")[0] == "postgresql"
    monkeypatch.chdir(tmp_path)
    assert parse_url("sqlite:///rel/x.sqlite3") == ("sqlite", str(tmp_path / "rel" / "x.sqlite3"))
    assert parse_url(f"sqlite:///{tmp_path}/a.sqlite3") == ("sqlite", f"{tmp_path}/a.sqlite3")


@pytest.mark.parametrize(
    "url",
    [
        "mysql://ana:hunter2@db.example/explorer",
        "sqlite://relative-without-third-slash",
        "sqlite:///",
        "sqlite:///:memory:",
        "redis://:hunter2@localhost",
        "hunter2",
    ],
)
def test_an_unknown_url_is_a_clear_error_without_the_password(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("EXPLORER_DATABASE_URL", url)
    shown = url
    monkeypatch.setattr(db_module, "_opened", {})
    with pytest.raises(ValueError, match="EXPLORER_DATABASE_URL") as e:
        open_database()
    text = str(e.value)
    if ":hunter2@" in shown:
        assert "hunter2" not in text
        assert ":***@" in text
    else:
        assert repr(shown) in text


def test_a_password_never_shows_in_errors(pg_cluster: postgres.Cluster) -> None:
    url = f"postgresql://postgres:hunter2@127.0.0.1:{pg_cluster.port}/no_such_database"
    db = Database(url)
    assert "hunter2" not in repr(db)
    with pytest.raises(Unavailable) as e:
        db.transaction().__enter__()
    assert "hunter2" not in str(e.value)
    assert "no_such_database" in str(e.value)


# ---- SQLite's settings -------------------------------------------------------------------------------------------


def test_sqlite_runs_in_wal_with_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "c.sqlite3"
    db = Database(f"sqlite:///{path}")  # the folder is made on demand
    migrate(db)
    got = db.run(
        lambda tx: [
            tx.one("PRAGMA journal_mode"),
            tx.one("PRAGMA busy_timeout"),
            tx.one("PRAGMA foreign_keys"),
            tx.one("PRAGMA synchronous"),
        ]
    )
    assert got == [("wal",), (5000,), (1,), (1,)]  # synchronous 1 = NORMAL
    db.close()
    with sqlite3.connect(path) as raw:  # another program sees the file in WAL mode
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


# ---- transactions ----------------------------------------------------------------------------------------------


def test_a_failing_transaction_leaves_nothing(db: Database) -> None:
    def insert_then_fail() -> None:
        with db.transaction() as tx:
            tx.run(
                "INSERT INTO rooms (code, teacher_hash, created, touched) VALUES (?, ?, ?, ?)",
                ("AAAAAA", "h", 1.0, 1.0),
            )
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        insert_then_fail()
    assert db.run(lambda tx: tx.one("SELECT COUNT(*) FROM rooms"), write=False) == (0,)
    with db.transaction() as tx:  # the connection is usable afterwards
        tx.run(
            "INSERT INTO rooms (code, teacher_hash, created, touched) VALUES (?, ?, ?, ?)", ("AAAAAA", "h", 1.0, 1.0)
        )
    assert db.run(lambda tx: tx.one("SELECT COUNT(*) FROM rooms"), write=False) == (1,)


def test_question_marks_are_placeholders_and_percent_signs_are_text(db: Database) -> None:
    row = db.run(lambda tx: tx.one("SELECT ? || '%' || ?, 100 % 7", ("50", "%s")), write=False)
    assert row == ("50%%s", 2)


def test_foreign_keys_cascade(db: Database) -> None:
    rooms = Rooms(db)
    c = rooms.create()
    s = rooms.join(c.code, "")
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    rooms.answer(c.code, s.token, q.id, 1)
    db.run(lambda tx: tx.run("DELETE FROM students WHERE id = ?", (s.student_id,)))
    assert db.run(lambda tx: tx.one("SELECT COUNT(*) FROM answers"), write=False) == (0,)


# ---- migrations --------------------------------------------------------------------------------------------------


def test_migrations_run_twice_are_a_no_op(db_url: str) -> None:
    db = Database(db_url)
    assert current_version(db) == 0
    assert migrate(db) == [v for v, _ in MIGRATIONS]
    rooms = Rooms(db)
    c = rooms.create()
    rooms.join(c.code, "Ana")
    assert migrate(db) == []
    assert migrate(Database(db_url)) == []
    assert current_version(db) == MIGRATIONS[-1][0]
    rows = db.run(lambda tx: tx.all("SELECT version FROM schema_version ORDER BY version"), write=False)
    assert rows == [(v,) for v, _ in MIGRATIONS]
    assert rooms.state(c.code).joined == 1, "data survives"
    db.close()


def test_migration_versions_have_no_gaps() -> None:
    assert [v for v, _ in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def _migrate_in_child(url: str, barrier: Any, out: Any) -> None:
    db = Database(url)
    barrier.wait(timeout=60)
    try:
        out.put(("ok", migrate(db)))
    except Exception as e:  # reported to the parent, which fails the test
        out.put(("error", repr(e)))
    db.close()


def test_two_processes_migrating_at_once(db_url: str) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_migrate_in_child, args=(db_url, barrier, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = sorted((out.get(timeout=60) for _ in procs), key=lambda r: len(r[1]))
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert results == [("ok", []), ("ok", [v for v, _ in MIGRATIONS])], "one migrated, the other found it done"
    db = Database(db_url)
    assert db.run(lambda tx: tx.all("SELECT version FROM schema_version"), write=False) == [(v,) for v, _ in MIGRATIONS]
    db.close()


# ---- one database per process ------------------------------------------------------------------------------------


def test_open_database_is_made_and_migrated_once_per_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(db_module, "_opened", {})
    monkeypatch.setattr(rooms_module, "_rooms", None)
    url = f"sqlite:///{tmp_path / 'one.sqlite3'}"
    monkeypatch.setenv("EXPLORER_DATABASE_URL", url)
    first = open_database()
    try:
        assert open_database(url) is first
        assert current_version(first) == MIGRATIONS[-1][0]
        r = rooms_module.rooms()
        assert r is rooms_module.rooms()
        assert r.db is first
        assert (tmp_path / "one.sqlite3").is_file()
    finally:
        first.close()


# ---- restarts ----------------------------------------------------------------------------------------------------


def _a_round(rooms: Rooms) -> tuple[str, str, str, list[tuple[str, object]]]:
    c = rooms.create()
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    sent = []
    for i in range(5):
        s = rooms.join(c.code, f"S{i}")
        rooms.answer(c.code, s.token, q.id, i / 10)
        sent.append((s.token, i / 10))
    return c.code, c.teacher_token, q.id, sent


def test_everything_is_still_there_after_reopening(db_url: str) -> None:
    first = Database(db_url)
    migrate(first)
    code, teacher, qid, sent = _a_round(Rooms(first))
    before = Rooms(first).export(code, teacher)
    first.close()
    with pytest.raises(Unavailable):
        Rooms(first).state(code)  # a closed Database is closed for good
    second = Database(db_url)
    assert migrate(second) == []
    rooms = Rooms(second)
    assert rooms.export(code, teacher) == before
    assert sorted(rooms.answers(code, qid).values()) == sorted(v for _, v in sent)
    token, _ = sent[0]
    rooms.answer(code, token, qid, 0.99)  # and the room goes on
    assert rooms.resume(code, token).nickname == "S0"
    assert rooms.state(code).answered == 5
    second.close()


def test_a_postgresql_restart_mid_round(pg_cluster: postgres.Cluster) -> None:
    url = pg_cluster.create_database("restart_mid_round")
    db = Database(url)
    migrate(db)
    rooms = Rooms(db)
    code, teacher, qid, sent = _a_round(rooms)
    start = threading.Barrier(6)

    def read(_: int) -> int:
        start.wait(timeout=60)
        return rooms.state(code).answered

    with ThreadPoolExecutor(6) as pool:  # several connections wait in the pool
        assert list(pool.map(read, range(6))) == [5] * 6
    pg_cluster.restart()  # every connection is cut
    assert rooms.state(code).answered == 5, "the next call reconnects"
    rooms.answer(code, sent[1][0], qid, 0.55)
    late = rooms.join(code, "late")
    rooms.answer(code, late.token, qid, 0.6)
    got = rooms.answers(code, qid)
    assert sorted(got.values()) == sorted([0.0, 0.55, 0.2, 0.3, 0.4, 0.6])
    assert len(rooms.export(code, teacher)) == 6
    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(lambda _: rooms.state(code).answered, range(6))) == [6] * 6
    db.close()


def test_a_dropped_postgresql_connection_is_replaced(pg_cluster: postgres.Cluster) -> None:
    url = pg_cluster.create_database("dropped_connection")
    db = Database(url)
    migrate(db)
    rooms = Rooms(db)
    c = rooms.create()
    pid = db.run(lambda tx: tx.one("SELECT pg_backend_pid()"), write=False)
    killer = Database(url)
    killer.run(lambda tx: tx.one("SELECT pg_terminate_backend(?)", pid))
    killer.close()
    rooms.join(c.code, "after")
    new_pid = db.run(lambda tx: tx.one("SELECT pg_backend_pid()"), write=False)
    assert new_pid != pid
    assert rooms.state(c.code).joined == 1
    db.close()


def test_the_docstring_examples_hold() -> None:
    import doctest

    assert doctest.testmod(db_module).failed == 0

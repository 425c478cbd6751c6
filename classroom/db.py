"""Connections to class mode's database: SQLite by default, PostgreSQL beyond one machine.

The database is named by one setting, the environment variable ``EXPLORER_DATABASE_URL``:

- ``sqlite:///relative/path.sqlite3`` (relative to the working folder) or ``sqlite:////absolute/path.sqlite3``
  (SQLAlchemy's spelling: the path is what follows ``sqlite:///``). The default is
  ``<repo>/data/classroom.sqlite3``; its folder is made on demand. WAL, ``busy_timeout`` 5000 ms,
  ``synchronous=NORMAL`` and foreign keys on: the replicas of one machine share the file.
- ``postgresql://user@host:port/database`` (or ``postgresql://user@/database?host=/socket/dir``), through
  psycopg 3 with autocommit off and one explicit transaction per operation.

A :class:`Database` is safe to share between threads: each transaction takes a connection of its own from a
small pool (a forked child never touches its parent's). SQL is written once with ``?`` placeholders and
converted for psycopg. A connection that dropped (a PostgreSQL restart) is thrown away and the next call
makes a new one; :meth:`Database.run` also runs the operation again when the drop happened before anything
was committed.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg

T = TypeVar("T")
Dialect = Literal["sqlite", "postgresql"]
Row = tuple[Any, ...]

ENV = "EXPLORER_DATABASE_URL"
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATH = ROOT / "data" / "classroom.sqlite3"
BUSY_TIMEOUT_MS = 5000
MAX_IDLE = 16
"""Connections a Database keeps open for the next transactions (more are made when needed, then closed)."""
RETRY_SECONDS = 10.0
"""How long :meth:`Database.run` keeps trying to reach a database that dropped or refused the connection."""


class Unavailable(RuntimeError):
    """The database cannot be reached (or stayed locked): the message can be shown to a user as is."""


class _Dropped(Unavailable):
    """The connection dropped before anything was committed: running the operation again is safe."""


def database_url() -> str:
    """The URL in ``EXPLORER_DATABASE_URL``, or the default SQLite file under ``<repo>/data``."""
    return os.environ.get(ENV, "").strip() or f"sqlite:///{DEFAULT_PATH}"


def redact(url: str) -> str:
    """``url`` with its password (if any) replaced by ``***``, for messages and logs.

    >>> redact("postgresql://ana:secret@db.example:5432/explorer")
    'postgresql://ana:***@db.example:5432/explorer'
    >>> redact("sqlite:///data/x.sqlite3")
    'sqlite:///data/x.sqlite3'
    """
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
    except ValueError:
        return "<an unreadable URL>"


def parse_url(url: str) -> tuple[Dialect, str]:
    """``(dialect, target)``: the SQLite file's absolute path, or the PostgreSQL URL for psycopg.

    Raises ``ValueError`` naming the setting and the (redacted) value for anything else.
    """
    shown = f"{ENV}={redact(url)!r}"
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if not path or path == ":memory:" or path.startswith("file:"):
            raise ValueError(f"{shown} names no file: use sqlite:///path/to/classroom.sqlite3")
        return "sqlite", str(Path(path).absolute())
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql", url
    raise ValueError(
        f"{shown} is not a database URL this app can use: write sqlite:///path/to/file.sqlite3 "
        "or postgresql://user@host:port/database"
    )


@lru_cache(maxsize=512)
def _to_psycopg(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (and a literal ``%`` doubled). No ``?`` may sit in a string literal."""
    return sql.replace("%", "%%").replace("?", "%s")


class Tx:
    """One transaction on one connection: run statements written with ``?`` placeholders."""

    def __init__(self, conn: sqlite3.Connection | psycopg.Connection[Row], dialect: Dialect) -> None:
        self._conn = conn
        self.dialect: Dialect = dialect

    def _execute(self, sql: str, params: Sequence[Any]) -> sqlite3.Cursor | psycopg.Cursor[Row]:
        if isinstance(self._conn, sqlite3.Connection):
            return self._conn.execute(sql, tuple(params))
        return self._conn.execute(_to_psycopg(sql), tuple(params))

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of the result, or ``None``."""
        row = self._execute(sql, params).fetchone()
        return None if row is None else tuple(row)

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of the result."""
        return [tuple(r) for r in self._execute(sql, params).fetchall()]

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        return int(self._execute(sql, params).rowcount)


_Conn = sqlite3.Connection | psycopg.Connection[Row]


class Database:
    """A database named by a URL (see the module's docstring), shared safely by threads."""

    def __init__(self, url: str) -> None:
        self.dialect, self._target = parse_url(url)
        self.url = url
        self._lock = threading.Lock()
        self._idle: list[_Conn] = []  # connections no transaction is using, most recent last
        self._pid = os.getpid()
        self._forked_away: list[_Conn] = []  # a parent process's connections: never used, never closed here
        self._closed = False
        if self.dialect == "sqlite":
            Path(self._target).parent.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"Database({redact(self.url)!r})"

    # connections ---------------------------------------------------------------------------------------------

    def _connect(self) -> _Conn:
        if self.dialect == "sqlite":
            conn = sqlite3.connect(
                self._target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            try:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                _wal(conn)
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = ON")
            except BaseException:
                conn.close()
                raise
            return conn
        try:
            return psycopg.connect(self._target, autocommit=False, connect_timeout=5)
        except psycopg.OperationalError as e:
            raise _Dropped(f"The class database ({redact(self.url)}) cannot be reached: {_first_line(e)}") from e

    def _checkout(self) -> _Conn:
        """A connection for one transaction: an idle one, or a new one. Each is used by one thread at a time."""
        with self._lock:
            if self._closed:
                raise Unavailable("This database connection was closed.")
            if os.getpid() != self._pid:  # a forked child: the parent's connections are the parent's
                self._forked_away += self._idle
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def _checkin(self, conn: _Conn) -> None:
        with self._lock:
            if not self._closed and os.getpid() == self._pid and _usable(conn) and len(self._idle) < MAX_IDLE:
                self._idle.append(conn)
                return
        _close_quietly(conn)

    def _drop_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        if os.getpid() == self._pid:
            for conn in idle:
                _close_quietly(conn)

    def close(self) -> None:
        """Close the idle connections (and the others as their transactions end); unusable afterwards."""
        with self._lock:
            self._closed = True
        self._drop_idle()

    # transactions --------------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Tx]:
        """One transaction: committed when the block ends, rolled back if it raises.

        SQLite takes the write lock at the start of a write transaction (``BEGIN IMMEDIATE``), so two
        writers wait for each other (``busy_timeout``) instead of failing. A dropped connection raises
        :class:`Unavailable` and is replaced at the next call.
        """
        conn = self._checkout()
        try:
            try:
                if isinstance(conn, sqlite3.Connection):
                    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield Tx(conn, self.dialect)
            except BaseException as e:
                self._rollback(conn)
                self._reraise(conn, e, committing=False)
            try:
                if isinstance(conn, sqlite3.Connection):
                    conn.execute("COMMIT")
                else:
                    conn.commit()
            except BaseException as e:
                self._rollback(conn)
                self._reraise(conn, e, committing=True)
        finally:
            self._checkin(conn)

    def run(self, operation: Callable[[Tx], T], write: bool = True) -> T:
        """``operation(tx)`` in one transaction, run again (for up to ``RETRY_SECONDS``) when the connection
        dropped or could not be made before anything was committed: a PostgreSQL restart is then invisible."""
        deadline = time.monotonic() + RETRY_SECONDS
        pause = 0.0  # the first retry at once, on a new connection
        while True:
            try:
                with self.transaction(write) as tx:
                    return operation(tx)
            except _Dropped:
                if time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)  # waiting for a server that is coming back: there is no event to await
            pause = min(max(pause * 2, 0.05), 1.0)

    def _rollback(self, conn: _Conn) -> None:
        try:
            if isinstance(conn, sqlite3.Connection):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            elif not conn.closed:
                conn.rollback()
        except (sqlite3.Error, psycopg.Error):
            _close_quietly(conn)  # not usable: _checkin drops it

    def _reraise(self, conn: _Conn, e: BaseException, *, committing: bool) -> NoReturn:
        translated = self._translate(conn, e, committing=committing)
        if translated is e:
            raise e
        raise translated from e

    def _translate(self, conn: _Conn, e: BaseException, *, committing: bool) -> BaseException:
        """The exception to raise for ``e``: database failures become :class:`Unavailable`, others stay."""
        if isinstance(e, psycopg.Error) and isinstance(conn, psycopg.Connection) and (conn.broken or conn.closed):
            self._drop_idle()  # the server went away: its other connections are as dead as this one
            if committing:  # it may or may not have been committed: not safe to run again
                return Unavailable(f"The connection to the class database dropped: {_first_line(e)}")
            return _Dropped(f"The connection to the class database dropped: {_first_line(e)}")
        if isinstance(e, psycopg.OperationalError):
            return Unavailable(f"The class database failed: {_first_line(e)}")
        if isinstance(e, sqlite3.OperationalError) and ("locked" in str(e) or "busy" in str(e)):
            return Unavailable("The class database is busy: try again in a moment.")
        return e


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode (it stays so). Two processes opening a new file at once can get "database is
    locked" here without the busy handler being asked to wait, so wait by hand, up to the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone() != ("wal",):
                conn.execute("PRAGMA journal_mode = WAL").fetchall()
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            if time.monotonic() + pause > deadline:
                raise Unavailable("The class database is busy: try again in a moment.") from e
        time.sleep(pause)  # another process is switching the new file to WAL: no event to await
        pause = min(pause * 2, 0.1)


def _usable(conn: _Conn) -> bool:
    if isinstance(conn, sqlite3.Connection):
        try:
            return not conn.in_transaction
        except sqlite3.ProgrammingError:  # closed
            return False
    return not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def _close_quietly(conn: _Conn) -> None:
    with suppress(sqlite3.Error, psycopg.Error):
        conn.close()


_opened: dict[str, Database] = {}
_opened_lock = threading.Lock()


def open_database(url: str | None = None) -> Database:
    """The process's :class:`Database` for ``url`` (default: :func:`database_url`), migrated at first open."""
    from classroom.schema import migrate  # schema needs this module's Database

    url = url or database_url()
    with _opened_lock:
        db = _opened.get(url)
        if db is None:
            db = Database(url)
            try:
                migrate(db)
            except BaseException:
                db.close()
                raise
            _opened[url] = db
        return db

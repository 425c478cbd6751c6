"""Real databases for the storage tests: a SQLite file in tmp_path, and a temporary PostgreSQL cluster
(one per test session, a fresh database per test). In CI (``CI`` set) a missing PostgreSQL fails the
PostgreSQL tests instead of skipping them: CI installs it, so its absence is a broken setup."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import psycopg
import pytest

from classroom.db import Database
from classroom.rooms import Rooms
from classroom.schema import migrate
from harness import postgres

_names = itertools.count()


class Clock:
    """A clock the test moves by hand (unix seconds)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def require_postgres() -> None:
    """Nothing when a cluster can start here; else skip the test, or fail it in CI (where .ci/run installs
    PostgreSQL, so its absence is a broken setup that must not pass as a skip)."""
    reason = postgres.unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL must run in CI, but: {reason}")
    pytest.skip(f"no PostgreSQL here: {reason}")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[postgres.Cluster]:
    require_postgres()
    with postgres.running_cluster(database=None) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def pg_tests_url(pg_cluster: postgres.Cluster) -> str:
    """The session's database for the tests; each test gets a schema of its own in it."""
    return pg_cluster.create_database("tests")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A URL of an empty database: a new SQLite file, or a new schema in the session's PostgreSQL database
    (``search_path`` set in the URL: a schema takes milliseconds, a database a quarter of a second)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'classroom.sqlite3'}"
    url: str = request.getfixturevalue("pg_tests_url")
    schema = f"test_{next(_names)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{url}?options=-csearch_path%3D{schema}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    migrate(database)
    yield database
    database.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rooms(db: Database, clock: Clock) -> Rooms:
    return Rooms(db, clock=clock)

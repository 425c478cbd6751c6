"""harness.postgres: a real temporary cluster, run as the user postgres, gone after its ``with`` block."""

from __future__ import annotations

import os
import pwd
import tempfile
from pathlib import Path

import psycopg
import pytest

from classroom.db import Database
from harness import postgres
from tests.classroom.conftest import require_postgres


def test_the_cluster_runs_as_postgres_on_loopback_without_fsync(pg_cluster: postgres.Cluster) -> None:
    with psycopg.connect(pg_cluster.url_for("postgres")) as conn:
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("listen_addresses", "fsync", "server_encoding", "port", "unix_socket_directories")
        }
        user = conn.execute("SELECT current_user").fetchone()
    assert settings == {
        "listen_addresses": "127.0.0.1",
        "fsync": "off",
        "server_encoding": "UTF8",
        "port": str(pg_cluster.port),
        "unix_socket_directories": str(pg_cluster.root),
    }
    assert user == ("postgres",)
    if os.geteuid() == 0:  # PostgreSQL refuses root: the data belongs to the user postgres
        assert pg_cluster.data.stat().st_uid == pwd.getpwnam("postgres").pw_uid
        pid = int((pg_cluster.data / "postmaster.pid").read_text().split()[0])
        assert Path(f"/proc/{pid}").stat().st_uid == pwd.getpwnam("postgres").pw_uid


def test_the_unix_socket_url_works(pg_cluster: postgres.Cluster) -> None:
    db = Database(pg_cluster.socket_url_for("postgres"))
    assert db.dialect == "postgresql"
    assert db.run(lambda tx: tx.one("SELECT inet_server_addr() IS NULL"), write=False) == (True,)  # not TCP
    db.close()


def test_temporary_cluster_yields_a_url_and_cleans_up() -> None:
    require_postgres()
    with postgres.temporary_cluster() as url:
        assert url.startswith("postgresql://postgres@127.0.0.1:")
        assert url.endswith("/explorer")
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("explorer",)
        port = url.rsplit(":", 1)[1].split("/")[0]
        sockets = list(Path(tempfile.gettempdir()).glob(f"explorer-pg-*/.s.PGSQL.{port}"))
        assert len(sockets) == 1, "its unix socket sits in its temporary folder"
        root = sockets[0].parent
        assert (root / "data" / "PG_VERSION").is_file()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=3)
    assert not root.exists(), "its folder was removed"


def test_missing_binaries_give_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(postgres, "SEARCH", "/nonexistent/*/bin")
    assert postgres.bin_dir() is None
    assert not postgres.available()
    reason = postgres.unavailable_reason()
    assert reason is not None
    assert "apt-get install postgresql" in reason


def test_in_ci_a_missing_postgresql_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "unavailable_reason", lambda: "no initdb")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        require_postgres()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no initdb"):
        require_postgres()

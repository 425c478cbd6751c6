"""A temporary PostgreSQL cluster for tests and benchmarks: Debian's ``postgresql`` binaries, a throwaway
folder, a free loopback port.

``initdb`` makes the cluster in a temporary folder (trust authentication, UTF8, no fsync: its data is thrown
away), ``pg_ctl`` starts it listening on 127.0.0.1 and on a unix socket inside that folder, and a database
``explorer`` is created. As root (this project's machines and CI) every server command runs as the user
``postgres`` (``runuser``, else ``setpriv``), since PostgreSQL refuses to run as root.

    with temporary_cluster() as url:        # postgresql://postgres@127.0.0.1:PORT/explorer
        ...
    with running_cluster() as cluster:      # also restart() and create_database(name)
        ...

``python -m harness.postgres`` starts one, prints its URL and keeps it until Ctrl-C.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from harness.server import free_port

USER = "postgres"
DATABASE = "explorer"
SEARCH = "/usr/lib/postgresql/*/bin"
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",  # a test cluster: its data is thrown away, so never wait for the disk
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


def bin_dir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: from PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(
        (p for p in Path("/").glob(SEARCH.lstrip("/")) if (p / "initdb").is_file() and (p / "pg_ctl").is_file()),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in re.split(r"\D+", p.parent.name) if x],
    )
    return versions[-1] if versions else None


def _as_user() -> list[str]:
    """The command prefix that runs a server command as :data:`USER` when we are root (else nothing)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser"):
        return ["runuser", "-u", USER, "--"]
    return ["setpriv", f"--reuid={USER}", f"--regid={USER}", "--init-groups", "--"]


def unavailable_reason() -> str | None:
    """Why no cluster can be started here, or ``None`` when one can."""
    if bin_dir() is None:
        return f"PostgreSQL's initdb and pg_ctl were not found (PATH or {SEARCH}): apt-get install postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            return f"running as root, and there is no user {USER!r} to run PostgreSQL as"
        if not (shutil.which("runuser") or shutil.which("setpriv")):
            return "running as root, and neither runuser nor setpriv is there to run PostgreSQL as another user"
    return None


def available() -> bool:
    """Whether :func:`temporary_cluster` can start a cluster on this machine."""
    return unavailable_reason() is None


@dataclass
class Cluster:
    """A running temporary cluster (see :func:`running_cluster`)."""

    root: Path
    bindir: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        """The URL of the database ``explorer`` over TCP."""
        return self.url_for(DATABASE)

    def url_for(self, database: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    @property
    def socket_url(self) -> str:
        """The URL of the database ``explorer`` over the unix socket in the cluster's folder."""
        return self.socket_url_for(DATABASE)

    def socket_url_for(self, database: str) -> str:
        return f"postgresql://{USER}@/{database}?host={self.root}&port={self.port}"

    def _run(self, *command: str, timeout: float = 120) -> None:
        proc = subprocess.run(
            [*_as_user(), *command],
            cwd=self.root,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
            raise RuntimeError(
                f"{Path(command[0]).name} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}\n"
                f"{tail}"
            )

    def _options(self) -> str:
        settings = " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
        return f"-p {self.port} -k {self.root} {settings}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections (``pg_ctl -w``)."""
        self._run(
            str(self.bindir / "pg_ctl"),
            *("-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60"),
            *("-o", self._options(), "start"),
        )

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (``pg_ctl stop -m mode``)."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self) -> None:
        """Stop (fast: every connection is cut) and start again on the same port; waits until ready."""
        self._run(
            str(self.bindir / "pg_ctl"),
            *("-D", str(self.data), "-l", str(self.root / "server.log"), "-m", "fast", "-w", "-t", "60"),
            *("-o", self._options(), "restart"),
        )

    def create_database(self, name: str) -> str:
        """Create an empty database ``name`` (lower-case letters, digits, ``_``); its URL."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"database name {name!r}: use lower-case letters, digits and _")
        import psycopg  # only the cluster's users need it

        with psycopg.connect(self.url_for("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # a checked identifier: no parameter can stand here
        return self.url_for(name)


@contextmanager
def running_cluster(database: str | None = DATABASE) -> Iterator[Cluster]:
    """Start a temporary cluster (with an empty database ``database`` unless ``None``); stop and delete it
    at the end. Raises ``RuntimeError`` with the reason when none can be started here."""
    reason = unavailable_reason()
    if reason is not None:
        raise RuntimeError(f"cannot start PostgreSQL: {reason}")
    bindir = bin_dir()
    assert bindir is not None  # checked by unavailable_reason
    root = Path(tempfile.mkdtemp(prefix="explorer-pg-"))
    cluster: Cluster | None = None
    try:
        if os.geteuid() == 0:
            user = pwd.getpwnam(USER)
            os.chown(root, user.pw_uid, user.pw_gid)
        probe = Cluster(root, bindir, 0)
        probe._run(
            str(bindir / "initdb"),
            *("-D", str(probe.data), "-U", USER, "-A", "trust", "-E", "UTF8"),
            *("--no-locale", "--no-sync", "--no-instructions"),
        )
        for attempt in range(3):  # a free port can be taken before the server binds it
            cluster = Cluster(root, bindir, free_port())
            try:
                cluster.start()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                cluster = None
        assert cluster is not None
        if database is not None:
            cluster.create_database(database)
        yield cluster
    finally:
        if cluster is not None:
            try:
                cluster.stop()
            except (RuntimeError, subprocess.TimeoutExpired):
                _kill_postmaster(root / "data")
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def temporary_cluster() -> Iterator[str]:
    """A temporary cluster's ``postgresql://postgres@127.0.0.1:PORT/explorer``, for the ``with`` block."""
    with running_cluster() as cluster:
        yield cluster.url


def _kill_postmaster(data: Path) -> None:
    """SIGKILL the postmaster our cluster started, when ``pg_ctl stop`` failed (its pid file's first line)."""
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError, IndexError):
        pass


def main() -> None:
    with running_cluster() as cluster:
        print(f"EXPLORER_DATABASE_URL={cluster.url}", flush=True)
        print(f"(also {cluster.socket_url}); Ctrl-C stops it and deletes its folder {cluster.root}", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with suppress(KeyboardInterrupt):
            stop.wait()
    print("stopped", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Start the app as a real server on a free loopback port (browser tests, benchmarks, screenshots)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
"""Selector that matches once the app has finished its current run."""


ENTRY = "serve.py"
"""What ``make run`` starts: the app plus its routes (``routes/``)."""


def _ephemeral_low() -> int:
    """The lowest port the kernel hands to outgoing connections (32768 on Linux unless changed)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_ports(count: int = 1) -> list[int]:
    """``count`` consecutive loopback ports that nothing listens on, below the ephemeral range.

    Below it, no outgoing connection (the browser's, a test client's) can take a port
    between the moment it is chosen and the moment the server binds it: a port the
    kernel handed out (``bind(0)``) could be taken that way, and a replica then failed
    to start with "Port ... is not available".
    """
    low = max(_ephemeral_low(), 2048)
    rng = random.Random()
    for _ in range(1000):
        base = rng.randrange(max(1024, low // 2), low - count)
        if all(_bindable(base + i) for i in range(count)):
            return [base + i for i in range(count)]
    raise RuntimeError(f"no {count} free consecutive ports below {low}")


def free_port() -> int:
    return free_ports(1)[0]


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)  # polling a process we started; there is no event to await
    raise RuntimeError(f"streamlit did not become healthy within {timeout} s")


@contextmanager
def start_app(
    env: dict[str, str] | None = None, args: tuple[str, ...] = (), entry: str = ENTRY, log: Path | None = None
) -> Iterator[str]:
    """Run the app on a free loopback port until the block ends; yields its URL."""
    with serve(env, args, log, entry=entry) as (url, _proc):
        yield url


@contextmanager
def serve(
    env: dict[str, str] | None = None, args: tuple[str, ...] = (), log: Path | None = None, entry: str = ENTRY
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run the app until the block ends; yields its URL and process.

    ``env`` adds environment variables (``EXPLORER_CONTROLS=slider`` serves the
    reference sliders); ``args`` adds ``streamlit run`` options; ``entry`` is the
    file ``streamlit run`` starts: ``serve.py`` (the app with its live route, as
    ``make run``) or ``app.py`` (the app alone, as on Community Cloud).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        entry,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        *args,
    ]
    out = open(log or ROOT / ".e2e-server.log", "wb")  # noqa: SIM115 - kept open for the server's lifetime
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()


def port_busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def serve_replicated(
    replicas: int, nginx: str | None = None, *, env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes], list[int]]]:
    """Run ``deploy/serve.sh`` (``replicas`` processes behind nginx) until the block ends.

    ``nginx`` is the nginx binary (given to the script as ``EXPLORER_NGINX``; by
    default the script finds it); ``env`` adds environment variables (e.g.
    ``EXPLORER_DATABASE_URL``), ``log`` is where the script's output goes. Yields the
    proxy's URL, the script's process and the replicas' ports (:func:`replica_pid`
    finds the process behind one). The script runs in its own process group; at the
    end it gets SIGTERM (it stops nginx and the replicas itself), and SIGKILL if it has
    not exited in 30 s.
    """
    *bases, port = free_ports(replicas + 1)
    base = bases[0]
    nginx_env = {"EXPLORER_NGINX": nginx} if nginx else {}
    script_env = {**os.environ, "PYTHON": sys.executable, **nginx_env, **(env or {})}
    out = open(log or ROOT / ".e2e-serve.log", "wb")  # noqa: SIM115 - kept open for the script's lifetime
    proc = subprocess.Popen(
        [
            "bash",
            str(ROOT / "deploy" / "serve.sh"),
            "--replicas",
            str(replicas),
            "--port",
            str(port),
            "--base-port",
            str(base),
        ],
        env=script_env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, timeout=120)
        yield url, proc, [base + i for i in range(replicas)]
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        out.close()


def _listening_inodes(port: int) -> set[str]:
    """Inodes of the TCP sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(inode)
    return inodes


def replica_pid(port: int) -> int | None:
    """The pid of the process listening on ``port`` (a replica of ``serve_replicated``), or None.

    Read from /proc (the socket's inode, then the process holding it), so a test can
    SIGKILL one replica of ``deploy/serve.sh`` and see its supervisor start another.
    """
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    links = {f"socket:[{i}]" for i in inodes}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in links:
                    return int(entry.name)
            except OSError:
                continue
    return None


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: Playwright's sync API keeps an event loop in the test thread."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()

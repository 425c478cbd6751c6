"""Start the app as a real server on a free loopback port (browser tests, benchmarks, screenshots)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
def start_app(env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Iterator[str]:
    """Run the app on a free loopback port until the block ends; yields its URL."""
    with serve(env, args) as (url, _proc):
        yield url


@contextmanager
def serve(
    env: dict[str, str] | None = None, args: tuple[str, ...] = (), log: Path | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run the app until the block ends; yields its URL and process.

    ``env`` adds environment variables (``EXPLORER_CONTROLS=slider`` serves the
    reference sliders); ``args`` adds ``streamlit run`` options.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
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
    replicas: int, nginx: str | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes], list[int]]]:
    """Run ``deploy/serve.sh`` (``replicas`` processes behind nginx) until the block ends.

    ``nginx`` is the nginx binary (given to the script as ``EXPLORER_NGINX``; by
    default the script finds it). Yields the proxy's URL, the script's process and
    the replicas' ports. The script runs in its own process group; at the end it
    gets SIGTERM (it stops nginx and the replicas itself), and SIGKILL if it has
    not exited in 30 s.
    """
    port = free_port()
    base = free_port()
    while any(port_busy(base + i) or base + i == port for i in range(replicas)):
        base = free_port()
    env = {**os.environ, "PYTHON": sys.executable, **({"EXPLORER_NGINX": nginx} if nginx else {})}
    log = open(ROOT / ".e2e-serve.log", "wb")  # noqa: SIM115 - kept open for the script's lifetime
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
        env=env,
        stdout=log,
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
        log.close()


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: Playwright's sync API keeps an event loop in the test thread."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()

"""A simulated classroom: N students on one server, speaking Streamlit's websocket protocol.

Fidelity first: a real Chromium opens the Playground once and presses a key on a
logit; the BackMsg frames it sends over /_stcore/stream are recorded. Each
simulated student then replays them: the page-load rerun, then every ~2 s
(jittered) the logit-change rerun with new logits, exactly as the browser
encoded it. Latency is measured from sending a change to the ForwardMsg
``script_finished`` of that rerun. Also reported: errors (exceptions in the
page, failed or dropped connections, timeouts) and the server's resident memory.

A second part, `churn`, opens and closes waves of sessions and reports the
server's memory after each wave, with runner.postScriptGC off (this project's
setting) and on (Streamlit's default).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.common import cpu_seconds, pct, recording, rss_mb, table
from harness.server import IDLE, serve, serve_replicated

SIZES = (50, 100, 200)
SECONDS = 24.0
PERIOD = 2.0
TIMEOUT = 20.0
VARIANTS = [("live pad", {}), ("st.slider reference", {"EXPLORER_CONTROLS": "slider"})]
REPLICAS = 2
"""deploy/serve.sh's replicated run: one replica per core of this 2-core machine"""


# ---- recording what a browser sends -----------------------------------------------
def record(url: str) -> tuple[bytes, bytes]:
    """The page-load BackMsg and the logit-change BackMsg a real browser sends."""
    with recording(url) as (page, frames):
        page.wait_for_selector(".lp-metric .lp-value")
        loaded = len(frames)
        slider = page.get_by_role("slider", name="Logit of cat")
        slider.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_selector(IDLE)
        page.wait_for_timeout(300)  # let a trailing message (if any) go out before closing
    reruns = [f for f in frames if _kind(f) == "rerun_script"]
    first = next(f for f in frames[:loaded] if _kind(f) == "rerun_script")
    change = next(f for f in frames[loaded:] if _kind(f) == "rerun_script")
    assert reruns, "the browser sent no rerun"
    return first, change


def _kind(frame: bytes) -> str | None:
    m = BackMsg()
    m.ParseFromString(frame)
    return m.WhichOneof("type")


def with_logits(change: bytes, seq: int, logits: list[float]) -> bytes:
    """The recorded change message, with other logits (pad message or slider value)."""
    m = BackMsg()
    m.ParseFromString(change)
    for w in m.rerun_script.widget_states.widgets:
        if w.id.endswith("-pg_logits") and w.WhichOneof("value") == "json_value":
            state = json.loads(w.json_value)
            state["update"].update(seq=seq, logits=logits)
            w.json_value = json.dumps(state)
        elif w.id.endswith("-pg_logit_0") and w.WhichOneof("value") == "double_array_value":
            w.double_array_value.data[:] = [max(-10.0, min(10.0, round(logits[0], 1)))]
    return m.SerializeToString()


# ---- the simulated students ---------------------------------------------------------------
@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    connected: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def recv(ws: Any) -> bytes:
    """One message, then re-arm TCP_QUICKACK on the client's socket.

    Streamlit binds its listening socket with ``proto`` 0, so asyncio leaves
    Nagle's algorithm on for every connection: after a rerun's first small frame
    the server holds the rest until the client ACKs, and a Linux client that has
    nothing to send delays its ACK by up to 40 ms. A browser was not measured to
    stall so (key press to screen is ~40 ms in all); a bare websocket client
    stalls on every rerun (48 ms instead of 7 ms on an idle server). Quick ACKs
    keep that artefact of the simulated client out of the numbers.
    """
    raw = await asyncio.wait_for(ws.recv(), TIMEOUT)
    sock = ws.transport.get_extra_info("socket") if hasattr(ws, "transport") else None
    if sock is not None and hasattr(socket, "TCP_QUICKACK"):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    return raw


async def _until_finished(ws: Any) -> str:
    """Read ForwardMsgs until this rerun's script_finished; 'exception' if the page raised."""
    failed = False
    while True:
        raw = await recv(ws)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            failed = failed or msg.delta.new_element.WhichOneof("type") == "exception"
        elif kind == "script_finished":
            return "exception" if failed else "ok"


async def student(ws_url: str, first: bytes, change: bytes, stats: Stats, stop: float, changes: int | None) -> None:
    rng = random.Random()
    try:
        route = {"Cookie": f"explorer_route={uuid.uuid4().hex}"}  # behind deploy/serve.sh: a browser's route
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=TIMEOUT, additional_headers=route
        ) as ws:
            await ws.send(first)
            if await _until_finished(ws) != "ok":
                stats.error("exception on load")
            stats.connected += 1
            seq = 0
            await asyncio.sleep(rng.uniform(0, PERIOD))  # students do not move in lockstep
            while time.monotonic() < stop and (changes is None or seq < changes):
                seq += 1
                logits = [round(rng.uniform(-4, 4), 1), 1.0, 0.1]  # one logit moves, as on a slider
                t0 = time.perf_counter()
                await ws.send(with_logits(change, seq, logits))
                status = await _until_finished(ws)
                if status != "ok":
                    stats.error(status)
                else:
                    stats.latencies.append((time.perf_counter() - t0) * 1000)
                await asyncio.sleep(max(0.0, PERIOD * rng.uniform(0.8, 1.2) - (time.perf_counter() - t0)))
    except TimeoutError:
        stats.error("timeout")
    except (OSError, websockets.WebSocketException) as exc:
        stats.error(type(exc).__name__)


async def classroom(ws_url: str, first: bytes, change: bytes, n: int, seconds: float) -> Stats:
    stats = Stats()
    stop = time.monotonic() + seconds
    tasks = []
    for _ in range(n):  # students arrive over a few seconds, as a class does
        tasks.append(asyncio.create_task(student(ws_url, first, change, stats, stop, None)))
        await asyncio.sleep(3.0 / n)
    await asyncio.gather(*tasks)
    return stats


def _measure(name: str, url: str, proc: Any, sizes: tuple[int, ...]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    first, change = record(url)
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    for n in sizes:
        cpu0 = cpu_seconds(proc.pid)
        stats = asyncio.run(classroom(ws_url, first, change, n, SECONDS))
        cpu_per_change = (cpu_seconds(proc.pid) - cpu0) * 1000 / max(1, len(stats.latencies) + n)
        lat = stats.latencies
        errors = sum(stats.errors.values())
        detail = ", ".join(f"{k}: {v}" for k, v in stats.errors.items()) or "-"
        rows.append(
            [
                name,
                n,
                len(lat),
                pct(lat, 50),
                pct(lat, 95),
                pct(lat, 99),
                errors,
                detail,
                rss_mb(proc.pid),
                cpu_per_change,
            ]
        )
    return rows


def run_classroom() -> str:
    rows: list[list[Any]] = []
    for name, env in VARIANTS:
        with serve(env) as (url, proc):
            rows += _measure(name, url, proc, SIZES)
    with serve_replicated(REPLICAS) as (url, proc, _ports):
        rows += _measure(f"live pad, {REPLICAS} replicas + nginx", url, proc, (100, 200))
    return table(
        f"3. Simulated classroom: N students, one logit change each ~{PERIOD:g} s for {SECONDS:g} s, ms",
        [
            "controls",
            "N",
            "changes",
            "p50",
            "p95",
            "p99",
            "errors",
            "error kinds",
            "server RSS, MB",
            "server CPU ms per rerun",
        ],
        rows,
        "Target for the live pad at N = 200: p95 <= 150 ms, 0 errors, RSS <= 300 MB. "
        "Latency: send -> script_finished, measured by the simulated clients (same 2 cores as the server). "
        f"The replicated rows run deploy/serve.sh: {REPLICAS} Streamlit processes behind nginx, each student "
        "with its own route cookie; their RSS and CPU are those of all replicas and nginx together.",
    )


# ---- session churn ---------------------------------------------------------------------------------
WAVES, WAVE_SIZE, TTL = 8, 40, 1


async def _wave(ws_url: str, first: bytes, change: bytes) -> Stats:
    stats = Stats()
    stop = time.monotonic() + 3600
    await asyncio.gather(*(student(ws_url, first, change, stats, stop, 3) for _ in range(WAVE_SIZE)))
    return stats


HOOKS = Path(__file__).with_name("hooks")


def traced_mb(pid: int, out: Path, seq: int) -> float:
    """The server's traced Python heap now (tracemalloc), in MB: ask with SIGUSR1, read its answer."""
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if out.exists():
            current, _peak, count = out.read_text().split()
            if int(count) == seq:
                return int(current) / 2**20
        time.sleep(0.05)  # the server answers between two of its bytecodes
    raise RuntimeError("the server did not report its tracemalloc numbers")


def run_churn() -> str:
    rows: list[list[Any]] = []
    for gc_name, gc_flag in (("off (this project)", "false"), ("on (Streamlit default)", "true")):
        args = ("--runner.postScriptGC", gc_flag, "--server.disconnectedSessionTTL", str(TTL))
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "tracemalloc.txt"
            env = {"EXPLORER_TRACEMALLOC": str(out), "PYTHONPATH": str(HOOKS)}
            with serve(env, args) as (url, proc):
                first, change = record(url)
                ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
                rss: list[float] = []
                heap: list[float] = []
                errors = 0
                for wave in range(WAVES):
                    stats = asyncio.run(_wave(ws_url, first, change))
                    errors += sum(stats.errors.values())
                    time.sleep(TTL + 2.0)  # disconnected sessions are dropped after the TTL
                    rss.append(rss_mb(proc.pid))
                    heap.append(traced_mb(proc.pid, out, wave + 1))
                mid = len(rss) // 2
                rss_cells = [rss[0], rss[mid], rss[-1], rss[-1] - rss[1]]
                heap_cells = [heap[0], heap[mid], heap[-1], heap[-1] - heap[1]]
                rows.append([gc_name, errors, *rss_cells, *heap_cells])
    return table(
        f"Session churn: {WAVES} waves of {WAVE_SIZE} sessions (load + 3 changes, then disconnect), MB",
        [
            "runner.postScriptGC",
            "errors",
            "RSS after wave 1",
            f"RSS after wave {WAVES // 2 + 1}",
            f"RSS after wave {WAVES}",
            "RSS growth, wave 2 -> last",
            "Python heap after wave 1",
            f"heap after wave {WAVES // 2 + 1}",
            f"heap after wave {WAVES}",
            "heap growth, wave 2 -> last",
        ],
        rows,
        f"server.disconnectedSessionTTL = {TTL} s here so that closed sessions are released within the run "
        "(the default keeps them 120 s for reconnects). Python heap: tracemalloc's traced memory in the server "
        "(bench/hooks), which also makes the server slower and its RSS larger than in the classroom table.",
    )


def run() -> str:
    return run_classroom() + "\n" + run_churn()


if __name__ == "__main__":
    import sys

    print(run_churn() if "churn" in sys.argv[1:] else run_classroom() if "classroom" in sys.argv[1:] else run())

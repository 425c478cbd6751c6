"""Server time of one animation frame on the Learning page (issue target: under 50 ms).

A real Chromium opens /learning, presses Play and lets a few frames run; the
BackMsgs it sends over /_stcore/stream are recorded: the page load, the Play
click, and the fragment reruns its timer triggers. A websocket client then
replays them on a fresh session, one at a time on an otherwise idle server: load,
Play, then one timer-tick rerun after another. A frame's server time is measured
from sending the tick to receiving that rerun's ``script_finished`` (so it
includes the loopback round trip, with quick ACKs as in bench.classroom.recv);
the server's CPU time per frame is reported beside it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg

from bench.classroom import TIMEOUT, _until_finished
from bench.common import cpu_seconds, pct, recording, table
from harness.server import IDLE, serve

FRAMES = 30
CASES = [
    ("gradient steps on the logits", "/learning?lg_step=0", None),
    ("tiny classifier (70 x 70 map, 150 points)", "/learning?lg_epochs=500&lg_epoch=0", "A tiny classifier"),
]


def _rerun(frame: bytes) -> BackMsg | None:
    m = BackMsg()
    m.ParseFromString(frame)
    return m if m.WhichOneof("type") == "rerun_script" else None


def _is_tick(frame: bytes) -> bool:
    m = _rerun(frame)
    return m is not None and bool(m.rerun_script.fragment_id)


def record(url: str, tab: str | None) -> tuple[list[bytes], bytes]:
    """The full reruns up to and including the Play click, and one timer-tick (fragment) rerun."""
    with recording(url) as (page, frames):
        if tab:
            page.get_by_role("tab", name=tab).click()
        page.get_by_role("button", name="Play").first.click()
        page.get_by_role("button", name="Pause").first.wait_for()
        deadline = time.monotonic() + 30
        while sum(_is_tick(f) for f in frames) < 3 and time.monotonic() < deadline:
            page.wait_for_timeout(50)  # the frames arrive from the page's own timer
        page.get_by_role("button", name="Pause").first.click()
        page.wait_for_selector(IDLE)
    reruns = [(f, m) for f in frames if (m := _rerun(f)) is not None]
    setup = [f for f, m in reruns if not m.rerun_script.fragment_id]
    ticks = [f for f, m in reruns if m.rerun_script.fragment_id]
    if not ticks:
        raise RuntimeError("the browser sent no fragment rerun while playing")
    return setup[:-1], ticks[0]  # the last full rerun is the Pause click


async def replay(ws_url: str, setup: list[bytes], tick: bytes, n: int) -> tuple[list[float], int]:
    times: list[float] = []
    errors = 0
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=TIMEOUT) as ws:
        for frame in setup:
            await ws.send(frame)
            errors += await _until_finished(ws) != "ok"
        for _ in range(n):
            t0 = time.perf_counter()
            await ws.send(tick)
            status = await _until_finished(ws)
            times.append((time.perf_counter() - t0) * 1000)
            errors += status != "ok"
    return times, errors


def run() -> str:
    rows: list[list[Any]] = []
    with serve() as (url, proc):
        ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        for name, path, tab in CASES:
            setup, tick = record(url + path, tab)
            asyncio.run(replay(ws_url, setup, tick, 5))  # warm up: caches, imports
            cpu0 = cpu_seconds(proc.pid)
            times, errors = asyncio.run(replay(ws_url, setup, tick, FRAMES))
            cpu = (cpu_seconds(proc.pid) - cpu0) * 1000 / (FRAMES + len(setup))
            rows.append([name, FRAMES, pct(times, 50), pct(times, 95), max(times), cpu, errors])
    return table(
        "Learning page: server time per animation frame, ms",
        ["animation", "frames", "p50", "p95", "max", "server CPU ms per rerun", "errors"],
        rows,
        "Target: under 50 ms per frame. Measured send -> script_finished of each timer-tick (fragment) rerun, "
        "replayed over the websocket exactly as the browser sent it, one session on an idle server.",
    )


if __name__ == "__main__":
    print(run())

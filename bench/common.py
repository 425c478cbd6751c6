"""Shared helpers: the machine header, percentiles, and plain-text tables."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}){mem}; Python {platform.python_version()}, "
        f"Streamlit {version('streamlit')}, NumPy {version('numpy')}"
    )


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return float(values[0])
    return (
        float(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1])
        if 1 <= q <= 99
        else (float(min(values)) if q <= 0 else float(max(values)))
    )


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]], note: str = "") -> str:
    cells = [[str(c) for c in header]] + [[_cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    out = [f"### {title}", "", f"Machine: {machine()}", ""]
    out.append("| " + " | ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True)) + " |")
    out.append("| " + " | ".join("-" * w for w in widths) + " |")
    for r in cells[1:]:
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    if note:
        out += ["", note]
    return "\n".join(out) + "\n"


def _cell(c: object) -> str:
    if isinstance(c, float):
        return f"{c:.1f}" if abs(c) >= 10 else f"{c:.2f}"
    return str(c)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    out = [int(k) for k in kids]
    for k in list(out):
        out += _children(k)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its running children have used so far, in seconds (from /proc)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def stream_frames(page: Any) -> list[bytes]:
    """The list the frames ``page`` sends on Streamlit's websocket are appended to (not the live route's)."""
    frames: list[bytes] = []

    def watch(ws: Any) -> None:
        if ws.url.endswith("/_stcore/stream"):
            ws.on("framesent", lambda f: frames.append(f if isinstance(f, bytes) else f.encode()))

    page.on("websocket", watch)
    return frames


@contextmanager
def recording(url: str) -> Iterator[tuple[Any, list[bytes]]]:
    """A Chromium page on ``url`` and the list its websocket's sent frames are appended to."""
    from playwright.sync_api import sync_playwright

    from harness.browser import LAUNCH_ARGS, find_chromium
    from harness.server import IDLE

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        frames = stream_frames(page)
        page.goto(url)
        page.wait_for_selector(IDLE)
        try:
            yield page, frames
        finally:
            browser.close()


def drag_cat(page: Any, seconds: float) -> tuple[int, float, int]:
    """Hold the cat slider and move back and forth across it (about once a second) for ``seconds``.

    Counts the Cross-entropy changes the page's probe records in ``window.__changes`` while the button is
    held; returns (changes seen, seconds held, pointer moves). The caller releases (``page.mouse.up()``).
    """
    box = page.get_by_role("slider", name="Logit of cat").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    left, width = box["x"] + box["width"] * 0.3, box["width"] * 0.4
    page.mouse.move(left, y)
    page.mouse.down()
    page.evaluate("() => { window.__changes = []; }")
    t_start = time.perf_counter()
    moves = 0
    while time.perf_counter() - t_start < seconds:
        phase = (moves % 60) / 30  # 0..2: right then back left
        frac = phase if phase <= 1 else 2 - phase
        page.mouse.move(left + frac * width, y)
        moves += 1
    held = time.perf_counter() - t_start
    return int(page.evaluate("() => window.__changes.length")), held, moves

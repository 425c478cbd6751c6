"""The live path: a websocket that answers a dragged logit with the page's panel, without a rerun.

While a logit is dragged, the logit control (``ui/logit_pad.js``) sends the
example as JSON, one text frame per value; this route answers each with the
page's panel (:data:`core.panels.PANELS`, the same function the page calls on a
rerun) and ``ui/live_panel.js`` draws it. The route holds nothing between
messages but the socket's own rate budget: no session, no cache, nothing one
socket could see of another.

Client to server (at most :data:`MAX_MESSAGE` bytes)::

    {"seq": 7, "page": "playground", "classes": ["cat", "dog", "rabbit"],
     "logits": [2, 1, 0.1], "target": 1, "temperature": 1, "unit": "nats",
     "present": false, "extra": {}}

Server to client: ``{"seq": 7, "ok": true, "panel": {...}}``, or
``{"seq": 7, "ok": false, "error": "..."}`` for a message that breaks the
Scenario's rules (the panel then keeps its last good state).

The door is guarded (:func:`routes.guard.accept`, shared with the class route): only
same-origin browsers may connect (the ``Origin`` header must name the ``Host``
the request was sent to); a frame over
:data:`MAX_MESSAGE` closes the socket (1009); binary frames are refused with an
error; answers are limited to :data:`MAX_RATE` a second per socket, and values
that arrive faster are coalesced: only the latest waiting one is answered; answers are computed in
:data:`WORKERS` threads per process, off the event loop; at
most :data:`MAX_SOCKETS` sockets are open at once per process (1013 beyond).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import json
import logging
import math
import time
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket

from core.figures.style import style_for
from core.panels import PANELS
from core.scenario import MAX_CLASSES, Scenario, check_class_name
from routes.guard import accept, same_origin

__all__ = [
    "HELLO_PATH",
    "MAX_MESSAGE",
    "MAX_RATE",
    "MAX_SOCKETS",
    "PATH",
    "answer",
    "hello",
    "live_socket",
    "same_origin",
]

PATH = "/api/live"
HELLO_PATH = "/api/live/hello"
"""A plain GET the browser asks first: JSON here; without the route, Streamlit answers with its page (HTML), and
the browser knows the live path is absent without a failed websocket handshake in its console."""
MAX_MESSAGE = 64 * 1024
"""Largest accepted frame, in characters (a 10-class example is under 400)."""
MAX_RATE = 120.0
"""Answers per second per socket; faster values are coalesced to the latest."""
CPU_SHARE = 4.0
"""A socket waits this many times its last answer's compute time before the next: one socket (a slow page or a
hostile client) gets at most a quarter of the process's time."""
WORKERS = 2
"""Answers computed at once per process, off the event loop (a Next-token answer takes 5–17 ms): other sockets'
answers queue, and the server's own sockets (every page's Streamlit session) are never held up behind them."""
MAX_SOCKETS = 1000
"""Open live sockets per process; beyond that a new one is closed with 1013 (try again later)."""
KEYS = frozenset({"seq", "page", "classes", "logits", "target", "temperature", "unit", "present", "extra"})

BINARY = "\x00binary"
"""Stands for a binary frame in the waiting slot (a text frame cannot start with NUL and be JSON)."""

_open = 0
_log = logging.getLogger(__name__)


class BadMessage(ValueError):
    """A message that breaks the protocol or the Scenario's rules; its text is sent back."""


def _release_memory() -> None:
    """Give the memory of an oversized frame back to the system (glibc keeps large freed blocks otherwise).

    The server reads a whole frame (up to ``server.maxMessageSize``) before the route can refuse it; glibc's
    allocator then raises its mmap threshold and keeps the freed buffers, ~2 x the frame, for good.
    ``malloc_trim`` returns them; elsewhere than glibc it is absent and nothing happens.
    """
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).malloc_trim(0)


def _number(value: Any, name: str) -> float:
    if isinstance(value, _Constant):
        raise BadMessage(f"{name} must be finite, got {value.name}")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadMessage(f"{name} must be a number, got {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:  # an integer with hundreds of digits
        raise BadMessage(f"{name} must be finite, got an integer of {len(str(value))} digits") from None
    if not math.isfinite(number):
        raise BadMessage(f"{name} must be finite, got {value!r}")
    return number


def _scenario(msg: Mapping[str, Any]) -> Scenario:
    """The example in ``msg``, checked by the same rules as a URL's (class names, counts, ranges)."""
    classes, logits = msg.get("classes"), msg.get("logits")
    if not isinstance(classes, list) or not isinstance(logits, list):
        raise BadMessage("classes and logits must be lists")
    if not 2 <= len(classes) <= MAX_CLASSES or len(logits) != len(classes):
        raise BadMessage(
            f"2 to {MAX_CLASSES} classes with one logit each are needed, got {len(classes)} and {len(logits)}"
        )
    names: list[str] = []
    for name in classes:
        if not isinstance(name, str):
            raise BadMessage("class names must be text")
        names.append(check_class_name(name, names))
    target = msg.get("target")
    if isinstance(target, bool) or not isinstance(target, int):
        raise BadMessage("target must be a class index")
    unit = msg.get("unit", "nats")
    if not isinstance(unit, str):
        raise BadMessage("unit must be text")
    return Scenario(
        classes=tuple(names),
        logits=tuple(_number(z, "a logit") for z in logits),
        target=target,
        temperature=_number(msg.get("temperature", 1.0), "temperature"),
        unit=unit,  # type: ignore[arg-type]  # checked by Scenario
    )


class _Constant:
    """``NaN``, ``Infinity`` or ``-Infinity`` in a message (not JSON, but Python's ``json`` reads them): kept
    as a marker, so the error names the field it stands in and the reply keeps the message's ``seq``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


def answer(text: str) -> str:
    """The reply to one message: the page's panel for the example in it, or an error (never raises)."""
    seq: int | None = None
    if text == BINARY:
        return json.dumps({"seq": None, "ok": False, "error": "binary frames are not accepted: send JSON text"})
    try:
        try:
            msg = json.loads(text, parse_constant=_Constant)
        except (ValueError, RecursionError) as err:
            raise BadMessage(f"not JSON: {str(err)[:80]}") from None
        if not isinstance(msg, dict):
            raise BadMessage("a message is a JSON object")
        raw_seq = msg.get("seq")
        seq = raw_seq if isinstance(raw_seq, int) and not isinstance(raw_seq, bool) and 0 <= raw_seq < 2**53 else None
        unknown = set(msg) - KEYS
        if unknown:
            raise BadMessage(f"unknown fields {sorted(unknown)[:5]}")
        page = msg.get("page")
        if not isinstance(page, str) or page not in PANELS:
            raise BadMessage(f"page must be one of {sorted(PANELS)}")
        extra = msg.get("extra", {})
        present = msg.get("present", False)
        if not isinstance(extra, dict) or not isinstance(present, bool):
            raise BadMessage("extra must be an object and present true or false")
        panel = PANELS[page](_scenario(msg), extra, style_for(present))
        # orjson: the 10 KB answer in a tenth of json.dumps's time (a non-finite float would become null: the
        # panels hold none, their text says "∞" or "undefined" instead)
        return orjson.dumps({"seq": seq, "ok": True, "panel": panel}).decode()
    except (BadMessage, ValueError) as err:  # the Scenario's rules raise ValueError with a readable message
        return json.dumps({"seq": seq, "ok": False, "error": str(err)[:300]})
    except Exception:  # a bug must not close the door for this socket: say so, keep serving
        _log.exception("live answer failed for a message of %d characters", len(text))
        return json.dumps({"seq": seq, "ok": False, "error": "this value could not be computed"})


_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="live-answer")


def _timed_answer(text: str) -> tuple[str, float]:
    """:func:`answer` and its own CPU time (not other threads' while it ran), in a worker thread."""
    cpu = time.thread_time()
    out = answer(text)
    return out, time.thread_time() - cpu


async def hello(_request: Request) -> JSONResponse:
    """Says the live route is here (see :data:`HELLO_PATH`)."""
    return JSONResponse({"live": 1, "path": PATH, "max_message": MAX_MESSAGE})


async def live_socket(ws: WebSocket) -> None:
    """One browser tab's live path: answer the latest value, at most :data:`MAX_RATE` times a second."""
    global _open
    if not await accept(ws, _open, MAX_SOCKETS, "live"):
        return
    _open += 1
    latest: list[str] = []  # at most one waiting message: a newer one replaces it
    wake = asyncio.Event()

    async def receive() -> None:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            size = len(text) if text is not None else len(message.get("bytes") or b"")
            if size > MAX_MESSAGE:
                del message, text
                await ws.close(code=1009, reason=f"a message may be at most {MAX_MESSAGE} characters")
                _release_memory()
                return
            if text is None:
                text = BINARY  # answered with an error, like any other bad message
            latest[:] = [text]
            wake.set()

    async def reply() -> None:
        ready_at = 0.0  # when this socket may be answered again
        while True:
            await wake.wait()
            wait = ready_at - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)  # meanwhile newer values replace the waiting one
                continue
            wake.clear()
            text = latest.pop() if latest else None
            if text is None:
                continue
            started = time.monotonic()
            out, spent = await asyncio.get_running_loop().run_in_executor(_POOL, _timed_answer, text)
            # at most MAX_RATE answers a second, and at most 1 / CPU_SHARE of the process's time per socket
            ready_at = started + max(1 / MAX_RATE, spent * CPU_SHARE)
            await ws.send_text(out)

    tasks = [asyncio.create_task(receive()), asyncio.create_task(reply())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:  # also when this handler itself is cancelled (the server stopping): no task outlives its socket
        for task in tasks:
            task.cancel()
        for result in await asyncio.gather(*tasks, return_exceptions=True):
            del result  # a socket that closed or broke mid-send just ends: nothing else depends on it
        _open -= 1

"""Simulated class-mode devices: what a student's phone and the teacher's projector are to the server (issue 14).

The one home of a simulated class device, used by the load benchmark (``bench/classmode.py``), the replica test
(``tests/e2e/test_class_replicas.py``) and the README's pictures (``harness/class_shots.py``).

- :class:`Student`: the ``/api/class`` socket of ``ui/class_student.js``: ``join`` with a nickname, then pushes;
  after a drop it reconnects (1 s, doubling to 15 s) and ``resume``\\ s with its token. A refused resume whose
  ``kind`` is ``"gone"`` (the room, or this device's place in it, is gone) forgets the token and joins again;
  any other refusal (``"retry"``: the database is busy, a server error) is tried again after the backoff, as the
  browser does. :meth:`Student.answer` sends an answer until the server says ``received``, across reconnects.
  Optionally (:meth:`Student.stream`) also a Streamlit websocket that loads the page (a recorded page-load rerun)
  and then stays open, reconnecting and rerunning the page as Streamlit's frontend does.
- :class:`Teacher`: a ``teach`` socket that sends the teacher's actions (ask, spread, reveal, end) and records
  the room pushes the projector draws.

Each device carries its own nginx route cookie, so behind ``deploy/serve.sh --replicas N`` it sticks to one
replica as a browser does. The socket's errors carry ``kind``: ``"gone"`` | ``"retry"`` | ``"invalid"``
(``routes/classroom.py``); a server without kinds is treated as ``"retry"``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin, Subprotocol

TIMEOUT = 60.0
"""Seconds a device waits for something that should come (a hang guard, not a speed check)."""
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 15.0
"""The student page's reconnect backoff (ui/class_student.js): 1 s, doubling to 15 s."""
STREAM_PAUSE = 0.5
"""Streamlit's frontend's first reconnect pause (doubling to :data:`LONGEST_PAUSE`)."""
ANSWER_TRIES = 20
"""How often :meth:`Student.answer` sends an answer before it gives up (an error or a drop each time)."""
CLOSED = (OSError, TimeoutError, websockets.WebSocketException)
"""What a dropped or refused connection raises."""


def now() -> float:
    return time.perf_counter()


async def until(condition: Callable[[], object], what: str, timeout: float = TIMEOUT) -> None:
    """Wait until ``condition()`` is true (checked every 20 ms); RuntimeError naming ``what`` after ``timeout`` s."""
    deadline = now() + timeout
    while not condition():
        if now() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def class_url(url: str) -> str:
    """The ``/api/class`` websocket of the server at ``url`` (``http://host:port``)."""
    return url.replace("http://", "ws://", 1) + "/api/class"


def error_kind(msg: dict[str, Any]) -> str:
    """An error's ``kind`` ("gone" | "retry" | "invalid"); one without a kind is taken as "retry"."""
    kind = msg.get("kind")
    return kind if kind in ("gone", "retry", "invalid") else "retry"


def quickack(ws: ClientConnection) -> None:
    """Re-arm TCP_QUICKACK after a read (see bench.classroom.recv: a bare client's delayed ACKs are not a
    browser's, and would add up to 40 ms to Streamlit's multi-frame replies)."""
    sock = ws.transport.get_extra_info("socket")
    if sock is not None and hasattr(socket, "TCP_QUICKACK"):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


def answer_for(view: dict[str, Any], rng: Any) -> Any:
    """A plausible answer to the question a phone shows (what a student would tap or type); ``rng`` is a
    ``random.Random``."""
    inp = view["input"]
    if inp["type"] == "number":
        return round(rng.uniform(float(inp["min"]), min(float(inp["max"]), 5.0)), 2)
    if inp["type"] == "choice":
        return rng.randrange(len(inp["options"]))
    return [rng.random() < 0.5 for _ in inp["classes"]]


def _newer(version: object, last: tuple[int, ...] | None) -> tuple[int, ...] | None:
    """The push's ``version`` if it is not older than ``last``; None for a stale push (a push without a
    version is never stale: it is returned as ``last``, or ``()``)."""
    if not isinstance(version, list) or not all(isinstance(v, int) for v in version):
        return last if last is not None else ()
    mine = tuple(version)
    return None if last is not None and mine < last else mine


# ---- a student's device ------------------------------------------------------------------------------------
@dataclass(eq=False)
class Student:
    """One student's device on room ``code`` of the server at ``url`` (a proxy's or a replica's address)."""

    i: int
    url: str
    code: str
    load: bytes = b""
    """The page-load rerun :meth:`stream` sends (``bench.classmode.page_load``); only the benchmark uses it."""
    nick: str = ""
    """The nickname it joins with; ``s007`` style from ``i`` when empty."""
    route: str = field(default_factory=lambda: uuid.uuid4().hex)
    token: str = ""
    replica: str = ""
    ws: ClientConnection | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    stopped: bool = False
    pause: float = FIRST_PAUSE
    resuming: bool = False
    rejoins: int = 0
    """How often a resume was refused as "gone" and the device joined again (a new place in the room)."""
    # what happened
    page_ms: list[float] = field(default_factory=list)  # the first load; then reloads after a drop
    page_done: float = 0.0
    page_errors: int = 0
    st_ws: ClientConnection | None = None
    rerun: asyncio.Future[float] | None = None
    stream_messages: list[tuple[float, str]] = field(default_factory=list)
    class_messages: list[tuple[float, str]] = field(default_factory=list)
    joined_at: float = 0.0
    version: tuple[int, ...] | None = None  # the newest state push's "version" (older ones are ignored)
    seen: dict[str, float] = field(default_factory=dict)  # question id -> when it was on screen
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: dict[str, Any] = field(default_factory=dict)  # question id -> the value the server confirmed
    shown: dict[str, str] = field(default_factory=dict)  # question id -> how the server wrote it ("0.25")
    first_received: dict[str, float] = field(default_factory=dict)  # question id -> when it first did
    received_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dropped_at: float = 0.0
    reconnect_ms: list[float] = field(default_factory=list)  # drop -> the state push after the resume
    dialled_at: float = 0.0
    resume_ms: list[float] = field(default_factory=list)  # the reconnect's own part: dial -> that push
    state_value: Any = None  # the student's own answer in the latest state push
    waiting: dict[str, asyncio.Future[Any]] = field(default_factory=dict)
    question_open: asyncio.Event = field(default_factory=asyncio.Event)
    current: str = ""

    def __post_init__(self) -> None:
        self.nick = self.nick or f"s{self.i:03d}"

    def running(self) -> bool:
        return not self.stopped  # (a call: mypy does not narrow it across the awaits in between)

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"explorer_route={self.route}"}

    # -- Streamlit's websocket: the page, then silence (every message after the load is counted)
    async def stream(self) -> None:
        ws_url = self.url.replace("http://", "ws://", 1) + "/_stcore/stream"
        pause = STREAM_PAUSE
        while self.running():
            try:
                async with websockets.connect(
                    ws_url, subprotocols=[Subprotocol("streamlit")], max_size=None, additional_headers=self.headers
                ) as ws:
                    pause = STREAM_PAUSE
                    self.st_ws = ws
                    t0 = now()
                    await ws.send(self.load)
                    loading = True
                    async for raw in ws:
                        quickack(ws)
                        msg = ForwardMsg()
                        msg.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
                        kind = msg.WhichOneof("type") or ""
                        if loading:
                            if kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
                                self.page_errors += 1
                            if kind == "script_finished":
                                self.page_ms.append((now() - t0) * 1000)
                                self.page_done = self.page_done or now()
                                loading = False
                        else:
                            self.stream_messages.append((now(), kind))
                            if kind == "script_finished" and self.rerun is not None and not self.rerun.done():
                                self.rerun.set_result(now())
            except CLOSED:
                pass
            if not self.running():
                return
            await asyncio.sleep(pause)  # Streamlit's frontend reconnects, then reruns the page
            pause = min(pause * 2, LONGEST_PAUSE)

    async def rerun_page(self) -> float:
        """Rerun the page once on the Streamlit socket (what a form's submit costs); milliseconds to its end."""
        if self.st_ws is None:
            raise RuntimeError(f"{self.nick} has no Streamlit page open")
        self.rerun = asyncio.get_running_loop().create_future()
        t0 = now()
        await self.st_ws.send(self.load)
        return (await asyncio.wait_for(self.rerun, TIMEOUT) - t0) * 1000

    # -- the class socket: join (or resume), then pushes; reconnects like ui/class_student.js
    async def connect(self) -> None:
        while self.running():
            self.dialled_at = now()
            try:
                async with websockets.connect(
                    class_url(self.url), origin=Origin(self.url), additional_headers=self.headers, open_timeout=TIMEOUT
                ) as ws:
                    tried = ws.response.headers.get("X-Explorer-Replica", "") if ws.response else ""
                    self.replica = tried.split(", ")[-1]  # nginx lists every replica it tried
                    self.ws = ws
                    await self.hello(ws)
                    async for raw in ws:
                        msg = json.loads(raw)
                        if isinstance(msg, dict):
                            await self.on_message(ws, msg)
            except CLOSED:
                pass
            self.ws = None
            self.ready.clear()
            for waiting in self.waiting.values():
                if not waiting.done():
                    waiting.set_result(None)  # not confirmed: asked again after the resume
            if not self.running():
                return
            if self.joined_at:  # a drop from the room (not a first join tried again)
                self.dropped_at = self.dropped_at or now()
            await asyncio.sleep(self.pause)
            self.pause = min(self.pause * 2, LONGEST_PAUSE)

    async def hello(self, ws: ClientConnection) -> None:
        """The first message on a new socket: resume with the token if there is one, else join."""
        self.resuming = bool(self.token)
        if self.token:
            await ws.send(json.dumps({"op": "resume", "code": self.code, "token": self.token}))
        else:
            await ws.send(json.dumps({"op": "join", "code": self.code, "nick": self.nick}))

    async def on_message(self, ws: ClientConnection, msg: dict[str, Any]) -> None:
        t = now()
        op = msg.get("op", "")
        self.class_messages.append((t, op))
        if op == "joined":
            self.token, self.resuming = msg["token"], False
        elif op == "state":
            self.on_state(t, msg)
        elif op == "received":
            self.shown[msg["question"]] = str(msg.get("shown"))
            waiting = self.waiting.get(msg["question"])
            if waiting is not None and not waiting.done():
                waiting.set_result(msg.get("value"))
        elif op == "error":
            self.errors.append(str(msg.get("error")))
            for waiting in self.waiting.values():
                if not waiting.done():
                    waiting.set_result(None)
            if self.ready.is_set():
                return  # an answer refused: answer() tries again
            if self.resuming and error_kind(msg) == "gone":  # the room forgot this device: join again
                self.token, self.rejoins = "", self.rejoins + 1
                await self.hello(ws)
            elif error_kind(msg) != "gone":  # not in yet (database busy, rate): dial again after the backoff
                await ws.close()
            else:  # a join refused as gone: the room has ended
                self.stopped = True
                await ws.close()

    def on_state(self, t: float, msg: dict[str, Any]) -> None:
        version = _newer(msg.get("version"), self.version)
        if version is None:
            return  # older than a push already shown
        self.version = version
        question = msg.get("question")
        self.state_value = msg.get("value")
        if question is not None:
            qid = question["id"]
            self.current = qid
            if qid not in self.seen:
                self.seen[qid] = t
                self.views[qid] = question
            if msg.get("answer") is not None:
                self.shown[qid] = str(msg["answer"])  # its own answer, as the server wrote it
            if msg.get("phase") == "open":
                self.question_open.set()
        if not self.joined_at:
            self.joined_at = t
        if self.dropped_at:
            self.reconnect_ms.append((t - self.dropped_at) * 1000)
            self.resume_ms.append((t - self.dialled_at) * 1000)
            self.dropped_at = 0.0
        self.pause = FIRST_PAUSE  # in the room again: the next drop starts the backoff afresh
        self.ready.set()

    def confirmed(self, qid: str, value: Any, ms: float | None) -> None:
        self.received[qid] = value
        self.first_received.setdefault(qid, now())
        if ms is not None:
            self.received_ms.append(ms)

    async def answer(self, qid: str, value: Any) -> None:
        """Send ``value`` until the server confirms it, across reconnects (the student taps again)."""
        for _ in range(ANSWER_TRIES):
            await self.ready.wait()
            if not self.running():
                return
            if self.received.get(qid) != value and self.current == qid and self.state_value == value:
                self.confirmed(qid, value, None)  # the push after a resume shows it stored
                return
            waiting: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self.waiting[qid] = waiting
            ws = self.ws
            if ws is None:
                continue
            t0 = now()
            with contextlib.suppress(websockets.WebSocketException, OSError):
                await ws.send(json.dumps({"op": "answer", "question": qid, "value": value}))
            got = await waiting
            if got == value:
                self.confirmed(qid, value, (now() - t0) * 1000)
                return
            await asyncio.sleep(0.2)  # an error or a drop: try again (after the reconnect)
        self.errors.append(f"gave up answering {qid}")

    async def stop(self) -> None:
        """Leave: no reconnect; close the open sockets."""
        self.stopped = True
        for ws in (self.ws, self.st_ws):
            if ws is not None:
                with contextlib.suppress(*CLOSED):
                    await ws.close()


# ---- the teacher's projector -------------------------------------------------------------------------------
@dataclass(eq=False)
class Teacher:
    """The teacher's socket on room ``code`` (``token``: the teacher's): actions and the room pushes."""

    url: str
    code: str
    token: str
    route: str = field(default_factory=lambda: uuid.uuid4().hex)
    ws: ClientConnection | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    stopped: bool = False
    rooms: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    replies: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    errors: list[str] = field(default_factory=list)

    def running(self) -> bool:
        return not self.stopped

    async def connect(self) -> None:
        pause = FIRST_PAUSE
        headers = {"Cookie": f"explorer_route={self.route}"}
        while self.running():
            try:
                async with websockets.connect(
                    class_url(self.url), origin=Origin(self.url), additional_headers=headers
                ) as ws:
                    self.ws = ws
                    await ws.send(json.dumps({"op": "teach", "code": self.code, "token": self.token}))
                    async for raw in ws:
                        msg = json.loads(raw)
                        if msg.get("op") == "room":
                            self.rooms.append((now(), msg))
                        elif msg.get("op") == "teaching":
                            self.ready.set()
                            pause = FIRST_PAUSE
                        elif msg.get("op") == "error" and not self.ready.is_set():
                            self.errors.append(str(msg.get("error")))  # refused before it teaches
                            self.stopped = error_kind(msg) == "gone"  # gone: nothing to come back to
                            await ws.close()
                        else:
                            await self.replies.put(msg)
            except CLOSED:
                pass
            self.ws = None
            self.ready.clear()
            self.replies.put_nowait({"op": "dropped"})
            if not self.running():
                return
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)

    async def act(self, msg: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        """Send a teacher action; (when it was sent, the reply). Not retried: an action is not safe to repeat."""
        await asyncio.wait_for(self.ready.wait(), TIMEOUT)
        while not self.replies.empty():
            self.replies.get_nowait()  # (a stale "dropped")
        ws = self.ws
        if ws is None:
            raise RuntimeError(f"the teacher's socket dropped before {msg['op']}")
        t0 = now()
        await ws.send(json.dumps(msg))
        reply = await asyncio.wait_for(self.replies.get(), TIMEOUT)
        if reply.get("op") != "done":
            raise RuntimeError(f"the teacher's {msg['op']} failed: {reply}")
        return t0, reply

    def count_reached(self, qid: str, n: int) -> float | None:
        """When the projector first showed ``n`` answers to ``qid``."""
        for t, room in self.rooms:
            if (room.get("question") or {}).get("id") == qid and room.get("answered", 0) >= n:
                return t
        return None

    def joined(self) -> int:
        """The room's count of students in the latest push (0 before one)."""
        return int(self.rooms[-1][1].get("joined", 0)) if self.rooms else 0

    async def stop(self) -> None:
        self.stopped = True
        if self.ws is not None:
            with contextlib.suppress(*CLOSED):
                await self.ws.close()

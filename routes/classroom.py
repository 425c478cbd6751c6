"""Class mode's push route: one websocket per device, and a per-process hub that pushes what changed.

Students' phones, the teacher's projector and the benchmark's clients speak JSON text frames to
:data:`PATH` (``op`` first); the room lives in the database (:mod:`classroom.rooms`), never here, so every
replica sees the same room and a restart loses nothing. A device is told of a new question by a push:
the :class:`Hub` of each process asks the database for the versions of the rooms its own sockets are in
(one query every :data:`POLL` seconds, whatever the number of sockets) and, when a room's ``version``
changed, loads the room once and sends each local socket its own view; a change of ``answers_version``
alone (an answer, a join) goes to teachers only. 200 idle phones cost no Streamlit rerun and no query each.

Client to server (``client``: the id the browser keeps in localStorage, optional)::

    {"op": "join", "code": "K7M2QX", "nick": "Ana", "client": "..."}  -> joined, then a state push
    {"op": "resume", "code": "K7M2QX", "token": "...", "client": "..."} -> joined, then a state push (a reconnect)
    {"op": "answer", "question": "<id>", "value": 0.35}    -> {"op": "received", "question", "shown", "value"}
    {"op": "teach", "code": "K7M2QX", "token": "..."}      -> {"op": "teaching", "code"}, then room pushes
    {"op": "ask", "spec": {...}} | {"op": "spread", "show": true} | {"op": "reveal"} | {"op": "end"}
                                                            -> {"op": "done", "action", ...} (teacher only)

Server to client: ``{"op": "joined", "code", "token", "nick"}``; ``{"op": "state", "phase", "version",
"question", "answer", "value", "result"}`` to a student (its own answer, its own result after the reveal;
nothing of other students); ``{"op": "room", "phase", "version", "joined", "answered", "question", "spread",
"result", "summary"}`` to a teacher. ``version`` is ``[version, answers_version]`` of the room the view shows
(``[2**53 - 1, 0]`` once it ended); a device is never sent a view older than one it was sent (see
:mod:`routes.class_hub`), and one that gets two may draw the newer.

Anything refused is answered ``{"op": "error", "kind", "error": "..."}`` (nothing is stored then), ``kind``
saying what the device should do:

- ``"gone"``: the room, or this device's place in it, is gone (it ended or expired, the code is unknown, the
  token is not the room's): forget the token and join again;
- ``"retry"``: not now (the database is busy or unreachable, the server failed, too many messages or wrong
  codes): keep the token and try again later;
- ``"invalid"``: the message itself is wrong (a bad answer, nickname or code, a student acting as the
  teacher, an answer to a closed question): fix it.

``resume`` and ``teach`` refusals are uniform (:data:`GONE_STUDENT`, :data:`GONE_TEACHER`: the same text for
an unknown code and a wrong token), so they tell nothing about which codes exist, and they are not rate
limited: a classmate's made-up ids can never lock a phone out of its class or a teacher out of the projector.

The door is guarded like the live route's (:func:`routes.guard.accept`): same-origin only, at most
:data:`MAX_SOCKETS` class sockets per process (1013); frames of at most :data:`MAX_MESSAGE` characters (1009
beyond), binary refused, :data:`RATE` messages a second per socket (a burst of :data:`BURST`; a socket that
keeps going is closed, 1008). ``join`` is the only door to guess codes at: at most :data:`WRONG_CODES` wrong
codes a minute per browser and :data:`WRONG_PER_ADDRESS` per address (:class:`WrongCodes`).
Database calls (every :func:`rooms` call included) run in threads; nothing blocks the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket

from classroom.db import Unavailable
from classroom.rooms import Joined, NotAllowed, RoomError, RoomGone, rooms
from core import classroom as cc
from routes.class_hub import QUESTIONS, STATE, Client, Hub, dumps, question_of, views
from routes.guard import accept

__all__ = [
    "GONE_STUDENT",
    "GONE_TEACHER",
    "HELLO_PATH",
    "MAX_MESSAGE",
    "PATH",
    "Hub",
    "WrongCodes",
    "class_socket",
    "client_ip",
    "hello",
]

PATH = "/api/class"
HELLO_PATH = "/api/class/hello"
MAX_MESSAGE = 4096
"""Largest accepted frame, in characters (a question spec about a 10-class example is under 1,000)."""
RATE = 10.0
"""Messages a second per socket, after a burst of :data:`BURST`; beyond it each message gets an error."""
BURST = 20.0
CLOSE_AFTER = 50
"""Refused messages in a row after which the socket is closed (1008): a client that ignores the errors."""
MAX_SOCKETS = 2000
"""Open class sockets per process (a room holds at most 500 students); beyond it 1013 (try again later)."""
WRONG_CODES = 10
"""Wrong codes a minute per client on ``join``: one browser (the id its page keeps in localStorage and sends as
``client``) at one address, or an address that sends no id."""
WRONG_PER_ADDRESS = 200
"""Wrong codes a minute per address on ``join``, whatever ids it sends: a guard against scripted guessing (a
script that makes up ids gets 200 tries a minute among 31⁶ = 887 million codes: finding one of 1,000 open rooms
takes about 3 days on average), high enough that a school's typos behind one NAT address never reach it. A
browser that joined a room from this process in the last :data:`MEMBER_FOR` seconds is exempt: a class already
in its room is never held up by it; only newcomers wait while someone at their address guesses."""
WRONG_WINDOW = 60.0
MEMBER_FOR = 3600.0
"""Seconds a browser id stays exempt from the per-address limit after it joined a room here (a ``resume`` does
not count: one valid token would otherwise make any number of made-up ids exempt)."""
MAX_MEMBERS = 100_000
"""Browser ids remembered as members (the oldest are forgotten first)."""
GONE_STUDENT = "This class has ended, or this device is no longer in it: join again."
"""The one answer to a ``resume`` that fails: an unknown code and a wrong token read the same."""
GONE_TEACHER = "This class has ended, or this is not its teacher's browser."
"""The one answer to a ``teach`` that fails: an unknown code and a wrong token read the same."""
BUSY = "The class database cannot be reached right now: try again in a moment."
ONLY_TEACHER = {
    "ask": "Only the teacher can ask a question.",
    "spread": "Only the teacher can show the answers.",
    "reveal": "Only the teacher can reveal the answer.",
    "end": "Only the teacher can end the class.",
}
LOOPBACK = frozenset({"127.0.0.1", "::1"})

_open = 0
_log = logging.getLogger(__name__)


Kind = Literal["gone", "retry", "invalid"]


class Refused(ValueError):
    """A message the route will not act on; its text goes back to the client with its ``kind``."""

    def __init__(self, text: str, kind: Kind = "invalid") -> None:
        super().__init__(text)
        self.kind: Kind = kind


def error(text: str, kind: Kind) -> str:
    return dumps({"op": "error", "kind": kind, "error": text[:300]})


def client_ip(ws: WebSocket) -> str:
    """The client's address: the peer's, or behind the project's nginx (a loopback peer) the last
    ``X-Forwarded-For`` entry (the one nginx appended; earlier ones are the client's own word)."""
    peer = ws.client.host if ws.client else ""
    if peer in LOOPBACK:
        last = ws.headers.get("x-forwarded-for", "").split(",")[-1].strip()
        if last:
            return last[:64]
    return peer


def client_keys(ip: str, browser: object) -> tuple[str, str]:
    """The two keys a wrong code counts against: the browser at its address, and the address."""
    bid = browser if isinstance(browser, str) and 0 < len(browser) <= 64 else ""
    return f"b:{ip}|{bid}", f"a:{ip}"


class WrongCodes:
    """At most ``limit`` wrong codes per client (browser) and ``per_address`` per address in ``window`` seconds;
    a browser that joined a room in the last ``member_for`` seconds (:meth:`joined`) skips the address's limit."""

    def __init__(
        self,
        limit: int = WRONG_CODES,
        window: float = WRONG_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        per_address: int = WRONG_PER_ADDRESS,
        member_for: float = MEMBER_FOR,
    ):
        self.limit, self.window, self.clock, self.per_address = limit, window, clock, per_address
        self.member_for = member_for
        self.seen: dict[str, deque[float]] = {}
        self.members: dict[str, float] = {}  # browser key -> when it last joined, oldest first

    def joined(self, keys: tuple[str, str]) -> None:
        """The browser of ``keys`` joined a room: exempt from the address's limit for a while."""
        browser, _ = keys
        if browser.endswith("|"):  # no browser id: the address is all there is
            return
        now = self.clock()
        self.members.pop(browser, None)
        self.members[browser] = now
        while self.members:
            oldest = next(iter(self.members))
            if len(self.members) <= MAX_MEMBERS and self.members[oldest] > now - self.member_for:
                break
            del self.members[oldest]

    def member(self, browser: str) -> bool:
        since = self.members.get(browser)
        return since is not None and since > self.clock() - self.member_for

    def _recent(self, ip: str) -> deque[float]:
        now = self.clock()
        times = self.seen.get(ip, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def _wait(self, key: str, limit: int) -> float:
        times = self._recent(key)
        return times[0] + self.window - self.clock() if len(times) >= limit else 0.0

    def wait(self, keys: tuple[str, str]) -> float:
        """Seconds before this client may try a code again (0: now)."""
        browser, address = keys
        wait = self._wait(browser, self.limit)
        return wait if self.member(browser) else max(wait, self._wait(address, self.per_address))

    def wrong(self, keys: tuple[str, str]) -> None:
        if len(self.seen) > 10_000:  # forget clients whose wrong codes are all old
            self.seen = {k: v for k, v in self.seen.items() if self._recent(k)}
        for key in keys:
            times = self._recent(key)
            times.append(self.clock())
            self.seen[key] = times

    def check(self, keys: tuple[str, str]) -> None:
        wait = self.wait(keys)
        if wait > 0:
            raise Refused(f"Too many wrong codes: try again in {max(1, math.ceil(wait))} s.", "retry")


hub = Hub()
wrong_codes = WrongCodes()


def _text(msg: Mapping[str, Any], name: str) -> str:
    """Field ``name`` of ``msg`` as text, uncut (a frame holds at most :data:`MAX_MESSAGE` characters): the
    checks that follow see its true length."""
    value = msg.get(name, "")
    if not isinstance(value, str):
        raise Refused(f"{name} must be text")
    return value


async def _subscribe(client: Client, role: str, code: str, token: str, student_id: str = "") -> None:
    """Make ``client`` a student or teacher of room ``code`` and push it the room as it is now."""
    hub.remove(client)
    client.enter(role, code, token, student_id)
    hub.add(client)  # before the load: a change after it is pushed again by the hub
    version, (text,) = await asyncio.to_thread(views, code, [(role, student_id)])
    client.push(code, version, text)  # dropped if the hub pushed a newer view meanwhile


async def _join(client: Client, msg: Mapping[str, Any]) -> None:
    keys = client_keys(client.ip, msg.get("client"))
    wrong_codes.check(keys)
    code = cc.check_code(_text(msg, "code"))
    nick = cc.check_nickname(_text(msg, "nick"))
    try:
        joined = await asyncio.to_thread(lambda: rooms().join(code, nick))
    except RoomGone:  # a wrong code (a full room is not)
        wrong_codes.wrong(keys)
        raise
    wrong_codes.joined(keys)
    await _joined(client, joined)


async def _joined(client: Client, joined: Joined) -> None:
    client.send(dumps({"op": "joined", "code": joined.code, "token": joined.token, "nick": joined.nickname}))
    await _subscribe(client, "student", joined.code, joined.token, joined.student_id)


async def _resume(client: Client, msg: Mapping[str, Any]) -> None:
    """A student's reconnect: not rate limited, and refused with one text whatever was wrong."""
    code, token = _text(msg, "code"), _text(msg, "token")
    try:
        joined = await asyncio.to_thread(lambda: rooms().resume(code, token))
    except (RoomGone, NotAllowed):  # RoomGone also for a code that cannot be one
        raise Refused(GONE_STUDENT, "gone") from None
    # not a member for the address limit by resuming: one valid token must not make any number of ids exempt
    await _joined(client, joined)


async def _teach(client: Client, msg: Mapping[str, Any]) -> None:
    """The teacher's projector: not rate limited, and refused with one text whatever was wrong."""
    code, token = _text(msg, "code"), _text(msg, "token")
    try:
        code = cc.check_code(code)
        await asyncio.to_thread(lambda: rooms().check_teacher(code, token))
    except (ValueError, RoomGone, NotAllowed):
        raise Refused(GONE_TEACHER, "gone") from None
    client.send(dumps({"op": "teaching", "code": code}))
    await _subscribe(client, "teacher", code, token)


def store_answer(code: str, token: str, question_id: str, raw: object) -> tuple[str, Any]:
    """Check a student's answer against the open question and store it: ``(shown, value)`` (a thread)."""
    r = rooms()
    q = QUESTIONS.get(question_id)
    if q is None:
        asked = r.state(code).question
        if asked is None or asked.id != question_id:
            raise RoomError("That question is not open any more: answer the one on screen.")
        q = question_of(asked)
    value = cc.read_answer(q, raw)
    r.answer(code, token, question_id, value)
    return cc.show_answer(q, value), value


async def _answer(client: Client, msg: Mapping[str, Any]) -> None:
    if client.role != "student":
        raise Refused("Join a class first." if client.role == "" else "The teacher's screen does not answer.")
    question_id = _text(msg, "question")
    shown, value = await asyncio.to_thread(store_answer, client.code, client.token, question_id, msg.get("value"))
    client.send(dumps({"op": "received", "question": question_id, "shown": shown, "value": value}))


async def _act(client: Client, msg: Mapping[str, Any]) -> None:
    op = msg["op"]
    if client.role != "teacher":
        raise Refused(ONLY_TEACHER[op])
    code, token = client.code, client.token
    reply: dict[str, Any] = {"op": "done", "action": op}
    if op == "ask":
        spec = msg.get("spec")
        if not isinstance(spec, dict):
            raise Refused("spec must be an object")
        await asyncio.to_thread(cc.build, spec)  # a bad spec is refused with core's reason
        asked = await asyncio.to_thread(lambda: rooms().ask(code, token, spec))
        reply |= {"question": asked.id, "n": asked.n}
    elif op == "spread":
        show = msg.get("show")
        if not isinstance(show, bool):
            raise Refused("show must be true or false")
        await asyncio.to_thread(lambda: rooms().show_spread(code, token, show))
    elif op == "reveal":
        await asyncio.to_thread(lambda: rooms().reveal(code, token))
    else:
        await asyncio.to_thread(lambda: rooms().end(code, token))
    client.send(dumps(reply))
    hub.poke()


HANDLERS = {"join": _join, "resume": _resume, "teach": _teach, "answer": _answer} | dict.fromkeys(ONLY_TEACHER, _act)


async def handle(client: Client, text: str) -> None:
    """Act on one message; anything refused is answered with an error (never raises)."""
    try:
        try:
            msg = json.loads(text)
        except (ValueError, RecursionError):
            raise Refused("not JSON: send one JSON object per message") from None
        if not isinstance(msg, dict) or not isinstance(msg.get("op"), str) or msg["op"] not in HANDLERS:
            raise Refused(f"a message is a JSON object whose op is one of {sorted(HANDLERS)}")
        await HANDLERS[msg["op"]](client, msg)
    except Refused as err:
        client.send(error(str(err), err.kind))
    except (RoomGone, NotAllowed) as err:  # their messages are written for people
        client.send(error(str(err), "gone"))
    except ValueError as err:  # RoomError and core's checks: written for people too
        client.send(error(str(err), "invalid"))
    except Unavailable as err:  # its text may name the database's host: logged, not shown
        _log.warning("class route: the database is unavailable: %s", err)
        client.send(error(BUSY, "retry"))
    except Exception:
        _log.exception("class route: a %d-character message failed", len(text))
        client.send(error("Something went wrong on the server: try again.", "retry"))


async def hello(_request: Request) -> JSONResponse:
    """Says the class route is here (the page asks before opening the socket, as the live path does)."""
    return JSONResponse({"class": 1, "path": PATH, "max_message": MAX_MESSAGE})


async def class_socket(ws: WebSocket) -> None:
    """One device's socket: read its messages one at a time, send its replies and pushes in order."""
    global _open
    if not await accept(ws, _open, MAX_SOCKETS, "class"):
        return
    _open += 1
    client = Client(ws, client_ip(ws))

    async def write() -> None:
        while True:
            item = await client.queue.get()
            if item is STATE:
                item, client.state = client.state, None
            if isinstance(item, str):
                await ws.send_text(item)

    async def read() -> None:
        budget, last, refused = BURST, time.monotonic(), 0
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            size = len(text) if text is not None else len(message.get("bytes") or b"")
            if size > MAX_MESSAGE:
                await ws.close(code=1009, reason=f"a message may be at most {MAX_MESSAGE} characters")
                return
            now = time.monotonic()
            budget, last = min(BURST, budget + (now - last) * RATE), now
            if budget < 1:
                refused += 1
                if refused > CLOSE_AFTER:
                    await ws.close(code=1008, reason="too many messages")
                    return
                if refused == 1:
                    client.send(error(f"Too many messages: at most {RATE:g} a second. Slow down.", "retry"))
                continue
            budget, refused = budget - 1, 0
            if text is None:
                client.send(error("binary frames are not accepted: send JSON text", "invalid"))
                continue
            await handle(client, text)

    tasks = [asyncio.create_task(read()), asyncio.create_task(write())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for result in await asyncio.gather(*tasks, return_exceptions=True):
            del result  # a socket that closed or broke mid-send just ends
        hub.remove(client)
        _open -= 1

"""Class mode's pushes: what each device is shown, and the per-process hub that sends it when a room changes.

The :class:`Hub` of a process knows which of its own sockets (:class:`Client`) are in which room. While any
are, one task asks the database for those rooms' versions every :data:`POLL` seconds (one query, whatever the
number of sockets; a teacher's action in this process wakes it at once). When a room's ``version`` moved (a
question asked, revealed, the spread shown or hidden, the room ended), the room is loaded once and each local
socket is sent its own view (:func:`views`); when only ``answers_version`` moved (an answer, a join), only
teachers are. Database calls run in threads (a :func:`rooms` call may open and migrate the database, and a
database that is down is retried for seconds): the event loop never waits for one.

Every view carries ``"version": [version, answers_version]``, read in the same transaction as what it shows
(:meth:`classroom.rooms.Rooms.snapshot`), and :meth:`Client.push` never sends a view older than one it already
sent or queued: a view loaded before a newer one was pushed (a join's first view racing the hub) is dropped.
An ended room's view has the version ``[ENDED, 0]``, newer than any.

Idle rooms are deleted by :func:`expire_now`, at most once every :data:`EXPIRE_EVERY` seconds per process: the
hub calls it while sockets are open, and the class page on each run, so rooms expire with no socket open too.
See :mod:`routes.classroom` for the socket itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.websockets import WebSocket

from classroom.rooms import Asked, RoomGone, RoomState, rooms
from core import classroom as cc
from core.figures.classroom import spread_chart
from core.panels.parts import chart
from core.quiz import Question

__all__ = ["POLL", "Client", "Hub", "Version", "dumps", "expire_now", "student_view", "teacher_view", "views"]

POLL = 0.2
"""Seconds between the hub's version queries."""
EXPIRE_EVERY = 60.0
"""Seconds between two calls of ``Rooms.expire`` in one process (rooms idle for hours are deleted)."""
ENDED = 2**53 - 1
"""The version of an ended room's view (JavaScript's largest exact integer)."""
Version = tuple[int, int]
"""``(version, answers_version)`` of the room a view shows."""
GONE: Version = (ENDED, 0)
_log = logging.getLogger(__name__)
_expire_lock = threading.Lock()
_expired_at = -math.inf


def expire_now(now: float | None = None) -> int:
    """Delete the rooms idle for ``Rooms.expire``'s time, unless this process did so less than
    :data:`EXPIRE_EVERY` seconds ago (``now``: ``time.monotonic()``, or a test's). How many were deleted.
    Blocking: call it in a thread from the event loop; the page calls it directly. A failure is logged, not
    raised (it is housekeeping: the next call after :data:`EXPIRE_EVERY` tries again)."""
    global _expired_at
    now = time.monotonic() if now is None else now
    with _expire_lock:
        if now - _expired_at < EXPIRE_EVERY:
            return 0
        _expired_at = now
    try:
        return rooms().expire()
    except Exception:
        _log.exception("class rooms: expiring idle rooms failed")
        return 0


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()  # a non-finite float becomes null (JSON has no NaN)


QUESTIONS: dict[str, Question] = {}
"""Questions built in this process, by id (``core.classroom.build`` is deterministic)."""


def question_of(asked: Asked) -> Question:
    """The question ``asked`` stands for (built once per process: ``build`` is deterministic)."""
    q = QUESTIONS.get(asked.id)
    if q is None:
        if len(QUESTIONS) > 256:
            QUESTIONS.clear()
        q = QUESTIONS[asked.id] = cc.build(asked.spec)
    return q


def _question_view(asked: Asked, q: Question) -> dict[str, Any]:
    return {**cc.question_view(q), "id": asked.id, "n": asked.n}


def student_view(state: RoomState | None, q: Question | None, value: Any) -> dict[str, Any]:
    """What one student's device shows: the question, its own answer, its own result after the reveal."""
    if state is None:
        view: dict[str, Any] = {"op": "state", "phase": "ended", "version": list(GONE)}
        return view | {"question": None, "answer": None, "value": None, "result": None}
    version = [state.version, state.answers_version]
    asked = state.question
    if asked is None or q is None:
        view = {"op": "state", "phase": state.phase, "version": version}
        return view | {"question": None, "answer": None, "value": None, "result": None}
    revealed = state.phase == "revealed"
    return {
        "op": "state",
        "phase": state.phase,
        "version": version,
        "question": _question_view(asked, q),
        "answer": None if value is None else cc.show_answer(q, value),
        "value": value,
        "result": cc.result_view(q, value) if revealed else None,
    }


def teacher_view(state: RoomState | None, q: Question | None, values: Sequence[Any]) -> dict[str, Any]:
    """What the projector shows: the count, the spread when shown (always after the reveal), the truth."""
    view: dict[str, Any] = {"op": "room", "phase": "ended", "joined": 0, "answered": 0}
    view |= {"question": None, "show_spread": False, "spread": None, "result": None, "summary": None}
    view["version"] = list(GONE)  # newer than any view of the room while it ran
    if state is None:
        return view
    view |= {"code": state.code, "phase": state.phase, "joined": state.joined, "answered": state.answered}
    view["version"] = [state.version, state.answers_version]  # the projector draws the newer of two views
    view["show_spread"] = state.show_spread
    if state.question is None or q is None:
        return view
    revealed = state.phase == "revealed"
    view["question"] = _question_view(state.question, q)
    if state.show_spread or revealed:
        view["spread"] = chart("spread", spread_chart(q, values, revealed=revealed))
    if revealed:
        view["result"] = cc.result_view(q, None)
        view["summary"] = cc.summary(q, values)
    return view


def views(code: str, who: Sequence[tuple[str, str]]) -> tuple[Version, list[str]]:
    """The room's version and each ``(role, student_id)``'s view of room ``code`` as JSON text, from one
    snapshot of the room (:meth:`classroom.rooms.Rooms.snapshot`). Blocking: run it in a thread."""
    state: RoomState | None
    try:
        state, answers = rooms().snapshot(code)
    except RoomGone:
        state, answers = None, {}
    q = None if state is None or state.question is None else question_of(state.question)
    version = GONE if state is None else (state.version, state.answers_version)
    teacher: str | None = None
    per_value: dict[str, str] = {}  # students with the same answer see the same view
    out: list[str] = []
    for role, student in who:
        if role == "teacher":
            teacher = teacher or dumps(teacher_view(state, q, list(answers.values())))
            out.append(teacher)
            continue
        value = answers.get(student)
        key = json.dumps(value)
        if key not in per_value:
            per_value[key] = dumps(student_view(state, q, value))
        out.append(per_value[key])
    return version, out


STATE = object()
"""In a client's queue: "send the latest state now" (states are coalesced, replies are not)."""


@dataclass(eq=False)
class Client:
    """One socket: who it is (nobody, a student, a teacher) and what waits to be sent to it."""

    ws: WebSocket
    ip: str
    role: str = ""
    code: str = ""
    student_id: str = ""
    token: str = ""
    queue: asyncio.Queue[object] = field(default_factory=asyncio.Queue)
    state: str | None = None
    version: Version | None = None
    """The version of the last view sent or queued (``None``: none yet in this room)."""

    def send(self, text: str) -> None:
        self.queue.put_nowait(text)

    def enter(self, role: str, code: str, token: str, student_id: str = "") -> None:
        """Be ``role`` in room ``code`` (or in none: ``""``) from now on; views of any other room are dropped."""
        self.role, self.code, self.token, self.student_id = role, code, token, student_id
        self.version = None

    def push(self, code: str, version: Version, text: str) -> bool:
        """Send ``text``, a view of room ``code`` at ``version``, as this client's state (an older state still
        waiting is replaced); False, and nothing sent, when the client is no longer in that room or was already
        sent a newer view of it (a view loaded before that one, arriving late)."""
        if code != self.code or (self.version is not None and version < self.version):
            return False
        self.version = version
        if self.state is None:
            self.queue.put_nowait(STATE)
        self.state = text
        return True


class Hub:
    """The process's pushes: which local sockets are in which room, and one polling task while any are."""

    def __init__(self) -> None:
        self.rooms: dict[str, set[Client]] = {}
        self.seen: dict[str, tuple[int, int]] = {}
        self.task: asyncio.Task[None] | None = None
        self.wake: asyncio.Event | None = None

    def add(self, client: Client) -> None:
        self.rooms.setdefault(client.code, set()).add(client)
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.wake = asyncio.Event()
            self.task = loop.create_task(self.run())

    def remove(self, client: Client) -> None:
        members = self.rooms.get(client.code)
        if members is not None:
            members.discard(client)
            if not members:
                del self.rooms[client.code]
                self.seen.pop(client.code, None)

    def poke(self) -> None:
        """Poll now (a teacher acted through this process)."""
        if self.wake is not None:
            self.wake.set()

    async def run(self) -> None:
        try:
            while self.rooms:
                await self.once()
                await asyncio.to_thread(expire_now)  # at most once a minute; never raises
                assert self.wake is not None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), POLL)
                self.wake.clear()
        finally:
            self.task = None

    async def once(self) -> None:
        codes = sorted(self.rooms)
        try:
            versions = await asyncio.to_thread(lambda: rooms().versions(codes))
        except Exception:
            _log.exception("class hub: reading the rooms' versions failed")
            await asyncio.sleep(1.0)
            return
        for code in codes:
            await self.update(code, versions.get(code))

    async def update(self, code: str, version: tuple[int, int] | None) -> None:
        members = self.rooms.get(code)
        if not members:
            return
        before = self.seen.get(code)
        if version is not None and before == version:
            return
        everyone = version is None or before is None or before[0] != version[0]
        targets = [c for c in members if everyone or c.role == "teacher"]
        if version is None:  # ended (or expired): every socket hears it once and leaves the room
            del self.rooms[code]
            self.seen.pop(code, None)
            for client in targets:
                view = teacher_view(None, None, ()) if client.role == "teacher" else student_view(None, None, None)
                client.push(code, GONE, dumps(view))
                client.enter("", "", "")
            return
        self.seen[code] = version
        try:
            loaded, texts = await asyncio.to_thread(views, code, [(c.role, c.student_id) for c in targets])
        except Exception:
            _log.exception("class hub: loading room %s failed", code)
            if before is None:  # tried again on the next poll
                self.seen.pop(code, None)
            else:
                self.seen[code] = before
            return
        for client, text in zip(targets, texts, strict=True):
            client.push(code, loaded, text)

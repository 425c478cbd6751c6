"""Class mode's pushes: what each device is shown, and the per-process hub that sends it when a room changes.

The :class:`Hub` of a process knows which of its own sockets (:class:`Client`) are in which room. While any
are, one task asks the database for those rooms' versions every :data:`POLL` seconds (one query, whatever the
number of sockets; a teacher's action in this process wakes it at once). When a room's ``version`` moved (a
question asked, revealed, the spread shown or hidden, the room ended), the room is loaded once and each local
socket is sent its own view (:func:`views`); when only ``answers_version`` moved (an answer, a join), only
teachers are. Database calls run in threads. See :mod:`routes.classroom` for the socket itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
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

__all__ = ["POLL", "Client", "Hub", "dumps", "student_view", "teacher_view", "views"]

POLL = 0.2
"""Seconds between the hub's version queries."""
EXPIRE_EVERY = 60.0
"""Seconds between the hub's calls of ``Rooms.expire`` (rooms idle for hours are deleted)."""
ENDED = 2**53 - 1
"""The version of an ended room's view (JavaScript's largest exact integer)."""
_log = logging.getLogger(__name__)


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
        return {"op": "state", "phase": "ended", "question": None, "answer": None, "value": None, "result": None}
    asked = state.question
    if asked is None or q is None:
        return {"op": "state", "phase": state.phase, "question": None, "answer": None, "value": None, "result": None}
    revealed = state.phase == "revealed"
    return {
        "op": "state",
        "phase": state.phase,
        "question": _question_view(asked, q),
        "answer": None if value is None else cc.show_answer(q, value),
        "value": value,
        "result": cc.result_view(q, value) if revealed else None,
    }


def teacher_view(state: RoomState | None, q: Question | None, values: Sequence[Any]) -> dict[str, Any]:
    """What the projector shows: the count, the spread when shown (always after the reveal), the truth."""
    view: dict[str, Any] = {"op": "room", "phase": "ended", "joined": 0, "answered": 0}
    view |= {"question": None, "show_spread": False, "spread": None, "result": None, "summary": None}
    view["versions"] = [ENDED, 0]  # newer than any view of the room while it ran
    if state is None:
        return view
    view |= {"code": state.code, "phase": state.phase, "joined": state.joined, "answered": state.answered}
    view["versions"] = [state.version, state.answers_version]  # the projector draws the newer of two views
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


def views(code: str, who: Sequence[tuple[str, str]]) -> list[str]:
    """Each ``(role, student_id)``'s view of room ``code`` as JSON text, from one load of the room (a thread)."""
    r = rooms()
    try:
        state: RoomState | None = r.state(code)
    except RoomGone:
        state = None
    q: Question | None = None
    answers: dict[str, Any] = {}
    if state is not None and state.question is not None:
        q = question_of(state.question)
        answers = r.answers(code, state.question.id)
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
    return out


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

    def send(self, text: str) -> None:
        self.queue.put_nowait(text)

    def push(self, text: str) -> None:
        """Send ``text`` as this client's state; an older state still waiting is replaced."""
        if self.state is None:
            self.queue.put_nowait(STATE)
        self.state = text


class Hub:
    """The process's pushes: which local sockets are in which room, and one polling task while any are."""

    def __init__(self) -> None:
        self.rooms: dict[str, set[Client]] = {}
        self.seen: dict[str, tuple[int, int]] = {}
        self.task: asyncio.Task[None] | None = None
        self.wake: asyncio.Event | None = None
        self.expired_at = -math.inf

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
                if time.monotonic() - self.expired_at > EXPIRE_EVERY:
                    self.expired_at = time.monotonic()
                    try:
                        await asyncio.to_thread(rooms().expire)
                    except Exception:
                        _log.exception("class hub: expiring idle rooms failed")
                assert self.wake is not None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), POLL)
                self.wake.clear()
        finally:
            self.task = None

    async def once(self) -> None:
        codes = sorted(self.rooms)
        try:
            versions = await asyncio.to_thread(rooms().versions, codes)
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
                client.push(
                    dumps(teacher_view(None, None, ()) if client.role == "teacher" else student_view(None, None, None))
                )
                client.role = client.code = client.student_id = client.token = ""
            return
        self.seen[code] = version
        try:
            texts = await asyncio.to_thread(views, code, [(c.role, c.student_id) for c in targets])
        except Exception:
            _log.exception("class hub: loading room %s failed", code)
            if before is None:  # tried again on the next poll
                self.seen.pop(code, None)
            else:
                self.seen[code] = before
            return
        for client, text in zip(targets, texts, strict=True):
            client.push(text)

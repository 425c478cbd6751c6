"""Class mode's socket on a real server (``streamlit run serve.py``, as ``make run``) with a SQLite file.

A question reaches every student by a push after "Ask" (each socket only listens: no device asks for it; how fast
is measured by ``python -m bench classmode``, not asserted here); the server is then stopped mid-round and a new
one started on the same database: the student resumes with its token, its answer is still there, it answers
the next question, and the teacher's export holds both answers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from classroom.db import open_database
from classroom.rooms import Rooms
from core.classroom import spec_about
from core.scenario import Scenario
from harness.server import run_async, serve

WAIT = 30.0
"""Seconds before a message that never comes fails the test (a hang guard)."""
EXAMPLE = Scenario(classes=("cat", "dog", "rabbit"), logits=(2.0, 1.0, 0.1), target=1)


async def until(ws: ClientConnection, want: Callable[[dict[str, Any]], bool], wait: float = WAIT) -> Any:
    async with asyncio.timeout(wait):
        while True:
            msg = json.loads(await ws.recv())
            if want(msg):
                return msg


def is_open(msg: dict[str, Any]) -> bool:
    return msg.get("op") == "state" and msg.get("phase") == "open"


async def connect(url: str) -> ClientConnection:
    return await websockets.connect(url.replace("http://", "ws://") + "/api/class", origin=url)  # type: ignore[arg-type]


def test_a_question_is_pushed_and_a_restart_loses_nothing(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'class.sqlite3'}"
    env = {"EXPLORER_DATABASE_URL": db_url}
    rooms = Rooms(open_database(db_url))  # the teacher's page would call these; here the test does
    room = rooms.create()
    tokens: dict[str, str] = {}

    async def first_half(url: str) -> str:
        teacher = await connect(url)
        await teacher.send(json.dumps({"op": "teach", "code": room.code, "token": room.teacher_token}))
        await until(teacher, lambda m: m.get("op") == "room")
        students = [await connect(url) for _ in range(3)]
        for i, ws in enumerate(students):
            await ws.send(json.dumps({"op": "join", "code": room.code, "nick": f"S{i}"}))
            tokens[f"S{i}"] = (await until(ws, lambda m: m.get("op") == "joined"))["token"]
            await until(ws, lambda m: m.get("op") == "state")
        await teacher.send(json.dumps({"op": "ask", "spec": spec_about(EXAMPLE, "p_true")}))
        asked = await until(teacher, lambda m: m.get("op") == "done")
        pushed = [await until(ws, is_open) for ws in students]
        assert {p["question"]["id"] for p in pushed} == {asked["question"]}
        await students[0].send(json.dumps({"op": "answer", "question": asked["question"], "value": 0.3}))
        assert (await until(students[0], lambda m: m.get("op") == "received"))["shown"] == "0.3"
        for ws in [teacher, *students]:
            await ws.close()
        return str(asked["question"])

    async def second_half(url: str, first: str) -> None:
        ws = await connect(url)
        await ws.send(json.dumps({"op": "resume", "code": room.code, "token": tokens["S0"]}))
        assert (await until(ws, lambda m: m.get("op") == "joined"))["nick"] == "S0"
        state = await until(ws, lambda m: m.get("op") == "state")
        assert (state["question"]["id"], state["value"], state["answer"]) == (first, 0.3, "0.3")
        teacher = await connect(url)
        await teacher.send(json.dumps({"op": "teach", "code": room.code, "token": room.teacher_token}))
        await until(teacher, lambda m: m.get("op") == "room")
        await teacher.send(json.dumps({"op": "ask", "spec": spec_about(EXAMPLE, "lowest_loss")}))
        second = (await until(teacher, lambda m: m.get("op") == "done"))["question"]
        pushed = await until(ws, lambda m: is_open(m) and m["question"]["id"] == second)
        assert pushed["answer"] is None
        await ws.send(json.dumps({"op": "answer", "question": second, "value": 2}))
        assert (await until(ws, lambda m: m.get("op") == "received"))["shown"] == "option C"
        await ws.close()
        await teacher.close()

    with serve(env, log=tmp_path / "first.log") as (url, _proc):
        first = run_async(first_half(url))
    with serve(env, log=tmp_path / "second.log") as (url, _proc):
        run_async(second_half(url, first))
    rows = rooms.export(room.code, room.teacher_token)
    assert [(r.nickname, r.question_id, r.value) for r in rows] == [
        ("S0", first, 0.3),
        ("S0", rows[1].question_id, 2),
    ]
    assert rows[1].question_id != first

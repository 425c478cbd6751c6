"""A class of 20 through deploy/serve.sh --replicas 2 (nginx), on SQLite and on PostgreSQL: everyone sees the
question and every answer is stored; then one replica gets SIGKILL mid-round, its students resume with their
tokens through nginx, nothing they answered is lost, and the whole class answers the next question. And a device
whose place in the room is gone (a token the room does not know) joins again, as the page asks its student to.

The students are harness/class_clients.py's simulated devices, as in bench/classmode.py (the /api/class socket
of ui/class_student.js: join, resume after a drop with a 1 s backoff, answer until "received"), each with its own
nginx route cookie.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from classroom.db import open_database
from classroom.rooms import Rooms
from core import classroom as cc
from core.scenario import Scenario
from harness import postgres
from harness.class_clients import Student, Teacher, until
from harness.server import replica_pid, run_async, serve, serve_replicated

N = 20
EXAMPLE = {"classes": "cat,dog,rabbit", "logits": "2,1,0.1", "target": "dog"}


def p_true(i: int) -> float:
    return i / N  # 0, 0.05, ..., 0.95: exact in JSON and in both databases


def pick(i: int) -> int:
    return i % 3


def updown(i: int) -> list[bool]:
    return [bool(i & 1), bool(i & 2), bool(i & 4)]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'classroom.sqlite3'}"
        return
    reason = postgres.unavailable_reason()
    if reason is not None:
        if os.environ.get("CI"):  # CI installs PostgreSQL: its absence is a broken setup, not a skip
            pytest.fail(f"PostgreSQL must run in CI, but: {reason}")
        pytest.skip(f"no PostgreSQL here: {reason}")
    with postgres.temporary_cluster() as url:
        yield url


def _stored(rooms: Rooms, code: str, token: str, qid: str) -> dict[str, Any]:
    """nickname -> stored value of question ``qid``, from the teacher's export (one row per student)."""
    rows = [r for r in rooms.export(code, token) if r.question_id == qid]
    by_nick = {r.nickname: r.value for r in rows}
    assert len(by_nick) == len(rows)  # nobody counted twice
    return by_nick


async def _class(url: str, ports: list[int], rooms: Rooms, code: str, token: str) -> None:
    sc, problems = Scenario.from_query(EXAMPLE)
    assert not problems
    teacher = Teacher(url, code, token)
    students = [Student(i, url, code) for i in range(N)]
    tasks = [asyncio.create_task(teacher.connect())] + [asyncio.create_task(s.connect()) for s in students]
    try:
        await until(lambda: all(s.joined_at for s in students), "every student to join")
        await until(lambda: teacher.joined() == N, "the projector to count N")
        assert {s.replica for s in students} == {f"127.0.0.1:{p}" for p in ports}  # both replicas have some

        # Question 1: every device gets it by a push; every answer is stored as sent.
        _, asked = await teacher.act({"op": "ask", "spec": cc.spec_about(sc, "p_true")})
        q1 = asked["question"]
        await until(lambda: all(q1 in s.seen for s in students), "every device to show question 1")
        await asyncio.gather(*(s.answer(q1, p_true(s.i)) for s in students))
        assert await asyncio.to_thread(_stored, rooms, code, token, q1) == {s.nick: p_true(s.i) for s in students}
        await until(lambda: teacher.count_reached(q1, N) is not None, "the projector to show N answers")
        await teacher.act({"op": "reveal"})

        # Question 2: half the class answers, then the replica on the first port is killed.
        _, asked = await teacher.act({"op": "ask", "spec": cc.spec_about(sc, "lowest_loss")})
        q2 = asked["question"]
        await until(lambda: all(q2 in s.seen for s in students), "every device to show question 2")
        early = [s for s in students if s.i % 2 == 0]
        await asyncio.gather(*(s.answer(q2, pick(s.i)) for s in early))
        victim = f"127.0.0.1:{ports[0]}"
        on_it = [s for s in students if s.replica == victim]
        pid = replica_pid(ports[0])
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        await until(lambda: all(s.reconnect_ms for s in on_it), "the killed replica's students to resume")
        for s in on_it:  # what each resumed device is shown: its own answer, kept
            assert s.current == q2
            assert s.state_value == (pick(s.i) if s in early else None)
        late = [s for s in students if s not in early]
        await asyncio.gather(*(s.answer(q2, pick(s.i)) for s in late))
        assert await asyncio.to_thread(_stored, rooms, code, token, q2) == {s.nick: pick(s.i) for s in students}

        # The next question: the whole class, the resumed students included, answers it.
        await teacher.act({"op": "reveal"})
        _, asked = await teacher.act({"op": "ask", "spec": cc.spec_about(sc, "step")})
        q3 = asked["question"]
        await until(lambda: all(q3 in s.seen for s in students), "every device to show question 3")
        await asyncio.gather(*(s.answer(q3, updown(s.i)) for s in students))
        assert await asyncio.to_thread(_stored, rooms, code, token, q3) == {s.nick: updown(s.i) for s in students}
        assert await asyncio.to_thread(_stored, rooms, code, token, q1) == {s.nick: p_true(s.i) for s in students}
        assert not [e for s in students for e in s.errors]
    finally:
        await asyncio.gather(teacher.stop(), *(s.stop() for s in students))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def test_a_class_survives_a_killed_replica(database: str, tmp_path: Path) -> None:
    rooms = Rooms(open_database(database))
    room = rooms.create()
    env = {"EXPLORER_DATABASE_URL": database}
    with serve_replicated(2, env=env, log=tmp_path / "serve.log") as (url, _proc, ports):
        run_async(_class(url, ports, rooms, room.code, room.teacher_token))
    assert f"replica 0 (port {ports[0]}" in (tmp_path / "serve.log").read_text()  # and serve.sh started it again


async def _forgotten(url: str, rooms: Rooms, code: str, ended: str) -> None:
    """A phone whose token the room does not know (its place was removed) resumes: refused as "gone", it forgets
    the token and joins again; a phone joining a class that has ended is refused as "gone" too, and stops."""
    known = Student(0, url, code, token="not-a-token-of-this-room")
    lost = Student(1, url, ended)
    tasks = [asyncio.create_task(known.connect()), asyncio.create_task(lost.connect())]
    try:
        await until(lambda: known.joined_at and lost.stopped, "the forgotten phone to join, the lost one to stop")
        assert known.rejoins == 1
        assert known.errors == ["This class has ended, or this device is no longer in it: join again."]
        assert known.token != "not-a-token-of-this-room"
        assert await asyncio.to_thread(rooms.resume, code, known.token) is not None  # a real place now
        assert await asyncio.to_thread(lambda: rooms.state(code).joined) == 1
        assert len(lost.errors) == 1
        assert lost.token == ""
        assert lost.joined_at == 0.0
    finally:
        await asyncio.gather(known.stop(), lost.stop())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def test_a_device_whose_place_is_gone_joins_again(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'classroom.sqlite3'}"
    rooms = Rooms(open_database(database))
    room, ended = rooms.create(), rooms.create()
    rooms.end(ended.code, ended.teacher_token)
    with serve({"EXPLORER_DATABASE_URL": database}, log=tmp_path / "server.log") as (url, _proc):
        run_async(_forgotten(url, rooms, room.code, ended.code))

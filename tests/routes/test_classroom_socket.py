"""Class mode's socket (``/api/class``): rounds between a teacher and students, in a real server.

The server is :func:`tests.routes.class_support.serve` (uvicorn in a thread, a real SQLite file); the doors
and limits are tested in ``test_classroom_doors.py``. Expected values are written here by hand (0.35 is shown
"0.35"), never read from the code under test.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from starlette.websockets import WebSocket

import routes.class_hub as class_hub
import routes.classroom as route
from core.classroom import spec_about, spec_quiz
from tests.routes.class_support import (
    EXAMPLE,
    HOSTILE,
    WAIT,
    Server,
    connect,
    op,
    run,
    send,
    serve,
    student,
    teacher,
    until,
)


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    with serve(tmp_path, monkeypatch) as running:
        yield running


# ---- a round -----------------------------------------------------------------------------------------------------
def test_a_round_pushes_the_question_acknowledges_answers_and_reveals(server: Server) -> None:
    room = server.rooms.create()

    async def go() -> None:
        t = await teacher(server, room.code, room.teacher_token)
        a, ja = await student(server, room.code, "Ana")
        b, jb = await student(server, room.code, "")
        assert ja["nick"] == "Ana"
        assert jb["nick"].startswith("Student ")
        assert (await until(t, lambda m: m.get("op") == "room" and m["joined"] == 2))["answered"] == 0
        await send(t, op="ask", spec=spec_about(EXAMPLE, "p_true"))
        asked = await until(t, op("done", action="ask"))
        qa = await until(a, lambda m: m.get("op") == "state" and m["phase"] == "open")
        qb = await until(b, lambda m: m.get("op") == "state" and m["phase"] == "open")
        assert qa["question"]["id"] == qb["question"]["id"] == asked["question"]
        assert qa["answer"] is None
        assert qa["result"] is None
        assert "dog" in qa["question"]["prompt"]
        qid = asked["question"]
        await send(a, op="answer", question=qid, value=0.35)
        got = await until(a, op("received"))
        assert (got["question"], got["shown"], got["value"]) == (qid, "0.35", 0.35)
        await send(a, op="answer", question=qid, value=0.25)  # a change before the reveal replaces it
        assert (await until(a, op("received")))["shown"] == "0.25"
        room_view = await until(t, lambda m: m.get("op") == "room" and m["answered"] == 1)
        assert room_view["spread"] is None  # not shown until the teacher shows it
        await send(t, op="spread", show=True)
        await until(t, op("done", action="spread"))
        shown = await until(t, lambda m: m.get("op") == "room" and m["spread"] is not None)
        assert shown["spread"]["kind"] == "chart"
        assert shown["result"] is None
        await send(t, op="reveal")
        done = await until(a, lambda m: m.get("op") == "state" and m["phase"] == "revealed")
        # p(dog) = e^1 / (e^2 + e^1 + e^0.1) = 0.2424, by hand; 0.25 is within ±0.1
        assert done["result"]["correct"] is True
        assert done["result"]["truth"].startswith("0.24")
        assert done["answer"] == "0.25"
        none = await until(b, lambda m: m.get("op") == "state" and m["phase"] == "revealed")
        assert none["result"]["correct"] is None
        assert none["answer"] is None
        final = await until(t, lambda m: m.get("op") == "room" and m["phase"] == "revealed")
        assert final["result"]["truth"].startswith("0.24")
        assert final["summary"]["answered"] == 1
        for ws in (a, b, t):
            await ws.close()

    run(go())
    (row,) = server.rooms.export(room.code, room.teacher_token)
    assert (row.nickname, row.value) == ("Ana", 0.25)


def test_a_student_resumes_with_its_token_and_sees_its_answer(server: Server) -> None:
    room = server.rooms.create()
    asked = server.rooms.ask(room.code, room.teacher_token, spec_about(EXAMPLE, "lowest_loss"))

    async def go() -> None:
        a, joined = await student(server, room.code, "Bo")
        await send(a, op="answer", question=asked.id, value=0)
        assert (await until(a, op("received")))["shown"] == "option A"
        await a.close()
        async with connect(server) as again:
            await send(again, op="resume", code=room.code, token=joined["token"])
            back = await until(again, op("joined"))
            assert (back["nick"], back["token"]) == ("Bo", joined["token"])
            state = await until(again, op("state"))
            assert (state["phase"], state["value"], state["answer"]) == ("open", 0, "option A")

    run(go())


def test_an_ended_class_tells_every_device(server: Server) -> None:
    room = server.rooms.create()

    async def go() -> None:
        t = await teacher(server, room.code, room.teacher_token)
        a, _ = await student(server, room.code, "Cy")
        await send(t, op="end")
        ended = await until(a, lambda m: m.get("op") == "state" and m["phase"] == "ended")  # after the lobby's
        assert (ended["question"], ended["result"]) == (None, None)
        assert (await until(t, lambda m: m.get("op") == "room" and m["phase"] == "ended"))["joined"] == 0
        await send(a, op="answer", question="x", value=0.5)
        assert (await until(a, op("error")))["error"] == "Join a class first."

    run(go())
    assert room.code not in server.rooms.versions([room.code])


# ---- refusals ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("p_true", 1.5),
        ("p_true", -0.1),
        ("p_true", "0,35"),
        ("p_true", "0.35"),
        ("p_true", True),
        ("p_true", None),
        ("p_true", [0.3]),
        ("loss", 1e9),
        ("loss", -1),
        ("lowest_loss", 3),
        ("lowest_loss", 0.5),
        ("step", [True, False]),
        ("step", [1, 0, 0]),
    ],
)
def test_a_bad_answer_gets_a_message_and_is_not_stored(server: Server, kind: str, value: Any) -> None:
    room = server.rooms.create()
    asked = server.rooms.ask(room.code, room.teacher_token, spec_about(EXAMPLE, kind))

    async def go() -> str:
        a, _ = await student(server, room.code, "Di")
        await send(a, op="answer", question=asked.id, value=value)
        return str((await until(a, op("error")))["error"])

    assert run(go())
    assert server.rooms.answers(room.code, asked.id) == {}


def test_nan_and_infinity_are_refused(server: Server) -> None:
    room = server.rooms.create()
    asked = server.rooms.ask(room.code, room.teacher_token, spec_about(EXAMPLE, "loss"))

    async def go() -> list[str]:
        a, _ = await student(server, room.code, "Ed")
        out = []
        for raw in ("NaN", "Infinity", "-Infinity", "1e999"):
            await a.send(f'{{"op": "answer", "question": "{asked.id}", "value": {raw}}}')
            out.append((await until(a, op("error")))["error"])
        return out

    assert all(run(go()))
    assert server.rooms.answers(room.code, asked.id) == {}


def test_an_answer_after_the_reveal_is_refused_and_the_first_stays(server: Server) -> None:
    room = server.rooms.create()
    asked = server.rooms.ask(room.code, room.teacher_token, spec_about(EXAMPLE, "p_true"))

    async def go() -> str:
        a, _ = await student(server, room.code, "Flo")
        await send(a, op="answer", question=asked.id, value=0.3)
        await until(a, op("received"))
        server.rooms.reveal(room.code, room.teacher_token)
        await until(a, lambda m: m.get("op") == "state" and m["phase"] == "revealed")
        await send(a, op="answer", question=asked.id, value=0.9)
        return str((await until(a, op("error")))["error"])

    assert "closed" in run(go())
    assert list(server.rooms.answers(room.code, asked.id).values()) == [0.3]


def test_an_answer_to_another_question_is_refused(server: Server) -> None:
    room = server.rooms.create()
    first = server.rooms.ask(room.code, room.teacher_token, spec_quiz(3, 0))
    second = server.rooms.ask(room.code, room.teacher_token, spec_quiz(3, 2))

    async def go() -> list[str]:
        a, _ = await student(server, room.code, "Gus")
        out = []
        for qid in (first.id, "no-such-question", ""):
            await send(a, op="answer", question=qid, value=0)
            out.append((await until(a, op("error")))["error"])
        return out

    assert all(run(go()))
    assert server.rooms.answers(room.code, first.id) == server.rooms.answers(room.code, second.id) == {}


def test_a_hostile_nickname_is_echoed_as_text_and_never_reaches_other_students(server: Server) -> None:
    room = server.rooms.create()

    async def go() -> list[Any]:
        t = await teacher(server, room.code, room.teacher_token)
        watcher, _ = await student(server, room.code, "Ivy")
        seen: list[Any] = []
        hostile, joined = await student(server, room.code, HOSTILE)
        assert joined["nick"] == HOSTILE  # the exact text, as data
        await send(t, op="ask", spec=spec_about(EXAMPLE, "lowest_loss"))
        state = await until(hostile, lambda m: m.get("op") == "state" and m["phase"] == "open")
        await send(hostile, op="answer", question=state["question"]["id"], value=1)
        await until(hostile, op("received"))
        await send(t, op="spread", show=True)
        await send(t, op="reveal")
        await until(watcher, lambda m: m.get("op") == "state" and m["phase"] == "revealed", seen)
        return seen

    seen = run(go())
    text = json.dumps(seen, ensure_ascii=False)
    assert len(HOSTILE) == 24
    assert seen
    assert HOSTILE not in text
    assert "onerror" not in text
    assert "Ivy" not in text
    (row,) = server.rooms.export(room.code, room.teacher_token)
    assert row.nickname == HOSTILE


# ---- versions: a device never goes back to an older view ---------------------------------------------------------
def test_every_view_carries_its_room_version_and_they_only_grow(server: Server) -> None:
    room = server.rooms.create()

    async def go() -> tuple[list[Any], list[Any], list[int]]:
        seen_t: list[Any] = []
        seen_a: list[Any] = []
        t = await teacher(server, room.code, room.teacher_token)
        a, _ = await student(server, room.code, "Ana")
        await send(t, op="ask", spec=spec_about(EXAMPLE, "p_true"))
        opened = await until(a, lambda m: m.get("op") == "state" and m["phase"] == "open", seen_a)
        now = server.rooms.state(room.code)  # nothing changed since the ask
        assert opened["version"] == [now.version, now.answers_version]
        await send(a, op="answer", question=opened["question"]["id"], value=0.3)
        await until(t, lambda m: m.get("op") == "room" and m["answered"] == 1, seen_t)
        await send(t, op="reveal")
        await until(a, lambda m: m.get("op") == "state" and m["phase"] == "revealed", seen_a)
        await send(t, op="end")
        await until(a, lambda m: m.get("op") == "state" and m["phase"] == "ended", seen_a)
        await until(t, lambda m: m.get("op") == "room" and m["phase"] == "ended", seen_t)
        return seen_t, seen_a, opened["version"]

    seen_t, seen_a, opened = run(go())
    for seen in (seen_t, seen_a):
        versions = [m["version"] for m in seen if m["op"] in ("state", "room")]
        assert all(len(v) == 2 and all(isinstance(n, int) for n in v) for v in versions)
        assert versions == sorted(versions)  # never an older view after a newer one
        assert versions[-1] == [9007199254740991, 0]  # 2**53 - 1: the ended room's, newer than any
    revealed = next(m for m in seen_a if m.get("phase") == "revealed")
    assert revealed["version"][0] == opened[0] + 1  # one reveal after the ask
    assert revealed["version"][1] == opened[1] + 1  # one answer after the ask


def test_a_join_view_loaded_before_a_newer_push_is_not_sent_after_it(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The join's own first view is held after its load until the hub has pushed a newer one (a question)."""
    room = server.rooms.create()
    loaded, release = threading.Event(), threading.Event()
    load = class_hub.views

    def held_view(code: str, who: Any) -> Any:
        out = load(code, who)
        loaded.set()
        release.wait(3 * WAIT)
        return out

    monkeypatch.setattr(route, "views", held_view)  # the join's load only; the hub loads with its own

    async def go() -> tuple[list[Any], dict[str, Any]]:
        seen: list[Any] = []
        async with connect(server) as ws:
            await send(ws, op="join", code=room.code, nick="Ana")
            await until(ws, op("joined"), seen)
            assert await asyncio.to_thread(loaded.wait, WAIT)  # the lobby view is loaded, not yet pushed
            await asyncio.to_thread(server.rooms.ask, room.code, room.teacher_token, spec_quiz(4, 0))
            opened = await until(ws, lambda m: m.get("op") == "state" and m["phase"] == "open", seen)
            release.set()
            await send(ws, op="fly")  # answered after whatever the join sends once released
            await until(ws, op("error"), seen)
        return seen, opened

    try:
        seen, opened = run(go())
    finally:
        release.set()
    after = seen[seen.index(opened) + 1 :]
    assert [m for m in after if m.get("op") == "state"] == []  # the stale lobby view was dropped


def test_a_client_drops_views_older_than_the_last_or_of_another_room() -> None:
    client = class_hub.Client(ws=cast(WebSocket, None), ip="192.0.2.1")
    client.enter("student", "K7M2QX", "token", "s1")
    assert client.push("K7M2QX", (3, 5), "three-five")
    assert not client.push("K7M2QX", (3, 4), "an older count")
    assert not client.push("K7M2QX", (2, 9), "an older question")
    assert not client.push("ABCDEF", (9, 9), "another room")
    assert client.state == "three-five"
    assert client.push("K7M2QX", (3, 5), "the same moment")  # as new as the last: replaces it
    assert client.push("K7M2QX", (4, 0), "a newer question")
    assert client.queue.qsize() == 1  # one "send the latest" marker: the waiting view was replaced
    assert client.state == "a newer question"
    client.enter("student", "ABCDEF", "token2", "s2")  # another room: its versions start afresh
    assert client.push("ABCDEF", (1, 0), "the new room")
    assert not client.push("K7M2QX", (5, 0), "the old room")
    assert client.state == "the new room"

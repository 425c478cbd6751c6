"""Class mode's socket (``/api/class``) against students, a teacher and hostile clients, in process.

httpx (Starlette's TestClient) is not installed, so the route runs in a real server: uvicorn in a thread of
this process, serving :data:`routes.ROUTES` on a free loopback port, with a real SQLite file in ``tmp_path``
behind :class:`classroom.rooms.Rooms`. Clients are ``websockets`` clients, as the benchmark's. Every
refusal is checked twice: the message the client gets, and the database afterwards (nothing stored).
Expected values are written here by hand (0.35 is shown "0.35"), never read from the code under test.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.websockets import WebSocket
from websockets.asyncio.client import ClientConnection

import routes.class_hub as class_hub
import routes.classroom as route
from classroom.db import open_database
from classroom.rooms import Rooms
from core.classroom import spec_about, spec_quiz
from core.scenario import Scenario
from harness.server import free_port
from routes import ROUTES

WAIT = 15.0
"""Seconds before a message that never comes fails the test (a hang guard, not a speed assertion)."""
EXAMPLE = Scenario(classes=("cat", "dog", "rabbit"), logits=(2.0, 1.0, 0.1), target=1)
HOSTILE = "<img src=x onerror=a()>&"
"""24 characters, the longest nickname: markup that would run if it were ever put into a page as HTML."""


@dataclass
class Server:
    url: str
    rooms: Rooms

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + route.PATH


@pytest.fixture
def server(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    rooms = Rooms(open_database(f"sqlite:///{tmp_path / 'class.sqlite3'}"))
    monkeypatch.setattr(route, "rooms", lambda: rooms)
    monkeypatch.setattr(class_hub, "rooms", lambda: rooms)
    monkeypatch.setattr(route, "wrong_codes", route.WrongCodes())
    monkeypatch.setattr(route, "hub", route.Hub())
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(Starlette(routes=ROUTES), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not uv.started:  # uvicorn sets a flag; there is no event to await from this thread
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield Server(f"http://127.0.0.1:{port}", rooms)
    finally:
        uv.should_exit = True
        thread.join(WAIT)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@asynccontextmanager
async def connect(server: Server, ip: str = "", origin: str | None = None) -> AsyncIterator[ClientConnection]:
    headers = {"X-Forwarded-For": f"10.9.8.7, {ip}"} if ip else {}
    async with websockets.connect(
        server.ws_url,
        origin=origin or server.url,
        additional_headers=headers,
        max_size=2**20,  # type: ignore[arg-type]
    ) as ws:
        yield ws


async def send(ws: ClientConnection, **msg: Any) -> None:
    await ws.send(json.dumps(msg))


async def until(ws: ClientConnection, want: Callable[[dict[str, Any]], bool], seen: list[Any] | None = None) -> Any:
    """The first message ``want`` accepts (every message read is added to ``seen``)."""
    async with asyncio.timeout(WAIT):
        while True:
            msg = json.loads(await ws.recv())
            if seen is not None:
                seen.append(msg)
            if want(msg):
                return msg


def op(name: str, **fields: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m.get("op") == name and all(m.get(k) == v for k, v in fields.items())


async def student(server: Server, code: str, nick: str = "", ip: str = "") -> tuple[ClientConnection, dict[str, Any]]:
    ws = await websockets.connect(
        server.ws_url, origin=server.url, additional_headers={"X-Forwarded-For": ip} if ip else {}
    )
    await send(ws, op="join", code=code, nick=nick)
    joined = await until(ws, op("joined"))
    await until(ws, op("state"))
    return ws, joined


async def teacher(server: Server, code: str, token: str) -> ClientConnection:
    ws = await websockets.connect(server.ws_url, origin=server.url)
    await send(ws, op="teach", code=code, token=token)
    await until(ws, op("teaching"))
    await until(ws, op("room"))
    return ws


# ---- the door ----------------------------------------------------------------------------------------------------
def test_hello_says_the_route_is_here(server: Server) -> None:
    import urllib.request

    with urllib.request.urlopen(server.url + route.HELLO_PATH, timeout=WAIT) as r:
        assert json.loads(r.read()) == {"class": 1, "path": "/api/class", "max_message": 4096}


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:1", "null"])
def test_a_foreign_origin_is_refused_at_the_handshake(server: Server, origin: str) -> None:
    async def go() -> None:
        with pytest.raises(websockets.InvalidStatus) as caught:
            async with connect(server, origin=origin):
                pass
        assert caught.value.response.status_code == 403

    run(go())


def test_a_frame_over_4096_characters_closes_the_socket(server: Server) -> None:
    async def go() -> None:
        async with connect(server) as ws:
            await ws.send(json.dumps({"op": "join", "code": "ABCDEF", "nick": "x" * 4096}))
            with pytest.raises(websockets.ConnectionClosed) as caught:
                await until(ws, lambda m: False)
            assert caught.value.rcvd is not None
            assert caught.value.rcvd.code == 1009

    run(go())


def test_binary_and_non_json_frames_are_refused_and_the_socket_stays(server: Server) -> None:
    async def go() -> None:
        async with connect(server) as ws:
            await ws.send(b'{"op": "join"}')
            assert "binary" in (await until(ws, op("error")))["error"]
            for bad in ("{", "[1, 2]", '{"op": "fly"}', '{"op": 3}', "[" * 3000):
                await ws.send(bad)
                assert (await until(ws, op("error")))["error"]
            await send(ws, op="teach", code="ABCDEF", token="x")  # the socket still answers
            assert (await until(ws, op("error")))["error"]

    run(go())


def test_a_flood_is_refused_then_closed(server: Server) -> None:
    async def go() -> None:
        async with connect(server) as ws:
            for _ in range(40):  # far beyond 10 a second with a burst of 20
                await ws.send("{}")
            seen: list[Any] = []
            await until(ws, lambda m: "Too many messages" in m.get("error", ""), seen)
            for _ in range(200):
                await ws.send("{}")
            with pytest.raises(websockets.ConnectionClosed) as caught:
                await until(ws, lambda m: False)
            assert caught.value.rcvd is not None
            assert caught.value.rcvd.code == 1008

    run(go())


def test_sockets_beyond_the_cap_are_closed_with_1013(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(route, "MAX_SOCKETS", 2)

    async def go() -> None:
        async with connect(server) as a, connect(server) as b:
            await send(a, op="teach", code="ABCDEF", token="x")
            await send(b, op="teach", code="ABCDEF", token="x")
            await until(a, op("error"))
            await until(b, op("error"))
            async with connect(server) as c:
                with pytest.raises(websockets.ConnectionClosed) as caught:
                    await c.recv()
                assert caught.value.rcvd is not None
                assert caught.value.rcvd.code == 1013
        async with connect(server) as d:  # the two closed: room again
            await send(d, op="teach", code="ABCDEF", token="x")
            assert (await until(d, op("error")))["error"]

    run(go())


# ---- wrong codes -------------------------------------------------------------------------------------------------
def test_ten_wrong_codes_a_minute_then_a_clear_message(server: Server) -> None:
    room = server.rooms.create()
    wrong = "ABCDEF" if room.code != "ABCDEF" else "ABCDEG"

    async def go() -> None:
        async with connect(server, ip="203.0.113.5") as ws:
            for _ in range(10):
                await send(ws, op="join", code=wrong, nick="")
                assert "Too many" not in (await until(ws, op("error")))["error"]
            await send(ws, op="join", code=room.code, nick="")  # even the right code waits now
            text = (await until(ws, op("error")))["error"]
            assert text.startswith("Too many wrong codes: try again in ")
            assert text.endswith(" s.")
            assert 1 <= int(text.split(" in ")[1].split()[0]) <= 60
            for msg in ({"op": "resume", "code": room.code, "token": "x"}, {"op": "teach", "code": room.code}):
                await ws.send(json.dumps(msg))
                assert (await until(ws, op("error")))["error"].startswith("Too many wrong codes")
        async with connect(server, ip="203.0.113.5") as again:  # a new socket is the same client
            await send(again, op="join", code=room.code, nick="")
            assert (await until(again, op("error")))["error"].startswith("Too many wrong codes")
        async with connect(server, ip="198.51.100.7") as other:  # another client is not held up
            await send(other, op="join", code=room.code, nick="")
            assert (await until(other, op("joined")))["code"] == room.code

    run(go())
    assert server.rooms.state(room.code).joined == 1


def test_one_browser_is_held_up_not_its_classmates_behind_the_same_address(server: Server) -> None:
    room = server.rooms.create()
    wrong = "ABCDEF" if room.code != "ABCDEF" else "ABCDEG"
    typo, classmate = "a" * 32, "b" * 32

    async def go() -> None:
        async with connect(server, ip="203.0.113.20") as ws:
            for _ in range(10):
                await send(ws, op="join", code=wrong, nick="", client=typo)
                assert "Too many" not in (await until(ws, op("error")))["error"]
            await send(ws, op="join", code=room.code, nick="", client=typo)
            assert (await until(ws, op("error")))["error"].startswith("Too many wrong codes")
        async with connect(server, ip="203.0.113.20") as ws:  # same school address, another phone
            await send(ws, op="join", code=room.code, nick="", client=classmate)
            assert (await until(ws, op("joined")))["code"] == room.code

    run(go())
    assert server.rooms.state(room.code).joined == 1


def test_an_address_gets_sixty_wrong_codes_a_minute_whatever_ids_it_makes_up() -> None:
    now = [1000.0]
    limit = route.WrongCodes(clock=lambda: now[0])
    for i in range(60):
        keys = route.client_keys("198.51.100.1", f"{i:032x}")  # a new made-up id each time
        assert limit.wait(keys) == 0
        limit.wrong(keys)
    fresh = route.client_keys("198.51.100.1", "f" * 32)
    assert limit.wait(fresh) == pytest.approx(60.0)  # the address's own limit
    assert limit.wait(route.client_keys("198.51.100.2", "f" * 32)) == 0  # another address is free
    now[0] += 60.0
    assert limit.wait(fresh) == 0  # a minute later


def test_an_id_that_is_not_short_text_counts_as_no_id() -> None:
    assert route.client_keys("192.0.2.1", 5) == route.client_keys("192.0.2.1", None) == ("b:192.0.2.1|", "a:192.0.2.1")
    assert route.client_keys("192.0.2.1", "x" * 65)[0] == "b:192.0.2.1|"


def test_wrong_teacher_and_student_tokens_count_as_wrong_codes(server: Server) -> None:
    room = server.rooms.create()

    async def go() -> None:
        async with connect(server, ip="203.0.113.9") as ws:
            for i in range(10):
                await ws.send(json.dumps({"op": ("teach", "resume")[i % 2], "code": room.code, "token": f"guess{i}"}))
                assert "Too many" not in (await until(ws, op("error")))["error"]
            await send(ws, op="teach", code=room.code, token=room.teacher_token)
            assert (await until(ws, op("error")))["error"].startswith("Too many wrong codes")

    run(go())


def test_the_client_is_the_last_forwarded_address_only_behind_a_loopback_peer() -> None:
    def ip(peer: str, forwarded: str) -> str:
        scope = {
            "type": "websocket",
            "path": "/api/class",
            "headers": [(b"x-forwarded-for", forwarded.encode())],
            "client": (peer, 5000),
        }
        return route.client_ip(WebSocket(scope, receive=None, send=None))  # type: ignore[arg-type]

    assert ip("127.0.0.1", "1.1.1.1, 2.2.2.2") == "2.2.2.2"  # nginx appends the real peer last
    assert ip("::1", "2.2.2.2") == "2.2.2.2"
    assert ip("192.0.2.1", "2.2.2.2") == "192.0.2.1"  # a client's own header is not believed
    assert ip("127.0.0.1", "") == "127.0.0.1"


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


@pytest.mark.parametrize(
    ("msg", "words"),
    [
        ({"op": "ask", "spec": {"source": "quiz", "seed": 1, "n": 0}}, "Only the teacher can ask"),
        ({"op": "reveal"}, "Only the teacher can reveal"),
        ({"op": "spread", "show": True}, "Only the teacher can show"),
        ({"op": "end"}, "Only the teacher can end"),
    ],
)
def test_a_student_cannot_act_as_the_teacher(server: Server, msg: dict[str, Any], words: str) -> None:
    room = server.rooms.create()
    asked = server.rooms.ask(room.code, room.teacher_token, spec_quiz(5, 0))

    async def go() -> str:
        a, joined = await student(server, room.code, "Hal")
        await a.send(json.dumps({**msg, "code": room.code, "token": joined["token"]}))
        return str((await until(a, op("error")))["error"])

    assert run(go()).startswith(words)
    state = server.rooms.state(room.code)
    assert (state.phase, state.show_spread, state.question) == ("open", False, asked)


def test_a_teacher_socket_needs_the_teacher_token_and_a_good_spec(server: Server) -> None:
    room = server.rooms.create()

    async def go() -> list[str]:
        out = []
        async with connect(server) as ws:
            await send(ws, op="ask", spec=spec_quiz(1, 0))  # not yet a teacher
            out.append((await until(ws, op("error")))["error"])
            t = await teacher(server, room.code, room.teacher_token)
            for spec in ({"source": "quiz", "seed": "1", "n": 0}, {"source": "nowhere"}, [1]):
                await send(t, op="ask", spec=spec)
                out.append((await until(t, op("error")))["error"])
            await send(t, op="reveal")  # nothing is open
            out.append((await until(t, op("error")))["error"])
        return out

    assert all(run(go()))
    assert server.rooms.questions(room.code) == []


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


def test_a_nickname_that_breaks_the_rules_gets_a_message(server: Server) -> None:
    room = server.rooms.create()

    async def go() -> list[str]:
        out = []
        async with connect(server) as ws:
            for nick in ("x" * 25, "a\u0000b", "\u202etxt", 7):
                await send(ws, op="join", code=room.code, nick=nick)
                out.append((await until(ws, op("error")))["error"])
        return out

    assert all(run(go()))
    assert server.rooms.state(room.code).joined == 0

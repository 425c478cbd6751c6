"""Class mode's socket (``/api/class``): its doors and limits against hostile clients, in a real server.

The server is :func:`tests.routes.class_support.serve` (uvicorn in a thread, a real SQLite file). Every
refusal is checked twice: the message the client gets (its text and its ``kind``), and the database
afterwards (nothing stored). Expected values are written here by hand, never read from the code under test.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from starlette.websockets import WebSocket

import classroom.db
import routes.class_hub as class_hub
import routes.classroom as route
import routes.guard as guard
from classroom.db import open_database
from classroom.rooms import Rooms
from core.classroom import spec_quiz
from harness.server import free_port
from tests.routes.class_support import WAIT, Server, connect, op, run, send, serve, student, teacher, until


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    with serve(tmp_path, monkeypatch) as running:
        yield running


# ---- the door ----------------------------------------------------------------------------------------------------
def test_hello_says_the_route_is_here(server: Server) -> None:
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
            refused = await until(ws, op("error"))
            assert "binary" in refused["error"]
            assert refused["kind"] == "invalid"
            for bad in ("{", "[1, 2]", '{"op": "fly"}', '{"op": 3}', "[" * 3000, '{"op": "join", "code": 5}'):
                await ws.send(bad)
                refused = await until(ws, op("error"))
                assert refused["error"]
                assert refused["kind"] == "invalid"
            await send(ws, op="teach", code="ABCDEF", token="x")  # the socket still answers
            assert (await until(ws, op("error")))["kind"] == "gone"

    run(go())


def test_a_flood_is_refused_then_closed(server: Server) -> None:
    async def go() -> None:
        async with connect(server) as ws:
            for _ in range(40):  # far beyond 10 a second with a burst of 20
                await ws.send("{}")
            slow_down = await until(ws, lambda m: "Too many messages" in m.get("error", ""))
            assert slow_down["kind"] == "retry"
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
            refused = await until(ws, op("error"))
            text = refused["error"]
            assert text.startswith("Too many wrong codes: try again in ")
            assert text.endswith(" s.")
            assert 1 <= int(text.split(" in ")[1].split()[0]) <= 60
            assert refused["kind"] == "retry"
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


def test_an_address_gets_two_hundred_wrong_codes_a_minute_whatever_ids_it_makes_up() -> None:
    now = [1000.0]
    limit = route.WrongCodes(clock=lambda: now[0])
    for i in range(200):
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


def test_a_browser_that_joined_within_the_hour_skips_the_address_limit() -> None:
    now = [1000.0]
    limit = route.WrongCodes(clock=lambda: now[0], per_address=3)
    member, newcomer = route.client_keys("198.51.100.1", "m" * 32), route.client_keys("198.51.100.1", "n" * 32)
    limit.joined(member)
    limit.joined(route.client_keys("198.51.100.1", None))  # no id: nothing to remember
    for i in range(3):
        limit.wrong(route.client_keys("198.51.100.1", f"{i:032x}"))
    assert limit.wait(newcomer) == pytest.approx(60.0)
    assert limit.wait(route.client_keys("198.51.100.1", None)) == pytest.approx(60.0)
    assert limit.wait(member) == 0
    now[0] += 3599.0  # an hour after joining, the member is a newcomer again (the wrong codes are long gone)
    for i in range(3):
        limit.wrong(route.client_keys("198.51.100.1", f"{i:032x}"))
    assert limit.wait(member) == 0
    now[0] += 1.0
    assert limit.wait(member) == pytest.approx(59.0)


def test_wrong_teacher_and_student_tokens_are_not_limited_and_read_alike(server: Server) -> None:
    room = server.rooms.create()
    other = server.rooms.create()
    unknown = next(c for c in ("ABCDEF", "ABCDEG") if c not in (room.code, other.code))

    async def go() -> None:
        async with connect(server, ip="203.0.113.9") as ws:
            for i in range(15):  # beyond the wrong-code limit, within the socket's burst of messages
                await ws.send(json.dumps({"op": ("teach", "resume")[i % 2], "code": room.code, "token": f"guess{i}"}))
                assert (await until(ws, op("error")))["kind"] == "gone"
        async with connect(server, ip="203.0.113.9") as ws:  # the same client
            texts = {}
            for kind in ("teach", "resume"):
                for case, code, token in (
                    ("unknown code", unknown, room.teacher_token),
                    ("wrong token", room.code, other.teacher_token),
                    ("not a code", "O0O0O0", "x"),
                ):
                    await ws.send(json.dumps({"op": kind, "code": code, "token": token}))
                    texts[kind, case] = await ws.recv()  # the raw frame: byte for byte
            for kind, words in (("teach", route.GONE_TEACHER), ("resume", route.GONE_STUDENT)):
                assert len({texts[kind, case] for case in ("unknown code", "wrong token", "not a code")}) == 1
                assert json.loads(texts[kind, "unknown code"]) == {"op": "error", "kind": "gone", "error": words}
            await send(ws, op="teach", code=room.code, token=room.teacher_token)
            assert (await until(ws, op("teaching")))["code"] == room.code
            await send(ws, op="join", code=room.code, nick="")  # the tokens did not count as wrong codes
            assert (await until(ws, op("joined")))["code"] == room.code

    assert route.GONE_STUDENT == "This class has ended, or this device is no longer in it: join again."
    assert route.GONE_TEACHER == "This class has ended, or this is not its teacher's browser."
    run(go())


def test_made_up_ids_at_a_school_address_never_lock_out_its_class(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(route, "wrong_codes", route.WrongCodes(per_address=5))  # the real 200, sooner
    room = server.rooms.create()
    wrong = next(c for c in ("ABCDEF", "ABCDEG") if c != room.code)
    school = "203.0.113.40"

    async def go() -> None:
        phone, joined = await student(server, room.code, "Ana", ip=school, client="c" * 32)
        await phone.close()
        async with connect(server, ip=school) as attacker:
            for i in range(5):  # a new made-up id for each guess
                await send(attacker, op="join", code=wrong, nick="", client=f"{i:032x}")
                assert (await until(attacker, op("error")))["kind"] == "gone"
            await send(attacker, op="join", code=room.code, nick="", client="f" * 32)
            assert (await until(attacker, op("error")))["error"].startswith("Too many wrong codes")
        async with connect(server, ip=school) as newcomer:  # a newcomer waits
            await send(newcomer, op="join", code=room.code, nick="", client="n" * 32)
            assert (await until(newcomer, op("error")))["kind"] == "retry"
        async with connect(server, ip=school) as back:  # the classmate's phone resumes
            await send(back, op="resume", code=room.code, token=joined["token"], client="c" * 32)
            assert (await until(back, op("joined")))["nick"] == "Ana"
            await until(back, op("state"))
        async with connect(server, ip=school) as tab:  # the member can still join (a second tab)
            await send(tab, op="join", code=room.code, nick="Ana", client="c" * 32)
            assert (await until(tab, op("joined")))["nick"] == "Ana (2)"
        async with connect(server, ip=school) as projector:  # and the teacher's projector opens
            await send(projector, op="teach", code=room.code, token=room.teacher_token, client="t" * 32)
            assert (await until(projector, op("teaching")))["code"] == room.code
            assert (await until(projector, op("room")))["joined"] == 2

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


# ---- refusals ----------------------------------------------------------------------------------------------------
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
        refused = await until(a, op("error"))
        assert refused["kind"] == "invalid"
        return str(refused["error"])

    assert run(go()).startswith(words)
    state = server.rooms.state(room.code)
    assert (state.phase, state.show_spread, state.question) == ("open", False, asked)


def test_a_teacher_socket_needs_the_teacher_token_and_a_good_spec(server: Server) -> None:
    room = server.rooms.create()

    async def go() -> list[str]:
        out = []
        async with connect(server) as ws:
            await send(ws, op="ask", spec=spec_quiz(1, 0))  # not yet a teacher
            refused = await until(ws, op("error"))
            assert refused["kind"] == "invalid"
            out.append(refused["error"])
            t = await teacher(server, room.code, room.teacher_token)
            for spec in ({"source": "quiz", "seed": "1", "n": 0}, {"source": "nowhere"}, [1]):
                await send(t, op="ask", spec=spec)
                out.append((await until(t, op("error")))["error"])
            await send(t, op="reveal")  # nothing is open
            out.append((await until(t, op("error")))["error"])
        return out

    assert all(run(go()))
    assert server.rooms.questions(room.code) == []


def test_a_nickname_that_breaks_the_rules_gets_a_message(server: Server) -> None:
    room = server.rooms.create()

    async def go() -> list[str]:
        out = []
        async with connect(server) as ws:
            for nick in ("x" * 25, "a\u0000b", "\u202etxt", 7):
                await send(ws, op="join", code=room.code, nick=nick)
                refused = await until(ws, op("error"))
                assert refused["kind"] == "invalid"
                out.append(refused["error"])
        return out

    assert all(run(go()))
    assert server.rooms.state(room.code).joined == 0


def test_a_long_nickname_is_refused_with_its_true_length(server: Server) -> None:
    room = server.rooms.create()

    async def go() -> dict[str, Any]:
        async with connect(server) as ws:
            await send(ws, op="join", code=room.code, nick="x" * 300)
            return dict(await until(ws, op("error")))

    refused = run(go())
    assert refused == {
        "op": "error",
        "kind": "invalid",
        "error": "A nickname has at most 24 characters; this one has 300.",
    }
    assert server.rooms.state(room.code).joined == 0


def test_a_refused_origin_is_logged_once(
    server: Server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(guard, "_warned", set())
    caplog.set_level(logging.WARNING, logger="routes.guard")

    async def go() -> None:
        for origin in ("http://evil.example", "http://other.example"):
            with pytest.raises(websockets.InvalidStatus):
                async with connect(server, origin=origin):
                    pass

    run(go())
    (record,) = [r for r in caplog.records if r.name == "routes.guard"]
    assert record.levelno == logging.WARNING
    assert "class route" in record.getMessage()
    assert "http://evil.example" in record.getMessage()


# ---- an unreachable database -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["join", "resume", "teach"])
def test_an_unreachable_database_gets_retry_and_the_server_keeps_answering(
    server: Server, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Each database call is held in ``rooms()`` until the server has answered another request meanwhile:
    had it been called on the event loop, that request would hang (the hang guard fails the test)."""
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/nothing"  # a port nobody listens on
    monkeypatch.setattr(classroom.db, "RETRY_SECONDS", 0.2)  # the retries stay real, only shorter
    called, release = threading.Event(), threading.Event()

    def unreachable() -> Rooms:
        called.set()
        release.wait(3 * WAIT)  # longer than the hang guard of the request below
        return Rooms(open_database(url))

    monkeypatch.setattr(route, "rooms", unreachable)
    monkeypatch.setattr(class_hub, "rooms", unreachable)

    def hello() -> dict[str, Any]:
        with urllib.request.urlopen(server.url + route.HELLO_PATH, timeout=WAIT) as r:
            return dict(json.loads(r.read()))

    async def go() -> dict[str, Any]:
        async with connect(server) as ws:
            await send(ws, op=kind, code="K7M2QX", nick="Ana", token="t" * 32)
            assert await asyncio.to_thread(called.wait, WAIT)
            assert (await asyncio.to_thread(hello))["path"] == route.PATH  # answered while the call is held
            release.set()
            return dict(await until(ws, op("error")))

    try:
        refused = run(go())
    finally:
        release.set()
    assert refused["kind"] == "retry"
    assert refused["error"] == "The class database cannot be reached right now: try again in a moment."

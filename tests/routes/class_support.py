"""A real server for class mode's socket tests, and the clients that speak to it.

httpx (Starlette's TestClient) is not installed, so the route runs in a real server: uvicorn in a thread of
this process, serving :data:`routes.ROUTES` on a free loopback port, with a real SQLite file in ``tmp_path``
behind :class:`classroom.rooms.Rooms`. Clients are ``websockets`` clients, as the benchmark's.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import websockets
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection

import routes.class_hub as class_hub
import routes.classroom as route
from classroom.db import open_database
from classroom.rooms import Rooms
from core.scenario import Scenario
from harness.server import free_port, run_async
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


@contextmanager
def serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """The class route in a real server, on a fresh SQLite file, with fresh limits and a fresh hub."""
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
    """Run a test's client coroutine to its end, in a thread of its own: after a browser test in the same session,
    Playwright's sync API keeps an event loop running in this thread, where ``asyncio.run`` is refused."""
    return run_async(coro)


@asynccontextmanager
async def connect(server: Server, ip: str = "", origin: str | None = None) -> AsyncIterator[ClientConnection]:
    """A socket; ``ip`` is the client's address as the project's nginx would forward it (the last entry)."""
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


async def student(
    server: Server, code: str, nick: str = "", ip: str = "", client: str | None = None
) -> tuple[ClientConnection, dict[str, Any]]:
    ws = await websockets.connect(
        server.ws_url, origin=server.url, additional_headers={"X-Forwarded-For": ip} if ip else {}
    )
    await send(ws, op="join", code=code, nick=nick, **({} if client is None else {"client": client}))
    joined = await until(ws, op("joined"))
    await until(ws, op("state"))
    return ws, joined


async def teacher(server: Server, code: str, token: str) -> ClientConnection:
    ws = await websockets.connect(server.ws_url, origin=server.url)
    await send(ws, op="teach", code=code, token=token)
    await until(ws, op("teaching"))
    await until(ws, op("room"))
    return ws

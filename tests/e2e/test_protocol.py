"""Malformed, oversized and text frames, and a client's cache clear, on /_stcore/stream.

One well-behaved session keeps working throughout: after each hostile frame it
reruns the Playground and gets the right Cross-entropy back.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import urllib.request
from collections.abc import Iterator

import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from harness.server import run_async, start_app

RIGHT = f"{-math.log(math.exp(1) / (math.exp(2) + math.exp(1) + math.exp(0.1))):.4f} nats"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with start_app() as url:  # its own server: nothing else shares what these frames do
        yield url


def _rerun(query: str) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_script_hash = ""
    return msg.SerializeToString()


def _live_panel_ce(data: str) -> str:
    """The Cross-entropy a live panel's data shows ("" if the component is not a panel holding it)."""
    try:
        parts = json.loads(data).get("parts", [])
    except (ValueError, AttributeError):
        return ""
    items = [item for part in parts if part.get("kind") == "metrics" for item in part["items"]]
    return next((item["value"] for item in items if item["key"] == "ce"), "")


async def _run_page(ws: websockets.ClientConnection) -> str:
    """Rerun the Playground on this connection; the Cross-entropy metric it shows."""
    await ws.send(_rerun("classes=cat,dog,rabbit&logits=2,1,0.1&target=dog"))
    value = ""
    while True:
        fwd = ForwardMsg()
        fwd.ParseFromString(await asyncio.wait_for(ws.recv(), 30))
        kind = fwd.WhichOneof("type")
        element = fwd.delta.new_element if kind == "delta" else None
        if element is not None and element.WhichOneof("type") == "bidi_component":
            value = _live_panel_ce(element.bidi_component.json) or value
        if kind == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
            return "exception"
        if kind == "script_finished":
            return value


HOSTILE: list[tuple[str, bytes | str]] = [
    ("random bytes", os.urandom(4096)),
    ("a truncated BackMsg", _rerun("logits=1,2,3")[:7]),
    ("a text frame", "hello, server"),
    ("a text frame of JSON", '{"rerun_script": {"query_string": "<script>"}}'),
    ("an empty frame", b""),
    ("17 MB, past server.maxMessageSize", b"\x0a" + os.urandom(17 * 2**20)),
    ("a rerun with a hostile query", _rerun("classes=%3Cscript%3E,b&logits=nan,1e400&x=" + "9" * 5000)),
    ("a rerun of a page that does not exist", BackMsg(rerun_script={"page_script_hash": "f" * 32}).SerializeToString()),
]


async def _attack(url: str) -> list[str]:
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    outcomes = []
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as good:
        assert await _run_page(good) == RIGHT
        for name, frame in HOSTILE:
            try:
                async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as bad:
                    await bad.send(frame)
                    # The server has dealt with the frame once it answers (or drops) the next message. That
                    # connection's session may keep what a hostile rerun set (a session reads its URL once):
                    # any Cross-entropy means it still works.
                    shown = await _run_page(bad)
                    works = shown.endswith(" nats") and shown != "exception"
                    outcomes.append(f"{name}, then on that connection: {RIGHT if works else shown}")
            except (OSError, websockets.WebSocketException):
                outcomes.append(f"{name}, then on that connection: {RIGHT}")  # dropped: fine
            outcomes.append(f"{name}: {await _run_page(good)}")
        clear = BackMsg()
        clear.clear_cache = True
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as other:
            await other.send(clear.SerializeToString())
            outcomes.append(f"cache clear by another client: {await _run_page(good)}")
            outcomes.append(f"the clearing client itself: {await _run_page(other)}")
    return outcomes


def test_hostile_frames_never_stop_another_session(server: str) -> None:
    outcomes = run_async(_attack(server))
    assert outcomes == [f"{o.split(':')[0]}: {RIGHT}" for o in outcomes]
    with urllib.request.urlopen(server + "/_stcore/health", timeout=5) as r:
        assert r.status == 200

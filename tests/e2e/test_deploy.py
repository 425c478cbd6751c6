"""deploy/serve.sh with 2 replicas behind nginx: sticky routes, websocket upgrades, a clean stop."""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from harness.server import port_busy, run_async, serve_replicated

NGINX_BINARY = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _get(url: str, cookie: str | None = None) -> tuple[str, str]:
    """(replica address, route cookie) of one request through the proxy."""
    request = urllib.request.Request(url, headers={"Cookie": f"explorer_route={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as r:
        route = r.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
        return r.headers["X-Explorer-Replica"], route


@pytest.fixture(scope="module")
def proxy() -> Iterator[tuple[str, subprocess.Popen[bytes], list[int]]]:
    if NGINX_BINARY is None:
        pytest.fail("nginx is not installed: `make test` installs it (.ci/run does with apt-get)")
    with serve_replicated(2, NGINX_BINARY) as running:
        yield running


def test_new_visitors_spread_over_both_replicas_and_each_stays_on_one(proxy: tuple[str, object, list[int]]) -> None:
    url, _, ports = proxy
    seen = {_get(url + "/")[0] for _ in range(30)}
    assert seen == {f"127.0.0.1:{p}" for p in ports}
    for _ in range(5):
        cookie = uuid.uuid4().hex
        replicas = {_get(url + "/", cookie)[0] for _ in range(6)}
        assert len(replicas) == 1  # the page, its files, every later request: one process


async def _session(ws_url: str, cookie: str) -> tuple[str, str]:
    """Open the app's websocket with this route, run the page once; (replica, outcome)."""
    async with websockets.connect(
        ws_url, subprotocols=["streamlit"], additional_headers={"Cookie": f"explorer_route={cookie}"}, max_size=None
    ) as ws:
        replica = ws.response.headers["X-Explorer-Replica"]
        msg = BackMsg()
        msg.rerun_script.query_string = "classes=cat,dog,rabbit&logits=2,1,0.1&target=dog"
        msg.rerun_script.page_script_hash = ""
        await ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), 30))
            if fwd.WhichOneof("type") == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
                return replica, "exception"
            if fwd.WhichOneof("type") == "script_finished":
                return replica, "ok"


def test_websockets_upgrade_through_nginx_and_reconnect_to_the_same_replica(
    proxy: tuple[str, object, list[int]],
) -> None:
    url, _, _ = proxy
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    for _ in range(4):
        cookie = uuid.uuid4().hex
        page_replica, _ = _get(url + "/", cookie)
        first = run_async(_session(ws_url, cookie))
        again = run_async(_session(ws_url, cookie))  # a reconnect
        assert first == (page_replica, "ok")
        assert again == (page_replica, "ok")


async def _live(ws_url: str, origin: str, cookie: str) -> tuple[str, dict[str, object]]:
    """One value over the live route through nginx: (replica, the reply)."""
    message = {"seq": 1, "page": "playground", "classes": ["cat", "dog", "rabbit"], "logits": [2, 1, 0.1], "target": 1}
    async with websockets.connect(
        ws_url,
        origin=origin,
        additional_headers={"Cookie": f"explorer_route={cookie}"},
    ) as ws:
        await ws.send(json.dumps(message))
        return ws.response.headers["X-Explorer-Replica"], json.loads(await asyncio.wait_for(ws.recv(), 30))


def test_the_live_route_answers_through_nginx_on_the_sticky_replica(proxy: tuple[str, object, list[int]]) -> None:
    url, _, _ = proxy
    ws_url = url.replace("http://", "ws://") + "/api/live"
    for _ in range(3):
        cookie = uuid.uuid4().hex
        page_replica, _ = _get(url + "/", cookie)
        replica, reply = run_async(_live(ws_url, url, cookie))  # the browser's Origin is the proxy's address
        assert replica == page_replica
        metrics = reply["panel"]["slots"]["side"][0]["items"]
        ce = -math.log(math.exp(1) / (math.exp(2) + math.exp(1) + math.exp(0.1)))
        assert metrics[0]["value"] == f"{ce:.4f} nats"
    with pytest.raises(websockets.exceptions.InvalidStatus):  # another site's page cannot use it
        run_async(_live(ws_url, "http://evil.example", uuid.uuid4().hex))


def test_sigterm_stops_nginx_and_every_replica(proxy: tuple[str, subprocess.Popen[bytes], list[int]]) -> None:
    url, proc, ports = proxy
    port = int(url.rsplit(":", 1)[1])
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)  # it exits (and would raise TimeoutExpired if it hung)
    deadline = time.monotonic() + 20
    while any(port_busy(p) for p in [port, *ports]) and time.monotonic() < deadline:
        time.sleep(0.1)  # the processes release their ports as they exit
    assert not any(port_busy(p) for p in [port, *ports])

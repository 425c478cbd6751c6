"""deploy/serve.sh with 2 replicas behind nginx: sticky routes, websocket upgrades, a replica that dies is
started again while nginx sends its visitors to the other, and a clean stop (no process left behind)."""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from harness.server import port_busy, replica_pid, run_async, serve_replicated

NGINX_BINARY = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
T = TypeVar("T")


def _await(condition: Callable[[], T], what: str, timeout: float = 60.0) -> T:
    """Poll ``condition`` until it returns something truthy (processes we started: no event to await)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie nobody has reaped yet counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _tree(pid: int) -> set[int]:
    """``pid`` and every process below it (from /proc)."""
    out = {pid}
    try:
        kids = [int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return out
    for k in kids:
        out |= _tree(k)
    return out


def _route_to(url: str, replica: str) -> str | None:
    """A new visitor's route cookie if nginx sent that visitor to ``replica``, else None."""
    address, cookie = _get(url + "/")
    return cookie if address == replica else None


def _health(url: str, cookie: str) -> tuple[int, str] | None:
    """(status, the replicas nginx tried) of /_stcore/health with this route, or None if the request failed."""
    request = urllib.request.Request(url + "/_stcore/health", headers={"Cookie": f"explorer_route={cookie}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.headers["X-Explorer-Replica"]
    except OSError:
        return None


def _get(url: str, cookie: str | None = None) -> tuple[str, str]:
    """(replica address, route cookie) of one request through the proxy."""
    request = urllib.request.Request(url, headers={"Cookie": f"explorer_route={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as r:
        route = r.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
        return r.headers["X-Explorer-Replica"], route


@pytest.fixture(scope="module")
def serve_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve") / "serve.log"


@pytest.fixture(scope="module")
def proxy(serve_log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], list[int]]]:
    if NGINX_BINARY is None:
        pytest.fail("nginx is not installed: `make test` installs it (.ci/run does with apt-get)")
    with serve_replicated(2, NGINX_BINARY, log=serve_log) as running:
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


def test_a_killed_replica_is_started_again_and_meanwhile_nginx_sends_its_visitors_to_the_other(
    proxy: tuple[str, object, list[int]], serve_log: Path
) -> None:
    url, _, ports = proxy
    first, second = (f"127.0.0.1:{p}" for p in ports)
    cookie = _await(lambda: _route_to(url, first), "a new visitor's route to replica 0")
    old = replica_pid(ports[0])
    assert old is not None
    os.kill(old, signal.SIGKILL)
    _await(lambda: not port_busy(ports[0]), "the killed replica's port to close")
    # Down: the same route still gets an answer, from the other replica (nginx tried the dead one first).
    status, tried = _health(url, cookie) or (0, "")
    assert status == 200
    assert tried.split(", ")[-1] == second
    replica, outcome = run_async(_session(url.replace("http://", "ws://") + "/_stcore/stream", cookie))
    assert (replica.split(", ")[-1], outcome) == (second, "ok")  # Streamlit's websocket fails over too
    # The supervisor starts it again on the same port, says so, and the route comes back to it at once:
    # max_fails=0 keeps the replica in the hash ring (no fail_timeout during which it would be skipped).
    new = _await(lambda: replica_pid(ports[0]), "the replica to be started again")
    assert new != old
    _await(lambda: (_health(url, cookie) or (0, ""))[1] == first, "the route to come back to replica 0")
    assert f"replica 0 (port {ports[0]}, pid {old}) exited on signal 9" in serve_log.read_text()


def _stops_cleanly(proc: subprocess.Popen[bytes], ports: list[int], stop: Callable[[], None]) -> None:
    """``stop()`` ends the script, nginx, the supervisors and every replica: no process or port left."""
    everything = _tree(proc.pid)
    replicas = {replica_pid(p) for p in ports}
    assert None not in replicas
    assert replicas <= everything  # (the replicas really are this script's)
    assert len(everything) >= 2 + 2 * len(ports)  # script, supervisors, replicas, nginx (+ workers)
    stop()
    proc.wait(timeout=30)  # it exits (and would raise TimeoutExpired if it hung)
    _await(lambda: not any(_alive(pid) for pid in everything), "every process of the script to end", 20)

    _await(lambda: not any(port_busy(p) for p in ports), "the ports to be released", 20)


def test_sigterm_stops_nginx_and_every_replica(proxy: tuple[str, subprocess.Popen[bytes], list[int]]) -> None:
    url, proc, ports = proxy  # (one of the replicas is the one started again above)
    port = int(url.rsplit(":", 1)[1])
    _stops_cleanly(proc, ports, lambda: proc.send_signal(signal.SIGTERM))
    assert not port_busy(port)


def test_ctrl_c_stops_everything() -> None:
    """Ctrl-C in a terminal sends SIGINT to the whole foreground process group: the script, the supervisors,
    the replicas and nginx at once; nothing may be left, and no replica started again."""
    with serve_replicated(1, NGINX_BINARY) as (url, proc, ports):
        port = int(url.rsplit(":", 1)[1])
        _stops_cleanly(proc, ports, lambda: os.killpg(proc.pid, signal.SIGINT))
        assert not port_busy(port)

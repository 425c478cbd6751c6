"""deploy/serve.sh with 2 replicas behind nginx: sticky routes, websocket upgrades, uploads of up to 8 MiB
(the Next-token page's logits files) passed on and larger bodies refused, a replica that dies is started again
while nginx sends its visitors to the other, and a clean stop (no process left behind)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.error import HTTPError

import pytest
import websockets
from playwright.sync_api import Page, expect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from core.logits_file import MAX_BYTES, MAX_ROWS
from harness.server import IDLE, port_busy, replica_pid, run_async, serve_replicated

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


@contextlib.asynccontextmanager
async def _page_socket(ws_url: str, cookie: str, query: str) -> AsyncIterator[tuple[Any, str]]:
    """The app's websocket through nginx with this route cookie, the page asked to run with ``query``;
    (the socket, the replica that answered)."""
    async with websockets.connect(
        ws_url, subprotocols=["streamlit"], additional_headers={"Cookie": f"explorer_route={cookie}"}, max_size=None
    ) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = ""
        await ws.send(msg.SerializeToString())
        yield ws, ws.response.headers["X-Explorer-Replica"]


async def _session(ws_url: str, cookie: str) -> tuple[str, str]:
    """Open the app's websocket with this route, run the page once; (replica, outcome)."""
    async with _page_socket(ws_url, cookie, "classes=cat,dog,rabbit&logits=2,1,0.1&target=dog") as (ws, replica):
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


# ---- uploads: the Next-token page reads logits files of up to 8 MiB (core.logits_file.MAX_BYTES) ----------------
XSRF_COOKIE = "_streamlit_xsrf"  # Streamlit's cookie name (starlette_server_config.XSRF_COOKIE_NAME)


def _logits_json(size: int, rows: int) -> tuple[bytes, str]:
    """A JSON object of ``rows`` tokens → distinct logits, exactly ``size`` bytes long; and its most likely token.

    The logits are a permutation of 0, -0.001, ..., written with trailing zeros to reach the size (the numbers stay
    exact), so the file is as large as asked with short, readable tokens.
    """
    values = [-((i * 7919 + 12345) % rows) / 1000 for i in range(rows)]  # 7919 is prime: each value once
    numbers = [f"{v:.3f}" for v in values]
    entries = [f'"w{i:06d}": ' for i in range(rows)]
    base = 2 + sum(map(len, entries)) + sum(map(len, numbers)) + 2 * (rows - 1)  # braces, ", " between entries
    pad, extra = divmod(size - base, rows)
    assert pad >= 0, f"{rows} rows take {base} bytes: more than {size}"
    body = ", ".join(e + n + "0" * (pad + (i < extra)) for i, (e, n) in enumerate(zip(entries, numbers, strict=True)))
    data = ("{" + body + "}").encode()
    assert len(data) == size
    best = max(range(rows), key=lambda i: values[i])
    return data, f"w{best:06d}"


def _multipart(data: bytes, filename: str) -> tuple[bytes, str]:
    """(body, content type) of a form with one file, as the browser's file uploader sends it."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/json\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _xsrf_cookie(url: str, cookie: str) -> str:
    """The XSRF cookie Streamlit hands a browser (on /_stcore/health, as on the page's first requests)."""
    request = urllib.request.Request(url + "/_stcore/health", headers={"Cookie": f"explorer_route={cookie}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        for header in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name == XSRF_COOKIE:
                return str(rest.split(";", 1)[0])
    raise AssertionError(f"no {XSRF_COOKIE} cookie from the server")


def _put(url: str, headers: dict[str, str], body: bytes | Iterable[bytes]) -> tuple[int, str | None, bytes]:
    """(status, X-Explorer-Replica or None, body) of a PUT through the proxy; an iterable body goes chunked."""
    request = urllib.request.Request(url, data=body, headers=headers, method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.headers["X-Explorer-Replica"], r.read()
    except HTTPError as err:
        return err.code, err.headers["X-Explorer-Replica"], err.read()


async def _upload_in_session(
    url: str, cookie: str, body: bytes, content_type: str, token: Literal["own", "none", "another"]
) -> tuple[int, str | None, str]:
    """Open a page session through nginx (its websocket), then PUT ``body`` to that session's upload route as the
    file uploader does: ``/_stcore/upload_file/<session id>/<file id>`` with the XSRF cookie, and in
    ``X-Xsrftoken`` the same token (``own``), none, or another visitor's. (status, PUT's replica, page's replica)."""
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with _page_socket(ws_url, cookie, "") as (ws, page_replica):
        session_id = ""
        while not session_id:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(ws.recv(), 30))
            if fwd.WhichOneof("type") == "new_session":
                session_id = fwd.new_session.initialize.session_id
        xsrf = _xsrf_cookie(url, cookie)
        headers = {"Cookie": f"explorer_route={cookie}; {XSRF_COOKIE}={xsrf}", "Content-Type": content_type}
        if token == "own":
            headers["X-Xsrftoken"] = xsrf
        elif token == "another":
            headers["X-Xsrftoken"] = _xsrf_cookie(url, uuid.uuid4().hex)
        target = f"{url}/_stcore/upload_file/{session_id}/{uuid.uuid4()}"
        status, replica, _ = await asyncio.to_thread(_put, target, headers, body)  # the socket stays open meanwhile
        return status, replica, page_replica


def test_an_8_mib_upload_passes_nginx_and_streamlit_stores_it_in_the_sticky_session(
    proxy: tuple[str, object, list[int]],
) -> None:
    """The largest file the page reads (8 MiB, 100,000 rows) in a multipart body: nginx passes it on (its default
    limit, 1 MB, would answer 413) and the replica that holds the page's session stores it (204, Streamlit's answer
    once the file is kept); without the page's XSRF token, or with another visitor's, the same route answers 403
    (Streamlit's own check, reached through nginx)."""
    url, _, _ = proxy
    data, _ = _logits_json(MAX_BYTES, MAX_ROWS)
    body, content_type = _multipart(data, "logits.json")
    assert len(body) > MAX_BYTES  # the framing: why server.maxUploadSize is 9, not 8
    cookie = uuid.uuid4().hex
    status, replica, page_replica = run_async(_upload_in_session(url, cookie, body, content_type, "own"))
    assert (status, replica) == (204, page_replica)
    small, small_type = _multipart(b'{"a": 1, "b": 2}', "logits.json")
    for token in ("none", "another"):
        status, replica, page_replica = run_async(_upload_in_session(url, cookie, small, small_type, token))
        assert (status, replica) == (403, page_replica), token


def test_nginx_refuses_a_10_mb_body_before_any_replica_sees_it(proxy: tuple[str, object, list[int]]) -> None:
    """10 MB, declared (Content-Length) or streamed (chunked, no length): nginx's own 413 (no replica named). Just
    under nginx's 9 MiB, a body is passed on and stored: the limit is where serve.sh puts it, not lower."""
    url, _, _ = proxy
    body, content_type = _multipart(b"7" * 10_000_000, "logits.json")
    target = f"{url}/_stcore/upload_file/{uuid.uuid4()}/{uuid.uuid4()}"
    headers = {"Content-Type": content_type, "Cookie": f"explorer_route={uuid.uuid4().hex}"}
    status, replica, text = _put(target, headers, body)
    assert (status, replica) == (413, None)
    assert b"413 Request Entity Too Large" in text
    assert b"nginx" in text  # nginx's own page, not Streamlit's "File too large"
    chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))
    status, replica, _ = _put(target, headers, chunks)
    assert (status, replica) == (413, None)
    # (A replica that refuses a large body early, say for a missing XSRF token, answers before reading it and nginx
    # may then see the connection reset: 502. So this one is a real upload, which the replica reads to the end.)
    under, under_type = _multipart(b"7" * (9 * 1024 * 1024 - 1024), "logits.json")
    assert len(under) < 9 * 1024 * 1024
    status, replica, page_replica = run_async(_upload_in_session(url, uuid.uuid4().hex, under, under_type, "own"))
    assert (status, replica) == (204, page_replica)


def test_the_page_reads_an_8_mib_upload_through_nginx_and_refuses_one_byte_more(
    proxy: tuple[str, object, list[int]], page: Page
) -> None:
    """In Chromium through nginx: the Next-token page's file uploader takes the largest file the page reads (8 MiB,
    100,000 rows; the browser's own check counts 1,000,000 bytes a MB, so server.maxUploadSize = 8 refused it), the
    page reads every row; one byte more reaches the page too, which refuses it by name and keeps the first."""
    url, _, _ = proxy
    data, best = _logits_json(MAX_BYTES, MAX_ROWS)
    page.goto(url + "/next-token")
    page.wait_for_selector(IDLE)
    page.get_by_role("tab", name="Your own logits").click()
    uploader = page.locator('[data-testid="stFileUploader"]')
    uploader.locator('input[type="file"]').set_input_files(
        {"name": "logits-8MiB.json", "mimeType": "application/json", "buffer": data}
    )
    read = page.get_by_text("From logits-8MiB.json. Read JSON: an object of token: logit. 100,000 tokens.")
    expect(read).to_be_visible(timeout=60_000)  # a hang guard, not a speed check: 8 MiB up, parsed, a rerun
    expect(page.get_by_text(f"Greedy picks '{best}'")).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator('[data-testid="stMain"] .explorer-chart .main-svg').last).to_be_visible()
    expect(uploader).not_to_contain_text("or smaller")  # the browser's size check let it through
    page.wait_for_selector(IDLE)
    bigger = data[:-1] + b"0}"  # one more trailing zero in the last logit: the same rows, one byte over
    assert len(bigger) == MAX_BYTES + 1
    uploader.locator('input[type="file"]').set_input_files(
        {"name": "one-byte-more.json", "mimeType": "application/json", "buffer": bigger}
    )
    error = page.locator('[data-testid="stAlert"]').filter(
        has_text="one-byte-more.json: the input is larger than 8 MiB (8,388,608 bytes)"
    )
    expect(error).to_be_visible(timeout=60_000)
    expect(error).to_contain_text("The logits shown are still the last good ones.")
    expect(read).to_be_visible()  # the first file's logits stay
    expect(page.get_by_text(f"Greedy picks '{best}'")).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(uploader).not_to_contain_text("or smaller")


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

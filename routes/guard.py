"""The handshake every project socket goes through: same origin only, and a cap on open sockets per process.

Both :mod:`routes.live` and :mod:`routes.classroom` call :func:`accept` first; a socket it refuses is closed
before its handler reads anything. A refused ``Origin`` is logged once per route (a proxy that drops the
``Host`` header's port would refuse every browser, and the log is where its operator finds out).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.websockets import WebSocket

__all__ = ["accept", "same_origin"]

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_warned: set[str] = set()
_log = logging.getLogger(__name__)


def _host_port(netloc: str, scheme: str) -> str:
    """``host:port`` in lower case, with the scheme's default port written out; ``[::1]:8501`` stays bracketed."""
    netloc = netloc.lower()
    if netloc.startswith("["):  # IPv6: "[addr]" or "[addr]:port"
        addr, _, rest = netloc.partition("]")
        host, port = addr + "]", rest.removeprefix(":")
    else:
        host, _, port = netloc.partition(":")
    return f"{host}:{port or _DEFAULT_PORTS[scheme]}"


def same_origin(headers: Mapping[str, str]) -> bool:
    """True when ``Origin`` names the host the request was sent to (a browser on the app's own page).

    ``Host`` carries no scheme: the port is compared with the Origin's (written or its scheme's default).
    """
    origin, host = headers.get("origin", ""), headers.get("host", "")
    if not origin or not host:
        return False
    parts = urlsplit(origin)
    if parts.scheme not in _DEFAULT_PORTS or not parts.netloc or "@" in parts.netloc:
        return False
    return _host_port(parts.netloc, parts.scheme) == _host_port(host, parts.scheme)


async def accept(ws: WebSocket, open_count: int, cap: int, name: str) -> bool:
    """Accept ``ws`` when its Origin names its Host and fewer than ``cap`` of route ``name``'s sockets are open
    (``open_count``); otherwise close it (1008 before the handshake, an HTTP 403; 1013 after it, "try again
    later") and say False. False too when the client left during the handshake."""
    try:
        if not same_origin(ws.headers):
            if name not in _warned:  # a proxy that drops Host's port would refuse every browser: say so, once
                _warned.add(name)
                _log.warning(
                    "%s route: refused a socket whose Origin %r does not name its Host %r (behind a proxy, pass "
                    "the Host header with its port)",
                    name,
                    ws.headers.get("origin", "")[:100],
                    ws.headers.get("host", "")[:100],
                )
            await ws.close(code=1008)  # before accept: the handshake is refused (HTTP 403)
            return False
        await ws.accept()
        if open_count >= cap:
            await ws.close(code=1013, reason=f"too many {name} sockets: try again later")
            return False
    except (OSError, RuntimeError):  # the client left during the handshake
        return False
    return True

"""ui.nodelay: Nagle's algorithm off on the listening socket and on the connections it accepts."""

from __future__ import annotations

import socket

from ui.nodelay import enable


def test_listening_socket_and_its_accepted_connections_get_tcp_nodelay() -> None:
    listener = socket.socket(socket.AF_INET)  # as Streamlit binds it: proto 0, so asyncio skips TCP_NODELAY
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        assert listener.proto == 0
        assert not listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert enable() >= 1
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        with socket.create_connection(listener.getsockname()) as client:
            conn, _ = listener.accept()
            with conn:
                assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)  # inherited from the listener
                client.sendall(b"x")
                assert conn.recv(1) == b"x"
    finally:
        listener.close()


def test_sockets_that_are_not_tcp_are_left_alone() -> None:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        enable()
        assert udp.fileno() >= 0
        assert unix.fileno() >= 0
    finally:
        udp.close()
        unix.close()

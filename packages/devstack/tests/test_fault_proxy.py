"""The fault proxy against a real echo server: each fault does what its name says, on new
connections and on connections already open."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import TYPE_CHECKING

import pytest

from lego_devstack.faults import Fault, FaultProxy

if TYPE_CHECKING:
    from collections.abc import Iterator

TIMEOUT_S = 2.0


@pytest.fixture
def echo_server() -> Iterator[tuple[str, int]]:
    """A TCP server that sends back every byte it reads, one thread per connection."""
    listener = socket.create_server(("127.0.0.1", 0))

    def _echo(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            while data := conn.recv(4096):
                conn.sendall(data)

    def _accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                threading.Thread(target=_echo, args=(conn,), daemon=True).start()

    threading.Thread(target=_accept, daemon=True).start()
    yield listener.getsockname()[:2]
    listener.close()


@pytest.fixture
def proxy(echo_server: tuple[str, int]) -> Iterator[FaultProxy]:
    with FaultProxy(echo_server) as running:
        yield running


def _connect(proxy: FaultProxy) -> socket.socket:
    return socket.create_connection((proxy.host, proxy.port), timeout=TIMEOUT_S)


def _round_trip(sock: socket.socket, payload: bytes = b"ping") -> bytes:
    sock.sendall(payload)
    return sock.recv(4096)


def test_no_fault_forwards_both_ways(proxy: FaultProxy) -> None:
    with _connect(proxy) as sock:
        assert _round_trip(sock, b"hello") == b"hello"
    assert proxy.accepted == 1


def test_latency_holds_each_chunk(proxy: FaultProxy) -> None:
    with _connect(proxy) as sock:
        proxy.inject(Fault.LATENCY, latency_s=0.3)
        started = time.monotonic()
        assert _round_trip(sock) == b"ping"
        # held once on the way in and once on the way back
        assert time.monotonic() - started >= 0.6


def test_reset_breaks_an_open_connection_with_rst(proxy: FaultProxy) -> None:
    with _connect(proxy) as sock:
        assert _round_trip(sock) == b"ping"
        proxy.inject(Fault.RESET)
        time.sleep(0.1)  # the connection's thread notices within one poll (20 ms)
        with pytest.raises(ConnectionResetError):
            _round_trip(sock)
            _round_trip(sock)  # a send may still land in the buffer; the next read fails


def test_reset_refuses_new_connections_with_rst(proxy: FaultProxy) -> None:
    proxy.inject(Fault.RESET)
    with pytest.raises(ConnectionResetError), _connect(proxy) as sock:  # at connect or first read
        _round_trip(sock)
        _round_trip(sock)


def test_drop_closes_cleanly(proxy: FaultProxy) -> None:
    with proxy.faulted(Fault.DROP), _connect(proxy) as sock:
        assert sock.recv(4096) == b""  # FIN: end of stream, no error


def test_blackhole_swallows_and_never_answers(proxy: FaultProxy) -> None:
    with _connect(proxy) as sock:
        assert _round_trip(sock) == b"ping"
        proxy.inject(Fault.BLACKHOLE)
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            _round_trip(sock)


def test_blackhole_holds_new_connections_open(proxy: FaultProxy) -> None:
    proxy.inject(Fault.BLACKHOLE)
    with _connect(proxy) as sock:  # the connect succeeds: the hang is on the answer
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            _round_trip(sock)


def test_heal_restores_new_connections(proxy: FaultProxy) -> None:
    with proxy.faulted(Fault.RESET), pytest.raises(OSError), _connect(proxy) as sock:
        _round_trip(sock)
        _round_trip(sock)
    with _connect(proxy) as sock:
        assert _round_trip(sock, b"again") == b"again"

"""A threaded TCP proxy whose fault can be switched while connections are open.

toxiproxy's server is on no registry reachable here, so this is the small part of it the fault
suite needs. One thread accepts; each connection gets one thread that shuttles bytes both ways
with select() and looks at the current fault before every chunk, so a switch takes effect on
open connections as well as new ones (a pooled Redis connection must feel the outage too).
"""

from __future__ import annotations

import contextlib
import enum
import select
import socket
import struct
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

_POLL_S = 0.02  # how soon an idle connection notices a new fault
_CHUNK_BYTES = 65_536


class Fault(enum.Enum):
    """What the proxy does to traffic."""

    NONE = "none"  # forward both ways
    LATENCY = "latency"  # forward, each chunk held for latency_s first
    RESET = "reset"  # RST every connection, open or new
    DROP = "drop"  # close every connection cleanly (FIN), open or new
    BLACKHOLE = "blackhole"  # accept and read, never forward nor answer


class FaultProxy:
    """`with FaultProxy(("127.0.0.1", 6379)) as proxy:` listens on proxy.port; switch with
    proxy.inject(Fault.LATENCY, latency_s=0.5) or `with proxy.faulted(Fault.RESET): ...`."""

    def __init__(self, upstream: tuple[str, int], host: str = "127.0.0.1", port: int = 0) -> None:
        self.upstream = upstream
        self.fault = Fault.NONE
        self.latency_s = 0.0
        self._listener = socket.create_server((host, port))
        self.host, self.port = self._listener.getsockname()[:2]
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self.accepted = 0  # connections accepted so far (tests read how many a client opened)

    # --- control ------------------------------------------------------------------------------

    def inject(self, fault: Fault, latency_s: float = 0.0) -> None:
        """Switch to fault now, for open connections and new ones."""
        self.latency_s = latency_s
        self.fault = fault

    def heal(self) -> None:
        self.inject(Fault.NONE)

    @contextlib.contextmanager
    def faulted(self, fault: Fault, latency_s: float = 0.0) -> Iterator[FaultProxy]:
        """The fault for the block, healed after it."""
        self.inject(fault, latency_s)
        try:
            yield self
        finally:
            self.heal()

    def start(self) -> FaultProxy:
        thread = threading.Thread(target=self._accept_loop, name=f"fault-proxy-{self.port}")
        thread.daemon = True
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            open_sockets = list(self._connections)
        for sock in open_sockets:
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- traffic ------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.accepted += 1
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            if self._refuse_by_fault(client):
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _reset(client)
                return
            self._track(client, upstream)
            self._shuttle(client, upstream)
        finally:
            self._untrack(client, upstream)
            for sock in (client, upstream):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()

    def _refuse_by_fault(self, client: socket.socket) -> bool:
        """Apply a fault to a new connection before any upstream exists; True when it ended."""
        if self.fault is Fault.RESET:
            _reset(client)
            return True
        if self.fault is Fault.DROP:
            client.close()
            return True
        if self.fault is Fault.BLACKHOLE:
            self._swallow(client)
            return True
        return False

    def _swallow(self, client: socket.socket) -> None:
        """Read and discard until the client gives up, the fault changes or the proxy stops."""
        while not self._stopping.is_set() and self.fault is Fault.BLACKHOLE:
            ready, _, _ = select.select([client], [], [], _POLL_S)
            if ready and not _recv(client):
                return

    def _shuttle(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        while not self._stopping.is_set():
            if self._broken_by_fault(client, upstream):
                return
            ready, _, _ = select.select(list(peers), [], [], _POLL_S)
            for sock in ready:
                data = _recv(sock)
                # looked at again: the fault may have changed while select() waited, and a
                # chunk read after a switch to RESET must not slip through
                if not data or self._broken_by_fault(client, upstream):
                    return
                if self.fault is Fault.BLACKHOLE:
                    continue  # swallowed: the other side waits for an answer that never comes
                if self.fault is Fault.LATENCY:
                    time.sleep(self.latency_s)
                try:
                    peers[sock].sendall(data)
                except OSError:
                    return

    def _broken_by_fault(self, client: socket.socket, upstream: socket.socket) -> bool:
        """Apply RESET or DROP to an open connection; True when it ended."""
        if self.fault is Fault.RESET:
            _reset(client)
            _reset(upstream)
            return True
        return self.fault is Fault.DROP

    def _track(self, *sockets: socket.socket) -> None:
        with self._lock:
            self._connections.update(sockets)

    def _untrack(self, *sockets: socket.socket | None) -> None:
        with self._lock:
            for sock in sockets:
                if sock is not None:
                    self._connections.discard(sock)


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(_CHUNK_BYTES)
    except OSError:
        return b""


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER on, zero timeout), as a crashed peer does."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

"""Ways for a server to be unreachable, made for real on loopback, and a helper to read errors."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connections are refused at once."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class SilentServer:
    """Accepts connections on 127.0.0.1 but never answers; counts the connections it got."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port: int = self._listener.getsockname()[1]
        self._accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def connections(self) -> int:
        return len(self._accepted)

    def _accept(self) -> None:
        while True:
            try:
                self._accepted.append(self._listener.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        close_sockets(self._listener, *self._accepted)


@contextmanager
def silent_port() -> Iterator[SilentServer]:
    """A port that accepts connections but never answers a request."""
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()


@contextmanager
def full_port() -> Iterator[int]:
    """A port whose accept queue is full: new connections are never established (SYNs dropped)."""
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
        port = listener.getsockname()[1]
        fillers = []
        try:
            for _ in range(4):  # more than the queue holds; later ones stay half-open
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", port))
                fillers.append(filler)
            yield port
        finally:
            for filler in fillers:
                filler.close()


def full_text(exc: BaseException | None) -> str:
    """The message and repr of an exception and of everything it was raised from."""
    texts = []
    while exc is not None:
        texts.append(f"{type(exc).__name__}: {exc!s} {exc!r}")
        exc = exc.__cause__ or exc.__context__
    return "\n".join(texts)


def close_sockets(*sockets: socket.socket) -> None:
    """Shut down and close; shutting down also wakes a thread blocked in ``accept()`` or ``recv()``."""
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

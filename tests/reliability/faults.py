"""Unreachable servers made for real on loopback (with ``tests.s3``'s closed and silent ports),
and helpers to read errors and close sockets."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from contextlib import contextmanager


def connections_to(listener: socket.socket) -> int:
    """How many connections wait on a (non-blocking) listener that never accepted them,
    such as ``tests.s3.silent_port()``; takes them off its queue."""
    count = 0
    with contextlib.suppress(BlockingIOError):
        while True:
            listener.accept()[0].close()
            count += 1
    return count


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

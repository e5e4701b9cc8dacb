"""A small HTTP-aware TCP proxy in front of the S3 server, for causing faults on the wire.

Requests from the client are parsed (request line, headers, ``Content-Length`` body) and
handed to a ``tamper`` hook, which may change them or ask for the answer to be dropped;
answers are copied back byte for byte. The listening side may speak TLS. Each connection
runs in two daemon threads; ``close()`` stops everything.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .faults import close_sockets


@dataclass
class Request:
    """One HTTP request as the client sent it; a tamper hook may change any field."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    drop_answer: bool = False  # close the connection instead of relaying the server's answer

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def without(self, name: str) -> list[tuple[str, str]]:
        return [(key, value) for key, value in self.headers if key.lower() != name.lower()]

    def encode(self) -> bytes:
        lines = [f"{self.method} {self.target} HTTP/1.1", *(f"{key}: {value}" for key, value in self.headers)]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


Tamper = Callable[[Request], None]


class _Stream:
    """Buffered reads of exact sizes from a socket."""

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self._buffer = b""

    def _fill(self) -> bool:
        data = self._sock.recv(1 << 16)
        self._buffer += data
        return bool(data)

    def read_until(self, marker: bytes) -> bytes | None:
        while marker not in self._buffer:
            if not self._fill():
                return None
        head, self._buffer = self._buffer.split(marker, 1)
        return head

    def read_exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            if not self._fill():
                raise ConnectionError("client closed the connection mid-body")
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def _read_request(stream: _Stream) -> Request | None:
    head = stream.read_until(b"\r\n\r\n")
    if head is None:
        return None
    line, *header_lines = head.decode("latin-1").split("\r\n")
    method, target, _version = line.split(" ", 2)
    headers = [(key.strip(), value.strip()) for key, value in (h.split(":", 1) for h in header_lines)]
    request = Request(method, target, headers, b"")
    request.body = stream.read_exactly(int(request.header("Content-Length") or 0))
    return request


class Proxy:
    """Listens on 127.0.0.1 and forwards to ``upstream`` (``host:port``) in plain HTTP."""

    def __init__(self, upstream: str, *, tamper: Tamper | None = None, tls: ssl.SSLContext | None = None):
        host, port = upstream.rsplit(":", 1)
        self._upstream = (host, int(port))
        self._tamper = tamper
        self._tls = tls
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._sockets: list[socket.socket] = []
        self._closed = False
        self.requests: list[Request] = []  # every request forwarded, after tampering
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            if self._tls is not None:
                client = self._tls.wrap_socket(client, server_side=True)
            upstream = socket.create_connection(self._upstream)
        except OSError:  # a refused TLS handshake is one of the outcomes tests look for
            client.close()
            return
        self._sockets += [client, upstream]
        drop = threading.Event()
        threading.Thread(target=self._answers, args=(upstream, client, drop), daemon=True).start()
        stream = _Stream(client)
        try:
            while (request := _read_request(stream)) is not None:
                if self._tamper is not None:
                    self._tamper(request)
                self.requests.append(request)
                if request.drop_answer:
                    drop.set()
                upstream.sendall(request.encode())
        except OSError:
            pass
        finally:
            close_sockets(client, upstream)

    @staticmethod
    def _answers(upstream: socket.socket, client: socket.socket, drop: threading.Event) -> None:
        try:
            while data := upstream.recv(1 << 16):
                if drop.is_set():  # the server has answered; the client never hears it
                    break
                client.sendall(data)
        except OSError:
            pass
        finally:
            close_sockets(client, upstream)

    def close(self) -> None:
        self._closed = True
        close_sockets(self._listener, *self._sockets)

    def __enter__(self) -> Proxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass
class OneShot:
    """A tamper hook: once armed, applies an action to the next request that matches, then
    disarms. ``seen`` lists the requests it acted on."""

    seen: list[str] = field(default_factory=list)
    _armed: tuple[Callable[[Request], None], Callable[[Request], bool]] | None = None

    def arm(self, action: Callable[[Request], None], matches: Callable[[Request], bool]) -> None:
        self._armed = (action, matches)

    def __call__(self, request: Request) -> None:
        if self._armed is not None and self._armed[1](request):
            self._armed[0](request)
            self.seen.append(f"{request.method} {request.target}")
            self._armed = None


def flip_a_bit(request: Request) -> None:
    """Corrupt the body: one bit in its middle."""
    body = bytearray(request.body)
    body[len(body) // 2] ^= 0x01
    request.body = bytes(body)


def drop_the_answer(request: Request) -> None:
    """Let the server handle the request, but never relay its answer."""
    request.drop_answer = True


def put_with_body(target: str = "") -> Callable[[Request], bool]:
    """Matches a PUT that carries data, to a target containing ``target``."""
    return lambda request: request.method == "PUT" and bool(request.body) and target in request.target

"""Test helpers that talk to the real S3 server: request counting, buckets, anonymous HTTP."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import urllib3
from minio import Minio

from django_minio_backend.client import PROBE_KEY
from django_minio_backend.policies import public_read
from django_minio_backend.testing import S3Endpoint as Endpoint
from django_minio_backend.testing import remove_bucket as empty_and_remove_bucket

__all__ = ["Endpoint", "empty_and_remove_bucket"]


@dataclass
class Request:
    method: str
    url: str
    headers: dict[str, str]
    status: int
    response_length: int | None


class CountingPoolManager(urllib3.PoolManager):
    """A real PoolManager that records every request it sends (pass as MINIO_HTTP_CLIENT)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("retries", urllib3.Retry(total=0, raise_on_status=False))
        kwargs.setdefault("timeout", urllib3.Timeout(connect=5, read=30))
        super().__init__(**kwargs)
        self.requests: list[Request] = []

    def urlopen(self, method: str, url: str, redirect: bool = True, **kw: Any) -> Any:  # type: ignore[override]
        response = super().urlopen(method, url, redirect=redirect, **kw)
        length = response.headers.get("Content-Length")
        headers = {str(k): str(v) for k, v in (kw.get("headers") or {}).items()}
        self.requests.append(Request(method, url, headers, response.status, int(length) if length else None))
        return response

    def methods(self) -> list[str]:
        return [request.method for request in self.requests]

    def reset(self) -> None:
        self.requests.clear()


def closed_port() -> int:
    """A loopback port nothing listens on: connections are refused at once."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def new_bucket_name(prefix: str = "test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def make_bucket(client: Minio, name: str, *, public: bool = False) -> str:
    client.make_bucket(name, location="us-east-1")
    if public:
        client.set_bucket_policy(name, json.dumps(public_read(name)))
    return name


def stored_keys(client: Minio, bucket: str) -> list[str]:
    """Every key in ``bucket`` as the server lists it, but the conditional-write probe's object
    (a storage's first save leaves it in the bucket it saves to)."""
    return [
        str(item.object_name) for item in client.list_objects(bucket, recursive=True) if item.object_name != PROBE_KEY
    ]


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    """A plain anonymous GET, as a browser would send it: (status, body, headers)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


@contextmanager
def silent_port() -> Iterator[socket.socket]:
    """A loopback listener that takes connections (the kernel completes the handshake) but
    never answers, like a server that hangs. ``accept()`` on the yielded socket (non-blocking)
    tells whether anyone connected."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.setblocking(False)
    try:
        yield listener
    finally:
        listener.close()

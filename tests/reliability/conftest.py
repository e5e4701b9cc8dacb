"""Fixtures of the reliability suite: a server of our own that tests may kill and restart."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from django_minio_backend import MinioBackend
from django_minio_backend.localserver import LocalS3Server

from ..s3 import Endpoint, new_bucket_name
from .proxy import OneShot, Proxy, Tamper

MiB = 1024 * 1024
# Small limits for fault tests, so every failure is over in a second or two.
FAST = {"MINIO_CONNECT_TIMEOUT": 0.5, "MINIO_READ_TIMEOUT": 1.0, "MINIO_MAX_RETRIES": 2}
SMALL_PARTS = {"MINIO_MULTIPART_THRESHOLD": 5 * MiB, "MINIO_MULTIPART_PART_SIZE": 5 * MiB}


def storage_at(address: str, endpoint: Endpoint, bucket: str = "some-bucket", **options: Any) -> MinioBackend:
    """A storage with the credentials of ``endpoint`` that talks to ``address`` (a proxy, a fault)."""
    return MinioBackend(bucket, **{**endpoint.settings(), "MINIO_ENDPOINT": address, **options})


@contextmanager
def proxied(endpoint: Endpoint, bucket: str, tamper: Tamper | None = None, **options: Any) -> Iterator[MinioBackend]:
    """A storage whose requests pass through a ``Proxy`` with ``tamper`` in front of ``endpoint``."""
    with Proxy(endpoint.endpoint, tamper=tamper) as proxy:
        yield storage_at(proxy.endpoint, endpoint, bucket, **options)


@dataclass
class Victim:
    """A local SeaweedFS with a pinned port and data directory, so it can be killed and restarted."""

    server: LocalS3Server

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.server.endpoint, self.server.access_key, self.server.secret_key)

    def storage(self, bucket: str, **options: Any) -> MinioBackend:
        return MinioBackend(bucket, **self.endpoint.settings(), **options)

    def new_bucket(self) -> str:
        name = new_bucket_name("victim")
        self.endpoint.client().make_bucket(name)
        return name

    def restart(self, *, crash: bool = True) -> None:
        """Stop the server (SIGKILL if ``crash``, else SIGTERM) and start it on the same port and data."""
        if crash:
            self.server.kill()
        else:
            self.server.stop()
        self.server.start()


@pytest.fixture(scope="session")
def victim_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalS3Server]:
    data = Path(tmp_path_factory.mktemp("victim"))
    with LocalS3Server(data_dir=data) as server:
        yield server
        server.kill()  # its data is thrown away: no need to wait for a graceful stop


@pytest.fixture
def victim(victim_server: LocalS3Server) -> Iterator[Victim]:
    """The destructive tests' server, running; restarted afterwards if a test left it down."""
    yield Victim(victim_server)
    if not victim_server.running:
        victim_server.start()


@dataclass
class Wire:
    """A storage (5 MiB parts) whose requests pass through a proxy, and the proxy's hook."""

    storage: MinioBackend
    hook: OneShot


@pytest.fixture
def wire(bucket: str, s3_endpoint: Endpoint) -> Iterator[Wire]:
    hook = OneShot()
    with proxied(s3_endpoint, bucket, hook, **SMALL_PARTS) as storage:
        yield Wire(storage, hook)

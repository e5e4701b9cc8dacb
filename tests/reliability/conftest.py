"""Fixtures of the reliability suite: a server of our own that tests may kill and restart."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from django_minio_backend import MinioBackend
from django_minio_backend.localserver import LocalS3Server

from ..s3 import Endpoint, new_bucket_name

MiB = 1024 * 1024
# Small limits for fault tests, so every failure is over in a second or two.
FAST = {"MINIO_CONNECT_TIMEOUT": 0.5, "MINIO_READ_TIMEOUT": 1.0, "MINIO_MAX_RETRIES": 2}
SMALL_PARTS = {"MINIO_MULTIPART_THRESHOLD": 5 * MiB, "MINIO_MULTIPART_PART_SIZE": 5 * MiB}


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


@pytest.fixture
def victim(victim_server: LocalS3Server) -> Iterator[Victim]:
    """The destructive tests' server, running; restarted afterwards if a test left it down."""
    yield Victim(victim_server)
    if not victim_server.running:
        victim_server.start()

"""The server is SIGKILLed in the middle of a 64 MiB multipart upload: the save fails clearly,
nothing of that name exists, and once the server is back (same port, same data) the
leftover upload is cleaned up and the same storage instance works again."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile, File

from django_minio_backend import MinioBackendError, s3api

from .conftest import MiB, Victim


class KillingSource(io.RawIOBase):
    """``size`` random bytes, read as a pipe would be; calls ``kill`` once reading reaches ``kill_at``."""

    def __init__(self, size: int, kill_at: int, kill: Callable[[], None]):
        super().__init__()
        self._left = size
        self._position = 0
        self._kill_at = kill_at
        self._kill: Callable[[], None] | None = kill
        self.killed_at: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._kill is not None and self._position >= self._kill_at:
            self._kill()
            self._kill, self.killed_at = None, time.monotonic()
        count = min(len(buffer), self._left, MiB)
        buffer[:count] = os.urandom(count)
        self._left -= count
        self._position += count
        return count


def test_server_killed_mid_multipart_upload(victim: Victim, caplog: pytest.LogCaptureFixture):
    bucket = victim.new_bucket()
    storage = victim.storage(bucket)  # default timeouts, retries and 8 MiB parts
    storage.save("warm-up.txt", ContentFile(b"x"))
    source = KillingSource(64 * MiB, kill_at=40 * MiB, kill=victim.server.kill)

    with pytest.raises(MinioBackendError) as caught, caplog.at_level(logging.WARNING):
        storage.save("big.bin", File(source, "big.bin"))
    assert source.killed_at is not None
    print(f"\nsave failed {time.monotonic() - source.killed_at:.2f}s after the kill: {caught.value}")
    assert f"{bucket}/big.bin" in str(caught.value) and "Connection refused" in str(caught.value)
    assert "abort_incomplete_uploads" in caplog.text  # the abort could not reach the server either

    started = time.monotonic()
    victim.server.start()  # same port, same data directory
    print(f"server back after {time.monotonic() - started:.2f}s")
    assert not storage.exists("big.bin")
    left = [upload.key for upload in s3api.list_multipart_uploads(storage.client, bucket)]
    print(f"incomplete uploads after the restart: {left}")
    assert storage.abort_incomplete_uploads(older_than=timedelta(hours=1)) == []  # too young
    assert storage.abort_incomplete_uploads(older_than=timedelta(0)) == left
    assert list(s3api.list_multipart_uploads(storage.client, bucket)) == []

    data = os.urandom(20 * MiB)  # the same storage instance, no new client
    name = storage.save("big.bin", ContentFile(data))
    assert name == "big.bin"
    assert hashlib.sha256(storage.open(name).read()).digest() == hashlib.sha256(data).digest()


def test_abort_incomplete_uploads_by_prefix_with_unusual_names(storage, s3_client):
    keys = ["keep/a.bin", "tmp/a b+c&ü.bin", "tmp/x%2F#?.bin"]
    for key in keys:
        s3_client._execute("POST", storage.bucket, key, query_params={"uploads": ""})
    storage.save("tmp/done.txt", ContentFile(b"objects are never touched"))
    assert sorted(storage.abort_incomplete_uploads(timedelta(0), prefix="tmp/")) == sorted(keys[1:])
    assert [upload.key for upload in s3api.list_multipart_uploads(s3_client, storage.bucket)] == ["keep/a.bin"]
    assert storage.exists("tmp/done.txt")
    storage.abort_incomplete_uploads(timedelta(0))

"""Large uploads: bounded read-ahead, so memory stays at MINIO_MULTIPART_PARALLEL parts."""

from __future__ import annotations

import hashlib
import io
import os

from django.core.files.base import File

from django_minio_backend import MinioBackend, payload

from .s3 import CountingPoolManager

MiB = 1024 * 1024
PART = 5 * MiB
PARALLEL = 2


class WatchedSource(io.RawIOBase):
    """Content that records, at every read, its offset and how many parts the server has taken."""

    def __init__(self, data: bytes, counter: CountingPoolManager):
        self._data = data
        self._counter = counter
        self._pos = 0
        self.reads: list[tuple[int, int]] = []

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        done = sum(1 for r in self._counter.requests if r.method == "PUT" and "partNumber=" in r.url)
        self.reads.append((self._pos, done))
        count = min(len(buffer), MiB, len(self._data) - self._pos)
        buffer[:count] = self._data[self._pos : self._pos + count]
        self._pos += count
        return count


def test_a_part_is_read_only_when_fewer_than_parallel_parts_are_in_flight(bucket: str):
    counter = CountingPoolManager()
    storage = MinioBackend(
        bucket,
        MINIO_HTTP_CLIENT=counter,
        MINIO_MULTIPART_THRESHOLD=PART,
        MINIO_MULTIPART_PART_SIZE=PART,
        MINIO_MULTIPART_PARALLEL=PARALLEL,
        allow_overwrite=True,
    )
    data = os.urandom(8 * PART)
    source = WatchedSource(data, counter)
    name = storage.save("watched.bin", File(source, "watched.bin"))
    # The first part is the first PART + 1 bytes (read to tell a large upload from a small one).
    for offset, done in source.reads:
        part = 0 if offset <= PART else 1 + (offset - PART - 1) // PART
        held = part + 1 - done  # parts read but not yet taken by the server, this one included
        assert held <= PARALLEL, (offset, part, done)
    assert hashlib.sha256(storage.open(name).read()).digest() == hashlib.sha256(data).digest()


def test_md5_etag_is_the_etag_the_server_gives_a_single_put(storage: MinioBackend):
    data = os.urandom(1000)
    name = storage.save("one-put.bin", io.BytesIO(data))
    etag = storage.client.stat_object(storage.bucket, name).etag
    assert payload.md5_etag(data) == etag.strip('"')

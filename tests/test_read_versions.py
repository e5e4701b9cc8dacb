"""An open file reads one version of its object: replaced mid-read, it raises, never mixes.

Each test replaces the object for real, through another client, between two reads of one
open file.
"""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.base import ContentFile
from minio import Minio
from minio.error import S3Error

from django_minio_backend import MinioBackend, MinioBackendError, ObjectChangedError

from .s3 import CountingPoolManager

MiB = 1024 * 1024


def _replace(s3_client: Minio, bucket: str, name: str, data: bytes) -> None:
    s3_client.put_object(bucket, name, io.BytesIO(data), len(data))


@pytest.fixture
def old(storage: MinioBackend) -> bytes:
    data = os.urandom(MiB)
    storage.save("doc.bin", ContentFile(data))
    return data


def test_sequential_reads_of_a_replaced_object_raise(storage: MinioBackend, s3_client: Minio, bucket: str, old):
    with storage.open("doc.bin") as handle:
        assert handle.read(100) == old[:100]
        _replace(s3_client, bucket, "doc.bin", os.urandom(MiB))
        with pytest.raises(ObjectChangedError) as raised:
            handle.read()
    message = str(raised.value)
    assert f"{bucket}/doc.bin" in message and "changed while it was being read" in message
    assert isinstance(raised.value, MinioBackendError) and isinstance(raised.value, OSError)
    assert isinstance(raised.value, S3Error) and raised.value.code == "PreconditionFailed"  # as 2.x-4.x saw it


def test_a_read_after_a_seek_of_a_replaced_object_raises(storage: MinioBackend, s3_client: Minio, bucket: str, old):
    with storage.open("doc.bin") as handle:
        assert handle.read(10) == old[:10]
        _replace(s3_client, bucket, "doc.bin", os.urandom(MiB))
        handle.seek(500_000)
        with pytest.raises(ObjectChangedError):
            handle.read(10)


def test_chunks_of_an_object_replaced_after_its_size_was_read_raise(
    storage: MinioBackend, s3_client: Minio, bucket: str, old
):
    with storage.open("doc.bin") as handle:
        assert handle.size == MiB  # a HEAD pins the version before any byte is read
        _replace(s3_client, bucket, "doc.bin", os.urandom(2 * MiB))
        with pytest.raises(ObjectChangedError):
            b"".join(handle.chunks())
        assert handle.size == MiB


def test_chunks_after_a_read_of_a_replaced_object_raise(storage: MinioBackend, s3_client: Minio, bucket: str, old):
    with storage.open("doc.bin") as handle:
        assert handle.read(10) == old[:10]
        _replace(s3_client, bucket, "doc.bin", old[::-1])  # same size, other bytes
        with pytest.raises(ObjectChangedError):
            b"".join(handle.chunks(chunk_size=64 * 1024))


def test_reopening_reads_the_new_version(storage: MinioBackend, s3_client: Minio, bucket: str, old):
    new = os.urandom(1000)
    handle = storage.open("doc.bin")
    assert handle.read(10) == old[:10]
    _replace(s3_client, bucket, "doc.bin", new)
    handle.close()
    handle.open()
    assert handle.read() == new and handle.size == len(new)


def test_a_deleted_object_is_not_found_by_the_next_read(storage: MinioBackend, s3_client: Minio, bucket: str, old):
    with storage.open("doc.bin") as handle:
        assert handle.read(10) == old[:10]
        s3_client.remove_object(bucket, "doc.bin")
        handle.seek(600_000)
        with pytest.raises(FileNotFoundError):
            handle.read(10)


def test_every_request_after_the_first_asks_for_the_first_answers_etag(
    counted_storage: MinioBackend, counter: CountingPoolManager, s3_client: Minio, bucket: str
):
    data = os.urandom(3 * MiB)
    counted_storage.save("pinned.bin", ContentFile(data))
    etag = s3_client.stat_object(bucket, "pinned.bin").etag
    counter.reset()
    with counted_storage.open("pinned.bin") as handle:
        received = [handle.read(100), handle.read(50_000)]
        handle.seek(2 * MiB)
        received.append(handle.read(10))
        handle.seek(-5, io.SEEK_END)
        received.append(handle.read())
        handle.seek(0)
        received.append(handle.read())
    assert received == [data[:100], data[100:50_100], data[2 * MiB : 2 * MiB + 10], data[-5:], data]
    first, *later = counter.requests
    assert "If-Match" not in first.headers
    assert len(later) >= 3 and all(r.method == "GET" and r.headers.get("If-Match") == f'"{etag}"' for r in later)

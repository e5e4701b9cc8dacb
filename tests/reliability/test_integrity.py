"""A body corrupted on the way to the server is refused, never stored: every upload carries
its Content-MD5. Proven with a proxy that flips one bit of one request body."""

from __future__ import annotations

import hashlib
import os

import pytest
from django.core.files.base import ContentFile
from minio import Minio

from django_minio_backend import MinioBackend, MinioBackendError, s3api

from ..s3 import stored_keys
from .conftest import MiB, Wire
from .proxy import flip_a_bit, put_with_body


def _write(storage: MinioBackend, name: str, data: bytes) -> str:
    with storage.open(name, "wb") as handle:
        handle.write(data)
    return name


CASES = {
    "small save": ("small.bin", 100_000, "/small.bin", lambda s, n, d: s.save(n, ContentFile(d))),
    "multipart save, part 2": ("big.bin", 12 * MiB, "partNumber=2", lambda s, n, d: s.save(n, ContentFile(d))),
    "write mode": ("written.bin", 1000, "/written.bin", _write),
}


@pytest.mark.parametrize("case", CASES)
def test_a_corrupted_upload_is_refused_and_nothing_is_stored(case: str, wire: Wire, s3_client: Minio, bucket: str):
    name, size, target, upload = CASES[case]
    data = os.urandom(size)
    wire.storage.exists("warm-up")  # not tampered with
    wire.hook.arm(flip_a_bit, put_with_body(target))
    with pytest.raises(MinioBackendError, match="BadDigest"):
        upload(wire.storage, name, data)
    assert wire.hook.seen, "the proxy did not see the upload"
    assert stored_keys(s3_client, bucket) == []
    assert list(s3api.list_multipart_uploads(s3_client, bucket)) == []  # a failed part aborts the upload


def test_the_same_upload_untampered_arrives_intact(wire: Wire):
    data = os.urandom(12 * MiB)
    name = wire.storage.save("big.bin", ContentFile(data))
    assert hashlib.sha256(wire.storage.open(name).read()).digest() == hashlib.sha256(data).digest()
    assert wire.hook.seen == []

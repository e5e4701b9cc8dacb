"""A body corrupted on the way to the server is refused, never stored: every upload carries
its Content-MD5. Proven with a proxy that flips one bit of one request body."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from minio import Minio

from django_minio_backend import MinioBackend, MinioBackendError, transfer

from ..s3 import Endpoint
from .conftest import SMALL_PARTS, MiB
from .proxy import Proxy, Request


@dataclass
class BitFlipper:
    """Flips one bit in the middle of the next PUT body whose target contains ``target``."""

    target: str | None = None
    flipped: list[str] = field(default_factory=list)

    def __call__(self, request: Request) -> None:
        if self.target is None or request.method != "PUT" or self.target not in request.target or not request.body:
            return
        body = bytearray(request.body)
        body[len(body) // 2] ^= 0x01
        request.body = bytes(body)
        self.flipped.append(request.target)
        self.target = None


@pytest.fixture
def flipper() -> BitFlipper:
    return BitFlipper()


@pytest.fixture
def tampered(bucket: str, s3_endpoint: Endpoint, flipper: BitFlipper) -> Iterator[MinioBackend]:
    """A storage whose requests pass through the bit-flipping proxy."""
    with Proxy(s3_endpoint.endpoint, tamper=flipper) as proxy:
        yield MinioBackend(bucket, **{**s3_endpoint.settings(), "MINIO_ENDPOINT": proxy.endpoint, **SMALL_PARTS})


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
def test_a_corrupted_upload_is_refused_and_nothing_is_stored(
    case: str, tampered: MinioBackend, flipper: BitFlipper, s3_client: Minio, bucket: str
):
    name, size, target, upload = CASES[case]
    data = os.urandom(size)
    tampered.exists("warm-up")  # not tampered with
    flipper.target = target
    with pytest.raises(MinioBackendError, match="BadDigest"):
        upload(tampered, name, data)
    assert flipper.flipped, "the proxy did not see the upload"
    assert [o.object_name for o in s3_client.list_objects(bucket, recursive=True)] == []
    assert list(transfer.incomplete_uploads(s3_client, bucket)) == []  # a failed part aborts the upload


def test_the_same_upload_untampered_arrives_intact(tampered: MinioBackend, flipper: BitFlipper):
    data = os.urandom(12 * MiB)
    name = tampered.save("big.bin", ContentFile(data))
    assert hashlib.sha256(tampered.open(name).read()).digest() == hashlib.sha256(data).digest()
    assert flipper.flipped == []

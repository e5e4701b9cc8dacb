"""A long-lived storage across server restarts and lost answers: the next request works, an
unreachable server is an error (never a silent False), and no write is silently doubled."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from minio import Minio

from django_minio_backend import MinioBackend, MinioBackendError

from ..s3 import Endpoint
from .conftest import FAST, SMALL_PARTS, MiB, Victim
from .proxy import Proxy, Request


@pytest.mark.parametrize("crash", [True, False], ids=["SIGKILL", "SIGTERM"])
def test_a_long_lived_storage_works_after_the_server_restarts(victim: Victim, crash: bool):
    storage = victim.storage(victim.new_bucket(), **SMALL_PARTS)
    before = storage.save("before.txt", ContentFile(b"before"))
    assert storage.open(before).read() == b"before"  # the pool now holds kept-alive connections
    victim.restart(crash=crash)
    assert storage.exists(before)
    assert storage.open(before).read() == b"before"
    data = os.urandom(6 * MiB)
    big = storage.save("after.bin", ContentFile(data))
    assert storage.open(big).read() == data
    assert storage.save("before.txt", ContentFile(b"again")) != before


def test_a_killed_server_is_an_error_never_a_silent_false(victim: Victim):
    storage = victim.storage(victim.new_bucket(), **FAST)
    name = storage.save("kept.txt", ContentFile(b"kept"))
    victim.server.kill()
    for call in (lambda: storage.exists(name), lambda: storage.size(name), lambda: storage.listdir("")):
        with pytest.raises(MinioBackendError):
            call()  # a silent False or 0 could lead to an overwrite


@dataclass
class AnswerDropper:
    """Lets the server handle the next matching request, but never relays its answer."""

    matches: Callable[[Request], bool] | None = None
    dropped: list[str] = field(default_factory=list)

    def __call__(self, request: Request) -> None:
        if self.matches is not None and self.matches(request):
            request.drop_answer = True
            self.dropped.append(f"{request.method} {request.target}")
            self.matches = None


@pytest.fixture
def dropper() -> AnswerDropper:
    return AnswerDropper()


@pytest.fixture
def lossy(bucket: str, s3_endpoint: Endpoint, dropper: AnswerDropper) -> Iterator[MinioBackend]:
    """A storage whose requests pass through a proxy that loses answers on demand."""
    with Proxy(s3_endpoint.endpoint, tamper=dropper) as proxy:
        yield MinioBackend(bucket, **{**s3_endpoint.settings(), "MINIO_ENDPOINT": proxy.endpoint, **SMALL_PARTS})


def _objects(client: Minio, bucket: str) -> list[str]:
    return sorted(str(o.object_name) for o in client.list_objects(bucket, recursive=True))


def test_a_save_whose_answer_is_lost_is_stored_once(lossy, dropper, s3_client: Minio, bucket: str):
    """The conditional PUT is resent (PUT is idempotent); its 412 is recognised as our own write."""
    lossy.exists("warm-up")
    dropper.matches = lambda r: r.method == "PUT" and r.target.endswith("/photo.jpg")
    assert lossy.save("photo.jpg", ContentFile(b"jpeg bytes")) == "photo.jpg"
    assert dropper.dropped
    assert _objects(s3_client, bucket) == ["photo.jpg"]
    assert lossy.open("photo.jpg").read() == b"jpeg bytes"


def test_a_lost_answer_does_not_hide_a_real_name_clash(lossy, dropper, s3_client: Minio, bucket: str):
    lossy.save("photo.jpg", ContentFile(b"first"))
    dropper.matches = lambda r: r.method == "PUT" and r.target.endswith("/photo.jpg")
    second = lossy.save("photo.jpg", ContentFile(b"second"))
    assert second != "photo.jpg"
    assert lossy.open("photo.jpg").read() == b"first" and lossy.open(second).read() == b"second"


def test_a_multipart_completion_whose_answer_is_lost_is_not_sent_twice(lossy, dropper, s3_client, bucket):
    """POST is never resent; the upload is recognised as completed by its ETag."""
    data = os.urandom(11 * MiB)
    dropper.matches = lambda r: r.method == "POST" and "uploadId=" in r.target
    name = lossy.save("big.bin", ContentFile(data))
    assert dropper.dropped
    assert _objects(s3_client, bucket) == ["big.bin"] == [name]
    assert hashlib.sha256(lossy.open(name).read()).digest() == hashlib.sha256(data).digest()

"""A long-lived storage across server restarts and lost answers: the next request works, an
unreachable server is an error (never a silent False), and no write is silently doubled."""

from __future__ import annotations

import hashlib
import os

import pytest
from django.core.files.base import ContentFile
from minio import Minio

from django_minio_backend import MinioBackendError

from ..s3 import stored_keys
from .conftest import FAST, SMALL_PARTS, MiB, Victim, Wire
from .proxy import drop_the_answer, put_with_body


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


def _objects(client: Minio, bucket: str) -> list[str]:
    return sorted(stored_keys(client, bucket))


def test_a_save_whose_answer_is_lost_is_stored_once(wire: Wire, s3_client: Minio, bucket: str):
    """The conditional PUT is resent (PUT is idempotent); its 412 is recognised as our own write."""
    wire.storage.exists("warm-up")
    wire.hook.arm(drop_the_answer, put_with_body("/photo.jpg"))
    assert wire.storage.save("photo.jpg", ContentFile(b"jpeg bytes")) == "photo.jpg"
    assert wire.hook.seen
    assert _objects(s3_client, bucket) == ["photo.jpg"]
    assert wire.storage.open("photo.jpg").read() == b"jpeg bytes"


def test_a_lost_answer_does_not_hide_a_real_name_clash(wire: Wire):
    wire.storage.save("photo.jpg", ContentFile(b"first"))
    wire.hook.arm(drop_the_answer, put_with_body("/photo.jpg"))
    second = wire.storage.save("photo.jpg", ContentFile(b"second"))
    assert wire.hook.seen and second != "photo.jpg"
    assert wire.storage.open("photo.jpg").read() == b"first" and wire.storage.open(second).read() == b"second"


def test_a_multipart_completion_whose_answer_is_lost_is_not_sent_twice(wire: Wire, s3_client: Minio, bucket: str):
    """POST is never resent; the upload is recognised as completed by its ETag."""
    data = os.urandom(11 * MiB)
    wire.hook.arm(drop_the_answer, lambda r: r.method == "POST" and "uploadId=" in r.target)
    name = wire.storage.save("big.bin", ContentFile(data))
    assert wire.hook.seen
    assert _objects(s3_client, bucket) == ["big.bin"] == [name]
    assert hashlib.sha256(wire.storage.open(name).read()).digest() == hashlib.sha256(data).digest()

"""Errors surface, clearly and quickly, and never carry the secret key; the health check."""

from __future__ import annotations

import time

import pytest
from django.core.files.base import ContentFile

from django_minio_backend import BucketDoesNotExist, MinioBackend, MinioBackendError
from django_minio_backend.localserver import LocalS3Server

from .s3 import Endpoint, closed_port, new_bucket_name

FAST = {"MINIO_CONNECT_TIMEOUT": 1.0, "MINIO_READ_TIMEOUT": 2.0, "MINIO_MAX_RETRIES": 1}


def full_text(exc: BaseException) -> str:
    """The message of an exception and of everything it was raised from."""
    texts = []
    while exc is not None:
        texts.append(f"{type(exc).__name__}: {exc!s} {exc!r}")
        exc = exc.__cause__ or exc.__context__
    return "\n".join(texts)


@pytest.fixture
def down_storage(s3_endpoint: Endpoint) -> MinioBackend:
    return MinioBackend(
        "some-bucket", **{**s3_endpoint.settings(), **FAST, "MINIO_ENDPOINT": f"127.0.0.1:{closed_port()}"}
    )


@pytest.mark.parametrize(
    "operation",
    [
        lambda s: s.exists("a.txt"),
        lambda s: s.size("a.txt"),
        lambda s: s.open("a.txt").read(),
        lambda s: s.save("a.txt", ContentFile(b"x")),
        lambda s: s.delete("a.txt"),
        lambda s: s.listdir(""),
        lambda s: s.get_modified_time("a.txt"),
    ],
    ids=["exists", "size", "read", "save", "delete", "listdir", "modified_time"],
)
def test_unreachable_server_raises_a_clear_error_quickly(down_storage, s3_endpoint, operation):
    started = time.monotonic()
    with pytest.raises(MinioBackendError) as caught:
        operation(down_storage)
    elapsed = time.monotonic() - started
    print(f"failed after {elapsed:.2f}s")
    assert "some-bucket" in str(caught.value)
    assert down_storage.settings.connection.endpoint in str(caught.value)
    assert s3_endpoint.secret_key not in full_text(caught.value)


def test_server_killed_between_requests_fails_loudly(bucket: str):
    with LocalS3Server() as server:
        storage = MinioBackend(
            "victim-bucket",
            MINIO_ENDPOINT=server.endpoint, MINIO_ACCESS_KEY=server.access_key,
            MINIO_SECRET_KEY=server.secret_key, MINIO_USE_HTTPS=False, **FAST,
        )  # fmt: skip
        storage.client.make_bucket("victim-bucket")
        name = storage.save("kept.txt", ContentFile(b"kept"))
        assert storage.exists(name)
        server.kill()
        with pytest.raises(MinioBackendError):
            storage.exists(name)  # never a silent False that could lead to an overwrite
        with pytest.raises(MinioBackendError):
            storage.size(name)


def test_missing_bucket_error_says_how_to_fix_it(s3_endpoint: Endpoint):
    storage = MinioBackend(new_bucket_name("missing"))
    with pytest.raises(BucketDoesNotExist, match="initialize_buckets"):
        storage.save("a.txt", ContentFile(b"x"))


def test_bucket_check_on_save_creates_the_missing_bucket(s3_client):
    name = new_bucket_name("auto")
    storage = MinioBackend(name, MINIO_BUCKET_CHECK_ON_SAVE=True)
    try:
        saved = storage.save("a.txt", ContentFile(b"created on save"))
        assert storage.open(saved).read() == b"created on save"
    finally:
        for item in s3_client.list_objects(name, recursive=True):
            s3_client.remove_object(name, item.object_name)
        s3_client.remove_bucket(name)


def test_wrong_secret_is_reported_without_the_secret(bucket: str, s3_endpoint: Endpoint):
    wrong = "wrong-" + s3_endpoint.secret_key[::-1]
    storage = MinioBackend(bucket, MINIO_SECRET_KEY=wrong)
    with pytest.raises(MinioBackendError) as caught:
        storage.save("a.txt", ContentFile(b"x"))
    assert wrong not in full_text(caught.value) and s3_endpoint.secret_key not in full_text(caught.value)
    status = storage.is_minio_available()
    assert not status and wrong not in status.details


def test_health_check_is_truthy_for_a_live_server():
    status = MinioBackend("").is_minio_available()
    assert status, status.details
    assert "answered" in status.details


def test_health_check_is_falsy_with_details_when_down(down_storage):
    started = time.monotonic()
    status = down_storage.is_minio_available(timeout=1.0)
    print(f"answered after {time.monotonic() - started:.2f}s")
    assert not status
    assert "unreachable" in status.details and "available" not in status.details.replace("unavailable", "")


def test_health_check_reports_missing_configuration():
    status = MinioBackend("", MINIO_ENDPOINT="").is_minio_available()
    assert not status and "MINIO_ENDPOINT" in status.details

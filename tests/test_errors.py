"""Errors surface, clearly and quickly, and never carry the secret key; the health check."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from django_minio_backend import BucketDoesNotExist, MinioBackend, MinioBackendError

from .reliability.faults import full_text
from .s3 import Endpoint, new_bucket_name


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


def test_health_check_reports_missing_configuration():
    status = MinioBackend("", MINIO_ENDPOINT="").is_minio_available()
    assert not status and "MINIO_ENDPOINT" in status.details

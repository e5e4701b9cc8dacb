"""Errors surface, clearly and quickly, and never carry the secret key; the health check."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator

import pytest
from django.core.files.base import ContentFile, File
from minio import Minio

from django_minio_backend import BucketDoesNotExist, MinioBackend, MinioBackendError, s3api, transfer
from django_minio_backend.testing import remove_bucket

from .reliability.conftest import SMALL_PARTS, MiB
from .reliability.faults import full_text
from .s3 import CountingPoolManager, Endpoint, new_bucket_name


def test_missing_bucket_error_says_how_to_fix_it(s3_endpoint: Endpoint):
    storage = MinioBackend(new_bucket_name("missing"))
    with pytest.raises(BucketDoesNotExist, match="initialize_buckets"):
        storage.save("a.txt", ContentFile(b"x"))


@pytest.fixture
def missing_bucket(s3_client: Minio) -> Iterator[str]:
    """A bucket name that does not exist yet; removed with its objects if a test creates it."""
    name = new_bucket_name("auto")
    yield name
    remove_bucket(s3_client, name)


@pytest.mark.parametrize("inspect", [MinioBackend.exists, MinioBackend.size, MinioBackend.get_modified_time])
def test_a_missing_bucket_is_not_reported_as_a_missing_object(missing_bucket: str, inspect):
    with pytest.raises(BucketDoesNotExist, match="initialize_buckets"):
        inspect(MinioBackend(missing_bucket), "a.txt")


def test_a_missing_object_costs_one_request_once_its_bucket_is_known(bucket: str):
    counter = CountingPoolManager()
    storage = MinioBackend(bucket, MINIO_HTTP_CLIENT=counter)
    assert not storage.exists("first.txt")
    assert counter.methods() == ["HEAD", "HEAD"]  # the object, then its bucket
    counter.reset()
    assert not storage.exists("second.txt")
    with pytest.raises(FileNotFoundError):
        storage.size("second.txt")
    assert counter.methods() == ["HEAD", "HEAD"]


@pytest.mark.parametrize("size", [1, 12 * MiB], ids=["small", "multipart"])
@pytest.mark.parametrize("overwrite", [False, True], ids=["new-name", "overwrite"])
def test_bucket_check_on_save_creates_the_missing_bucket(missing_bucket: str, size: int, overwrite: bool):
    storage = MinioBackend(missing_bucket, MINIO_BUCKET_CHECK_ON_SAVE=True, allow_overwrite=overwrite, **SMALL_PARTS)
    data = os.urandom(size)
    saved = storage.save("a.bin", File(io.BytesIO(data), "a.bin"))
    assert storage.open(saved).read() == data


@pytest.mark.parametrize("mode", ["wb", "xb"])
def test_writing_through_open_honours_bucket_check_on_save(missing_bucket: str, mode: str):
    with pytest.raises(BucketDoesNotExist), MinioBackend(missing_bucket).open("a.txt", mode) as file:
        file.write(b"nowhere to go")
    with MinioBackend(missing_bucket, MINIO_BUCKET_CHECK_ON_SAVE=True).open("a.txt", mode) as file:
        file.write(b"created on write")
    assert MinioBackend(missing_bucket).open("a.txt").read() == b"created on write"


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


class RemovesBucketMidway(io.BytesIO):
    """Content whose bucket is removed (with the upload in flight) once ``at`` bytes are read."""

    def __init__(self, data: bytes, at: int, remove: Callable[[], None], seekable: bool):
        super().__init__(data)
        self._at, self._remove, self._seekable = at, remove, seekable

    def seekable(self) -> bool:
        return self._seekable

    def read(self, size: int | None = -1) -> bytes:
        if self._remove is not None and self.tell() >= self._at:
            self._remove, remove = None, self._remove  # type: ignore[assignment]
            remove()
        return super().read(size)


@pytest.mark.parametrize("seekable", [True, False], ids=["seekable", "stream"])
def test_a_bucket_removed_mid_upload_is_created_again_and_the_file_sent_whole(
    s3_client: Minio, missing_bucket: str, seekable: bool
):
    storage = MinioBackend(missing_bucket, MINIO_BUCKET_CHECK_ON_SAVE=True, MINIO_MULTIPART_PARALLEL=1, **SMALL_PARTS)
    storage.save("first.txt", ContentFile(b"creates the bucket"))

    def remove_bucket_with_its_uploads() -> None:
        transfer.abort_uploads(s3_client, missing_bucket, list(s3api.list_multipart_uploads(s3_client, missing_bucket)))
        remove_bucket(s3_client, missing_bucket)

    data = os.urandom(12 * MiB)
    source = RemovesBucketMidway(data, 6 * MiB, remove_bucket_with_its_uploads, seekable)
    if not seekable:
        with pytest.raises(BucketDoesNotExist):
            storage.save("big.bin", File(source, "big.bin"))
        assert not storage.exists("big.bin")
        return
    saved = storage.save("big.bin", File(source, "big.bin"))
    assert hashlib.sha256(storage.open(saved).read()).digest() == hashlib.sha256(data).digest()

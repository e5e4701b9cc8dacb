"""Errors 2.x-4.x let through as minio's S3Error are still S3Error, with its code, and also the
exception Django code expects: ``except S3Error`` and ``except FileNotFoundError`` both catch."""

from __future__ import annotations

import copy
import pickle
import warnings

import pytest
from django.core.files.base import ContentFile
from django.views.debug import ExceptionReporter
from minio.error import S3Error

from django_minio_backend import BucketDoesNotExist, MinioBackend, MinioBackendError, MinioBackendStatic

from .s3 import Endpoint, closed_port, new_bucket_name


@pytest.mark.parametrize(
    "call",
    [
        lambda storage: storage.open("missing.txt").read(),
        lambda storage: storage.size("missing.txt"),
        lambda storage: storage.get_modified_time("missing.txt"),
    ],
    ids=["read", "size", "modified-time"],
)
def test_a_missing_object_is_file_not_found_and_s3_error_no_such_key(storage: MinioBackend, call):
    with pytest.raises(FileNotFoundError) as raised:
        call(storage)
    error = raised.value
    assert isinstance(error, S3Error)
    assert (error.code, error.bucket_name, error.object_name) == ("NoSuchKey", storage.bucket, "missing.txt")
    assert str(error) == f"[Errno 2] No such object: '{storage.bucket}/missing.txt'"


def test_old_except_s3error_blocks_still_catch(storage: MinioBackend):
    try:
        storage.open("missing.txt").read()
    except S3Error as error:
        caught = error.code
    assert caught == "NoSuchKey"


def test_a_missing_object_in_a_static_batch_is_s3_error_too(public_bucket: str):
    storage = MinioBackendStatic(public_bucket)
    with storage.batch(), pytest.raises(S3Error) as raised:
        storage.size("missing.css")
    assert isinstance(raised.value, FileNotFoundError) and raised.value.code == "NoSuchKey"


def test_a_missing_bucket_is_s3_error_no_such_bucket():
    with pytest.raises(S3Error) as raised:
        MinioBackend(new_bucket_name("missing")).open("a.txt").read()
    assert isinstance(raised.value, BucketDoesNotExist) and raised.value.code == "NoSuchBucket"
    assert "initialize_buckets" in str(raised.value)


def test_a_refused_request_is_s3_error_with_the_servers_code(bucket: str, s3_endpoint: Endpoint):
    storage = MinioBackend(bucket, MINIO_SECRET_KEY="not-the-secret")
    with pytest.raises(S3Error) as raised:
        storage.save("a.txt", ContentFile(b"a"))
    error = raised.value
    assert isinstance(error, MinioBackendError)
    assert error.code in ("SignatureDoesNotMatch", "AccessDenied", "InvalidAccessKeyId")
    assert error.code in str(error) and "not-the-secret" not in str(error) + repr(error)


def test_an_unreachable_server_is_not_an_s3_answer(bucket: str):
    storage = MinioBackend(bucket, MINIO_ENDPOINT=f"127.0.0.1:{closed_port()}", MINIO_MAX_RETRIES=0)
    with pytest.raises(MinioBackendError) as raised:
        storage.exists("a.txt")
    assert not isinstance(raised.value, S3Error)


def test_the_errors_copy_and_pickle(storage: MinioBackend):
    with pytest.raises(FileNotFoundError) as raised:
        storage.size("missing.txt")
    for clone in (copy.copy(raised.value), pickle.loads(pickle.dumps(raised.value))):
        assert isinstance(clone, FileNotFoundError) and isinstance(clone, S3Error)
        assert (clone.code, clone.filename, str(clone)) == ("NoSuchKey", raised.value.filename, str(raised.value))


def test_an_error_report_shows_the_s3_error_it_was_raised_from():
    """Django's report walks the chain of causes; an error equal to its cause would end it there."""
    with pytest.raises(BucketDoesNotExist) as raised:
        MinioBackend(new_bucket_name("missing")).open("a.txt").read()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frames = ExceptionReporter(None, raised.type, raised.value, raised.tb).get_traceback_frames()
    causes = {id(frame["exc_cause"]) for frame in frames if frame["exc_cause"] is not None}
    assert id(raised.value.__cause__) in causes

"""The one place we go beyond minio's public API (``Minio._execute`` in s3api.py).

Every function of s3api.py runs here against the real server: if a minio release renames
or changes ``_execute``, these tests fail before users notice.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import urllib3
from minio import Minio
from minio.error import S3Error

from django_minio_backend import s3api
from django_minio_backend.errors import MISSING_OBJECT_CODES

EXPECTED_PARAMETERS = ["self", "method", "bucket_name", "object_name", "body", "headers", "query_params"]


def test_execute_keeps_the_signature_we_call():
    parameters = list(inspect.signature(Minio._execute).parameters)
    assert parameters[: len(EXPECTED_PARAMETERS)] == EXPECTED_PARAMETERS


def test_execute_sends_our_headers_unchanged_and_raises_s3error(s3_client: Minio, bucket: str):
    s3_client._execute("PUT", bucket, "contract.txt", body=b"1", headers={"If-None-Match": "*"})
    with pytest.raises(S3Error) as caught:
        s3_client._execute("PUT", bucket, "contract.txt", body=b"2", headers={"If-None-Match": "*"})
    assert caught.value.response.status == 412
    assert s3_client.get_object(bucket, "contract.txt").data == b"1"


def test_s3_errors_we_raise_carry_code_message_and_response():
    """minio 7.2.0 takes ``response`` last, later 7.2 releases first; the error is right on both."""
    response = urllib3.HTTPResponse(body=b"", status=200)
    error = s3api.s3_error(response, "NoSuchUpload", "The upload does not exist.")
    assert error.code == "NoSuchUpload"
    assert error.message == "The upload does not exist."
    assert error.response is response


def test_every_request_of_s3api_works_on_this_minio_release(s3_client: Minio, bucket: str):
    """Each function of s3api.py, the one module that uses ``_execute``, against the real server."""
    part = b"p" * (5 * 1024 * 1024)
    upload_id = s3api.create_multipart_upload(s3_client, bucket, "big.bin", {"Content-Type": "application/x-test"})
    etags = [s3api.upload_part(s3_client, bucket, "big.bin", upload_id, n, part, {}) for n in (1, 2)]
    listed = list(s3api.list_multipart_uploads(s3_client, bucket, prefix="big"))
    assert [(upload.key, upload.upload_id) for upload in listed] == [("big.bin", upload_id)]
    s3api.complete_multipart_upload(s3_client, bucket, "big.bin", upload_id, etags, {"If-None-Match": "*"})
    stat = s3_client.stat_object(bucket, "big.bin")
    assert (stat.size, stat.content_type) == (2 * len(part), "application/x-test")

    doomed = s3api.create_multipart_upload(s3_client, bucket, "doomed.bin", {})
    s3api.abort_multipart_upload(s3_client, bucket, "doomed.bin", doomed)
    assert list(s3api.list_multipart_uploads(s3_client, bucket)) == []

    s3api.put_object(s3_client, bucket, "small.txt", b"1", {"If-None-Match": "*", "Content-Type": "text/plain"})
    with pytest.raises(S3Error) as caught:
        s3api.put_object(s3_client, bucket, "small.txt", b"2", {"If-None-Match": "*"})
    assert s3api.name_taken(caught.value)
    assert s3_client.get_object(bucket, "small.txt").data == b"1"

    head, stat = s3api.head_object(s3_client, bucket, "small.txt", {}), s3_client.stat_object(bucket, "small.txt")
    assert (head.size, (head.etag or "").strip('"'), head.last_modified) == (1, stat.etag, stat.last_modified)
    with pytest.raises(S3Error) as missing:
        s3api.head_object(s3_client, bucket, "missing.txt", {})
    with pytest.raises(S3Error) as stat_missing:
        s3_client.stat_object(bucket, "missing.txt")
    assert missing.value.code == stat_missing.value.code in MISSING_OBJECT_CODES


def test_every_direct_upload_request_of_s3api_works_on_this_minio_release(s3_client: Minio, bucket: str):
    """The s3api functions direct uploads add: ListParts, CopyObject, and the bucket's CORS rules."""
    part = b"p" * (5 * 1024 * 1024)
    upload_id = s3api.create_multipart_upload(s3_client, bucket, "parts.bin", {})
    etags = [s3api.upload_part(s3_client, bucket, "parts.bin", upload_id, n, part, {}) for n in (1, 2)]
    listed = s3api.list_parts(s3_client, bucket, "parts.bin", upload_id)
    assert [(number, etag.strip('"'), size) for number, etag, size in listed] == [
        (1, etags[0].strip('"'), len(part)),
        (2, etags[1].strip('"'), len(part)),
    ]
    s3api.abort_multipart_upload(s3_client, bucket, "parts.bin", upload_id)

    s3api.put_object(s3_client, bucket, "from.txt", b"copied", {"Content-Type": "text/plain"})
    s3api.copy_object(s3_client, bucket, "to.csv", "from.txt", {"Content-Type": "text/csv"}, if_absent=True)
    assert s3_client.stat_object(bucket, "to.csv").content_type == "text/csv"
    assert s3_client.get_object(bucket, "to.csv").data == b"copied"
    with pytest.raises(S3Error) as caught:
        s3api.copy_object(s3_client, bucket, "to.csv", "from.txt", {}, if_absent=True)
    assert s3api.name_taken(caught.value)

    rule = s3api.CorsRule(("https://www.example.com",), ("PUT", "POST"), ("ETag",), max_age=60)
    s3api.put_bucket_cors(s3_client, bucket, [rule])
    document = s3api.get_bucket_cors(s3_client, bucket)
    assert document is not None and "https://www.example.com" in document and "ETag" in document


def test_no_other_module_uses_minios_private_api():
    package = Path(s3api.__file__).parent
    users = sorted(path.name for path in package.rglob("*.py") if "._execute(" in path.read_text())
    assert users == ["s3api.py"]

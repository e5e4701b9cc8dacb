"""The one place we go beyond minio's public API (``Minio._execute`` in s3api.py).

If a minio release renames or changes it, these tests fail before users notice.
"""

from __future__ import annotations

import inspect

import pytest
import urllib3
from minio import Minio
from minio.error import S3Error

from django_minio_backend import s3api

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

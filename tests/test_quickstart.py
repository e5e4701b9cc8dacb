"""The README's quick start, as written, makes MinioBackend the default storage."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from minio import Minio

from django_minio_backend import MinioBackend

from .s3 import Endpoint, empty_and_remove_bucket, http_get

README = Path(__file__).resolve().parent.parent / "README.md"


def quick_start_storages(endpoint: Endpoint) -> dict:
    """``STORAGES`` from the README's first Python block, with the test server's connection."""
    block = re.search(r"```python\n# settings.py\n(.*?)```", README.read_text(), re.S)
    assert block is not None, "the quick start's settings block is gone from the README"
    code = block.group(1).replace("[...,", "[").replace(", ...]", "]")
    environ = {"MINIO_ACCESS_KEY": endpoint.access_key, "MINIO_SECRET_KEY": endpoint.secret_key}
    namespace: dict = {"os": type("os", (), {"environ": environ})}
    exec(code, namespace)  # the README's own snippet
    options = namespace["STORAGES"]["default"]["OPTIONS"]
    options.update(MINIO_ENDPOINT=endpoint.endpoint, MINIO_USE_HTTPS=endpoint.use_https)
    return namespace["STORAGES"]


def test_the_quick_start_makes_minio_the_default_storage(s3_endpoint: Endpoint, s3_client: Minio):
    storages_setting = quick_start_storages(s3_endpoint)
    bucket = storages_setting["default"]["OPTIONS"]["MINIO_DEFAULT_BUCKET"]
    s3_client.make_bucket(bucket, location="us-east-1")
    try:
        with override_settings(STORAGES=storages_setting):
            name = default_storage.save("report.txt", ContentFile(b"numbers"))
            assert isinstance(default_storage._wrapped, MinioBackend)
            assert s3_client.get_object(bucket, name).data == b"numbers"
            url = default_storage.url(name)
            assert "X-Amz-Signature=" in url  # a private bucket: presigned
            assert http_get(url)[:2] == (200, b"numbers")
    finally:
        empty_and_remove_bucket(s3_client, bucket)

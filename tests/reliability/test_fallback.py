"""Servers that ignore If-None-Match: saves check with HEAD before PUT and still never
overwrite (two concurrent saves of one name can race there, as documented). A proxy that
strips the header, and signs the request again without it, makes such a server."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from minio.credentials.credentials import Credentials
from minio.signer import sign_v4_s3

from django_minio_backend import MinioBackend

from ..s3 import Endpoint
from ..test_storage import test_exclusive_write_mode_refuses_an_existing_object  # noqa: F401 - run again here
from .conftest import SMALL_PARTS, MiB, storage_at
from .proxy import Proxy, Request


class IgnoreIfNoneMatch:
    """Removes ``If-None-Match`` from requests and signs them again, as if the server ignored it."""

    def __init__(self, endpoint: Endpoint):
        self._credentials = Credentials(endpoint.access_key, endpoint.secret_key)

    def __call__(self, request: Request) -> None:
        if request.header("If-None-Match") is None:
            return
        headers = dict(request.without("If-None-Match"))
        del headers["Authorization"]
        signed = sign_v4_s3(
            method=request.method,
            url=urlsplit(f"http://{headers['Host']}{request.target}"),
            region="us-east-1",
            headers=headers,  # type: ignore[arg-type]
            credentials=self._credentials,
            content_sha256=headers["x-amz-content-sha256"],
            date=datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc),
        )
        request.headers = [(key, str(value)) for key, value in signed.items()]


@pytest.fixture
def proxy(s3_endpoint: Endpoint) -> Iterator[Proxy]:
    with Proxy(s3_endpoint.endpoint, tamper=IgnoreIfNoneMatch(s3_endpoint)) as proxy:
        yield proxy


@pytest.fixture
def storage(bucket: str, s3_endpoint: Endpoint, proxy: Proxy) -> MinioBackend:
    return storage_at(proxy.endpoint, s3_endpoint, bucket, **SMALL_PARTS)


def _sent(proxy: Proxy) -> list[str]:
    methods = [request.method for request in proxy.requests]
    proxy.requests.clear()
    return methods


def test_the_fallback_is_detected_once_and_saves_never_overwrite(storage, proxy, caplog):
    with caplog.at_level(logging.WARNING, "django_minio_backend"):
        first = storage.save("a.txt", ContentFile(b"first"))
        second = storage.save("a.txt", ContentFile(b"second"))
        third = storage.save("a.txt", ContentFile(b"third"))
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "ignores If-None-Match" in caplog.text
    assert first == "a.txt" and len({first, second, third}) == 3
    assert [storage.open(n).read() for n in (first, second, third)] == [b"first", b"second", b"third"]
    assert all(request.header("If-None-Match") is None for request in proxy.requests)
    proxy.requests.clear()
    storage.save("a.txt", ContentFile(b"fourth"))
    assert _sent(proxy) == ["HEAD", "HEAD", "PUT"]  # a.txt is taken, the alternative is free


def test_a_large_save_to_a_taken_name_gets_an_alternative(storage):
    storage.save("big.bin", ContentFile(b"original"))
    data = os.urandom(6 * MiB)
    name = storage.save("big.bin", ContentFile(data))
    assert name != "big.bin"
    assert storage.open("big.bin").read() == b"original" and storage.open(name).read() == data

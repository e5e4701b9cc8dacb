"""URLs, fetched over HTTP as a browser would: presigned, public, expired, external endpoint."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile

from django_minio_backend import MinioBackend

from .s3 import CountingPoolManager, Endpoint, http_get


def test_private_url_is_presigned_and_works_while_the_plain_url_is_refused(storage: MinioBackend, s3_endpoint):
    name = storage.save("private doc#1.txt", ContentFile(b"secret content"))
    url = storage.url(name)
    assert "X-Amz-Signature=" in url
    assert http_get(url)[:2] == (200, b"secret content")
    plain = url.split("?")[0]
    assert http_get(plain)[0] == 403


def test_public_url_is_plain_percent_encoded_and_anonymously_readable(public_bucket: str):
    storage = MinioBackend(public_bucket, MINIO_PUBLIC_BUCKETS=[public_bucket])
    name = storage.save("dir/a b#?%+ü.txt", ContentFile(b"public"))
    url = storage.url(name)
    assert "?" not in url and url.endswith("/dir/a%20b%23%3F%25%2B%C3%BC.txt")
    assert http_get(url)[:2] == (200, b"public")


def test_url_sends_no_request(bucket: str):
    counter = CountingPoolManager()
    private = MinioBackend(bucket, MINIO_HTTP_CLIENT=counter)
    public = MinioBackend(bucket, MINIO_HTTP_CLIENT=counter, MINIO_PUBLIC_BUCKETS=[bucket])
    private.url("a.txt")
    public.url("a.txt")
    private.url("a.txt", expires=timedelta(minutes=1), response_headers={"Content-Disposition": "attachment"})
    assert counter.requests == []


def test_expired_presigned_url_is_refused(storage: MinioBackend):
    name = storage.save("short-lived.txt", ContentFile(b"soon gone"))
    url = storage.url(name, expires=timedelta(seconds=1))
    assert http_get(url)[0] == 200
    time.sleep(2.5)
    assert http_get(url)[0] == 403


def test_default_expiry_comes_from_settings(bucket: str):
    storage = MinioBackend(bucket, MINIO_URL_EXPIRY_HOURS=timedelta(hours=3))
    query = parse_qs(urlsplit(storage.url("a.txt")).query)
    assert query["X-Amz-Expires"] == [str(3 * 3600)]


def test_response_headers_make_a_download_link(storage: MinioBackend):
    name = storage.save("report.csv", ContentFile(b"a,b\n"))
    url = storage.url(name, response_headers={"Content-Disposition": 'attachment; filename="r.csv"'})
    status, body, headers = http_get(url)
    assert (status, body) == (200, b"a,b\n")
    assert headers["Content-Disposition"] == 'attachment; filename="r.csv"'


def test_public_bucket_with_response_headers_is_signed(public_bucket: str):
    storage = MinioBackend(public_bucket, MINIO_PUBLIC_BUCKETS=[public_bucket])
    url = storage.url("x.txt", response_headers={"Content-Type": "text/plain"})
    assert "X-Amz-Signature=" in url


def test_invalid_url_arguments_are_clear_errors(storage: MinioBackend):
    with pytest.raises(ValueError, match="cannot override"):
        storage.url("a.txt", response_headers={"X-Custom": "1"})
    with pytest.raises(ValueError, match="7 days"):
        storage.url("a.txt", expires=timedelta(days=8))


def test_external_endpoint_urls_point_at_and_are_signed_for_the_external_host(bucket: str, s3_endpoint: Endpoint):
    _host, port = s3_endpoint.endpoint.rsplit(":", 1)
    external = f"localhost:{port}"  # another name for the same server, as a proxy would be
    storage = MinioBackend(bucket, MINIO_EXTERNAL_ENDPOINT=external, MINIO_EXTERNAL_ENDPOINT_USE_HTTPS=False)
    name = storage.save("ext.txt", ContentFile(b"external"))
    url = storage.url(name)
    assert url.startswith(f"http://{external}/{bucket}/ext.txt?")
    assert http_get(url)[:2] == (200, b"external")
    public = MinioBackend(
        bucket, MINIO_EXTERNAL_ENDPOINT=external, MINIO_PUBLIC_BUCKETS=[bucket], MINIO_EXTERNAL_ENDPOINT_USE_HTTPS=True
    )
    assert public.url(name) == f"https://{external}/{bucket}/ext.txt"

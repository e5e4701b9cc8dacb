"""URLs on a custom domain or CDN (MINIO_PUBLIC_URL) and virtual-host addressing (MINIO_URL_ADDRESSING_STYLE).

URLs are fetched for real: a public base URL that carries a path is pointed at the session's
server, and virtual-host URLs are sent to a SeaweedFS of this module's own that knows its
domain name (``-s3.domainName``), over 127.0.0.1 with the URL's Host header.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from minio import Minio

from django_minio_backend import MinioBackend
from django_minio_backend.localserver import LocalS3Server
from django_minio_backend.staticfiles import MinioBackendStatic

from .s3 import Endpoint, http_get, make_bucket, new_bucket_name

DOMAIN = "localhost"


def test_a_public_url_with_a_path_serves_the_location_and_leaves_out_the_bucket(public_bucket: str):
    storage = MinioBackendStatic(public_bucket, location="static", MINIO_PUBLIC_URL="https://cdn.example.com/static/")
    assert storage.url("css/app ü.css") == "https://cdn.example.com/static/css/app%20%C3%BC.css"
    bare = MinioBackendStatic(public_bucket, MINIO_PUBLIC_URL="https://media.example.com")
    assert bare.url("a#1.png") == "https://media.example.com/a%231.png"


def test_a_public_url_is_fetched_for_real(public_bucket: str, s3_endpoint: Endpoint):
    # The server's own address of the location stands in for the CDN: a base URL with a path.
    base = f"{'https' if s3_endpoint.use_https else 'http'}://{s3_endpoint.endpoint}/{public_bucket}/static/"
    storage = MinioBackendStatic(public_bucket, location="static", MINIO_PUBLIC_URL=base)
    storage.save("read me.txt", ContentFile(b"through the base URL"))
    url = storage.url("read me.txt")
    assert url == base + "read%20me.txt"
    assert http_get(url)[:2] == (200, b"through the base URL")


def test_private_objects_stay_presigned_on_the_endpoint(bucket: str, s3_endpoint: Endpoint):
    storage = MinioBackend(bucket, MINIO_PUBLIC_URL="https://cdn.example.com/")
    storage.save("secret.txt", ContentFile(b"members only"))
    url = storage.url("secret.txt")
    assert url.startswith(f"http{'s' if s3_endpoint.use_https else ''}://{s3_endpoint.endpoint}/{bucket}/secret.txt?")
    assert http_get(url)[:2] == (200, b"members only")


def test_a_public_storage_signs_on_the_endpoint_when_asked_for_an_expiry(public_bucket: str):
    storage = MinioBackendStatic(public_bucket, MINIO_PUBLIC_URL="https://cdn.example.com/static/")
    storage.save("x.txt", ContentFile(b"x"))
    signed = storage.url("x.txt", expires=timedelta(minutes=5))
    assert "cdn.example.com" not in signed and "X-Amz-Signature=" in signed
    assert http_get(signed)[:2] == (200, b"x")


@pytest.mark.parametrize(
    "value", ["cdn.example.com/static/", "ftp://cdn.example.com/", "https://user:pw@cdn.example.com/", "https://x/?a=1"]
)
def test_a_public_url_that_is_no_base_url_is_refused_when_the_storage_is_used(public_bucket: str, value: str):
    storage = MinioBackendStatic(public_bucket, MINIO_PUBLIC_URL=value)
    with pytest.raises(ImproperlyConfigured, match=r"MINIO_PUBLIC_URL .*E042") as raised:
        storage.url("x.txt")
    assert "pw" not in str(raised.value)


def test_a_path_in_the_external_endpoint_fails_when_the_storage_is_used(public_bucket: str, bucket: str):
    for storage in (
        MinioBackendStatic(public_bucket, MINIO_EXTERNAL_ENDPOINT="cdn.example.com/media"),
        MinioBackend(bucket, MINIO_EXTERNAL_ENDPOINT="cdn.example.com/media"),
    ):
        with pytest.raises(ImproperlyConfigured, match="E003") as raised:
            storage.url("a.txt")
        assert "MINIO_PUBLIC_URL" in str(raised.value)
        with pytest.raises(ImproperlyConfigured, match="E003"):
            storage.save("a.txt", ContentFile(b"a"))
    assert not MinioBackend(bucket).exists("a.txt")


def test_virtual_style_is_refused_for_an_ip_address_endpoint(bucket: str):
    with pytest.raises(ImproperlyConfigured, match="E044"):
        MinioBackend(bucket, MINIO_URL_ADDRESSING_STYLE="virtual").url("a.txt")  # the session's 127.0.0.1
    with pytest.raises(ImproperlyConfigured, match="E043"):
        MinioBackend(bucket, MINIO_URL_ADDRESSING_STYLE="Virtual").url("a.txt")


# Virtual-host style, against a server that knows its domain


@pytest.fixture(scope="module")
def virtual_server() -> Iterator[LocalS3Server]:
    with LocalS3Server(domain_name=DOMAIN) as server:
        yield server


@pytest.fixture
def virtual_storage(virtual_server: LocalS3Server) -> Iterator[MinioBackend]:
    client = Minio(virtual_server.endpoint, virtual_server.access_key, virtual_server.secret_key, secure=False)
    bucket = make_bucket(client, new_bucket_name())
    yield MinioBackend(
        bucket,
        MINIO_ENDPOINT=virtual_server.endpoint,
        MINIO_ACCESS_KEY=virtual_server.access_key,
        MINIO_SECRET_KEY=virtual_server.secret_key,
        MINIO_USE_HTTPS=False,
        MINIO_EXTERNAL_ENDPOINT=f"{DOMAIN}:{virtual_server.port}",
        MINIO_EXTERNAL_ENDPOINT_USE_HTTPS=False,
        MINIO_URL_ADDRESSING_STYLE="virtual",
        location="media",
    )
    for item in client.list_objects(bucket, recursive=True):
        client.remove_object(bucket, str(item.object_name))
    client.remove_bucket(bucket)


def fetch_on_loopback(url: str) -> tuple[int, bytes, dict[str, str]]:
    """GET ``url`` from 127.0.0.1 with the URL's own Host header (``bucket.localhost`` need not resolve)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}", headers={"Host": parts.netloc})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.headers)
    finally:
        connection.close()


def test_virtual_style_presigned_urls_put_the_bucket_in_the_host_and_are_accepted(virtual_storage: MinioBackend):
    virtual_storage.save("reports/q1 ü.txt", ContentFile(b"virtual host"))
    url = virtual_storage.url("reports/q1 ü.txt")
    parts = urlsplit(url)
    assert parts.netloc == f"{virtual_storage.bucket}.{virtual_storage.settings.external_endpoint}"
    assert parts.path == "/media/reports/q1%20%C3%BC.txt"
    assert fetch_on_loopback(url)[:2] == (200, b"virtual host")
    download = virtual_storage.url("reports/q1 ü.txt", response_headers={"Content-Disposition": "attachment"})
    status, body, headers = fetch_on_loopback(download)
    assert (status, body, headers["Content-Disposition"]) == (200, b"virtual host", "attachment")
    # The signature covers the host: the same URL sent for another bucket is refused.
    assert fetch_on_loopback(url.replace(virtual_storage.bucket, "other-bucket", 1))[0] == 403


def test_virtual_style_public_urls_are_plain_and_served(virtual_storage: MinioBackend, virtual_server: LocalS3Server):
    public = MinioBackendStatic(virtual_storage.bucket, **{**virtual_storage.options, "location": "static"})
    public.check_bucket_existence()  # gives the bucket its policy: static/ readable by anyone
    public.save("app.css", ContentFile(b"body{}"))
    url = public.url("app.css")
    assert url == f"http://{public.bucket}.{DOMAIN}:{virtual_server.port}/static/app.css"
    assert fetch_on_loopback(url)[:2] == (200, b"body{}")


def test_the_checks_warn_of_a_public_url_on_a_private_storage_and_dotted_virtual_hosts(bucket: str):
    from django.test import override_settings

    from django_minio_backend.checks import check_configuration

    def alias(**options: object) -> dict[str, object]:
        return {
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "media": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": options},
        }

    with override_settings(STORAGES=alias(bucket_name=bucket, MINIO_PUBLIC_URL="https://cdn.example.com/")):
        assert "django_minio_backend.W015" in [message.id for message in check_configuration()]
    dotted = alias(
        bucket_name="media.example.com",
        MINIO_EXTERNAL_ENDPOINT="s3.example.com",
        MINIO_EXTERNAL_ENDPOINT_USE_HTTPS=True,
        MINIO_URL_ADDRESSING_STYLE="virtual",
    )
    with override_settings(STORAGES=dotted):
        assert "django_minio_backend.W016" in [message.id for message in check_configuration()]

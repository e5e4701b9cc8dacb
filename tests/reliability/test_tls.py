"""TLS: with MINIO_USE_HTTPS=True the server's certificate is verified by default; a private
CA is trusted only when MINIO_CA_CERTS names it. A TLS-terminating proxy with a certificate
from a throwaway CA stands in front of the local server."""

from __future__ import annotations

import os
import ssl
import urllib.request
from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile

from django_minio_backend import MinioBackend, MinioBackendError

from ..s3 import Endpoint
from .conftest import storage_at
from .proxy import OneShot, Proxy, flip_a_bit, put_with_body
from .tls import Certificates, make_certificates


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    try:
        return make_certificates(tmp_path_factory.mktemp("tls"))
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def corrupter() -> OneShot:
    """Corrupts a body after TLS is terminated, as a faulty load balancer would."""
    return OneShot()


@pytest.fixture(scope="module")
def tls_endpoint(s3_endpoint: Endpoint, certificates: Certificates, corrupter: OneShot) -> Iterator[str]:
    with Proxy(s3_endpoint.endpoint, tls=certificates.server_context(), tamper=corrupter) as proxy:
        yield proxy.endpoint


def _storage(bucket: str, s3_endpoint: Endpoint, endpoint: str, **options: object) -> MinioBackend:
    return storage_at(endpoint, s3_endpoint, bucket, MINIO_USE_HTTPS=True, MINIO_MAX_RETRIES=0, **options)


def test_an_unknown_ca_is_refused_by_default(bucket: str, s3_endpoint: Endpoint, tls_endpoint: str):
    storage = _storage(bucket, s3_endpoint, tls_endpoint)
    with pytest.raises(MinioBackendError, match="CERTIFICATE_VERIFY_FAILED"):
        storage.save("a.txt", ContentFile(b"x"))
    with pytest.raises(MinioBackendError, match="CERTIFICATE_VERIFY_FAILED"):
        storage.exists("a.txt")
    status = storage.is_minio_available()
    assert not status and "CERTIFICATE_VERIFY_FAILED" in status.details


def test_the_configured_ca_is_trusted(bucket: str, s3_endpoint: Endpoint, tls_endpoint: str, certificates):
    storage = _storage(bucket, s3_endpoint, tls_endpoint, MINIO_CA_CERTS=str(certificates.ca))
    assert storage.is_minio_available()
    data = os.urandom(100_000)
    name = storage.save("over-tls.bin", ContentFile(data))
    assert storage.open(name).read() == data
    url = storage.url(name)
    assert url.startswith(f"https://{tls_endpoint}/")
    context = ssl.create_default_context(cafile=str(certificates.ca))
    with urllib.request.urlopen(url, context=context, timeout=10) as response:
        assert response.read() == data


def test_a_certificate_for_another_host_is_refused(bucket: str, s3_endpoint: Endpoint, tls_endpoint: str, certificates):
    """The certificate names 127.0.0.1; ``localhost`` is the same server under another name."""
    port = tls_endpoint.rsplit(":", 1)[1]
    storage = _storage(bucket, s3_endpoint, f"localhost:{port}", MINIO_CA_CERTS=str(certificates.ca))
    with pytest.raises(MinioBackendError, match=r"CERTIFICATE_VERIFY_FAILED.*(match|mismatch)"):
        storage.exists("a.txt")


def test_corruption_behind_tls_is_refused(bucket: str, s3_endpoint: Endpoint, tls_endpoint, certificates, corrupter):
    """Over HTTPS minio signs no payload hash; the Content-MD5 still protects the body."""
    storage = _storage(bucket, s3_endpoint, tls_endpoint, MINIO_CA_CERTS=str(certificates.ca))
    storage.exists("warm-up")
    corrupter.arm(flip_a_bit, put_with_body())
    with pytest.raises(MinioBackendError, match="BadDigest"):
        storage.save("corrupted.bin", ContentFile(os.urandom(50_000)))
    assert corrupter.seen and not storage.exists("corrupted.bin")

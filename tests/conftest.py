"""The test session's S3 server comes from the package's own pytest plugin (loaded with -p in
pyproject.toml): a local SeaweedFS, or any endpoint named in the environment.

Set MINIO_TEST_ENDPOINT (host:port), MINIO_TEST_ACCESS_KEY, MINIO_TEST_SECRET_KEY and
optionally MINIO_TEST_USE_HTTPS=1 to run the suite against another server, e.g. the
MinIO of docker-compose.yml.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from minio import Minio

from django_minio_backend import MinioBackend
from django_minio_backend.testing import own_endpoints

from .reliability.proxy import Proxy
from .reliability.tls import Certificates, make_certificates
from .s3 import CountingPoolManager, Endpoint, empty_and_remove_bucket, make_bucket, new_bucket_name

SEED_BUCKETS = {"django-backend-dev-private": False, "django-backend-dev-public": True}


@pytest.fixture(autouse=True)
def _own_endpoints() -> Iterator[None]:
    """This suite points storages at closed ports, proxies and TLS servers on purpose."""
    with own_endpoints():
        yield


@pytest.fixture(scope="session")
def s3_endpoint(minio_server: Endpoint) -> Endpoint:
    """The session's server, from the package's own pytest plugin."""
    return minio_server


@pytest.fixture(scope="session")
def s3_client(s3_endpoint: Endpoint) -> Minio:
    return s3_endpoint.client()


@pytest.fixture
def bucket(s3_client: Minio) -> Iterator[str]:
    """A fresh private bucket, removed with its objects afterwards."""
    name = make_bucket(s3_client, new_bucket_name())
    yield name
    empty_and_remove_bucket(s3_client, name)


@pytest.fixture
def public_bucket(s3_client: Minio) -> Iterator[str]:
    """A fresh anonymously readable bucket, removed afterwards."""
    name = make_bucket(s3_client, new_bucket_name("pub"), public=True)
    yield name
    empty_and_remove_bucket(s3_client, name)


@pytest.fixture
def counter() -> CountingPoolManager:
    return CountingPoolManager()


@pytest.fixture
def storage(bucket: str) -> MinioBackend:
    return MinioBackend(bucket_name=bucket)


@pytest.fixture
def counted_storage(bucket: str, counter: CountingPoolManager) -> MinioBackend:
    """A storage whose HTTP requests are recorded in ``counter``."""
    return MinioBackend(bucket_name=bucket, MINIO_HTTP_CLIENT=counter)


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A throwaway CA and a certificate it signed for 127.0.0.1."""
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_proxy(s3_endpoint: Endpoint, certificates: Certificates) -> Iterator[Proxy]:
    """A TLS front of the session's server (S3 servers take SSE-C keys over TLS only)."""
    with Proxy(s3_endpoint.endpoint, tls=certificates.server_context()) as proxy:
        yield proxy

"""The test session's S3 server: a local SeaweedFS, or any endpoint named in the environment.

Set MINIO_TEST_ENDPOINT (host:port), MINIO_TEST_ACCESS_KEY, MINIO_TEST_SECRET_KEY and
optionally MINIO_TEST_USE_HTTPS=1 to run the suite against another server, e.g. the
MinIO of docker-compose.yml.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.test import override_settings
from minio import Minio

from django_minio_backend import MinioBackend
from django_minio_backend.localserver import LocalS3Server

from .s3 import CountingPoolManager, Endpoint, empty_and_remove_bucket, make_bucket, new_bucket_name

SEED_BUCKETS = {"django-backend-dev-private": False, "django-backend-dev-public": True}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[Endpoint]:
    if os.environ.get("MINIO_TEST_ENDPOINT"):
        yield Endpoint(
            os.environ["MINIO_TEST_ENDPOINT"],
            os.environ["MINIO_TEST_ACCESS_KEY"],
            os.environ["MINIO_TEST_SECRET_KEY"],
            os.environ.get("MINIO_TEST_USE_HTTPS", "") in ("1", "true", "yes"),
        )
        return
    with LocalS3Server() as server:
        yield Endpoint(server.endpoint, server.access_key, server.secret_key)


@pytest.fixture(scope="session")
def s3_client(s3_endpoint: Endpoint) -> Minio:
    return s3_endpoint.client()


@pytest.fixture(scope="session", autouse=True)
def minio_settings(s3_endpoint: Endpoint, s3_client: Minio) -> Iterator[None]:
    """Point the seed-style MINIO_* settings at the session's server, with the seed's buckets."""
    for name, public in SEED_BUCKETS.items():
        if not s3_client.bucket_exists(name):
            make_bucket(s3_client, name, public=public)
    with override_settings(**s3_endpoint.settings()):
        yield
    if os.environ.get("MINIO_TEST_ENDPOINT"):
        for name in SEED_BUCKETS:
            empty_and_remove_bucket(s3_client, name)


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

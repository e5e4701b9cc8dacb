"""``manage.py is_minio_available``: a health probe with an exit code."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from .s3 import closed_port


def test_prints_the_status_when_available():
    out = StringIO()
    call_command("is_minio_available", stdout=out)
    assert out.getvalue().startswith("available: S3 server at ")


def test_fails_with_the_details_when_down():
    with override_settings(MINIO_ENDPOINT=f"127.0.0.1:{closed_port()}"), pytest.raises(CommandError) as caught:
        call_command("is_minio_available", "--timeout", "1")
    assert str(caught.value).startswith("unavailable: ") and "is unreachable" in str(caught.value)


def test_checks_the_options_of_a_named_alias():
    storages = {"media": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": {"MINIO_ENDPOINT": ""}}}
    with override_settings(STORAGES=storages), pytest.raises(CommandError, match="MINIO_ENDPOINT is not set"):
        call_command("is_minio_available", "--storage", "media")


def test_verbosity_0_prints_nothing_when_available():
    out = StringIO()
    call_command("is_minio_available", "--verbosity", "0", stdout=out)
    assert out.getvalue() == ""

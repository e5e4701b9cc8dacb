"""System checks: each misconfiguration has its id and hint, and checking sends nothing."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings

from django_minio_backend.checks import check_configuration
from django_minio_backend.policies import read_only_prefix

from .conftest import SEED_BUCKETS


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail any test here that lets a check open a connection."""
    attempts: list[Any] = []

    def refuse(sock: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise AssertionError(f"a system check tried to connect to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def ids(**overrides: Any) -> list[str]:
    with override_settings(**overrides):
        return [message.id or "" for message in check_configuration()]


def test_the_seed_configuration_passes():
    assert ids() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"MINIO_ENDPOINT": ""}, "E001"),
        ({"MINIO_SECRET_KEY": ""}, "E002"),
        ({"MINIO_ENDPOINT": "https://minio.example.com"}, "E003"),
        ({"MINIO_ENDPOINT": "minio.example.com/path"}, "E003"),
        ({"MINIO_EXTERNAL_ENDPOINT": "http://cdn.example.com", "MINIO_EXTERNAL_ENDPOINT_USE_HTTPS": True}, "E003"),
        ({"MINIO_URL_EXPIRY_HOURS": 24}, "E004"),
        ({"MINIO_URL_EXPIRY_HOURS": timedelta(days=8)}, "E004"),
        ({"MINIO_PRIVATE_BUCKETS": [*SEED_BUCKETS, "Invalid_Name"]}, "E005"),
        ({"MINIO_PUBLIC_BUCKETS": [*SEED_BUCKETS, "192.168.1.1"]}, "E005"),
        ({"MINIO_PRIVATE_BUCKETS": [*SEED_BUCKETS]}, "E006"),
        ({"MINIO_POLICY_HOOKS": [("undeclared", read_only_prefix("undeclared", "a/"))]}, "E007"),
        ({"MINIO_POLICY_HOOKS": [("django-backend-dev-private",)]}, "E008"),
        ({"MINIO_POLICY_HOOKS": [("django-backend-dev-private", {"Version": "2012-10-17"})]}, "E008"),
        (
            {"MINIO_POLICY_HOOKS": [("django-backend-dev-private", read_only_prefix("django-backend-dev-public", ""))]},
            "E008",
        ),
        ({"MINIO_MULTIPART_PART_SIZE": 1024}, "E009"),
        ({"MINIO_LISTABLE_BUCKETS": ["django-backend-dev-private"]}, "E010"),
        ({"MINIO_EXTERNAL_ENDPOINT": "cdn.example.com"}, "W001"),
        ({"MINIO_PRIVATE_BUCKETS": []}, "W002"),
        ({"MINIO_CONSISTENCY_CHECK_ON_START": True}, "W003"),
    ],
)
def test_each_misconfiguration_is_reported_with_its_id_and_a_hint(overrides: dict[str, Any], expected: str):
    with override_settings(**overrides):
        messages = check_configuration()
    assert [m.id for m in messages] == [f"django_minio_backend.{expected}"], messages
    assert messages[0].hint


def test_options_of_any_alias_are_checked():
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "media": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": {"MINIO_TYPO": 1}},
    }
    with override_settings(STORAGES=storages):
        messages = check_configuration()
    assert [m.id for m in messages] == ["django_minio_backend.E009"]
    assert "MINIO_TYPO" in messages[0].msg and "STORAGES['media']" in messages[0].msg


def test_start_check_asked_in_an_alias_needs_the_checking_app():
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "media": {
            "BACKEND": "django_minio_backend.models.MinioBackend",
            "OPTIONS": {"MINIO_CONSISTENCY_CHECK_ON_START": True},
        },
    }
    with override_settings(STORAGES=storages):
        assert [m.id for m in check_configuration()] == ["django_minio_backend.W003"]


def test_undeclared_field_bucket_warning_points_at_the_field():
    with override_settings(MINIO_PRIVATE_BUCKETS=[]):
        (message,) = check_configuration()
    assert message.obj.model.__name__ == "PrivateAttachment"
    assert "django-backend-dev-private" in message.msg


def test_messages_never_carry_the_secret_key():
    secret = "s3cr3t-never-shown"
    with override_settings(MINIO_SECRET_KEY=secret, MINIO_ENDPOINT="https://x", MINIO_URL_EXPIRY_HOURS=0):
        messages = check_configuration()
    assert messages
    assert all(secret not in f"{m.msg} {m.hint}" for m in messages)

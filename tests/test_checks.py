"""System checks: each misconfiguration has its id and hint, and checking sends nothing."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.test import override_settings
from minio.credentials.providers import EnvMinioProvider
from minio.sse import SseCustomerKey

from django_minio_backend import MinioBackend
from django_minio_backend.checks import check_configuration
from django_minio_backend.conf import RULES
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
        ({"MINIO_DEFAULT_BUCKET": "", "MINIO_MEDIA_FILES_BUCKET": ""}, None),  # unused by the seed project
        ({"MINIO_PRIVATE_BUCKETS": [*SEED_BUCKETS]}, "E006"),
        ({"MINIO_POLICY_HOOKS": [("undeclared", read_only_prefix("undeclared", "a/"))]}, "E007"),
        ({"MINIO_POLICY_HOOKS": [("django-backend-dev-private",)]}, "E008"),
        ({"MINIO_POLICY_HOOKS": [("django-backend-dev-private", {"Version": "2012-10-17"})]}, "E008"),
        (
            {"MINIO_POLICY_HOOKS": [("django-backend-dev-private", read_only_prefix("django-backend-dev-public", ""))]},
            "E008",
        ),
        ({"MINIO_LISTABLE_BUCKETS": ["django-backend-dev-private"]}, "E010"),
        ({"MINIO_EXTERNAL_ENDPOINT": "cdn.example.com"}, "W001"),
        ({"MINIO_PRIVATE_BUCKETS": []}, "W002"),
        ({"MINIO_CONSISTENCY_CHECK_ON_START": True}, "W003"),
    ],
)
def test_each_misconfiguration_is_reported_with_its_id_and_a_hint(overrides: dict[str, Any], expected: str | None):
    with override_settings(**overrides):
        messages = check_configuration()
    assert [m.id for m in messages] == ([f"django_minio_backend.{expected}"] if expected else []), messages
    assert all(m.hint for m in messages)


def media_alias(**options: Any) -> dict[str, Any]:
    """STORAGES with one MinioBackend alias, 'media', of these OPTIONS."""
    return {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "media": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": options},
    }


# Every rule of conf.RULES, broken once: by top-level settings, or by the OPTIONS of an alias.
RULE_CASES = [
    ("E001", {"MINIO_ENDPOINT": ""}),
    ("E002", {"MINIO_ACCESS_KEY": ""}),
    ("E003", {"MINIO_ENDPOINT": "minio.example.com:9000/path"}),
    ("E003", {"MINIO_ENDPOINT": "minio example.com"}),
    ("E003", {"MINIO_EXTERNAL_ENDPOINT": "https://cdn.example.com", "MINIO_EXTERNAL_ENDPOINT_USE_HTTPS": True}),
    ("E004", {"MINIO_URL_EXPIRY_HOURS": timedelta(0)}),
    ("E005", {"MINIO_PUBLIC_BUCKETS": [*SEED_BUCKETS, "xn--bucket"]}),
    ("E011", {"MINIO_MULTIPART_PART_SIZE": 4 * 1024 * 1024}),
    ("E012", {"MINIO_MAX_RETRIES": -1}),
    ("E012", {"MINIO_MULTIPART_THRESHOLD": 8.5}),
    ("E012", {"MINIO_URL_CACHE_TIMEOUT": True}),
    ("E013", {"MINIO_READ_TIMEOUT": -1}),
    ("E014", {"MINIO_HTTP_CLIENT": object()}),
    ("E014", {"MINIO_HTTP_CLIENT": "tests.s3.no_such_pool"}),
    ("E015", {"MINIO_URL_CACHING_ENABLED": True, "MINIO_URL_EXPIRY_HOURS": timedelta(hours=1)}),
    ("E016", {"MINIO_STATIC_CACHE_CONTROL": "max-age=60\r\nSet-Cookie: a=b"}),
    ("E017", {"MINIO_POLICY_HOOKS": "not-a-list"}),
    ("E018", {"STORAGES": media_alias(MINIO_ENDPONT="typo.example:9000")}),
    ("E019", {"STORAGES": media_alias(storage_name="archive")}),
    ("E020", {"MINIO_OVERRIDE_OPTIONS": [("MINIO_ENDPOINT", "x:9000")]}),
    ("E028", {"MINIO_CONDITIONAL_WRITES": "yes"}),
    ("E060", {"MINIO_CREDENTIALS_PROVIDER": "no.such.Provider", "MINIO_ACCESS_KEY": "", "MINIO_SECRET_KEY": ""}),
    ("E061", {"MINIO_CREDENTIALS_PROVIDER": "minio.credentials.providers.EnvMinioProvider"}),
    ("W001", {"MINIO_EXTERNAL_ENDPOINT": "cdn.example.com"}),
    # 4.x's put_object options (tests/test_compat_options.py has the rest)
    ("E022", {"STORAGES": media_alias(region="eu-west-1", MINIO_REGION="us-east-1")}),
    ("E023", {"STORAGES": media_alias(metadata={"Content-Length": "1"})}),
    ("E024", {"STORAGES": media_alias(tags=["project"])}),
    ("E025", {"STORAGES": media_alias(sse=SseCustomerKey(b"k" * 32))}),
    ("E026", {"STORAGES": media_alias(legal_hold="yes")}),
    ("E027", {"STORAGES": media_alias(progress=object())}),
    ("W006", {"STORAGES": media_alias(write_offset=0)}),
    # where objects are stored and served (tests/test_location.py, tests/test_custom_domain.py)
    ("E040", {"MINIO_LOCATION": "media/../static"}),
    ("E040", {"STORAGES": media_alias(location="/media")}),
    ("E042", {"MINIO_PUBLIC_URL": "cdn.example.com/static/"}),
    ("E043", {"MINIO_URL_ADDRESSING_STYLE": "host"}),
    (
        "E044",
        {
            "MINIO_URL_ADDRESSING_STYLE": "virtual",
            "MINIO_EXTERNAL_ENDPOINT": "127.0.0.1:9000",
            "MINIO_EXTERNAL_ENDPOINT_USE_HTTPS": False,
        },
    ),
    # Object parameters and encryption (tests/test_object_parameters.py, tests/test_encryption.py)
    ("E030", {"MINIO_OBJECT_PARAMETERS": {"CacheControl": "max-age=60"}}),
    ("E025", {"MINIO_SERVER_SIDE_ENCRYPTION": SseCustomerKey(b"k" * 32)}),
    ("E070", {"MINIO_CORS_ORIGINS": ["https://www.example.com/app"]}),
    ("E071", {"MINIO_DIRECT_UPLOAD_PREFIX": "direct-uploads"}),
    ("E072", {"MINIO_DIRECT_UPLOAD_EXPIRY": 3600}),
    ("E073", {"MINIO_DIRECT_UPLOAD_PERMISSION": "no.such.module.allowed"}),
    ("E050", {"MINIO_STATIC_KEEP_ONLY_HASHED_FILES": "yes"}),
]


def test_every_rule_has_a_case():
    assert {check_id for check_id, _ in RULE_CASES} == {rule.check_id for rule in RULES}


@pytest.mark.parametrize(("check_id", "overrides"), RULE_CASES)
def test_conf_raises_what_the_checks_report_under_the_same_id(check_id: str, overrides: dict[str, Any]):
    in_alias = "STORAGES" in overrides
    with override_settings(**overrides):
        (message,) = check_configuration()
        storage = storages["media"] if in_alias else MinioBackend("any-bucket")
        if check_id.startswith("E"):
            with pytest.raises(ImproperlyConfigured) as raised:
                storage.settings
        else:
            storage.settings  # a warning is no error
    assert message.id == f"django_minio_backend.{check_id}" and message.hint
    assert message.is_serious() == check_id.startswith("E")
    # The check's message is conf's, with where the options are set when they are an alias's.
    where = " (STORAGES['media'])." if in_alias else "."
    assert message.msg.endswith(where)
    if check_id.startswith("E"):
        assert str(raised.value) == f"{message.msg.removesuffix(where)}. {message.hint} ({message.id})"


def test_an_alias_without_a_bucket_is_reported():
    with override_settings(STORAGES=media_alias(MINIO_DEFAULT_BUCKET="", MINIO_MEDIA_FILES_BUCKET="")):
        (message,) = check_configuration()
    assert message.id == "django_minio_backend.E021" and message.hint
    assert "no bucket" in message.msg and message.msg.endswith(" (STORAGES['media']).")


def test_options_of_any_alias_are_checked_and_said_where():
    with override_settings(STORAGES=media_alias(MINIO_TYPO=1)):
        (message,) = check_configuration()
    assert message.id == "django_minio_backend.E018" and "MINIO_TYPO" in message.msg
    assert message.msg.endswith(" (STORAGES['media']).")


def test_start_check_asked_in_an_alias_needs_the_checking_app():
    with override_settings(STORAGES=media_alias(MINIO_CONSISTENCY_CHECK_ON_START=True)):
        assert [m.id for m in check_configuration()] == ["django_minio_backend.W003"]


def test_undeclared_field_bucket_warning_points_at_the_field():
    with override_settings(MINIO_PRIVATE_BUCKETS=[]):
        (message,) = check_configuration()
    assert message.obj.model.__name__ == "PrivateAttachment"
    assert "django-backend-dev-private" in message.msg


def test_messages_never_carry_the_secret_key_or_the_session_token():
    secret, token = "s3cr3t-never-shown", "t0ken-never-shown"
    with override_settings(
        MINIO_SECRET_KEY=secret,
        MINIO_SESSION_TOKEN=token,
        MINIO_CREDENTIALS_PROVIDER=EnvMinioProvider(),  # E061 names the token's option
        MINIO_ENDPOINT="https://x",
        MINIO_URL_EXPIRY_HOURS=0,
    ):
        messages = check_configuration()
    assert any(m.id == "django_minio_backend.E061" for m in messages)
    assert all(secret not in f"{m.msg} {m.hint}" and token not in f"{m.msg} {m.hint}" for m in messages)


def test_an_endpoint_with_credentials_written_into_it_is_refused_without_showing_them():
    with override_settings(MINIO_ENDPOINT="AKIAEXAMPLE:wJalrSecretValue@minio.internal:9000"):
        messages = [str(message) for message in check_configuration()]
    refused = [message for message in messages if "E003" in message]
    assert refused and "********@minio.internal:9000" in refused[0]
    assert not any("wJalrSecretValue" in message or "AKIAEXAMPLE" in message for message in messages)

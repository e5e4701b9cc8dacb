"""Settings: both configuration styles, any alias, validation, no I/O at construction, no secrets leaked."""

from __future__ import annotations

import copy
import urllib.request
from datetime import timedelta

import pytest
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import InvalidStorageError, storages
from django.db import models
from django.db.migrations.writer import MigrationWriter
from django.test import override_settings

from django_minio_backend import MinioBackend, MinioBackendStatic
from django_minio_backend.checks import check_configuration

from .s3 import CountingPoolManager, Endpoint

BACKEND = "django_minio_backend.models.MinioBackend"


def storages_setting(**aliases: dict) -> dict:
    return {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}, **aliases}


def test_construction_sends_no_request_and_reads_no_settings_yet():
    counter = CountingPoolManager()
    storage = MinioBackend(bucket_name="anything", MINIO_ENDPOINT="127.0.0.1:9", MINIO_HTTP_CLIENT=counter)
    assert "settings" not in storage.__dict__
    storage.url("file.txt")  # signing is local
    assert counter.requests == []


def test_top_level_settings_apply(s3_endpoint: Endpoint):
    storage = MinioBackend("bucket-a")
    assert storage.settings.connection.endpoint == s3_endpoint.endpoint
    assert storage.settings.url_expiry == timedelta(days=7)
    assert storage.bucket == "bucket-a"


def test_options_win_over_top_level_settings():
    storage = MinioBackend("bucket-a", MINIO_ENDPOINT="other.example:9000", MINIO_USE_HTTPS=True)
    assert storage.settings.connection.endpoint == "other.example:9000"
    assert storage.settings.connection.use_https is True


def test_default_storage_from_4x_storages_options(s3_endpoint: Endpoint, bucket: str):
    options = {**s3_endpoint.settings(), "MINIO_DEFAULT_BUCKET": bucket}
    with override_settings(
        MINIO_ENDPOINT="", STORAGES=storages_setting(default={"BACKEND": BACKEND, "OPTIONS": options})
    ):
        storage = storages.create_storage(settings.STORAGES["default"])
        assert storage.bucket == bucket
        name = storage.save("via-options.txt", __import__("io").BytesIO(b"4.x"))
        assert storage.open(name).read() == b"4.x"
        # A bare MinioBackend on a FileField falls back to the default alias' OPTIONS, as in 4.x.
        assert MinioBackend("x-bucket").settings.connection.endpoint == s3_endpoint.endpoint


def test_constructor_options_sit_on_the_default_alias_options(s3_endpoint: Endpoint, bucket: str):
    default = {"BACKEND": BACKEND, "OPTIONS": {**s3_endpoint.settings(), "MINIO_REGION": "eu-west-1"}}
    with override_settings(MINIO_ENDPOINT="", STORAGES=storages_setting(default=default)):
        storage = MinioBackend(bucket_name=bucket, MINIO_URL_EXPIRY_HOURS=timedelta(hours=1))
        assert storage.settings.url_expiry == timedelta(hours=1)
        assert storage.settings.connection.region == "eu-west-1"
        name = storage.save("on-a-field.txt", __import__("io").BytesIO(b"field"))
        assert storage.open(name).read() == b"field"


def test_a_storage_django_builds_for_another_alias_keeps_only_that_alias_options():
    default = {
        "BACKEND": BACKEND,
        "OPTIONS": {"MINIO_ENDPOINT": "default.example:9000", "MINIO_DEFAULT_BUCKET": "default-bucket"},
    }
    short_lived = {"BACKEND": BACKEND, "OPTIONS": {"MINIO_URL_EXPIRY_HOURS": timedelta(hours=1)}}
    with override_settings(
        MINIO_ENDPOINT="top-level.example:9000", STORAGES=storages_setting(default=default, short=short_lived)
    ):
        built_by_django = storages["short"]
        assert built_by_django.settings.url_expiry == timedelta(hours=1)
        assert built_by_django.settings.connection.endpoint == "top-level.example:9000"
        assert built_by_django.settings.default_bucket != "default-bucket"
        # Any other arguments (here a bucket) make a storage written in code, on the default alias.
        on_a_field = MinioBackend("field-bucket", MINIO_URL_EXPIRY_HOURS=timedelta(hours=1))
        assert on_a_field.settings.connection.endpoint == "default.example:9000"
        moved = {**default, "OPTIONS": {**default["OPTIONS"], "MINIO_ENDPOINT": "moved.example:9000"}}
        rebuilt = {"BACKEND": BACKEND, "OPTIONS": {"bucket_name": "field-bucket"}}
        with override_settings(STORAGES=storages_setting(default=moved, short=rebuilt)):
            # A storage held across a change of STORAGES (a FileField's) keeps the alias it had.
            assert built_by_django.settings.connection.endpoint == "top-level.example:9000"
            assert built_by_django.bucket == "auto-generated-bucket-media-files"
            assert on_a_field.settings.connection.endpoint == "moved.example:9000"


def test_the_alias_is_told_by_the_whole_keyword_mapping():
    default = {"BACKEND": BACKEND, "OPTIONS": {"MINIO_ENDPOINT": "default.example:9000"}}
    reports = {"BACKEND": BACKEND, "OPTIONS": {"bucket_name": "reports", "MINIO_URL_EXPIRY_HOURS": timedelta(hours=1)}}
    with override_settings(
        MINIO_ENDPOINT="top-level.example:9000", STORAGES=storages_setting(default=default, reports=reports)
    ):
        hour = timedelta(hours=1)
        for same_call in (MinioBackend("reports", MINIO_URL_EXPIRY_HOURS=hour), storages["reports"]):
            assert same_call.settings.connection.endpoint == "top-level.example:9000"
        for other_call in (
            MinioBackend(MINIO_URL_EXPIRY_HOURS=hour),
            MinioBackend("reports"),
            MinioBackend("reports", allow_overwrite=True, MINIO_URL_EXPIRY_HOURS=hour),
            MinioBackend("reports", MINIO_URL_EXPIRY_HOURS=hour, MINIO_REGION="eu-1"),
        ):
            assert other_call.settings.connection.endpoint == "default.example:9000"
        # Arguments equal to their defaults are no arguments: this is the bare MinioBackend().
        explicit_defaults = MinioBackend(bucket_name="", allow_overwrite=False, replace_existing=False)
        assert explicit_defaults.settings.connection.endpoint == "default.example:9000"


def test_options_in_code_that_are_part_of_an_alias_options_keep_the_default_alias(s3_endpoint: Endpoint, bucket: str):
    """The misfire of the identity guess: True/False are shared objects, not an alias's options."""
    default = {"BACKEND": BACKEND, "OPTIONS": {**s3_endpoint.settings(), "MINIO_PRIVATE_BUCKETS": [bucket]}}
    plain = {"BACKEND": BACKEND, "OPTIONS": {"MINIO_USE_HTTPS": False}}
    with override_settings(MINIO_ENDPOINT="", STORAGES=storages_setting(default=default, plain=plain)):
        on_a_field = MinioBackend(bucket_name=bucket, MINIO_USE_HTTPS=False)
        name = on_a_field.save("report.txt", ContentFile(b"numbers"))
        assert on_a_field.open(name).read() == b"numbers"


def test_an_alias_with_its_own_options_inherits_nothing_from_the_default_alias(s3_endpoint: Endpoint, bucket: str):
    default = {
        "BACKEND": BACKEND,
        "OPTIONS": {
            "MINIO_ENDPOINT": "minio.production.invalid",
            "MINIO_ACCESS_KEY": "production-key",
            "MINIO_SECRET_KEY": "production-secret",
            "MINIO_EXTERNAL_ENDPOINT": "media.production.invalid",
            "MINIO_DEFAULT_BUCKET": "production-bucket",
        },
    }
    archive = {"BACKEND": BACKEND, "OPTIONS": {**s3_endpoint.settings(), "MINIO_MEDIA_FILES_BUCKET": bucket}}
    with override_settings(MINIO_ENDPOINT="", STORAGES=storages_setting(default=default, archive=archive)):
        storage = storages["archive"]
        assert storage.bucket == bucket
        name = storage.save("contract.txt", ContentFile(b"signed"))
        url = storage.url(name)
        assert url.startswith(f"{s3_endpoint.base_url}/{bucket}/contract.txt?")
        with urllib.request.urlopen(url) as answer:
            assert answer.read() == b"signed"


def test_a_static_storage_without_options_shares_the_default_alias_options(s3_endpoint: Endpoint, bucket: str):
    default = {"BACKEND": BACKEND, "OPTIONS": {**s3_endpoint.settings(), "MINIO_STATIC_FILES_BUCKET": bucket}}
    static = {"BACKEND": "django_minio_backend.models.MinioBackendStatic"}
    with override_settings(MINIO_ENDPOINT="", STORAGES={"default": default, "staticfiles": static}):
        storage = storages["staticfiles"]
        assert storage.bucket == bucket
        storage.save("css/site.css", ContentFile(b"body {}"))
        assert storage.open("css/site.css").read() == b"body {}"


class OwnStorage(MinioBackend):
    """A project's own subclass, as in the "OverwriteStorage" recipe."""


def test_a_default_storage_of_a_subclass_shares_its_options(s3_endpoint: Endpoint, bucket: str):
    default = {"BACKEND": f"{__name__}.OwnStorage", "OPTIONS": s3_endpoint.settings()}
    with override_settings(MINIO_ENDPOINT="", STORAGES=storages_setting(default=default)):
        on_a_field = OwnStorage(bucket_name=bucket)
        name = on_a_field.save("own.txt", ContentFile(b"own"))
        assert on_a_field.open(name).read() == b"own"


def test_the_options_of_a_default_storage_of_another_kind_are_not_read():
    other = {"BACKEND": "django.core.files.storage.InMemoryStorage", "OPTIONS": {"MINIO_ENDPOINT": "x.example:1"}}
    with override_settings(MINIO_ENDPOINT="top-level.example:9000", STORAGES=storages_setting(default=other)):
        assert MinioBackend("b").settings.connection.endpoint == "top-level.example:9000"


def test_override_options_win_over_constructor_options_and_already_read_settings():
    storage = MinioBackend("b-bucket", MINIO_ENDPOINT="own.example:9000", MINIO_REGION="eu-1")
    assert storage.settings.connection.endpoint == "own.example:9000"  # read and cached
    with override_settings(MINIO_OVERRIDE_OPTIONS={"MINIO_ENDPOINT": "override.example:9000"}):
        assert storage.settings.connection.endpoint == "override.example:9000"
        assert storage.settings.connection.region == "eu-1"  # options not overridden keep their layers
    assert storage.settings.connection.endpoint == "own.example:9000"


def test_3x_media_bucket_name_is_the_default_bucket():
    with override_settings(MINIO_MEDIA_FILES_BUCKET="media-3x"):
        assert MinioBackend().bucket == "media-3x"
    with override_settings(MINIO_MEDIA_FILES_BUCKET="media-3x", MINIO_DEFAULT_BUCKET="media-4x"):
        assert MinioBackend().bucket == "media-4x"


def test_non_default_alias_reads_its_own_options_not_defaults():
    default = {"BACKEND": BACKEND, "OPTIONS": {"MINIO_ENDPOINT": "default.example:9000", "MINIO_REGION": "eu-1"}}
    archive = {"BACKEND": BACKEND, "OPTIONS": {"MINIO_ENDPOINT": "archive.example:9000"}}
    with override_settings(STORAGES=storages_setting(default=default, archive=archive)):
        archive_storage = storages.create_storage(settings.STORAGES["archive"])
        assert archive_storage.settings.connection.endpoint == "archive.example:9000"
        assert archive_storage.settings.connection.region == "us-east-1"  # not the default alias' region
        named = MinioBackend("b-bucket", storage_name="archive")
        assert named.settings.connection.endpoint == "archive.example:9000"


def test_unknown_alias_and_unknown_option_are_clear_errors():
    with pytest.raises(ImproperlyConfigured, match="not an alias"):
        MinioBackend("b", storage_name="nope").settings
    with pytest.raises(ImproperlyConfigured, match=r"'MINIO_ENDPIONT' \(did you mean MINIO_ENDPOINT\?\)"):
        MinioBackend("b", MINIO_ENDPIONT="typo:9000").settings


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("MINIO_URL_EXPIRY_HOURS", 24, "timedelta"),
        ("MINIO_URL_EXPIRY_HOURS", timedelta(days=8), "7 days"),
        ("MINIO_MULTIPART_PART_SIZE", 1024, "5 MiB"),
        ("MINIO_PUBLIC_BUCKETS", "one-bucket", "must be a list"),
        ("MINIO_HTTP_CLIENT", object(), "PoolManager"),
        ("MINIO_CONNECT_TIMEOUT", 0, "positive"),
        ("MINIO_MAX_RETRIES", 3.7, "MINIO_MAX_RETRIES must be a whole number"),
        ("MINIO_MAX_RETRIES", -1, "MINIO_MAX_RETRIES must be a whole number"),
        ("MINIO_MAX_RETRIES", True, "MINIO_MAX_RETRIES must be a whole number"),
        ("MINIO_MAX_RETRIES", "abc", "MINIO_MAX_RETRIES must be a whole number"),
        ("MINIO_MULTIPART_PARALLEL", 3.7, "MINIO_MULTIPART_PARALLEL must be a whole number of at least 1"),
        ("MINIO_STATIC_PARALLEL_UPLOADS", 0, "MINIO_STATIC_PARALLEL_UPLOADS must be a whole number of at least 1"),
        ("MINIO_MULTIPART_THRESHOLD", "8MB", "MINIO_MULTIPART_THRESHOLD must be a whole number"),
        ("MINIO_READ_TIMEOUT", "30", "MINIO_READ_TIMEOUT must be a positive number of seconds"),
    ],
)
def test_invalid_values_name_the_option(option, value, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        MinioBackend("b", **{option: value}).settings


def test_max_retries_zero_is_allowed():
    assert MinioBackend("b", MINIO_MAX_RETRIES=0).settings.connection.max_retries == 0


def test_a_whole_number_computed_as_a_float_is_accepted():
    storage = MinioBackend("b", MINIO_URL_CACHE_TIMEOUT=timedelta(hours=8).total_seconds())
    assert storage.settings.url_cache_timeout == 28800


def test_an_invalid_max_retries_is_a_system_check_error():
    with override_settings(MINIO_MAX_RETRIES=-1):
        messages = check_configuration()
    assert [m.id for m in messages] == ["django_minio_backend.E012"]
    assert "MINIO_MAX_RETRIES" in messages[0].msg


def test_construction_repr_and_deconstruct_do_not_validate_and_the_health_check_never_raises():
    with override_settings(MINIO_ENDPOINT="", MINIO_URL_EXPIRY_HOURS=24):
        storage = MinioBackend("my-bucket", MINIO_MAX_RETRIES=-1)
        assert repr(storage) == "<MinioBackend bucket='my-bucket'>"
        assert storage.deconstruct()[2] == {"bucket_name": "my-bucket"}
        status = storage.is_minio_available()
        assert not status and status.details.startswith("not configured: MINIO_ENDPOINT is not set.")
    unimportable = MinioBackend("b", MINIO_HTTP_CLIENT="nowhere.pool").is_minio_available()
    assert not unimportable and "cannot be imported" in unimportable.details


SHARED_POOL = urllib3.PoolManager()


def test_an_import_path_of_a_pool_manager_is_imported():
    storage = MinioBackend("b", MINIO_HTTP_CLIENT=f"{__name__}.SHARED_POOL")
    assert storage.settings.connection.http_client is SHARED_POOL


def test_missing_endpoint_is_reported_on_first_use():
    storage = MinioBackend("some-bucket", MINIO_ENDPOINT="")
    with pytest.raises(ImproperlyConfigured, match="MINIO_ENDPOINT is not set"):
        storage.exists("x")


def test_settings_object_is_never_mutated(bucket: str):
    before = {name: copy.copy(getattr(settings, name)) for name in dir(settings) if name.startswith("MINIO_")}
    storage = MinioBackend(bucket, MINIO_URL_EXPIRY_HOURS=timedelta(hours=1))
    storage.url("a.txt")
    storage.save("a.txt", __import__("io").BytesIO(b"x"))
    after = {name: getattr(settings, name) for name in dir(settings) if name.startswith("MINIO_")}
    assert before == after


def test_settings_change_is_picked_up_by_existing_instances():
    storage = MinioBackend("b-bucket")
    assert storage.settings.url_expiry == timedelta(days=7)
    with override_settings(MINIO_URL_EXPIRY_HOURS=timedelta(hours=2)):
        assert storage.settings.url_expiry == timedelta(hours=2)


def test_deconstruct_keeps_bucket_and_drops_credentials(s3_endpoint: Endpoint):
    storage = MinioBackend("my-bucket", replace_existing=True, **s3_endpoint.settings())
    path, _args, kwargs = storage.deconstruct()
    assert path == "django_minio_backend.models.MinioBackend"
    assert kwargs["bucket_name"] == "my-bucket" and kwargs["replace_existing"] is True
    assert "MINIO_SECRET_KEY" not in kwargs and "MINIO_ACCESS_KEY" not in kwargs
    field = models.FileField(storage=storage)
    field.set_attributes_from_name("file")
    serialized, _ = MigrationWriter.serialize(field)
    assert s3_endpoint.secret_key not in serialized and s3_endpoint.access_key not in serialized
    assert "django_minio_backend.models.MinioBackend(bucket_name='my-bucket', replace_existing=True)" in serialized
    assert MinioBackendStatic().deconstruct()[0] == "django_minio_backend.models.MinioBackendStatic"


def test_repr_and_str_hold_no_secret(s3_endpoint: Endpoint):
    storage = MinioBackend("my-bucket", **s3_endpoint.settings())
    for text in (repr(storage), str(storage), repr(storage.settings), repr(storage.option_values())):
        assert s3_endpoint.secret_key not in text


def test_errors_never_carry_the_secret_key(s3_endpoint: Endpoint):
    storage = MinioBackend("b", **s3_endpoint.settings(), MINIO_STATIC_CACHE_CONTROL=s3_endpoint.access_key + "\n")
    with pytest.raises(ImproperlyConfigured) as raised:
        storage.settings
    assert "MINIO_STATIC_CACHE_CONTROL" in str(raised.value) and s3_endpoint.secret_key not in str(raised.value)


def test_unknown_storages_alias_is_djangos_error():
    with pytest.raises(InvalidStorageError):
        storages["does-not-exist"]


@pytest.mark.parametrize(
    ("other_alias", "arguments"),
    [
        (
            {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": "reports"}},
            {"bucket_name": "reports"},
        ),
        (
            {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"allow_overwrite": True}},
            {"allow_overwrite": True},
        ),
    ],
)
def test_an_alias_of_another_backend_with_equal_options_is_not_the_storages_alias(
    s3_endpoint: Endpoint, other_alias: dict, arguments: dict
):
    """A FileField's MinioBackend(...) shares the default alias even when a non-MinIO alias has its arguments."""
    storages_value = {
        "default": {"BACKEND": BACKEND, "OPTIONS": {**s3_endpoint.settings(), "MINIO_DEFAULT_BUCKET": "media"}},
        "other": other_alias,
    }
    blank = {"MINIO_ENDPOINT": "", "MINIO_ACCESS_KEY": "", "MINIO_SECRET_KEY": ""}
    with override_settings(STORAGES=storages_value, **blank):
        assert MinioBackend(**arguments).settings.connection.endpoint == s3_endpoint.endpoint

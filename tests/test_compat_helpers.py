"""The names and helpers 2.x-4.x code uses keep their signatures and meaning, minus the old bugs,
against the real server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.test import override_settings
from minio import Minio
from minio.datatypes import Object

import django_minio_backend.models
from django_minio_backend import BucketDoesNotExist, MinioBackend, MinioBackendError, utils
from django_minio_backend.policies import read_only_prefix

from .s3 import CountingPoolManager, Endpoint, closed_port, empty_and_remove_bucket, http_get, new_bucket_name

# Every name 2.x-4.x exported from django_minio_backend.models (and the utils names it imported).
OLD_MODEL_NAMES = [
    "MinioBackend",
    "MinioBackendStatic",
    "get_iso_date",
    "iso_date_prefix",
    "S3File",
    "MinioServerStatus",
    "PrivatePublicMixedError",
    "ConfigurationError",
    "get_setting",
    "get_storages_setting",
]


@pytest.fixture
def new_bucket(s3_client: Minio) -> Iterator[str]:
    """A bucket name that does not exist yet; removed with its objects if a test creates it."""
    name = new_bucket_name("compat")
    yield name
    empty_and_remove_bucket(s3_client, name)


def unreachable(bucket: str = "some-bucket", **options: object) -> MinioBackend:
    return MinioBackend(
        bucket, MINIO_ENDPOINT=f"127.0.0.1:{closed_port()}", MINIO_MAX_RETRIES=0, MINIO_CONNECT_TIMEOUT=1, **options
    )


def anonymous_status(endpoint: Endpoint, path: str) -> int:
    return http_get(f"{endpoint.base_url}/{path}")[0]


def test_models_exports_every_name_old_versions_exported():
    missing = [name for name in OLD_MODEL_NAMES if not hasattr(django_minio_backend.models, name)]
    assert missing == []
    assert django_minio_backend.models.iso_date_prefix(None, "cat.png").endswith("/cat.png")
    # 2.x-4.x's package imported everything of models and apps
    assert {"MinioBackend", "MinioBackendStatic", "get_iso_date", "iso_date_prefix", "DjangoMinioBackendConfig"} <= set(
        dir(django_minio_backend)
    )


# stat()


def test_stat_is_the_objects_stat_or_false_for_a_missing_object(storage: MinioBackend):
    name = storage.save("report.txt", ContentFile(b"numbers"))
    info = storage.stat(name)
    assert isinstance(info, Object)
    assert (info.size, info.content_type, info.etag) == (7, "text/plain", storage.bucket_objects.stat(name).etag)
    assert storage.stat("no/such/file.txt") is False


def test_stat_raises_for_a_missing_bucket_and_an_unreachable_server(new_bucket: str):
    with pytest.raises(BucketDoesNotExist):
        MinioBackend(new_bucket).stat("a.txt")
    with pytest.raises(MinioBackendError, match=r"refused|Connection"):
        unreachable().stat("a.txt")


# Properties


def test_bucket_publicity_and_lists(bucket: str, public_bucket: str):
    private = MinioBackend(bucket, MINIO_PRIVATE_BUCKETS=[bucket], MINIO_PUBLIC_BUCKETS=[public_bucket])
    public = MinioBackend(public_bucket, MINIO_PRIVATE_BUCKETS=[bucket], MINIO_PUBLIC_BUCKETS=[public_bucket])
    assert (private.bucket, private.is_bucket_public, public.is_bucket_public) == (bucket, False, True)
    assert ([bucket], [public_bucket]) == (public.PRIVATE_BUCKETS, public.PUBLIC_BUCKETS)


def test_client_and_base_urls_without_an_external_endpoint(storage: MinioBackend, s3_endpoint: Endpoint):
    assert isinstance(storage.client, Minio) and storage.client.bucket_exists(storage.bucket)
    assert storage.base_url == storage.base_url_external == s3_endpoint.base_url
    assert storage.same_endpoints
    assert storage.client_external is storage.client


def test_external_endpoint_urls_and_client(bucket: str, s3_endpoint: Endpoint):
    storage = MinioBackend(bucket, MINIO_EXTERNAL_ENDPOINT="cdn.example.com", MINIO_EXTERNAL_ENDPOINT_USE_HTTPS=True)
    assert storage.base_url == s3_endpoint.base_url
    assert storage.base_url_external == "https://cdn.example.com"
    assert not storage.same_endpoints
    assert storage.client_external.presigned_get_object(bucket, "a.txt").startswith(
        f"https://cdn.example.com/{bucket}/"
    )
    assert storage.url("a.txt").startswith(storage.base_url_external)


def test_new_client_reads_the_settings_again(bucket: str, s3_endpoint: Endpoint):
    storage = MinioBackend(bucket)
    first = storage.settings
    client = storage.new_client()
    assert storage.settings is not first
    assert client is storage.client and client.bucket_exists(bucket)


# Buckets and policies


def test_check_bucket_existence_creates_the_bucket_with_its_policy(new_bucket: str, s3_client: Minio, s3_endpoint):
    storage = MinioBackend(new_bucket, MINIO_PUBLIC_BUCKETS=[new_bucket])
    storage.check_bucket_existence()
    storage.check_bucket_existence()  # an existing bucket is fine
    s3_client.put_object(new_bucket, "a.txt", ContentFile(b"a"), 1)
    assert anonymous_status(s3_endpoint, f"{new_bucket}/a.txt") == 200
    assert anonymous_status(s3_endpoint, new_bucket) == 403  # public is not listable


def test_check_bucket_existences_creates_every_declared_bucket(new_bucket: str, s3_client: Minio, s3_endpoint):
    public = new_bucket + "-pub"
    storage = MinioBackend(new_bucket, MINIO_PRIVATE_BUCKETS=[new_bucket], MINIO_PUBLIC_BUCKETS=[public])
    try:
        storage.check_bucket_existences()
        for name in (new_bucket, public):
            s3_client.put_object(name, "a.txt", ContentFile(b"a"), 1)
        assert anonymous_status(s3_endpoint, f"{new_bucket}/a.txt") == 403
        assert anonymous_status(s3_endpoint, f"{public}/a.txt") == 200
    finally:
        empty_and_remove_bucket(s3_client, public)


def test_check_bucket_existences_raises_when_the_server_is_down():
    with pytest.raises(MinioBackendError, match="unreachable"):
        unreachable(MINIO_PRIVATE_BUCKETS=["some-bucket"]).check_bucket_existences()


def test_set_bucket_to_public_makes_objects_readable_but_the_bucket_not_listable(
    storage: MinioBackend, s3_endpoint: Endpoint
):
    name = storage.save("a.txt", ContentFile(b"a"))
    assert anonymous_status(s3_endpoint, f"{storage.bucket}/{name}") == 403
    storage.set_bucket_to_public()
    assert anonymous_status(s3_endpoint, f"{storage.bucket}/{name}") == 200
    assert anonymous_status(s3_endpoint, storage.bucket) == 403


def test_set_bucket_to_public_lists_only_listable_buckets(bucket: str, s3_endpoint: Endpoint):
    storage = MinioBackend(bucket, MINIO_PUBLIC_BUCKETS=[bucket], MINIO_LISTABLE_BUCKETS=[bucket])
    storage.set_bucket_to_public()
    assert anonymous_status(s3_endpoint, bucket) == 200


def test_set_bucket_policy_applies_the_policy_dict(storage: MinioBackend, s3_client: Minio, s3_endpoint):
    bucket = storage.bucket
    for name in ("published/a.txt", "draft/b.txt"):
        storage.save(name, ContentFile(b"x"))
    storage.set_bucket_policy(bucket, read_only_prefix(bucket, "published/"))
    assert json.loads(s3_client.get_bucket_policy(bucket))["Statement"]
    assert anonymous_status(s3_endpoint, f"{bucket}/published/a.txt") == 200
    assert anonymous_status(s3_endpoint, f"{bucket}/draft/b.txt") == 403


# Settings


def test_validate_settings_raises_configuration_errors(bucket: str):
    assert MinioBackend(bucket).validate_settings() is None
    with pytest.raises(utils.ConfigurationError, match="MINIO_SECRET_KEY") as raised:
        MinioBackend(bucket, MINIO_SECRET_KEY="").validate_settings()
    assert isinstance(raised.value, ImproperlyConfigured)
    with pytest.raises(utils.PrivatePublicMixedError, match="both private and public"):
        MinioBackend(bucket, MINIO_PRIVATE_BUCKETS=[bucket], MINIO_PUBLIC_BUCKETS=[bucket]).validate_settings()


def test_get_setting_and_get_storages_setting():
    assert utils.get_setting("MINIO_PRIVATE_BUCKETS") == ["django-backend-dev-private"]
    assert utils.get_setting("MINIO_NOT_A_SETTING", 42) == 42
    storages = {"media": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": {"tags": {"a": "b"}}}}
    with override_settings(STORAGES=storages):
        assert utils.get_storages_setting("media", "tags") == {"a": "b"}
        assert utils.get_storages_setting("media", "MINIO_PUBLIC_BUCKETS") == ["django-backend-dev-public"]
        assert utils.get_storages_setting("missing-alias", "MINIO_NOT_A_SETTING", "x") == "x"


def test_server_status_keeps_its_old_methods():
    status = MinioBackend("").is_minio_available()
    status.add_message("checked by the health view")
    assert status.is_available and status.details.endswith("\nchecked by the health view")


def test_stat_costs_one_request_for_an_object(bucket: str):
    counter = CountingPoolManager()
    storage = MinioBackend(bucket, MINIO_HTTP_CLIENT=counter)
    name = storage.save("a.txt", ContentFile(b"a"))
    counter.reset()
    assert storage.stat(name)
    assert counter.methods() == ["HEAD"]

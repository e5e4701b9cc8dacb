"""The static storages outside collectstatic: names, URLs, settings, content types and batches."""

from __future__ import annotations

import io
import os
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile, File
from django.test import override_settings
from minio import Minio

import django_minio_backend
import django_minio_backend.models
from django_minio_backend import BucketDoesNotExist, MinioBackendStatic, MinioManifestStaticStorage
from django_minio_backend.checks import check_collectstatic_command
from django_minio_backend.conf import MinioSettings
from django_minio_backend.mediatypes import content_type
from django_minio_backend.testing import remove_bucket

from .reliability.conftest import SMALL_PARTS, MiB
from .reliability.test_bad_input import FailingSource
from .s3 import CountingPoolManager, http_get, new_bucket_name


def test_public_names_and_import_paths():
    assert django_minio_backend.models.MinioBackendStatic is MinioBackendStatic
    assert django_minio_backend.models.MinioManifestStaticStorage is MinioManifestStaticStorage
    assert MinioBackendStatic("static").deconstruct() == (
        "django_minio_backend.models.MinioBackendStatic",
        (),
        {"bucket_name": "static"},
    )


def test_static_bucket_from_top_level_settings_or_options(public_bucket: str):
    with override_settings(MINIO_STATIC_FILES_BUCKET=public_bucket):
        assert MinioBackendStatic().bucket == public_bucket
    assert MinioBackendStatic(MINIO_STATIC_FILES_BUCKET=public_bucket).bucket == public_bucket
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "assets": {
            "BACKEND": "django_minio_backend.models.MinioBackendStatic",
            "OPTIONS": {"MINIO_STATIC_FILES_BUCKET": public_bucket},
        },
    }
    with override_settings(STORAGES=storages):
        assert MinioBackendStatic(storage_name="assets").bucket == public_bucket


def test_urls_are_plain_on_the_external_endpoint_and_cost_no_request(public_bucket: str):
    counter = CountingPoolManager()
    storage = MinioBackendStatic(
        public_bucket,
        MINIO_HTTP_CLIENT=counter,
        MINIO_EXTERNAL_ENDPOINT="cdn.example.com",
        MINIO_EXTERNAL_ENDPOINT_USE_HTTPS=True,
    )
    assert storage.url("css/a b.css") == f"https://cdn.example.com/{public_bucket}/css/a%20b.css"
    assert counter.requests == []


def test_a_save_replaces_and_carries_type_and_cache_control(public_bucket: str, s3_client: Minio):
    storage = MinioBackendStatic(public_bucket, MINIO_STATIC_CACHE_CONTROL="public, max-age=60")
    assert storage.save("app.mjs", ContentFile(b"export {};")) == "app.mjs"
    assert storage.save("app.mjs", ContentFile(b"export default 1;")) == "app.mjs"
    status, body, headers = http_get(storage.url("app.mjs"))
    assert (status, body) == (200, b"export default 1;")
    assert (headers["Content-Type"], headers["Cache-Control"]) == ("text/javascript", "public, max-age=60")
    assert [str(o.object_name) for o in s3_client.list_objects(public_bucket)] == ["app.mjs"]


def test_an_empty_cache_control_setting_stores_none(public_bucket: str):
    storage = MinioBackendStatic(public_bucket, MINIO_STATIC_CACHE_CONTROL="")
    storage.save("a.css", ContentFile(b"a{}"))
    assert "Cache-Control" not in http_get(storage.url("a.css"))[2]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.css", "text/css"),
        ("a.js", "text/javascript"),
        ("a.mjs", "text/javascript"),
        ("a.js.map", "application/json"),
        ("a.json", "application/json"),
        ("a.svg", "image/svg+xml"),
        ("a.woff", "font/woff"),
        ("a.woff2", "font/woff2"),
        ("a.ttf", "font/ttf"),
        ("a.otf", "font/otf"),
        ("a.wasm", "application/wasm"),
        ("A.PNG", "image/png"),
        ("a.js.gz", "application/gzip"),
        ("a.unknown-extension", "application/octet-stream"),
    ],
)
def test_content_types_browsers_accept(name: str, expected: str):
    assert content_type(name) == expected


def test_a_declared_content_type_wins():
    assert content_type("a.css", ContentFile(b"", name="a.css")) == "text/css"
    upload = ContentFile(b"")
    upload.content_type = "text/plain"  # type: ignore[attr-defined]
    assert content_type("a.css", upload) == "text/plain"


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("MINIO_STATIC_CACHE_CONTROL", "max-age=60\r\nX-Injected: 1"),
        ("MINIO_STATIC_HASHED_CACHE_CONTROL", 3600),
        ("MINIO_STATIC_PARALLEL_UPLOADS", 0),
    ],
)
def test_invalid_static_settings_are_named(option: str, value: object):
    with pytest.raises(ImproperlyConfigured, match=option):
        MinioSettings.load(None, {option: value})


# Batches


def test_a_batch_answers_from_one_listing(public_bucket: str, s3_client: Minio):
    s3_client.put_object(public_bucket, "css/a.css", io.BytesIO(b"a{}"), 3)
    counter = CountingPoolManager()
    storage = MinioBackendStatic(public_bucket, MINIO_HTTP_CLIENT=counter)
    with storage.batch():
        assert storage.exists("css/a.css") and not storage.exists("css/b.css")
        assert storage.size("css/a.css") == 3
        assert storage.get_modified_time("css/a.css").tzinfo is not None
        assert storage.listdir("") == (["css"], [])
        assert storage.listdir("css") == ([], ["a.css"])
        with pytest.raises(FileNotFoundError):
            storage.size("css/b.css")
    assert len(counter.requests) == 1


def test_a_batch_is_not_used_by_other_threads_or_after_it_ends(public_bucket: str, s3_client: Minio):
    storage = MinioBackendStatic(public_bucket)
    seen_by_other_thread: list[bool] = []
    with storage.batch():
        assert not storage.exists("late.css")
        s3_client.put_object(public_bucket, "late.css", io.BytesIO(b"x"), 1)
        assert not storage.exists("late.css")  # the batch's listing, by design
        thread = threading.Thread(target=lambda: seen_by_other_thread.append(storage.exists("late.css")))
        thread.start()
        thread.join()
    assert seen_by_other_thread == [True]
    assert storage.exists("late.css")


def test_a_batch_reads_its_own_writes_and_deletes_at_the_end(public_bucket: str, s3_client: Minio):
    s3_client.put_object(public_bucket, "old.css", io.BytesIO(b"old"), 3)
    storage = MinioBackendStatic(public_bucket)
    with storage.batch():
        storage.save("new.css", ContentFile(b"new"))
        storage.delete("old.css")
        assert storage.exists("new.css") and not storage.exists("old.css")
        assert storage.open("new.css").read() == b"new"
        assert s3_client.stat_object(public_bucket, "old.css").size == 3  # deletes wait for the end
    assert [str(o.object_name) for o in s3_client.list_objects(public_bucket)] == ["new.css"]


def test_a_failing_batch_keeps_the_stored_objects(public_bucket: str, s3_client: Minio):
    s3_client.put_object(public_bucket, "keep.css", io.BytesIO(b"keep"), 4)
    storage = MinioBackendStatic(public_bucket)
    with pytest.raises(RuntimeError), storage.batch():
        storage.delete("keep.css")
        raise RuntimeError("the run failed")
    assert storage.open("keep.css").read() == b"keep"


def test_a_large_save_failing_in_a_batch_keeps_the_object_it_replaces(public_bucket: str, s3_client: Minio):
    s3_client.put_object(public_bucket, "big.bin", io.BytesIO(b"old"), 3)
    storage = MinioBackendStatic(public_bucket, **SMALL_PARTS)
    with storage.batch():
        storage.delete("big.bin")  # moot once replaced, but must not be sent before the new object is stored
        with pytest.raises(ConnectionResetError):
            storage.save("big.bin", File(FailingSource(12 * MiB), "big.bin"))
        assert storage.exists("big.bin") and storage.size("big.bin") == 3  # the batch knows it is still there
    assert storage.open("big.bin").read() == b"old"


def test_a_large_save_in_a_batch_creates_a_missing_bucket_when_asked(s3_client: Minio):
    name = new_bucket_name("pub-large")
    storage = MinioBackendStatic(name, MINIO_BUCKET_CHECK_ON_SAVE=True, **SMALL_PARTS)
    data = os.urandom(6 * MiB)
    try:
        with storage.batch():
            storage.save("big.bin", ContentFile(data, "big.bin"))
        assert http_get(storage.url("big.bin"))[:2] == (200, data)  # created public, as initialize_buckets would
    finally:
        remove_bucket(s3_client, name)


def test_an_upload_failing_in_the_pool_surfaces(s3_client: Minio):
    name = "pub-vanishing-bucket"
    s3_client.make_bucket(name)
    storage = MinioBackendStatic(name)
    with pytest.raises(BucketDoesNotExist, match=name), storage.batch():
        assert not storage.exists("a.css")  # listed while the bucket existed
        s3_client.remove_bucket(name)
        storage.save("a.css", ContentFile(b"a{}"))


# The system check


STATIC_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django_minio_backend.models.MinioManifestStaticStorage"},
}


def test_no_warning_when_this_collectstatic_runs():
    with override_settings(STORAGES=STATIC_STORAGES):
        assert check_collectstatic_command() == []


def test_warning_when_djangos_collectstatic_would_run():
    apps = ["django.contrib.contenttypes", "django.contrib.staticfiles", "django_minio_backend"]
    with override_settings(STORAGES=STATIC_STORAGES, INSTALLED_APPS=apps):
        [warning] = check_collectstatic_command()
    assert warning.id == "django_minio_backend.W004"
    assert "above 'django.contrib.staticfiles'" in str(warning.hint)


def test_a_settings_change_inside_a_batch_keeps_the_batch(public_bucket: str):
    storage = MinioBackendStatic(public_bucket)
    with storage.batch():
        storage.save("a.css", ContentFile(b"a{}"))
        with override_settings(MINIO_STATIC_CACHE_CONTROL="no-cache"):
            storage.save("b.css", ContentFile(b"b{}"))
    assert storage.exists("a.css") and storage.exists("b.css")


def test_djangos_own_collectstatic_clear_works_too(public_bucket: str, tmp_path, s3_client):
    """Django's command (the W004 case) clears by asking exists("") first."""
    from django.contrib.staticfiles.management.commands.collectstatic import Command as DjangosCollectstatic
    from django.core.management import call_command

    (tmp_path / "a.css").write_bytes(b"a{}")
    s3_client.put_object(public_bucket, "old.css", io.BytesIO(b"x"), 1)
    storages_setting = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django_minio_backend.models.MinioBackendStatic"},
    }
    with override_settings(
        STATICFILES_DIRS=[str(tmp_path)],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],  # not the apps' own files
        STORAGES=storages_setting,
        MINIO_STATIC_FILES_BUCKET=public_bucket,
    ):
        call_command(DjangosCollectstatic(), "--noinput", "--clear", stdout=io.StringIO())
    assert {item.object_name for item in s3_client.list_objects(public_bucket, recursive=True)} == {"a.css"}

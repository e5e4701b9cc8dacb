"""Object parameters (``MINIO_OBJECT_PARAMETERS``, ``get_object_parameters()``) are stored with
every object, whatever writes it, and served to browsers: read back from the server and over HTTP."""

from __future__ import annotations

import gzip
import io
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import override_settings
from minio import Minio

from django_minio_backend import MinioBackend, MinioBackendStatic
from django_minio_backend.errors import MinioBackendError

from .reliability.conftest import SMALL_PARTS, MiB
from .s3 import CountingPoolManager, http_get, stored_keys
from .writes import WRITES

LARGE = 12 * MiB  # three parts of SMALL_PARTS
EXPIRES = datetime(2030, 12, 1, 16, 0, tzinfo=timezone.utc)
PARAMETERS: dict[str, Any] = {
    "Cache-Control": "public, max-age=86400",
    "Content-Disposition": 'attachment; filename="report.pdf"',
    "Content-Language": "de",
    "Content-Encoding": "identity",
    "Expires": EXPIRES,
    "Metadata": {"Project": "apollo", "x-amz-meta-owner": "ops"},
    "Tags": {"classification": "internal", "team": "a b+c/d=é"},
    "StorageClass": "STANDARD_IA",
}
SERVED = {
    "Cache-Control": "public, max-age=86400",
    "Content-Disposition": 'attachment; filename="report.pdf"',
    "Content-Language": "de",
    "Content-Encoding": "identity",
    "Expires": "Sun, 01 Dec 2030 16:00:00 GMT",
    "x-amz-meta-project": "apollo",
    "x-amz-meta-owner": "ops",
}


def lower(headers: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in dict(headers).items()}


def assert_stored_with_parameters(client: Minio, bucket: str, key: str) -> None:
    info = client.stat_object(bucket, key)
    stored = lower(info.metadata)
    assert {name.lower(): stored.get(name.lower()) for name in SERVED} == lower(SERVED)
    assert stored["x-amz-storage-class"] == "STANDARD_IA"
    assert info.content_type == "application/pdf"
    assert dict(client.get_object_tags(bucket, key) or {}) == PARAMETERS["Tags"]


# Every write path


@pytest.mark.parametrize("size", [100, LARGE], ids=["single", "multipart"])
@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_stores_the_parameters(write: str, size: int, bucket: str, s3_client: Minio, tmp_path: Path):
    storage = MinioBackend(bucket, MINIO_OBJECT_PARAMETERS=PARAMETERS, **SMALL_PARTS)
    data = os.urandom(size)
    key = WRITES[write](storage, "report.pdf", data, tmp_path)
    assert_stored_with_parameters(s3_client, bucket, key)
    assert storage.open(key).read() == data


def test_a_collectstatic_batch_stores_the_parameters_over_the_static_cache_control(
    public_bucket: str, s3_client: Minio
):
    storage = MinioBackendStatic(public_bucket, MINIO_OBJECT_PARAMETERS=PARAMETERS, **SMALL_PARTS)
    with storage.batch():
        keys = [storage.save(f"doc-{size}.pdf", ContentFile(os.urandom(size))) for size in (10, 20, LARGE)]
    for key in keys:
        assert_stored_with_parameters(s3_client, public_bucket, key)


def test_the_collectstatic_command_stores_them_and_clear_stores_new_ones(
    public_bucket: str, s3_client: Minio, tmp_path: Path
):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_bytes(b"body{}")
    staticfiles = {"BACKEND": "django_minio_backend.models.MinioBackendStatic"}
    project = {"STATICFILES_DIRS": [str(tmp_path)], "MINIO_STATIC_FILES_BUCKET": public_bucket}

    def served(parameters: dict[str, Any], *args: str) -> str:
        storages_setting = {**settings.STORAGES, "staticfiles": staticfiles}
        with override_settings(STORAGES=storages_setting, MINIO_OBJECT_PARAMETERS=parameters, **project):
            call_command("collectstatic", "--noinput", *args, stdout=io.StringIO())
            return http_get(storages["staticfiles"].url("css/app.css"))[2]["Content-Language"]

    assert served({"Content-Language": "de"}) == "de"
    assert served({"Content-Language": "fr"}) == "de"  # unchanged content is not sent again
    assert served({"Content-Language": "fr"}, "--clear") == "fr"


def test_a_top_level_setting_and_an_alias_s_options_set_them(bucket: str, s3_client: Minio):
    media = {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": {"MINIO_DEFAULT_BUCKET": bucket}}
    with override_settings(MINIO_OBJECT_PARAMETERS={"Cache-Control": "max-age=1"}):
        key = MinioBackend(bucket).save("top.txt", ContentFile(b"a"))
        assert s3_client.stat_object(bucket, key).metadata["Cache-Control"] == "max-age=1"
        media["OPTIONS"]["MINIO_OBJECT_PARAMETERS"] = {"cache-control": "max-age=2"}  # any case
        with override_settings(STORAGES={"default": media}):
            key = storages["default"].save("alias.txt", ContentFile(b"a"))
    assert s3_client.stat_object(bucket, key).metadata["Cache-Control"] == "max-age=2"


# As a browser sees them


def test_a_browser_is_served_the_parameters(public_bucket: str, bucket: str):
    body = gzip.compress(b"col\n1\n" * 100)
    parameters = {**PARAMETERS, "Content-Encoding": "gzip"}
    served = {**SERVED, "Content-Encoding": "gzip"}
    for storage in (
        MinioBackend(public_bucket, MINIO_PUBLIC_BUCKETS=[public_bucket], MINIO_OBJECT_PARAMETERS=parameters),
        MinioBackend(bucket, MINIO_OBJECT_PARAMETERS=parameters),  # a presigned URL
    ):
        key = storage.save("report.pdf", ContentFile(body))
        status, data, headers = http_get(storage.url(key))
        assert status == 200 and data == body
        assert {name: lower(headers).get(name.lower()) for name in served} == served


# Per file


class PerFile(MinioBackend):
    """CSV files are downloaded, everything else keeps the storage's parameters."""

    def get_object_parameters(self, name: str) -> dict[str, Any]:
        parameters = super().get_object_parameters(name)
        if name.endswith(".csv"):
            parameters["Content-Disposition"] = "attachment"
            parameters["Metadata"] = {"kind": "export"}
        return parameters


def test_get_object_parameters_sets_them_per_file(bucket: str, s3_client: Minio):
    storage = PerFile(bucket, MINIO_OBJECT_PARAMETERS={"Cache-Control": "max-age=60"})
    csv, txt = storage.save("export.csv", ContentFile(b"a,b")), storage.save("note.txt", ContentFile(b"hi"))
    csv_meta, txt_meta = (lower(s3_client.stat_object(bucket, key).metadata) for key in (csv, txt))
    assert (csv_meta["cache-control"], csv_meta["content-disposition"], csv_meta["x-amz-meta-kind"]) == (
        "max-age=60", "attachment", "export",
    )  # fmt: skip
    assert txt_meta["cache-control"] == "max-age=60"
    assert "content-disposition" not in txt_meta and "x-amz-meta-kind" not in txt_meta


def test_parameters_win_over_4x_options_and_static_cache_control(public_bucket: str, s3_client: Minio):
    storage = MinioBackendStatic(
        public_bucket,
        headers={"Content-Language": "en"},
        tags={"from": "options"},
        MINIO_OBJECT_PARAMETERS={"Content-Language": "fr", "Cache-Control": "no-cache", "Tags": {"from": "params"}},
    )
    key = storage.save("app.css", ContentFile(b"body{}"))
    stored = lower(s3_client.stat_object(public_bucket, key).metadata)
    assert (stored["content-language"], stored["cache-control"]) == ("fr", "no-cache")
    assert dict(s3_client.get_object_tags(public_bucket, key) or {}) == {"from": "params"}


def test_uploads_browsers_would_run_stay_attachments_unless_a_parameter_says_inline(public_bucket: str):
    class TrustedReports(MinioBackend):
        def get_object_parameters(self, name: str) -> dict[str, Any]:
            return {"Content-Disposition": "inline"} if name.startswith("reports/") else {}

    storage = TrustedReports(public_bucket, MINIO_PUBLIC_BUCKETS=[public_bucket])
    upload = storage.save("uploads/page.html", ContentFile(b"<script>1</script>"))
    report = storage.save("reports/page.html", ContentFile(b"<p>ours</p>"))
    assert http_get(storage.url(upload))[2]["Content-Disposition"] == "attachment"
    assert http_get(storage.url(report))[2]["Content-Disposition"] == "inline"


class BadPerFile(MinioBackend):
    def get_object_parameters(self, name: str) -> dict[str, Any]:
        return {"Cache-Control": "max-age=60\r\nSet-Cookie: a=b"}


def test_a_bad_per_file_parameter_fails_the_write_before_any_request(bucket: str, s3_client: Minio):
    pool = CountingPoolManager()
    storage = BadPerFile(bucket, MINIO_HTTP_CLIENT=pool, MINIO_CONDITIONAL_WRITES=True)
    with pytest.raises(ValueError, match=r"get_object_parameters\('a.txt'\)\['Cache-Control'\].*one line"):
        storage.save("a.txt", ContentFile(b"a"))
    assert pool.requests == [] and stored_keys(s3_client, bucket) == []


def test_the_parameters_cost_no_request(bucket: str):
    plain, with_parameters = CountingPoolManager(), CountingPoolManager()
    declared = {"MINIO_CONDITIONAL_WRITES": True}
    MinioBackend(bucket, MINIO_HTTP_CLIENT=plain, **declared).save("a.txt", ContentFile(b"a"))
    MinioBackend(bucket, MINIO_HTTP_CLIENT=with_parameters, MINIO_OBJECT_PARAMETERS=PARAMETERS, **declared).save(
        "b.txt", ContentFile(b"b")
    )
    assert with_parameters.methods() == plain.methods() == ["PUT"]


# Mistakes


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"CacheControl": "max-age=60"}, r"unknown parameter 'CacheControl' \(did you mean 'Cache-Control'\?\)"),
        ({"Content-Type": "text/html"}, r"\['Content-Type'\] is not an object parameter"),
        ({"ACL": "public-read"}, r"unknown parameter 'ACL'\."),
        ("max-age=60", r"must be a dict of object parameters, got str"),
        ({"Cache-Control": 60}, r"\['Cache-Control'\] must be a header value string, got int"),
        ({"Content-Language": "dé"}, r"\['Content-Language'\] must be US-ASCII"),
        ({"Expires": datetime(2030, 1, 1)}, r"\['Expires'\] must be an aware datetime"),
        ({"Metadata": ["a"]}, r"\['Metadata'\] must be a dict"),
        ({"Metadata": {"bad name": "x"}}, r"\['Metadata'\]\['bad name'\] is not a header name"),
        ({"Metadata": {"n": 1}}, r"\['Metadata'\]\['n'\] must be a string"),
        ({"Tags": {f"t{n}": "x" for n in range(11)}}, r"\['Tags'\] holds 11 tags"),
        ({"Tags": {"a": "b&c"}}, r"\['Tags'\]\['a'\] holds '&'"),
        ({"StorageClass": "standard"}, r"\['StorageClass'\] must be an S3 storage class"),
    ],
)
def test_a_bad_parameter_is_refused_naming_it(parameters: Any, message: str, bucket: str):
    with pytest.raises(ImproperlyConfigured, match=rf"MINIO_OBJECT_PARAMETERS.*{message}.*E030"):
        MinioBackend(bucket, MINIO_OBJECT_PARAMETERS=parameters).settings


def test_a_storage_class_the_server_does_not_know_fails_the_write_and_stores_nothing(bucket: str, s3_client: Minio):
    storage = MinioBackend(bucket, MINIO_OBJECT_PARAMETERS={"StorageClass": "NO_SUCH_CLASS"})
    with pytest.raises(MinioBackendError, match="InvalidStorageClass"):
        storage.save("a.txt", ContentFile(b"a"))
    assert stored_keys(s3_client, bucket) == []

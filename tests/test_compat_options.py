"""4.x's put_object options are accepted in OPTIONS and as constructor keywords, and honoured:
what they store is read back from the server for every way the storage writes an object."""

from __future__ import annotations

import copy
import io
import os
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import urllib3
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, storages
from django.test import override_settings
from minio import Minio
from minio.commonconfig import GOVERNANCE
from minio.deleteobjects import DeleteObject
from minio.error import S3Error
from minio.retention import Retention
from minio.sse import SseCustomerKey, SseS3

from django_minio_backend import MinioBackend, MinioBackendStatic
from django_minio_backend.conf import problems
from django_minio_backend.filecopy import copy_file

from .reliability.conftest import SMALL_PARTS, MiB, storage_at
from .reliability.proxy import Proxy
from .reliability.tls import Certificates
from .s3 import CountingPoolManager, Endpoint, empty_and_remove_bucket, new_bucket_name

LARGE = 12 * MiB  # three parts of SMALL_PARTS
STORED = {
    "metadata": {"Project": "apollo", "Content-Disposition": "inline"},
    "user_metadata": {"Owner": "ops"},
    "extra_headers": {"Content-Language": "en"},
    "tags": {"classification": "internal", "team": "a b+c/d=é"},
}


class Recorder(threading.Thread):
    """A progress object as minio's put_object takes one (minio 7.2.0 requires a Thread, as its own Progress is)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.meta: list[dict[str, Any]] = []
        self.updates: list[int] = []

    def set_meta(self, object_name: str, total_length: int) -> None:
        self.meta.append({"object_name": object_name, "total_length": total_length})

    def update(self, length: int) -> None:
        self.updates.append(length)


def future() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)


# Every option, with a value it accepts.
EXAMPLES: dict[str, Callable[[], Any]] = {
    "metadata": lambda: {"Project": "apollo"},
    "user_metadata": lambda: {"Project": "apollo"},
    "headers": lambda: {"Content-Disposition": "inline"},
    "extra_headers": lambda: {"Content-Language": "en"},
    "tags": lambda: {"project": "apollo"},
    "sse": SseS3,
    "progress": Recorder,
    "num_parallel_uploads": lambda: 2,
    "retention": lambda: Retention(GOVERNANCE, future()),
    "legal_hold": lambda: True,
    "write_offset": lambda: 0,
    "extra_query_params": lambda: {"purpose": "upload"},
    "checksum": lambda: "CRC32C",
    "region": lambda: "eu-central-1",
    "http_client": urllib3.PoolManager,
}


def alias(**options: Any) -> dict[str, Any]:
    return {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "media": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": options},
    }


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_option_is_accepted_as_keyword_and_in_options(name: str, bucket: str):
    assert MinioBackend(bucket, **{name: EXAMPLES[name]()}).settings
    with override_settings(STORAGES=alias(MINIO_DEFAULT_BUCKET=bucket, **{name: EXAMPLES[name]()})):
        assert storages["media"].settings


def test_the_aliases_are_the_minio_options(bucket: str):
    pool = urllib3.PoolManager()
    storage = MinioBackend(bucket, http_client=pool, num_parallel_uploads=5, region="eu-central-1")
    connection = storage.settings.connection
    assert (connection.http_client, connection.region, storage.settings.multipart_parallel) == (pool, "eu-central-1", 5)


# Stored with every object, whatever writes it


def _saved(storage: MinioBackend, data: bytes) -> str:
    return storage.save("saved.pdf", ContentFile(data))


def _written(storage: MinioBackend, data: bytes) -> str:
    with storage.open("written.pdf", "wb") as file:
        file.write(data)
    return "written.pdf"


def _created(storage: MinioBackend, data: bytes) -> str:
    storage.create("created.pdf", io.BytesIO(data))
    return "created.pdf"


def _copied(storage: MinioBackend, data: bytes, tmp_path: Path) -> str:
    (tmp_path / "copied.pdf").write_bytes(data)
    result = copy_file(FileSystemStorage(tmp_path), storage, "copied.pdf")
    assert result.status == "copied", result.reason
    return "copied.pdf"


WRITES = {"save": _saved, "write-mode": _written, "create": _created}


def assert_stored_with_options(client: Minio, bucket: str, key: str) -> None:
    info = client.stat_object(bucket, key)
    assert info.metadata["x-amz-meta-project"] == "apollo"
    assert info.metadata["x-amz-meta-owner"] == "ops"
    assert info.metadata["Content-Disposition"] == "inline"
    assert info.metadata["Content-Language"] == "en"
    assert info.content_type == "application/pdf"
    assert dict(client.get_object_tags(bucket, key) or {}) == STORED["tags"]


@pytest.mark.parametrize("size", [100, LARGE], ids=["single", "multipart"])
@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_stores_the_options(write: str, size: int, bucket: str, s3_client: Minio):
    storage = MinioBackend(bucket, **STORED, **SMALL_PARTS)
    data = os.urandom(size)
    key = WRITES[write](storage, data)
    assert_stored_with_options(s3_client, bucket, key)
    assert storage.open(key).read() == data


@pytest.mark.parametrize("size", [100, LARGE], ids=["single", "multipart"])
def test_migrated_files_are_stored_with_the_options(size: int, bucket: str, s3_client: Minio, tmp_path: Path):
    key = _copied(MinioBackend(bucket, **STORED, **SMALL_PARTS), os.urandom(size), tmp_path)
    assert_stored_with_options(s3_client, bucket, key)


def test_a_static_batch_stores_the_options(public_bucket: str, s3_client: Minio):
    storage = MinioBackendStatic(public_bucket, **STORED, **SMALL_PARTS)
    with storage.batch():
        keys = [storage.save(f"doc-{size}.pdf", ContentFile(os.urandom(size))) for size in (10, 20, LARGE)]
    for key in keys:
        assert_stored_with_options(s3_client, public_bucket, key)
        assert s3_client.stat_object(public_bucket, key).metadata["Cache-Control"] == "public, max-age=300"


def test_options_of_the_default_alias_apply_to_storages_of_that_alias(bucket: str, s3_client: Minio):
    default = {
        "BACKEND": "django_minio_backend.models.MinioBackend",
        "OPTIONS": {"MINIO_DEFAULT_BUCKET": bucket, **STORED},
    }
    with override_settings(STORAGES={**alias(), "default": default}):
        field_storage = MinioBackend(bucket_name=bucket, storage_name="default")
        key = field_storage.save("report.pdf", ContentFile(b"%PDF"))
    assert_stored_with_options(s3_client, bucket, key)


def test_a_content_type_among_the_options_has_no_effect_and_is_reported(bucket: str, s3_client: Minio):
    storage = MinioBackend(bucket, metadata={"Content-Type": "text/html"})
    assert [problem.check_id for problem in problems(storage.option_values())] == ["W006"]
    key = storage.save("avatar.png", ContentFile(b"\x89PNG"))
    assert s3_client.stat_object(bucket, key).content_type == "image/png"


def test_options_that_can_have_no_effect_are_reported_and_writes_still_work(bucket: str, s3_client: Minio):
    storage = MinioBackend(bucket, write_offset=5, extra_query_params={"a": "b"}, checksum="SHA256", tags={"a": "b"})
    found = problems(storage.option_values())
    assert [problem.check_id for problem in found] == ["W006"] * 3
    assert all(
        name in " ".join(p.message for p in found) for name in ("write_offset", "extra_query_params", "checksum")
    )
    key = storage.save("a.txt", ContentFile(b"whole"))
    assert storage.open(key).read() == b"whole"
    assert dict(s3_client.get_object_tags(bucket, key) or {}) == {"a": "b"}


# Encryption


@pytest.mark.parametrize("size", [100, LARGE], ids=["single", "multipart"])
def test_sse_s3_encrypts(size: int, bucket: str, s3_client: Minio):
    storage = MinioBackend(bucket, sse=SseS3(), **SMALL_PARTS)
    data = os.urandom(size)
    key = storage.save("secret.bin", ContentFile(data))
    assert s3_client.stat_object(bucket, key).metadata["X-Amz-Server-Side-Encryption"] == "AES256"
    assert storage.open(key).read() == data


@pytest.mark.parametrize("size", [100, LARGE], ids=["single", "multipart"])
def test_sse_c_encrypts_with_the_customer_key_over_tls(
    size: int, bucket: str, s3_client: Minio, s3_endpoint: Endpoint, tls_proxy: Proxy, certificates: Certificates
):
    key = SseCustomerKey(os.urandom(32))
    storage = storage_at(
        tls_proxy.endpoint, s3_endpoint, bucket,
        MINIO_USE_HTTPS=True, MINIO_CA_CERTS=str(certificates.ca), sse=key, **SMALL_PARTS,
    )  # fmt: skip
    data = os.urandom(size)
    name = storage.save("secret.bin", ContentFile(data))
    assert s3_client.get_object(bucket, name, ssec=key).read() == data
    with pytest.raises(S3Error):
        s3_client.get_object(bucket, name)  # unreadable without the key
    writes = [r for r in tls_proxy.requests if r.method in ("PUT", "POST") and "secret.bin" in r.target]
    assert writes and all(r.header("X-Amz-Server-Side-Encryption-Customer-Key") for r in writes)


def test_sse_c_needs_tls_and_its_key_is_never_shown(bucket: str):
    key = SseCustomerKey(b"k" * 32)
    secret = key.headers()["X-Amz-Server-Side-Encryption-Customer-Key"]
    with pytest.raises(ImproperlyConfigured, match=r"MINIO_USE_HTTPS.*E025"):
        MinioBackend(bucket, sse=key).settings
    storage = MinioBackend(bucket, sse=key, MINIO_USE_HTTPS=True)
    headers = storage._headers("a.txt", None)
    assert headers["X-Amz-Server-Side-Encryption-Customer-Key"] == secret
    assert secret not in repr(headers) + repr(storage.settings)


# Object lock: retention and legal hold


@pytest.fixture
def locked_bucket(s3_client: Minio) -> Iterator[str]:
    """A bucket with object lock; its retained and held versions are released and removed afterwards."""
    name = new_bucket_name("lock")
    s3_client.make_bucket(name, object_lock=True)
    yield name
    versions = list(s3_client.list_objects(name, recursive=True, include_version=True))
    for item in versions:
        if not item.is_delete_marker:
            s3_client.disable_object_legal_hold(name, str(item.object_name), item.version_id)
    deletes = (DeleteObject(str(item.object_name), item.version_id) for item in versions)
    assert not list(s3_client.remove_objects(name, deletes, bypass_governance_mode=True))
    empty_and_remove_bucket(s3_client, name)


@pytest.mark.parametrize("size", [100, LARGE], ids=["single", "multipart"])
def test_retention_and_legal_hold_are_stored(size: int, locked_bucket: str, s3_client: Minio):
    until = future()
    storage = MinioBackend(locked_bucket, retention=Retention(GOVERNANCE, until), legal_hold=True, **SMALL_PARTS)
    key = storage.save("record.pdf", ContentFile(os.urandom(size)))
    retention = s3_client.get_object_retention(locked_bucket, key)
    assert retention is not None and (retention.mode, retention.retain_until_date) == (GOVERNANCE, until)
    assert s3_client.is_object_legal_hold_enabled(locked_bucket, key)


# Progress and parallelism


@pytest.mark.parametrize("size", [100, LARGE], ids=["single", "multipart"])
def test_progress_is_told_as_minio_tells_it(size: int, bucket: str, s3_client: Minio):
    data = os.urandom(size)
    ours, minios = Recorder(), Recorder()
    MinioBackend(bucket, progress=ours, **SMALL_PARTS).save("a.bin", File(io.BytesIO(data), "a.bin"))
    s3_client.put_object(bucket, "a.bin", io.BytesIO(data), size, part_size=5 * MiB, progress=minios)
    assert ours.meta == minios.meta == [{"object_name": "a.bin", "total_length": size}]
    assert sum(ours.updates) == sum(minios.updates) == size


class PartsInFlight(CountingPoolManager):
    """Counts the most part uploads in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._flying = 0
        self.most = 0

    def urlopen(self, method: str, url: str, redirect: bool = True, **kw: Any) -> Any:  # type: ignore[override]
        part = method == "PUT" and "partNumber=" in url
        with self._lock:
            self._flying += part
            self.most = max(self.most, self._flying)
        try:
            return super().urlopen(method, url, redirect=redirect, **kw)
        finally:
            with self._lock:
                self._flying -= part


@pytest.mark.parametrize("parallel", [1, 2])
def test_num_parallel_uploads_bounds_the_parts_in_flight_through_http_client(parallel: int, bucket: str):
    pool = PartsInFlight()
    storage = MinioBackend(bucket, http_client=pool, num_parallel_uploads=parallel, **SMALL_PARTS)
    storage.save("a.bin", ContentFile(os.urandom(4 * 5 * MiB)))
    assert pool.methods().count("PUT") >= 4  # every request went through http_client
    assert 1 <= pool.most <= parallel


def test_the_test_plugin_sets_http_client_aside_as_it_does_minio_http_client(bucket: str):
    pool = CountingPoolManager()
    with override_settings(MINIO_OVERRIDE_OPTIONS={"MINIO_HTTP_CLIENT": None}):
        MinioBackend(bucket, http_client=pool).save("a.txt", ContentFile(b"a"))
    assert pool.requests == []


# Mistakes


@pytest.mark.parametrize(
    ("options", "check_id"),
    [
        ({"http_client": urllib3.PoolManager(), "MINIO_HTTP_CLIENT": urllib3.PoolManager()}, "E022"),
        ({"metadata": {"Colour": "rød"}}, "E023"),
        ({"headers": {"bad name": "x"}}, "E023"),
        ({"user_metadata": {"Authorization": "x"}}, "E023"),
        ({"extra_headers": {"X-Note": "line\r\nX-Injected: 1"}}, "E023"),
        ({"tags": {f"t{n}": "x" for n in range(11)}}, "E024"),
        ({"tags": {"a": 1}}, "E024"),
        ({"tags": {"a": "b&c"}}, "E024"),
        ({"sse": "AES256"}, "E025"),
        ({"retention": "GOVERNANCE"}, "E026"),
        ({"legal_hold": "ON"}, "E026"),
        ({"progress": print}, "E027"),
    ],
)
def test_a_bad_value_is_refused_with_its_id(options: dict[str, Any], check_id: str, bucket: str):
    with pytest.raises(ImproperlyConfigured, match=rf"\({'django_minio_backend.' + check_id}\)"):
        MinioBackend(bucket, **options).settings


def test_the_options_cost_no_request(bucket: str):
    plain, optioned = CountingPoolManager(), CountingPoolManager()
    declared = {"MINIO_CONDITIONAL_WRITES": True}  # no probe: its first run in a bucket costs one PUT more
    MinioBackend(bucket, MINIO_HTTP_CLIENT=plain, **declared).save("a.txt", ContentFile(b"a"))
    MinioBackend(bucket, MINIO_HTTP_CLIENT=optioned, sse=SseS3(), **declared, **STORED).save("b.txt", ContentFile(b"b"))
    assert optioned.methods() == plain.methods() == ["PUT"]


def test_a_deep_copy_shares_the_progress_object(bucket: str):
    recorder = Recorder()
    clone = copy.deepcopy(MinioBackend(bucket, progress=recorder))
    clone.save("a.txt", ContentFile(b"abc"))
    assert recorder.updates == [3]

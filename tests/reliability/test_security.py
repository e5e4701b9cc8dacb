"""Security: what anonymous users and edited URLs can do, and where the secret key must
never show up: logs, the wire, exception messages, error reports, repr(), migrations."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from django.views.debug import ExceptionReporter

from django_minio_backend import MinioBackend

from ..s3 import Endpoint, closed_port, http_get
from .conftest import storage_at
from .faults import full_text
from .proxy import Proxy


def _anonymous(method: str, url: str, body: bytes | None = None) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_private_bucket_refuses_anonymous_reads_writes_and_listing(storage: MinioBackend, s3_endpoint: Endpoint):
    name = storage.save("private.txt", ContentFile(b"private"))
    bucket_url = f"{s3_endpoint.base_url}/{storage.bucket}"
    assert _anonymous("GET", f"{bucket_url}/{name}") == 403
    assert _anonymous("GET", f"{bucket_url}/") == 403
    assert _anonymous("GET", f"{bucket_url}?list-type=2") == 403
    assert _anonymous("PUT", f"{bucket_url}/new.txt", b"intruder") == 403
    assert _anonymous("DELETE", f"{bucket_url}/{name}") == 403
    assert storage.open(name).read() == b"private" and not storage.exists("new.txt")


def test_a_public_bucket_is_readable_but_not_listable_or_writable(public_bucket: str, s3_endpoint: Endpoint):
    storage = MinioBackend(public_bucket, MINIO_PUBLIC_BUCKETS=[public_bucket])
    name = storage.save("public.txt", ContentFile(b"public"))
    bucket_url = f"{s3_endpoint.base_url}/{public_bucket}"
    assert http_get(storage.url(name))[:2] == (200, b"public")
    assert _anonymous("GET", f"{bucket_url}/") == 403
    assert _anonymous("GET", f"{bucket_url}?list-type=2") == 403
    assert _anonymous("PUT", f"{bucket_url}/new.txt", b"intruder") == 403
    assert _anonymous("DELETE", f"{bucket_url}/{name}") == 403
    assert storage.exists(name) and not storage.exists("new.txt")


def _edited(url: str, path: str | None = None, **query: str) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    params.update(query)
    return urlunsplit(parts._replace(path=path or parts.path, query=urlencode(params)))


def test_a_presigned_url_cannot_be_edited_into_another_request(storage: MinioBackend):
    mine = storage.save("mine.txt", ContentFile(b"mine"))
    other = storage.save("other.txt", ContentFile(b"other"))
    url = storage.url(mine, expires=timedelta(minutes=1))
    path = urlsplit(url).path
    assert http_get(url)[:2] == (200, b"mine")
    attempts = {
        "another object": _edited(url, path=path.replace(mine, other)),
        "another bucket": _edited(url, path=path.replace(storage.bucket, "django-backend-dev-private")),
        "a longer life": _edited(url, **{"X-Amz-Expires": "3600"}),
        "a later start": _edited(url, **{"X-Amz-Date": "20991231T000000Z"}),
        "a download header": _edited(url, **{"response-content-disposition": "attachment"}),
    }
    for what, edited in attempts.items():
        assert http_get(edited)[0] == 403, what


@pytest.fixture
def secret(s3_endpoint: Endpoint) -> str:
    return s3_endpoint.secret_key


def test_the_secret_is_never_logged_nor_sent(
    bucket: str, s3_endpoint: Endpoint, secret: str, caplog: pytest.LogCaptureFixture
):
    """DEBUG logging of the package, urllib3 and Django while saving, reading, signing, failing;
    and every byte the client sends, seen through a proxy."""
    with caplog.at_level(logging.DEBUG), Proxy(s3_endpoint.endpoint) as proxy:
        storage = storage_at(proxy.endpoint, s3_endpoint, bucket)
        name = storage.save("logged.txt", ContentFile(b"x"))
        storage.open(name).read()
        storage.url(name)
        storage.listdir("")
        storage.delete(name)
        for failure in (
            lambda: storage.open("missing.txt").read(),
            lambda: MinioBackend("no-such-bucket-here", **storage.options).save("a", ContentFile(b"x")),
            lambda: MinioBackend(bucket, **{**storage.options, "MINIO_SECRET_KEY": "wrong"}).exists("a"),
        ):
            with pytest.raises(OSError):
                failure()
        sent = b"".join(request.encode() for request in proxy.requests)
    assert "logged.txt" in caplog.text and "urllib3" in {record.name.split(".")[0] for record in caplog.records}
    assert secret not in caplog.text
    assert proxy.requests and secret.encode() not in sent


def _report(call: Callable[[], Any]) -> tuple[BaseException, str]:
    """Run ``call``; return its exception and Django's error report of it (HTML with every
    frame's local variables, as the DEBUG page and ADMINS e-mails with include_html show)."""
    try:
        call()
    except Exception as exc:
        info = sys.exc_info()
        reporter = ExceptionReporter(None, *info)
        return exc, reporter.get_traceback_html() + reporter.get_traceback_text()
    raise AssertionError("no error")


def _storages(**options: Any) -> dict[str, Any]:
    return {
        "default": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": options},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


FAILURES: dict[str, tuple[dict[str, Any], Callable[[], Any]]] = {
    "missing object": ({}, lambda: MinioBackend().open("missing.txt").read()),
    "missing bucket": ({}, lambda: MinioBackend().save("a.txt", ContentFile(b"x"))),
    "unreachable": ({"MINIO_MAX_RETRIES": 0}, lambda: MinioBackend().exists("a.txt")),
    "invalid option": ({"MINIO_URL_EXPIRY_HOURS": 5}, lambda: MinioBackend().exists("a.txt")),
    "invalid port": ({"MINIO_ENDPOINT": "127.0.0.1:99999"}, lambda: MinioBackend().exists("a.txt")),
    "unknown alias": ({}, lambda: MinioBackend(storage_name="nope").exists("a.txt")),
}


@pytest.mark.parametrize("style", ["top-level settings", "STORAGES options"])
@pytest.mark.parametrize("failure", FAILURES)
def test_the_secret_is_never_in_an_error_or_its_report(failure: str, style: str, s3_endpoint: Endpoint, secret: str):
    extra, call = FAILURES[failure]
    options = {**s3_endpoint.settings(), "MINIO_DEFAULT_BUCKET": "no-such-bucket-here", **extra}
    if failure == "unreachable":
        options["MINIO_ENDPOINT"] = f"127.0.0.1:{closed_port()}"
    if style == "top-level settings":
        settings = override_settings(**options)
    else:
        settings = override_settings(STORAGES=_storages(**options))
    with settings:
        exc, report = _report(call)
    assert secret not in full_text(exc)
    assert secret not in report, [line for line in report.splitlines() if secret in line][:3]


@pytest.fixture
def migrations_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    package = tmp_path / "generated_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    with override_settings(MIGRATION_MODULES={"testapp": "generated_migrations.testapp"}):
        yield package / "testapp"


@pytest.mark.django_db
def test_a_generated_migration_holds_no_credentials(migrations_package: Path, s3_endpoint: Endpoint, secret: str):
    """``makemigrations`` for models whose storages read credentials from settings."""
    call_command("makemigrations", "testapp", verbosity=0)
    migration = "".join(path.read_text() for path in migrations_package.glob("0*.py"))
    assert "django_minio_backend.models.MinioBackend(bucket_name='django-backend-dev-private')" in migration
    for value in (secret, s3_endpoint.access_key, s3_endpoint.endpoint):
        assert value not in migration

"""Security: what anonymous users and edited URLs can do, and where the secret key must
never show up: logs, the wire, exception messages, error reports, repr(), migrations."""

from __future__ import annotations

import copy
import logging
import pickle
import secrets
import traceback
import types
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import override_settings
from django.views.debug import ExceptionReporter

from django_minio_backend import MinioBackend
from django_minio_backend.conf import Secret

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


def _captured(call: Callable[[], Any]) -> BaseException:
    """The exception ``call`` raises (its traceback starts in this frame, which holds no secret)."""
    try:
        call()
    except Exception as exc:
        return exc
    raise AssertionError("no error")


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


def _reachable(value: object, depth: int, seen: set[int], texts: list[str]) -> None:
    """The repr of ``value`` and, ``depth`` levels down, of what it holds: dict keys and values,
    list items, and an object's ``__dict__`` and ``__slots__``, as error trackers serialise locals.
    A ``Secret`` is read by its repr alone: it is the one holder of the value, behind ``reveal()``."""
    if id(value) in seen or isinstance(value, (types.ModuleType, type, types.FunctionType)):
        return
    seen.add(id(value))
    try:
        texts.append(repr(value))
    except Exception as exc:  # what a tracker does with a repr that raises
        texts.append(f"<repr raised {exc!r}>")
    if depth == 0 or isinstance(value, (str, bytes, Secret)):
        return
    try:
        children = _children(value)
    except Exception:  # a container that refuses iteration (urllib3's pools): its attributes
        children = list(getattr(value, "__dict__", {}).values())
    for child in children:
        _reachable(child, depth - 1, seen, texts)


def _children(value: object) -> list[object]:
    if isinstance(value, Mapping):
        return [item for pair in value.items() for item in pair]
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    children = list(getattr(value, "__dict__", {}).values())
    slots = (name for cls in type(value).__mro__ for name in _slot_names(cls))
    return children + [getattr(value, name) for name in slots if hasattr(value, name)]


def _slot_names(cls: type) -> tuple[str, ...]:
    slots = getattr(cls, "__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(slots)


WALK_DEPTH = 8


def frame_walk(exc: BaseException) -> str:
    """Every local of every frame of ``exc`` and of the exceptions it was raised from, walked
    ``WALK_DEPTH`` levels into what they hold."""
    texts: list[str] = []
    seen: set[int] = set()
    for raised in _chain(exc):
        for frame, _ in traceback.walk_tb(raised.__traceback__):
            for name, value in frame.f_locals.items():
                texts.append(name)
                _reachable(value, WALK_DEPTH, seen, texts)
    return "\n".join(texts)


def leaking_locals(exc: BaseException, secrets: list[str]) -> set[tuple[str, str]]:
    """(module file name, function, local) of the frames of ``exc`` and its chain whose local's
    ``repr()`` (what Django's debug page and error trackers show) holds one of ``secrets``."""
    return {
        (Path(frame.f_code.co_filename).name, frame.f_code.co_name, name)
        for raised in _chain(exc)
        for frame, _ in traceback.walk_tb(raised.__traceback__)
        for name, value in frame.f_locals.items()
        if any(secret in repr(value) for secret in secrets)
    }


def reports(exc: BaseException) -> dict[str, str]:
    """Every way an error is shown: its message; Django's HTML report (the debug page, ADMINS
    e-mails with include_html) and text report, DEBUG on and off; a traceback with local
    variables; every frame's locals walked as error trackers walk them."""
    info = (type(exc), exc, exc.__traceback__)
    shown = {"message": full_text(exc)}
    for debug in (True, False):
        with override_settings(DEBUG=debug):
            reporter = ExceptionReporter(None, *info)
            shown[f"Django HTML report, DEBUG={debug}"] = reporter.get_traceback_html()
            shown[f"Django text report, DEBUG={debug}"] = reporter.get_traceback_text()
    shown["traceback with locals"] = "".join(traceback.TracebackException(*info, capture_locals=True).format())
    shown["frames walked"] = frame_walk(exc)
    return shown


def test_the_frame_walk_finds_a_secret_held_in_clear():
    """The walk above is strict enough to catch a secret a few objects deep."""

    class Holder:
        def __init__(self) -> None:
            self.options = {"MINIO_SECRET_KEY": ["deep-secret"]}

    def fail(holder: Holder) -> None:
        raise ValueError("boom")

    exc = _captured(lambda: fail(Holder()))
    assert "deep-secret" in frame_walk(exc)
    assert "deep-secret" in reports(exc)["Django HTML report, DEBUG=False"]


def _storages(**options: Any) -> dict[str, Any]:
    return {
        "default": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": options},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# How a project configures the storage that fails: README's 2.x style, its 4.x STORAGES style
# (Django's storages handler passes the OPTIONS to the constructor), or constructor options.
STYLES: dict[str, Callable[[dict[str, Any]], tuple[Any, Callable[[], MinioBackend]]]] = {
    "top-level settings": lambda options: (override_settings(**options), MinioBackend),
    "STORAGES options": lambda options: (override_settings(STORAGES=_storages(**options)), lambda: storages["default"]),
    "constructor options": lambda options: (override_settings(), lambda: MinioBackend(**options)),
}

OPERATIONS: dict[str, Callable[[MinioBackend], Any]] = {
    "exists": lambda storage: storage.exists("a.txt"),
    "url": lambda storage: storage.url("a.txt"),
    "save": lambda storage: storage.save("a.txt", ContentFile(b"x")),
    "read": lambda storage: storage.open("a.txt").read(),
    "listdir": lambda storage: storage.listdir(""),
}

# failure: (options that cause it, whether the secret key is a wrong one, operations that raise)
FAILURES: dict[str, tuple[dict[str, Any], bool, tuple[str, ...]]] = {
    "expiry given as hours": ({"MINIO_URL_EXPIRY_HOURS": 8}, False, ("exists", "url", "save")),
    "unimportable HTTP client": ({"MINIO_HTTP_CLIENT": "no.such.module"}, False, ("exists", "url", "save")),
    "keys refused": ({}, True, ("exists", "save", "read", "listdir")),
    "missing bucket": ({"MINIO_DEFAULT_BUCKET": "no-such-bucket-here"}, False, ("exists", "save", "read")),
    "missing object": ({}, False, ("read",)),
    "unreachable": ({"MINIO_MAX_RETRIES": 0}, False, ("exists", "save")),
    "invalid port": ({"MINIO_ENDPOINT": "127.0.0.1:99999"}, False, ("exists",)),
}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("failure", FAILURES)
def test_the_secret_is_never_in_an_error_its_report_its_frames_or_the_logs(
    failure: str, style: str, s3_endpoint: Endpoint, bucket: str, caplog: pytest.LogCaptureFixture
):
    extra, wrong_key, operations = FAILURES[failure]
    secret = ("refused-" if wrong_key else "") + secrets.token_urlsafe(18)
    server = Endpoint(s3_endpoint.endpoint, s3_endpoint.access_key, secret if wrong_key else s3_endpoint.secret_key)
    options = {**server.settings(), "MINIO_DEFAULT_BUCKET": bucket, **extra}
    if failure == "unreachable":
        options["MINIO_ENDPOINT"] = f"127.0.0.1:{closed_port()}"
    secret = str(options["MINIO_SECRET_KEY"])
    settings, storage = STYLES[style](options)
    for operation in operations:
        caplog.clear()
        with settings, caplog.at_level(logging.DEBUG):
            exc = _captured(lambda operation=operation: OPERATIONS[operation](storage()))
            shown = reports(exc)
        shown["logs at DEBUG"] = caplog.text
        leaks = {where: text for where, text in shown.items() if secret in text}
        assert not leaks, (operation, {where: _around(text, secret) for where, text in leaks.items()})


def _around(text: str, secret: str) -> str:
    at = text.index(secret)
    return text[max(0, at - 300) : at + 50]


def test_a_storage_in_use_holds_its_secret_only_as_a_secret(bucket: str, s3_endpoint: Endpoint):
    """After a save, a read, a listing, a URL and a health check, nothing the storage holds
    (options, settings, the connection, minio's client and credentials, the presigner) shows it."""
    storage = MinioBackend(bucket, **s3_endpoint.settings())
    name = storage.save("held.txt", ContentFile(b"x"))
    assert storage.open(name).read() == b"x" and storage.listdir("") == ([], [name])
    storage.url(name)
    assert storage.is_minio_available()
    texts: list[str] = []
    _reachable(storage, 12, set(), texts)
    assert s3_endpoint.secret_key not in "\n".join(texts)
    assert isinstance(storage.options["MINIO_SECRET_KEY"], Secret)
    assert storage.settings.connection.secret_key == Secret(s3_endpoint.secret_key)


def test_a_secret_is_masked_wherever_it_is_printed_and_equal_by_value():
    secret = Secret("s3cr3t-value")
    printed = [repr(secret), str(secret), f"{secret}", "%s" % secret, format(secret, ""), repr([secret])]  # noqa: UP031
    assert not any("s3cr3t-value" in text for text in printed)
    assert secret.reveal() == "s3cr3t-value" and bool(secret) and not Secret("")
    assert secret == Secret("s3cr3t-value") and hash(secret) == hash(Secret("s3cr3t-value"))
    assert secret != Secret("other") and secret != "s3cr3t-value"
    assert copy.deepcopy(secret) is secret and pickle.loads(pickle.dumps(secret)) == secret
    with pytest.raises(AttributeError):
        secret._value = "changed"  # type: ignore[misc]


def test_secrets_are_masked_as_soon_as_they_are_read(s3_endpoint: Endpoint):
    """From settings, STORAGES OPTIONS, the constructor and MINIO_OVERRIDE_OPTIONS alike; the value
    of an unknown name (a misspelt secret) too. A storage still finds its alias by its options."""
    options = {**s3_endpoint.settings(), "MINIO_SECRETKEY": "misspelt-secret", "MINIO_SESSION_TOKEN": "token-value"}
    media = MinioBackend("media-files", **options)
    assert isinstance(media.options["MINIO_SECRET_KEY"], Secret)
    assert isinstance(media.options["MINIO_SESSION_TOKEN"], Secret) and "token-value" not in repr(media.options)
    assert isinstance(media.options["MINIO_SECRETKEY"], Secret) and "misspelt-secret" not in repr(media.options)
    storages_setting = {**_storages(), "media": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": {
        **s3_endpoint.settings(), "bucket_name": "media-files"}}}  # fmt: skip
    with override_settings(STORAGES=storages_setting, MINIO_OVERRIDE_OPTIONS={"MINIO_SECRET_KEY": "from-override"}):
        values = storages["media"].option_values()
        assert values.alias == "media"
        assert values["MINIO_SECRET_KEY"] == Secret("from-override") and "from-override" not in repr(vars(values))


def test_a_secret_may_be_given_as_one(bucket: str, s3_endpoint: Endpoint):
    storage = MinioBackend(bucket, **{**s3_endpoint.settings(), "MINIO_SECRET_KEY": Secret(s3_endpoint.secret_key)})
    name = storage.save("given.txt", ContentFile(b"x"))
    assert http_get(storage.url(name))[:2] == (200, b"x")


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

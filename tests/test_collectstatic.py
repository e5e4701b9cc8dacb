"""collectstatic into the real server, with this package's command and with Django's own.

Every collected file is fetched anonymously over HTTP; requests are counted at the HTTP pool.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from django.contrib.staticfiles.management.commands.collectstatic import Command as DjangoCollectstatic
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.template import Context, Engine
from django.test import override_settings
from minio import Minio

from django_minio_backend import BucketDoesNotExist
from django_minio_backend.client import PROBE_KEY

from .s3 import CountingPoolManager, http_get, new_bucket_name, stored_keys

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"

# name: (content, the Content-Type a browser needs)
FILES: dict[str, tuple[bytes, str]] = {
    "css/app.css": (
        b'body { background: url("../img/logo.png"); }\n'
        b'@font-face { font-family: X; src: url("../fonts/x.woff2") format("woff2"); }\n',
        "text/css",
    ),
    "css/themes/dark.css": (b'.icon { background: url("../../img/icon.svg"); }\n', "text/css"),  # hashed first
    "js/app.js": (b"console.log('app');\n//# sourceMappingURL=app.js.map\n", "text/javascript"),
    "js/app.js.map": (b'{"version":3,"sources":["app.ts"],"mappings":"AAAA"}', "application/json"),
    "js/module.mjs": (b"export const answer = 42;\n", "text/javascript"),
    "img/logo.png": (PNG, "image/png"),
    "img/icon.svg": (b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', "image/svg+xml"),
    "fonts/x.woff": (b"wOFF\x00\x01\x00\x00font", "font/woff"),
    "fonts/x.woff2": (b"wOF2\x00\x01\x00\x00font", "font/woff2"),
    "fonts/x.ttf": (b"\x00\x01\x00\x00\x00\x0ffont", "font/ttf"),
    "data/config.json": (b'{"debug": false}', "application/json"),
    "site.webmanifest": (b'{"name": "site"}', "application/manifest+json"),
    "wasm/add.wasm": (b"\x00asm\x01\x00\x00\x00", "application/wasm"),
    "favicon.ico": (b"\x00\x00\x01\x00\x01\x00", "image/vnd.microsoft.icon"),
    "docs/read me ü#1.txt": (b"spaces, a hash and Unicode", "text/plain"),
}
HASHED = re.compile(r"\.[0-9a-f]{12}\.")


@pytest.fixture
def public_bucket(public_bucket: str, s3_client: Minio) -> str:
    """The public bucket, after one write: SeaweedFS makes the first concurrent writes
    into a new bucket wait about a second while it allocates storage."""
    s3_client.put_object(public_bucket, "warm-up", io.BytesIO(b"1"), 1)
    s3_client.remove_object(public_bucket, "warm-up")
    return public_bucket


@pytest.fixture
def counter() -> CountingPoolManager:
    return CountingPoolManager(maxsize=16)  # room for the parallel uploads


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = tmp_path / "static-source"
    for name, (content, _) in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def static_settings(
    bucket: str, source: Path, counter: CountingPoolManager, backend: str = "MinioBackendStatic", **options: Any
) -> override_settings:
    """Settings of a project whose staticfiles storage is ``backend`` on ``bucket``, and whose
    static files are ``source``'s only (not the apps' own, such as the direct-upload script).

    Options are top-level settings: Django 4.2's override_settings(STORAGES=...) drops
    the staticfiles OPTIONS (it also overrides the deprecated STATICFILES_STORAGE)."""
    return override_settings(
        STATICFILES_DIRS=[str(source)],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "staticfiles": {"BACKEND": f"django_minio_backend.models.{backend}"},
        },
        MINIO_STATIC_FILES_BUCKET=bucket,
        MINIO_HTTP_CLIENT=counter,
        **options,
    )


@pytest.fixture
def static(public_bucket: str, source: Path, counter: CountingPoolManager) -> Iterator[None]:
    with static_settings(public_bucket, source, counter):
        yield


@pytest.fixture
def manifest(public_bucket: str, source: Path, counter: CountingPoolManager) -> Iterator[None]:
    with static_settings(public_bucket, source, counter, "MinioManifestStaticStorage"):
        yield


def collectstatic(*args: str, command: Any = "collectstatic") -> str:
    """Run collectstatic; return its summary line."""
    return str(call_command(command, "--noinput", *args, stdout=io.StringIO())).strip()


def uploads(counter: CountingPoolManager) -> list[str]:
    """Object paths written by the counted requests."""
    return [r.url.split("?")[0] for r in counter.requests if r.method in ("PUT", "POST") and "delete" not in r.url]


def edit(path: Path, content: bytes) -> None:
    """Change a file as an editor would, a little after the last upload."""
    path.write_bytes(content)
    later = time.time() + 5
    os.utime(path, (later, later))


def test_every_collected_file_is_served_anonymously_with_its_bytes_and_type(static: None):
    summary = collectstatic()
    assert summary.startswith(f"{len(FILES)} static files copied")
    for name, (content, content_type) in FILES.items():
        url = staticfiles_storage.url(name)
        assert "X-Amz-" not in url
        status, body, headers = http_get(url)
        assert (status, body) == (200, content), name
        assert headers["Content-Type"] == content_type, name
        assert headers["Cache-Control"] == "public, max-age=300", name


def test_the_static_bucket_is_readable_but_not_listable(static: None, public_bucket: str):
    collectstatic()
    bucket_url = staticfiles_storage.url("favicon.ico").rsplit("/", 1)[0]
    assert http_get(bucket_url + "/favicon.ico")[0] == 200
    assert http_get(bucket_url)[0] == 403
    assert http_get(bucket_url + "?list-type=2")[0] == 403


def test_an_unchanged_second_run_is_one_listing_and_uploads_nothing(static: None, counter: CountingPoolManager):
    collectstatic()
    counter.reset()
    summary = collectstatic()
    assert summary.startswith(f"0 static files copied, {len(FILES)} unmodified")
    assert counter.methods() == ["GET"]
    assert "list-type=2" in counter.requests[0].url


def test_a_changed_file_is_uploaded_again_and_only_it(static: None, source: Path, counter: CountingPoolManager):
    collectstatic()
    edit(source / "css/app.css", b"body { color: red; }\n")
    counter.reset()
    assert collectstatic().startswith(f"1 static file copied, {len(FILES) - 1} unmodified")
    assert [url.rsplit("/", 2)[-2:] for url in uploads(counter)] == [["css", "app.css"]]
    assert http_get(staticfiles_storage.url("css/app.css"))[1] == b"body { color: red; }\n"


def test_files_with_a_new_time_but_the_same_content_are_not_sent(
    static: None, source: Path, counter: CountingPoolManager
):
    """A fresh checkout (every file newer than the bucket's copy) uploads nothing that is already there."""
    collectstatic()
    for name, (content, _) in FILES.items():
        edit(source / name, content)
    edit(source / "js/app.js", b"console.log('changed');\n")
    counter.reset()
    out = io.StringIO()
    call_command("collectstatic", "--noinput", stdout=out)
    assert [url.rsplit("/", 1)[-1] for url in uploads(counter)] == ["app.js"]
    lines = [line for line in out.getvalue().splitlines() if line]
    # Django counts every file it copied; the line before it says why fewer were sent.
    assert lines[-1].startswith(f"{len(FILES)} static files copied")
    assert lines[-2] == (
        f"{len(FILES) - 1} of the files copied below were already stored byte for byte in bucket "
        f"{staticfiles_storage.bucket!r}, so 1 upload(s) were sent."
    )


def test_nothing_to_explain_when_django_copied_nothing(static: None):
    collectstatic()
    out = io.StringIO()
    call_command("collectstatic", "--noinput", stdout=out)
    assert out.getvalue().strip().splitlines() == [f"0 static files copied, {len(FILES)} unmodified."]


class ConcurrencyCounter(CountingPoolManager):
    """Also records the most PUTs in flight at once."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._lock = threading.Lock()
        self._in_flight = 0
        self.most_in_flight = 0

    def urlopen(self, method: str, url: str, redirect: bool = True, **kw: Any) -> Any:  # type: ignore[override]
        with self._lock:
            self._in_flight += method == "PUT"
            self.most_in_flight = max(self.most_in_flight, self._in_flight)
        try:
            return super().urlopen(method, url, redirect=redirect, **kw)
        finally:
            with self._lock:
                self._in_flight -= method == "PUT"


def test_uploads_run_in_a_bounded_pool(public_bucket: str, source: Path):
    for number in range(40):
        (source / f"many/{number}.js").parent.mkdir(exist_ok=True)
        (source / f"many/{number}.js").write_bytes(b"x" * (1000 + number))
    counter = ConcurrencyCounter(maxsize=16)
    with static_settings(public_bucket, source, counter, MINIO_STATIC_PARALLEL_UPLOADS=3):
        collectstatic()
        assert len(uploads(counter)) == len(FILES) + 40
        assert counter.most_in_flight <= 3
        assert http_get(staticfiles_storage.url("many/39.js"))[1] == b"x" * 1039


def test_a_file_above_the_multipart_threshold(public_bucket: str, source: Path, counter: CountingPoolManager):
    data = os.urandom(6 * 1024 * 1024 + 1)
    (source / "video.mp4").write_bytes(data)
    options = {"MINIO_MULTIPART_THRESHOLD": 5 * 1024 * 1024, "MINIO_MULTIPART_PART_SIZE": 5 * 1024 * 1024}
    with static_settings(public_bucket, source, counter, **options):
        collectstatic()
        status, body, headers = http_get(staticfiles_storage.url("video.mp4"))
        assert (status, body, headers["Content-Type"]) == (200, data, "video/mp4")
        assert headers["Cache-Control"] == "public, max-age=300"
        counter.reset()
        assert collectstatic().startswith("0 static files copied")
        assert uploads(counter) == []


def test_clear_removes_what_is_no_longer_collected_at_any_depth_and_nothing_else(
    static: None, public_bucket: str, bucket: str, s3_client: Minio, counter: CountingPoolManager
):
    collectstatic()
    for stale in ("old.css", "gone/deeper/stale.js"):
        s3_client.put_object(public_bucket, stale, io.BytesIO(b"stale"), 5)
    s3_client.put_object(bucket, "media/photo.png", io.BytesIO(PNG), len(PNG))
    counter.reset()
    collectstatic("--clear")
    stored = {str(o.object_name) for o in s3_client.list_objects(public_bucket, recursive=True)}
    assert stored == set(FILES)
    assert [str(o.object_name) for o in s3_client.list_objects(bucket, recursive=True)] == ["media/photo.png"]
    assert "DELETE" not in counter.methods()  # one bulk request, not one per object
    for name, (content, _) in FILES.items():
        assert http_get(staticfiles_storage.url(name))[:2] == (200, content)


def test_clear_with_dry_run_removes_nothing(static: None, public_bucket: str, s3_client: Minio):
    collectstatic()
    s3_client.put_object(public_bucket, "old.css", io.BytesIO(b"stale"), 5)
    collectstatic("--clear", "--dry-run")
    stored = {str(o.object_name) for o in s3_client.list_objects(public_bucket, recursive=True)}
    assert stored == {*FILES, "old.css"}


def test_a_missing_bucket_is_an_error_naming_it(source: Path, counter: CountingPoolManager):
    missing = new_bucket_name("missing")
    with static_settings(missing, source, counter), pytest.raises(BucketDoesNotExist, match=missing):
        collectstatic()


def test_a_missing_bucket_is_created_public_with_bucket_check_on_save(
    source: Path, counter: CountingPoolManager, s3_client: Minio
):
    name = new_bucket_name("pub")
    try:
        with static_settings(name, source, counter, MINIO_BUCKET_CHECK_ON_SAVE=True):
            collectstatic()
            url = staticfiles_storage.url("css/app.css")
            assert http_get(url)[:2] == (200, FILES["css/app.css"][0])
            assert http_get(url.rsplit("/", 2)[0])[0] == 403  # not listable
    finally:
        for item in s3_client.list_objects(name, recursive=True):
            s3_client.remove_object(name, str(item.object_name))
        s3_client.remove_bucket(name)


COMMANDS: dict[str, Callable[[], Any]] = {"ours": lambda: "collectstatic", "Django's": DjangoCollectstatic}


# Manifest storage


def render_static(name: str) -> str:
    engine = Engine(libraries={"static": "django.templatetags.static"})
    return engine.from_string("{% load static %}{% static name %}").render(Context({"name": name}))


def test_manifest_first_run_and_static_urls_resolve_to_hashed_objects(manifest: None):
    assert not staticfiles_storage.exists("staticfiles.json")
    collectstatic()
    css_url = render_static("css/app.css")
    assert HASHED.search(css_url.rsplit("/", 1)[-1]), css_url
    status, css, headers = http_get(css_url)
    assert status == 200 and headers["Content-Type"] == "text/css"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    references = re.findall(r'url\("([^"]+)"\)', css.decode())
    assert len(references) == 2 and all(HASHED.search(ref) for ref in references)
    for reference in references:
        status, body, _ = http_get(urljoin(css_url, reference))
        assert status == 200 and body in (FILES["img/logo.png"][0], FILES["fonts/x.woff2"][0])
    js = http_get(render_static("js/app.js"))[1].decode()
    map_name = js.rsplit("sourceMappingURL=", 1)[1].strip()
    assert HASHED.search(map_name)
    for name, (content, content_type) in FILES.items():
        if name.endswith((".css", ".js")) or "#" in name:
            continue  # rewritten; Django's manifest reads "#" as a URL fragment
        status, body, headers = http_get(render_static(name))
        assert (status, body, headers["Content-Type"]) == (200, content, content_type), name
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable", name
    original = http_get(urljoin(css_url, "../img/logo.png"))  # collectstatic also stores unhashed copies
    assert original[:2] == (200, PNG) and original[2]["Cache-Control"] == "public, max-age=300"


def test_manifest_storage_sends_nothing_until_a_url_is_needed(
    public_bucket: str, source: Path, counter: CountingPoolManager
):
    with static_settings(public_bucket, source, counter, "MinioManifestStaticStorage"):
        collectstatic()
    with static_settings(public_bucket, source, counter, "MinioManifestStaticStorage"):
        counter.reset()
        staticfiles_storage._setup()
        assert counter.requests == []
        first = render_static("img/logo.png")
        assert counter.methods() == ["GET"]  # the manifest, once
        assert render_static("img/logo.png") == first
        assert counter.methods() == ["GET"]


def test_manifest_unchanged_second_run_only_lists(manifest: None, counter: CountingPoolManager):
    collectstatic()
    counter.reset()
    collectstatic()
    assert set(counter.methods()) == {"GET"}
    assert all("list-type=2" in request.url for request in counter.requests)


def test_manifest_changed_css_gets_a_new_hashed_object(manifest: None, source: Path, counter: CountingPoolManager):
    collectstatic()
    old_url = render_static("css/app.css")
    edit(source / "css/app.css", b'h1 { background: url("../img/icon.svg"); }\n')
    counter.reset()
    collectstatic()
    staticfiles_storage._setup()  # a web process started after the deploy
    new_url = render_static("css/app.css")
    assert new_url != old_url
    assert http_get(new_url)[1].startswith(b'h1 { background: url("../img/icon.')
    changed = {url.rsplit("/", 1)[-1] for url in uploads(counter)}
    assert changed == {"app.css", new_url.rsplit("/", 1)[-1], "staticfiles.json"}


def uploaded_keys(counter: CountingPoolManager, bucket: str) -> list[str]:
    """The object keys the counted PUTs wrote, one per PUT (the probe's left out)."""
    keys = [unquote(urlsplit(url).path).removeprefix(f"/{bucket}/") for url in uploads(counter)]
    return [key for key in keys if key != PROBE_KEY]


def test_manifest_first_run_uploads_each_stored_object_once(
    manifest: None, public_bucket: str, s3_client: Minio, counter: CountingPoolManager
):
    collectstatic()
    stored = stored_keys(s3_client, public_bucket)
    assert sorted(uploaded_keys(counter, public_bucket)) == sorted(stored)
    assert len(stored) == 2 * len(FILES) + 1  # each file unhashed and hashed, and the manifest
    assert not any(request.method == "GET" and "list-type" not in request.url for request in counter.requests)


# Stylesheets importing one another in both name orders: whichever order the first pass
# takes, one import is resolved before its target is rewritten, so Django needs more passes.
CHAINS: dict[str, bytes] = {
    "css/chain/a.css": b'@import url("b.css");\n',
    "css/chain/b.css": b'@import url("c.css");\n',
    "css/chain/c.css": b'.c { background: url("../../img/logo.png"); }\n',
    "css/chain/x.css": b'.x { background: url("../../img/icon.svg"); }\n',
    "css/chain/y.css": b'@import url("x.css");\n',
    "css/chain/z.css": b'@import url("y.css");\n',
}


@pytest.mark.parametrize("chained", [False, True], ids=["one pass", "chained imports"])
@pytest.mark.parametrize("keep_only_hashed", [False, True], ids=["both copies", "hashed only"])
def test_manifest_names_and_contents_are_djangos(
    public_bucket: str,
    source: Path,
    counter: CountingPoolManager,
    tmp_path: Path,
    chained: bool,
    keep_only_hashed: bool,
):
    for name, content in CHAINS.items() if chained else ():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(content)
    django_root = tmp_path / "django-static"
    with override_settings(
        STATICFILES_DIRS=[str(source)],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],  # as static_settings
        STATIC_ROOT=str(django_root),
        STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}},
    ):
        collectstatic(command=DjangoCollectstatic())
    expected = json.loads((django_root / "staticfiles.json").read_text())["paths"]
    options = {"MINIO_STATIC_KEEP_ONLY_HASHED_FILES": keep_only_hashed}
    with static_settings(public_bucket, source, counter, "MinioManifestStaticStorage", **options):
        collectstatic()
        staticfiles_storage._setup()
        assert staticfiles_storage.hashed_files == expected
        for name, hashed in expected.items():
            if "#" not in name:  # Django's manifest reads "#" as a URL fragment
                status, body, _ = http_get(staticfiles_storage.url(name))
                assert (status, body) == (200, (django_root / hashed).read_bytes()), name


@pytest.fixture
def hashed_only(public_bucket: str, source: Path, counter: CountingPoolManager) -> Iterator[None]:
    with static_settings(
        public_bucket, source, counter, "MinioManifestStaticStorage", MINIO_STATIC_KEEP_ONLY_HASHED_FILES=True
    ):
        yield


def hashed_names() -> set[str]:
    return set(staticfiles_storage.hashed_files.values())


def test_keep_only_hashed_files_stores_and_uploads_each_file_once(
    hashed_only: None, public_bucket: str, s3_client: Minio, counter: CountingPoolManager
):
    summary = collectstatic()
    assert summary.startswith("0 static files copied") and f"{len(FILES)} post-processed" in summary
    stored = stored_keys(s3_client, public_bucket)
    assert sorted(uploaded_keys(counter, public_bucket)) == sorted(stored)
    assert set(stored) == hashed_names() | {"staticfiles.json"} and len(stored) == len(FILES) + 1
    css_url = render_static("css/app.css")
    status, css, headers = http_get(css_url)
    assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for reference in re.findall(r'url\("([^"]+)"\)', css.decode()):
        assert http_get(urljoin(css_url, reference))[0] == 200
    for name, (content, content_type) in FILES.items():
        if not name.endswith((".css", ".js")) and "#" not in name:
            status, body, headers = http_get(render_static(name))
            assert (status, body, headers["Content-Type"]) == (200, content, content_type), name
    assert http_get(urljoin(css_url, "../img/logo.png"))[0] != 200  # no unhashed copy


def test_keep_only_hashed_files_second_run_only_lists(hashed_only: None, counter: CountingPoolManager):
    collectstatic()
    counter.reset()
    collectstatic()
    assert set(counter.methods()) == {"GET"}
    assert all("list-type=2" in request.url for request in counter.requests)


def test_keep_only_hashed_files_changed_css_uploads_only_its_new_hashed_object(
    hashed_only: None, source: Path, counter: CountingPoolManager, public_bucket: str
):
    collectstatic()
    edit(source / "css/app.css", b'h1 { background: url("../img/icon.svg"); }\n')
    counter.reset()
    collectstatic()
    staticfiles_storage._setup()
    new_name = staticfiles_storage.stored_name("css/app.css")
    assert sorted(uploaded_keys(counter, public_bucket)) == sorted([new_name, "staticfiles.json"])


def test_turning_keep_only_hashed_files_on_deletes_the_unhashed_copies_in_bulk(
    public_bucket: str, source: Path, counter: CountingPoolManager, s3_client: Minio
):
    with static_settings(public_bucket, source, counter, "MinioManifestStaticStorage"):
        collectstatic()
    with static_settings(
        public_bucket, source, counter, "MinioManifestStaticStorage", MINIO_STATIC_KEEP_ONLY_HASHED_FILES=True
    ):
        counter.reset()
        collectstatic()
        assert set(stored_keys(s3_client, public_bucket)) == hashed_names() | {"staticfiles.json"}
        assert uploaded_keys(counter, public_bucket) == []
        assert [r.method for r in counter.requests if "list-type" not in r.url] == ["POST"]  # one bulk delete


@pytest.mark.parametrize("command", COMMANDS)
def test_keep_only_hashed_files_with_clear_or_djangos_command(
    hashed_only: None, public_bucket: str, s3_client: Minio, command: str
):
    collectstatic(command=COMMANDS[command]())
    collectstatic("--clear", command=COMMANDS[command]())
    assert set(stored_keys(s3_client, public_bucket)) == hashed_names() | {"staticfiles.json"}
    assert http_get(render_static("img/logo.png"))[:2] == (200, PNG)


def test_keep_only_hashed_files_deletes_only_under_the_location(
    public_bucket: str, source: Path, counter: CountingPoolManager, s3_client: Minio
):
    for key in ("media/img/logo.png", "img/logo.png"):  # names a static file has, outside the prefix
        s3_client.put_object(public_bucket, key, io.BytesIO(PNG), len(PNG))
    located = {"MINIO_LOCATION": "static"}
    with static_settings(public_bucket, source, counter, "MinioManifestStaticStorage", **located):
        collectstatic()
    with static_settings(
        public_bucket,
        source,
        counter,
        "MinioManifestStaticStorage",
        MINIO_STATIC_KEEP_ONLY_HASHED_FILES=True,
        **located,
    ):
        collectstatic()
        expected = {f"static/{name}" for name in (*hashed_names(), "staticfiles.json")}
    assert set(stored_keys(s3_client, public_bucket)) == expected | {"media/img/logo.png", "img/logo.png"}


def test_keep_only_hashed_files_dry_run_stores_and_deletes_nothing(
    public_bucket: str, source: Path, counter: CountingPoolManager, s3_client: Minio
):
    with static_settings(public_bucket, source, counter, "MinioManifestStaticStorage"):
        collectstatic()
    before = sorted(stored_keys(s3_client, public_bucket))
    with static_settings(
        public_bucket, source, counter, "MinioManifestStaticStorage", MINIO_STATIC_KEEP_ONLY_HASHED_FILES=True
    ):
        collectstatic("--dry-run")
    assert sorted(stored_keys(s3_client, public_bucket)) == before


def test_keep_only_hashed_files_never_deletes_the_manifest_for_a_source_file_of_its_name(
    hashed_only: None, source: Path, public_bucket: str, s3_client: Minio
):
    (source / "staticfiles.json").write_bytes(b'{"a": "source file"}')
    collectstatic()
    staticfiles_storage._setup()
    assert "staticfiles.json" in stored_keys(s3_client, public_bucket)
    assert http_get(render_static("img/logo.png"))[:2] == (200, PNG)


def test_keep_only_hashed_files_without_post_processing_keeps_the_unhashed_copies(
    hashed_only: None, public_bucket: str, s3_client: Minio
):
    collectstatic("--no-post-process")
    assert set(stored_keys(s3_client, public_bucket)) == set(FILES)


# Times: Django's rule is "re-collect when the local file is newer than the stored one"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("use_tz", "time_zone"), [(False, "America/New_York"), (False, "Asia/Tokyo"), (True, "Asia/Tokyo")]
)
def test_modified_times_decide_correctly_in_any_time_zone(
    static: None, source: Path, command: str, use_tz: bool, time_zone: str
):
    with override_settings(USE_TZ=use_tz, TIME_ZONE=time_zone):
        collectstatic(command=COMMANDS[command]())
        assert collectstatic(command=COMMANDS[command]()).startswith(f"0 static files copied, {len(FILES)} unmodified")
        edit(source / "js/app.js", b"console.log('edited');\n")
        summary = collectstatic(command=COMMANDS[command]())
        assert summary.startswith(f"1 static file copied, {len(FILES) - 1} unmodified")
        assert http_get(staticfiles_storage.url("js/app.js"))[1] == b"console.log('edited');\n"

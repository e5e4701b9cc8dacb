"""Content types as browsers read them, and uploads that never run script on the storage's origin.

A declared type is parsed by the WHATWG rules browsers follow (Fetch's "extract a MIME type":
comma lists where the last valid type wins, parameters, case, whitespace). Then headless
Chromium opens, frames and embeds every upload, whatever its declared type and name, from a
public bucket: none may run its script.
"""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from minio import Minio
from playwright.sync_api import Browser, sync_playwright

from django_minio_backend import MinioBackend, MinioBackendStatic
from django_minio_backend.mediatypes import content_type, extract_mime_type, runs_script, split_header_value

from .s3 import Endpoint, http_get
from .test_example_site import CHROMIUM, CHROMIUM_ARGS


@pytest.mark.parametrize(
    ("header", "essence"),
    [
        ("text/html", "text/html"),
        ("TEXT/HTML; Charset=UTF-8", "text/html"),
        (" \ttext/html \r\n", "text/html"),
        ("image/png, text/html", "text/html"),  # the last valid type wins
        ("text/html, image/png", "image/png"),
        ("image/png,text/html;charset=utf-8", "text/html"),
        ("text/html, garbage", "text/html"),  # invalid values are skipped
        ("text/html, */*", "text/html"),  # so is */*
        ('image/png; x="a, text/html"', "image/png"),  # a comma in a quoted string does not split
        ('image/png; x="a\\", text/html"', "image/png"),  # nor does an escaped quote end it
        ('image/png; x="unterminated, text/html', "image/png"),
        ("image/png; x=a, text/html", "text/html"),
        ("text/html;", "text/html"),
        ("text/html ;charset=x", "text/html"),
        ("text /html", None),  # whitespace inside type or subtype is invalid
        ("text/ html", None),
        ("text/html\x0b", None),
        ("text/", None),
        ("/html", None),
        ("texthtml", None),
        ("*/*", None),
        ("", None),
        (",", None),
    ],
)
def test_a_content_type_is_read_as_browsers_read_it(header: str, essence: str | None):
    assert extract_mime_type(header) == essence


def test_header_values_split_outside_quoted_strings():
    assert split_header_value('a, "b,c" , d') == ["a", '"b,c"', "d"]
    assert split_header_value("a,") == ["a", ""]
    assert split_header_value("") == [""]


def _declared(name: str, declared: str | None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"", content_type=declared)


@pytest.mark.parametrize(
    ("name", "declared", "stored"),
    [
        ("avatar.png", "image/png, text/html", "image/png"),  # the upload
        ("avatar.png", "image/png,text/html;charset=utf-8", "image/png"),
        ("avatar.png", "text/plain, image/gif", "image/png"),  # two types are never "the" type
        ("avatar.png", "TEXT/HTML", "image/png"),
        ("avatar.png", " text/html ", "image/png"),
        ("avatar.png", "text/html;charset=utf-8", "image/png"),
        ("avatar.png", "image/svg+xml", "image/png"),
        ("avatar.png", "application/xhtml+xml", "image/png"),
        ("avatar.png", "text/xsl", "image/png"),
        ("avatar.png", "application/x-javascript", "image/png"),
        ("avatar.png", "text/jscript", "image/png"),
        ("avatar.png", "unknown/unknown", "image/png"),  # browsers sniff it: HTML if it looks so
        ("avatar.png", "multipart/x-mixed-replace; boundary=x", "image/png"),
        ("avatar.png", "*/*", "image/png"),
        ("avatar.png", "image/png\r\nX-Injected: 1", "image/png"),
        ("avatar.png", "image/gif", "image/gif"),  # one valid, inactive type is kept
        ("avatar.png", 'image/gif; x="a, b"', 'image/gif; x="a, b"'),
        ("notes", "text/html", "application/octet-stream"),
        ("page.html", "TEXT/HTML; charset=utf-8", "TEXT/HTML; charset=utf-8"),  # the name agrees
        ("page.html", "image/png, text/html", "text/html"),
        ("logo.svg", "image/svg+xml", "image/svg+xml"),
        ("report.csv", "text/csv; charset=utf-8", "text/csv; charset=utf-8"),
    ],
)
def test_a_declaration_counts_only_as_exactly_one_valid_type(name: str, declared: str, stored: str):
    assert content_type(name, _declared(name, declared)) == stored


# Names and declarations of every kind a browser may run script in, and disguises of them.
NAMES = [
    "upload.html",
    "upload.htm",
    "upload.xhtml",
    "upload.svg",
    "upload.xml",
    "upload.xsl",
    "upload.rss",
    "upload.js",
    "upload.mjs",
    "upload.png",
    "upload.txt",
    "upload",
]
DECLARED = [
    None,
    "text/html",
    "TEXT/HTML; charset=utf-8",
    " text/html ",
    "image/png, text/html",
    "image/png,text/html;charset=utf-8",
    'image/png; x="y", text/html',
    "text/plain, text/html",
    "image/png",
    "text/plain",
    "image/svg+xml",
    "application/xhtml+xml",
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/vnd.example+xml",
    "text/xsl",
    "application/xslt+xml",
    "text/javascript",
    "application/javascript",
    "application/ecmascript",
    "application/x-javascript",
    "text/ecmascript",
    "text/jscript",
    "text/livescript",
    "unknown/unknown",
    "application/unknown",
    "*/*",
    "multipart/x-mixed-replace; boundary=x",
]


class Beacon:
    """An HTTP server on loopback that records the paths requested from it: script that runs
    fetches ``/ran/<id>``. It also serves a blank page, an origin of its own to embed from."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        beacon = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                beacon.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<!doctype html><title>embedder</title>")

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def script(self, tag: str) -> bytes:
        """A document that runs its script as HTML, as XHTML and as any XML or SVG type."""
        return (
            '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>upload</p><script>'
            f'fetch("{self.url}/ran/{tag}", {{mode: "no-cors"}})</script></body></html>'
        ).encode()

    def ran(self) -> set[str]:
        return {path.removeprefix("/ran/") for path in self.paths if path.startswith("/ran/")}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def beacon() -> Iterator[Beacon]:
    beacon = Beacon()
    yield beacon
    beacon.close()


def _opened_everywhere(browser: Browser, beacon: Beacon, urls: list[str]) -> set[str]:
    """Open every URL as a page, and embed each in an iframe, an <object> and an <embed> of a
    page on another origin; the tags whose script ran."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    for url in urls:
        try:
            page.goto(url, wait_until="load", timeout=10_000)
        except Exception as exc:  # an attachment: the navigation becomes a download
            assert "Download is starting" in str(exc) or "ERR_ABORTED" in str(exc), exc
    page.goto(beacon.url + "/embedder")
    embeds = "".join(f'<iframe src="{u}"></iframe><object data="{u}"></object><embed src="{u}">' for u in urls)
    page.set_content(embeds, wait_until="load", timeout=60_000)
    page.wait_for_timeout(1000)  # a script that runs fetches at once; give stragglers a moment
    context.close()
    return beacon.ran()


def test_the_browser_runs_script_of_these_types_when_nothing_stops_it(
    browser: Browser, beacon: Beacon, public_bucket: str, s3_client: Minio, s3_endpoint: Endpoint
):
    """The control: stored directly, without the package's defences, these documents run."""
    urls = []
    for stored_type in ("text/html", "image/svg+xml", "application/xml", "text/xsl", "unknown/unknown"):
        tag = stored_type.replace("/", "_")
        body = beacon.script(tag)
        s3_client.put_object(public_bucket, tag, io.BytesIO(body), len(body), content_type=stored_type)
        urls.append(f"{s3_endpoint.base_url}/{public_bucket}/{tag}")
    assert _opened_everywhere(browser, beacon, urls) == {url.rsplit("/", 1)[1] for url in urls}


def test_no_upload_runs_script_from_a_public_bucket(browser: Browser, beacon: Beacon, public_bucket: str):
    """Every name with every declaration is saved and served. What a browser does with an answer
    depends on its headers and its body, which is the same script in each, so each distinct
    pair of Content-Type and Content-Disposition served is opened (the first upload with it)."""
    storage = MinioBackend(public_bucket, MINIO_PUBLIC_BUCKETS=[public_bucket])
    served: dict[tuple[str, str | None], tuple[str, str, str | None]] = {}
    for n, name in enumerate(NAMES):
        for d, declared in enumerate(DECLARED):
            tag = f"{n}-{d}"
            url = storage.url(storage.save(f"{tag}/{name}", SimpleUploadedFile(name, beacon.script(tag), declared)))
            status, _, headers = http_get(url)
            assert status == 200
            served.setdefault((headers["Content-Type"], headers.get("Content-Disposition")), (tag, url, declared))
    ran = _opened_everywhere(browser, beacon, [url for _, url, _ in served.values()])
    assert not ran, [(headers, declared) for headers, (tag, _, declared) in served.items() if tag in ran]
    for (media_type, disposition), (tag, _, declared) in served.items():
        assert disposition == "attachment" or not runs_script(media_type), (tag, declared)
    assert len(served) > 10  # many kinds were served, not one


def test_static_files_are_served_inline(public_bucket: str):
    """The project's own pages and images, from the static storage, open in the browser."""
    static = MinioBackendStatic(public_bucket)
    for name in ("page.html", "logo.svg"):
        status, _, headers = http_get(static.url(static.save(name, SimpleUploadedFile(name, b"<p>own</p>"))))
        assert status == 200 and "Content-Disposition" not in headers

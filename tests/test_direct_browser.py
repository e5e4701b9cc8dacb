"""Direct uploads in a real browser (Debian's chromium through Playwright) on the example site:
the bytes go from the page to the bucket, Django receives only small requests."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3
from minio import Minio
from playwright.sync_api import Browser, Page, Request

from .s3 import Endpoint
from .test_example_site import ARTIFACTS, LiveSite, _log_in
from .test_example_site import browser as browser  # the module's chromium, shared
from .test_example_site import live_site as live_site  # the example site tests' site, shared

MiB = 1024 * 1024
FEW_KIB = 4096  # the largest request Django may receive for a direct upload, headers included


@pytest.fixture(scope="module")
def site(live_site: LiveSite) -> LiveSite:
    """The example site, its buckets' CORS rules set for its origin by initialize_buckets."""
    return live_site


@pytest.fixture
def page(browser: Browser, site: LiveSite) -> Iterator[Page]:
    """A fresh browser session, signed in through the admin's login form, on the direct-upload page."""
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, site, then="/direct/")
    yield page
    context.close()


def _request_size(request: Request) -> int:
    """What Django reads of a request: its request line, headers and body."""
    headers = request.all_headers()
    head = len(f"{request.method} {request.url} HTTP/1.1\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers.items())
    return head + len(request.post_data_buffer or b"")


def _watch_progress(page: Page) -> None:
    page.evaluate(
        """() => { window.progress = []; document.addEventListener("minio-upload:progress",
        (event) => window.progress.push(event.detail.loaded)); }"""
    )


def _saved_name(page: Page) -> str:
    message = page.inner_text(".messages", timeout=5000)
    match = re.search(r"Uploaded (\S+) \((\d+) bytes\)", message)
    assert match, message
    return match.group(1)


def test_a_64_mib_file_arrives_intact_and_django_gets_only_small_requests(
    page: Page, site: LiveSite, s3_client: Minio, tmp_path: Path
):
    data = os.urandom(64 * MiB)
    path = tmp_path / "big-video.bin"
    path.write_bytes(data)
    to_django: list[tuple[str, int]] = []
    page.on(
        "request",
        lambda request: (
            to_django.append((request.url, _request_size(request))) if request.url.startswith(site.url) else None
        ),
    )
    _watch_progress(page)
    page.set_input_files("#direct input[type=file]", str(path))
    page.wait_for_selector(".minio-direct-upload[data-state=done]", timeout=120_000)
    page.screenshot(path=ARTIFACTS / "direct-01-uploaded.png", full_page=True)
    progress = page.evaluate("window.progress")
    assert len(progress) > 8 and max(progress) == len(data)  # seen along the way, up to every byte
    page.click("#direct-form button")
    page.wait_for_url(f"{site.url}/direct/")
    page.screenshot(path=ARTIFACTS / "direct-02-saved.png", full_page=True)
    name = _saved_name(page)

    response = s3_client.get_object("example-private", name)
    try:
        assert hashlib.sha256(response.read()).hexdigest() == hashlib.sha256(data).hexdigest()
    finally:
        response.close()
        response.release_conn()
    parts = [url for url, _ in to_django if url.endswith("/direct-uploads/part/")]
    assert len(parts) == 8  # 64 MiB in 8 MiB parts, each signed by Django, none sent through it
    largest = max(size for _, size in to_django)
    print(f"\nrequests Django received: {len(to_django)}, the largest {largest} bytes (headers included)")
    assert largest < FEW_KIB


def test_a_forged_token_is_refused_and_nothing_is_stored(page: Page, site: LiveSite, s3_client: Minio):
    before = {item.object_name for item in s3_client.list_objects("example-private", recursive=True)}
    page.evaluate(
        """() => { document.querySelector('.minio-direct-upload input[type=hidden]').value =
        'direct-uploads/someone-elses/key.bin'; }"""
    )
    page.click("#direct-form button")
    page.wait_for_url(f"{site.url}/direct/")
    page.screenshot(path=ARTIFACTS / "direct-04-forged.png", full_page=True)
    assert "invalid upload token" in page.inner_text(".messages", timeout=5000), page.content()[:3000]
    after = {item.object_name for item in s3_client.list_objects("example-private", recursive=True)}
    assert after == before


def test_the_admin_uploads_directly_too(page: Page, site: LiveSite, s3_client: Minio):
    page.goto(f"{site.url}/admin/uploads/largefile/add/")
    _watch_progress(page)
    page.set_input_files(
        ".minio-direct-upload input[type=file]",
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"written in the admin"}],
    )
    page.wait_for_selector(".minio-direct-upload[data-state=done]")
    page.click("input[name=_save]")
    page.wait_for_url(f"{site.url}/admin/uploads/largefile/")
    assert "was added successfully" in page.inner_text(".messagelist")
    page.screenshot(path=ARTIFACTS / "direct-03-admin.png", full_page=True)
    names = [item.object_name for item in s3_client.list_objects("example-private", recursive=True)]
    stored = [name for name in names if name and name.endswith("notes.txt") and not name.startswith("direct-uploads/")]
    assert len(stored) == 1
    response = s3_client.get_object("example-private", stored[0])
    try:
        assert response.read() == b"written in the admin"
    finally:
        response.close()
        response.release_conn()


def test_the_bucket_lets_only_the_site_origin_upload(site: LiveSite, s3_endpoint: Endpoint):
    url = f"http://{s3_endpoint.endpoint}/example-private/x"
    http = urllib3.PoolManager()
    for origin, allowed in ((site.url, True), ("http://evil.example", False)):
        headers = {"Origin": origin, "Access-Control-Request-Method": "PUT"}
        answer = http.request("OPTIONS", url, headers=headers)
        assert (answer.headers.get("Access-Control-Allow-Origin") == origin) is allowed

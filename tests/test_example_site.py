"""The example site in a real browser: Debian's headless chromium driven by Playwright.

The site runs in its own processes (migrate, initialize_buckets, collectstatic, runserver)
against the session's S3 server. Screenshots of the key pages go to test-artifacts/browser/.
chromium is required, not optional: .ci/run installs it (apt-get install chromium).
"""

from __future__ import annotations

import io
import json
import os
import secrets
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from minio import Minio
from minio.error import S3Error
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from examples.site.run_demo import ADMIN_USER, ExampleSite

from .s3 import Endpoint, closed_port, empty_and_remove_bucket, http_get

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"
EXAMPLE_BUCKETS = ("example-private", "example-public", "example-static")


@dataclass
class LiveSite:
    url: str
    admin_password: str
    s3_url: str  # where the site's links to objects point


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def live_site(s3_endpoint: Endpoint, s3_client: Minio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """The site on a free port. As in docker-compose.yml, browsers reach the S3 server under
    another name than the site does (localhost rather than 127.0.0.1), so every link followed
    below also proves that URLs are built and signed for MINIO_EXTERNAL_ENDPOINT."""
    password = secrets.token_urlsafe(12)
    port = _free_port()
    host, _, s3_port = s3_endpoint.endpoint.rpartition(":")
    external = f"localhost:{s3_port}" if host == "127.0.0.1" else s3_endpoint.endpoint
    site = ExampleSite.for_server(
        s3_endpoint.endpoint,
        s3_endpoint.access_key,
        s3_endpoint.secret_key,
        tmp_path_factory.mktemp("example-site") / "db.sqlite3",
        use_https=s3_endpoint.use_https,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_DEBUG="0",
        MINIO_EXTERNAL_ENDPOINT=external,
        EXAMPLE_SITE_ORIGINS=f"http://127.0.0.1:{port}",  # the CORS rules direct uploads need
    )
    site.prepare(password, quiet=True)
    process = site.serve(port)
    try:
        yield LiveSite(
            f"http://127.0.0.1:{port}", password, ("https://" if s3_endpoint.use_https else "http://") + external
        )
    finally:
        _stop(process)
        if os.environ.get("MINIO_TEST_ENDPOINT"):  # a server of our own is thrown away anyway
            for bucket in EXAMPLE_BUCKETS:
                empty_and_remove_bucket(s3_client, bucket)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _log_in(page: Page, site: LiveSite, then: str = "/admin/") -> None:
    """Sign in as the admin through the login form, landing on ``then``."""
    page.goto(f"{site.url}/admin/login/?next={then}")
    page.fill("#id_username", ADMIN_USER)
    page.fill("#id_password", site.admin_password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{site.url}{then}")


@pytest.fixture(scope="module")
def admin_context(browser: Browser, live_site: LiveSite) -> Iterator[BrowserContext]:
    """A browser session logged in through the admin's login form."""
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, live_site)
    page.screenshot(path=ARTIFACTS / "01-admin-index.png", full_page=True)
    page.close()
    yield context
    context.close()


@pytest.fixture
def page(admin_context: BrowserContext) -> Iterator[Page]:
    page = admin_context.new_page()
    yield page
    page.close()


@pytest.fixture
def anonymous(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser session: no cookies, no login."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _admin_upload(page: Page, site: LiveSite, model: str, name: str, body: bytes) -> None:
    page.goto(f"{site.url}/admin/uploads/{model}/add/")
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": "text/plain", "buffer": body}])
    page.click("input[name=_save]")
    page.wait_for_url(f"{site.url}/admin/uploads/{model}/")
    assert "was added successfully" in page.inner_text(".messagelist")


def _link(page: Page, section: str, name: str) -> str:
    """The URL the listing page shows for the upload whose name contains ``name``."""
    href = page.locator(f"#{section} tr.upload", has_text=name).locator("td.url a").get_attribute("href")
    assert href, f"no link for {name} in #{section}"
    return href


def _stored_name(page: Page, section: str, name: str) -> str:
    return page.locator(f"#{section} tr.upload", has_text=name).locator("td.name").inner_text().strip()


def test_admin_uploads_give_working_private_and_public_links(page: Page, anonymous: Page, live_site: LiveSite):
    private_name, public_name = f"secret-{uuid.uuid4().hex[:8]}.txt", f"notice-{uuid.uuid4().hex[:8]}.txt"
    _admin_upload(page, live_site, "privateattachment", private_name, b"for signed-in eyes only")
    page.screenshot(path=ARTIFACTS / "02-admin-private-added.png", full_page=True)
    _admin_upload(page, live_site, "publicattachment", public_name, b"for everyone")

    page.goto(live_site.url)
    page.screenshot(path=ARTIFACTS / "03-listing.png", full_page=True)
    private_url, public_url = _link(page, "private", private_name), _link(page, "public", public_name)
    assert private_url.startswith(f"{live_site.s3_url}/example-private/") and "X-Amz-Signature=" in private_url
    assert public_url.startswith(f"{live_site.s3_url}/example-public/") and "X-Amz-" not in public_url

    response = page.goto(private_url)
    assert response is not None and response.status == 200
    assert response.body() == b"for signed-in eyes only"
    page.screenshot(path=ARTIFACTS / "04-private-presigned.png")

    refused = anonymous.goto(private_url.split("?")[0])
    assert refused is not None and refused.status == 403
    anonymous.screenshot(path=ARTIFACTS / "05-private-unsigned-refused.png")

    opened = anonymous.goto(public_url)
    assert opened is not None and opened.status == 200
    assert opened.body() == b"for everyone"

    anonymous.goto(live_site.url)
    assert anonymous.locator("#public tr.upload", has_text=public_name).locator("td.url a").count() == 1
    assert anonymous.locator("#private tr.upload", has_text=private_name).locator("td.url a").count() == 0
    assert anonymous.locator("button", has_text="Delete").count() == 0


def test_deleting_from_the_page_removes_the_object_from_the_bucket(page: Page, live_site: LiveSite, s3_client: Minio):
    name = f"short-lived-{uuid.uuid4().hex[:8]}.txt"
    page.goto(live_site.url)
    page.set_input_files("#private input[type=file]", files=[{"name": name, "mimeType": "text/plain", "buffer": b"x"}])
    page.locator("#private .upload-form button").click()
    page.wait_for_load_state()
    key = _stored_name(page, "private", name)
    assert s3_client.stat_object("example-private", key).size == 1

    page.locator("#private tr.upload", has_text=name).locator("button", has_text="Delete").click()
    page.wait_for_load_state()
    page.screenshot(path=ARTIFACTS / "06-after-delete.png", full_page=True)
    assert f"Deleted {key}" in page.inner_text(".messages")
    assert page.locator("#private tr.upload", has_text=name).count() == 0
    with pytest.raises(S3Error) as missing:
        s3_client.stat_object("example-private", key)
    assert missing.value.code == "NoSuchKey"


def test_image_upload_is_validated_records_dimensions_and_displays(page: Page, live_site: LiveSite):
    png = io.BytesIO()
    Image.new("RGB", (64, 24), "crimson").save(png, "PNG")
    name = f"banner-{uuid.uuid4().hex[:8]}.png"
    page.goto(live_site.url)
    not_an_image = {"name": "fake.png", "mimeType": "image/png", "buffer": b"not an image"}
    page.set_input_files("#image input[type=file]", files=[not_an_image])
    page.locator("#image .upload-form button").click()
    page.wait_for_load_state()
    assert "Upload a valid image" in page.inner_text(".messages")
    upload = {"name": name, "mimeType": "image/png", "buffer": png.getvalue()}
    page.set_input_files("#image input[type=file]", files=[upload])
    page.locator("#image .upload-form button").click()
    page.wait_for_load_state()
    row = page.locator("#image tr.upload", has_text=name)
    assert "64\N{MULTIPLICATION SIGN}24" in row.inner_text()
    image = row.locator("img")
    image.evaluate("img => img.complete || new Promise(resolve => img.addEventListener('load', resolve))")
    assert image.evaluate("img => img.naturalWidth") == 64
    page.screenshot(path=ARTIFACTS / "07-image.png", full_page=True)


def test_pages_are_styled_from_the_static_bucket(anonymous: Page, live_site: LiveSite):
    styles: list[tuple[str, int]] = []
    anonymous.on("response", lambda r: styles.append((r.url, r.status)) if r.url.endswith(".css") else None)
    anonymous.goto(f"{live_site.url}/admin/login/")
    anonymous.screenshot(path=ARTIFACTS / "00-admin-login.png")
    static_prefix = f"{live_site.s3_url}/example-static/admin/css/"
    assert any(url.startswith(static_prefix) and status == 200 for url, status in styles), styles


def test_health_endpoint_reports_the_server(live_site: LiveSite, s3_endpoint: Endpoint, tmp_path: Path):
    status, body, _ = http_get(f"{live_site.url}/health")
    assert status == 200
    assert json.loads(body)["available"] is True

    down = ExampleSite.for_server(f"127.0.0.1:{closed_port()}", "key", "secret", tmp_path / "db.sqlite3")
    port = _free_port()
    process = down.serve(port)
    try:
        status, body, _ = http_get(f"http://127.0.0.1:{port}/health")
    finally:
        _stop(process)
    assert status == 503
    answer = json.loads(body)
    assert answer["available"] is False
    assert "unreachable" in answer["details"]
    assert "secret" not in body.decode()


def test_every_section_explains_itself_and_long_links_are_short_with_a_copy_button(
    browser: Browser, live_site: LiveSite
):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], base_url=live_site.url)
    page = context.new_page()
    _log_in(page, live_site, then="/")
    name = f"copy-me-{uuid.uuid4().hex[:8]}.txt"
    page.set_input_files("#private input[type=file]", files=[{"name": name, "mimeType": "text/plain", "buffer": b"c"}])
    page.locator("#private .upload-form button").click()
    page.wait_for_load_state()
    for section in ("private", "public", "image"):
        assert len(page.inner_text(f"#{section} .explanation")) > 40, section
    row = page.locator("#private tr.upload", has_text=name)
    link = row.locator("td.url a")
    full_url = link.get_attribute("href")
    assert full_url is not None and "X-Amz-Signature=" in full_url
    assert link.get_attribute("title") == full_url
    assert len(link.inner_text()) <= 60 < len(full_url)  # shown short, on one line
    button = row.locator("button.copy")
    button.click()
    page.wait_for_function("button => button.textContent === 'Copied'", arg=button.element_handle())
    assert page.evaluate("navigator.clipboard.readText()") == full_url
    page.screenshot(path=ARTIFACTS / "08-copy-button.png", full_page=True)
    context.close()

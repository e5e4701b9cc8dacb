"""Presigned uploads in virtual-host style (``bucket.host``), sent to a SeaweedFS that knows its
domain name (the fixtures of tests/test_custom_domain.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

import urllib3

from django_minio_backend import MinioBackend

from .test_custom_domain import virtual_server as virtual_server  # the module's SeaweedFS, shared
from .test_custom_domain import virtual_storage as virtual_storage


def _send_on_loopback(method: str, url: str, body: bytes, headers: dict[str, str]) -> int:
    """Send to 127.0.0.1 with the URL's own Host header (``bucket.localhost`` need not resolve)."""
    parts = urlsplit(url)
    pool = urllib3.HTTPConnectionPool("127.0.0.1", parts.port)
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    return pool.urlopen(method, target, body=body, headers={**headers, "Host": parts.netloc}).status


def test_virtual_style_put_and_post_uploads_name_the_bucket_in_the_host(virtual_storage: MinioBackend):
    bucket = virtual_storage.bucket
    put = virtual_storage.presigned_put("direct-uploads/a/photo.png", content_type="image/png")
    assert urlsplit(put.url).netloc.startswith(f"{bucket}.")
    assert _send_on_loopback("PUT", put.url, b"png", put.headers) == 200

    post = virtual_storage.presigned_post("direct-uploads/b/t.csv", max_size=10, content_type="text/csv")
    assert urlsplit(post.url).netloc.startswith(f"{bucket}.") and urlsplit(post.url).path == "/"
    fields = {**post.fields, "file": ("t.csv", b"a,b", "text/csv")}
    body, content_type = urllib3.encode_multipart_formdata(fields)
    assert _send_on_loopback("POST", post.url, body, {"Content-Type": content_type}) == 204

    assert virtual_storage.open("direct-uploads/a/photo.png").read() == b"png"
    assert virtual_storage.open("direct-uploads/b/t.csv").read() == b"a,b"

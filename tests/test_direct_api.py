"""Presigned uploads from the server side: POST policies, PUT URLs and moving an upload to a
free name, each sent to the real server as a browser would send it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import urllib3
from django.core.files.base import ContentFile

from django_minio_backend import MinioBackend

from .s3 import CountingPoolManager, stored_keys

HTTP = urllib3.PoolManager()


def _post(storage: MinioBackend, data: bytes, sent_type: str, **policy) -> int:
    post = storage.presigned_post(**policy)
    fields = {**post.fields, "Content-Type": sent_type, "file": ("upload.bin", data, sent_type)}
    return HTTP.request("POST", post.url, fields=fields).status


def test_post_policy_upload_is_stored_with_its_type(storage: MinioBackend, s3_client, bucket):
    assert _post(storage, b"a,b\n", "text/csv", name="in/report.csv", max_size=100, content_type="text/csv") == 204
    assert storage.open("in/report.csv").read() == b"a,b\n"
    assert s3_client.stat_object(bucket, "in/report.csv").content_type == "text/csv"


def test_post_policy_with_a_key_prefix_takes_the_file_name(storage: MinioBackend):
    assert _post(storage, b"x", "image/png", key_prefix="up/7/", max_size=10, content_type="image/") == 204
    assert storage.exists("up/7/upload.bin")


@pytest.mark.parametrize(
    ("data", "content_type", "policy"),
    [
        (b"x" * 101, "text/csv", {"max_size": 100}),  # over the size limit
        (b"x", "text/csv", {"max_size": 100, "min_size": 2}),  # under it
        (b"x", "text/html", {"max_size": 100, "content_type": "text/csv"}),  # another type
        (b"x", "text/html", {"max_size": 100, "content_type": "image/"}),  # outside the family
        (b"x", "text/csv", {"max_size": 100, "expires": timedelta(seconds=1), "sleep": 2.5}),  # expired
    ],
    ids=["too-large", "too-small", "other-type", "other-family", "expired"],
)
def test_post_policy_conditions_are_enforced_by_the_server(storage, bucket, s3_client, data, content_type, policy):
    delay = policy.pop("sleep", 0)
    post = storage.presigned_post("in/x.csv", **policy)
    time.sleep(delay)
    fields = {**post.fields, "Content-Type": content_type, "file": ("x.csv", data, content_type)}
    assert HTTP.request("POST", post.url, fields=fields).status in (400, 403)
    assert stored_keys(s3_client, bucket) == []


def test_post_policy_key_cannot_be_changed(storage, bucket, s3_client):
    post = storage.presigned_post("in/mine.txt", max_size=10)
    fields = {**post.fields, "key": "in/yours.txt", "Content-Type": "text/plain", "file": ("f", b"x", "text/plain")}
    assert HTTP.request("POST", post.url, fields=fields).status == 403
    assert stored_keys(s3_client, bucket) == []


def test_post_policy_refuses_what_a_policy_cannot_say(storage):
    with pytest.raises(ValueError, match="exactly one"):
        storage.presigned_post(max_size=10)
    with pytest.raises(ValueError, match="one type"):
        storage.presigned_post("a", max_size=10, content_type="image/png, text/html")
    with pytest.raises(ValueError, match="5 GiB"):
        storage.presigned_post("a", max_size=6 * 1024**3)
    with pytest.raises(ValueError, match="7 days"):
        storage.presigned_post("a", max_size=10, expires=timedelta(days=8))


def test_presigned_put_stores_and_requires_its_signed_headers(storage, s3_client, bucket):
    put = storage.presigned_put("in/photo.png", content_type="image/png")
    assert put.headers == {"If-None-Match": "*", "Content-Type": "image/png"}
    assert HTTP.request("PUT", put.url, body=b"png", headers={"Content-Type": "text/html"}).status == 403
    assert HTTP.request("PUT", put.url, body=b"png", headers=put.headers).status == 200
    assert s3_client.stat_object(bucket, "in/photo.png").content_type == "image/png"
    # the no-overwrite condition is signed: a second PUT of the same URL is refused
    assert HTTP.request("PUT", put.url, body=b"other", headers=put.headers).status == 412
    assert storage.open("in/photo.png").read() == b"png"


def test_url_with_method_put_needs_no_header_and_replaces(storage: MinioBackend):
    storage.save("doc.txt", ContentFile(b"old"))
    url = storage.url("doc.txt", method="PUT", expires=timedelta(minutes=5))
    assert "X-Amz-Expires=300" in url
    assert HTTP.request("PUT", url, body=b"new").status == 200
    assert storage.open("doc.txt").read() == b"new"
    with pytest.raises(ValueError, match="method must be"):
        storage.url("doc.txt", method="DELETE")


def test_expired_presigned_put_is_refused(storage, s3_client, bucket):
    put = storage.presigned_put("late.txt", expires=timedelta(seconds=1))
    time.sleep(2.5)
    assert HTTP.request("PUT", put.url, body=b"x", headers=put.headers).status == 403
    assert stored_keys(s3_client, bucket) == []


def test_signing_uploads_sends_no_request(bucket: str):
    counter = CountingPoolManager()
    storage = MinioBackend(bucket, MINIO_HTTP_CLIENT=counter)
    storage.presigned_post("a.txt", max_size=10)
    storage.presigned_put("a.txt", content_type="text/plain")
    storage.url("a.txt", method="PUT")
    assert counter.requests == []


def test_adopt_moves_to_a_free_name_and_never_overwrites(storage: MinioBackend, s3_client, bucket):
    storage.save("docs/report.html", ContentFile(b"taken"))
    storage.save("direct-uploads/abc/report.html", ContentFile(b"<p>uploaded</p>"))
    name = storage.adopt("direct-uploads/abc/report.html", "docs/report.html")
    assert name != "docs/report.html" and name.startswith("docs/report_") and name.endswith(".html")
    assert storage.open("docs/report.html").read() == b"taken"
    assert storage.open(name).read() == b"<p>uploaded</p>"
    assert not storage.exists("direct-uploads/abc/report.html")
    # stored with the headers a save of the final name stores
    assert s3_client.stat_object(bucket, name).metadata["Content-Disposition"] == "attachment"


def test_adopt_of_a_missing_upload_is_file_not_found(storage: MinioBackend):
    with pytest.raises(FileNotFoundError):
        storage.adopt("direct-uploads/none/x.txt", "x.txt")
    assert not storage.exists("x.txt")


def test_uploads_and_moves_stay_within_the_storage_location(bucket: str, s3_client):
    storage = MinioBackend(bucket, location="media")
    put = storage.presigned_put("direct-uploads/x/photo.png", content_type="image/png")
    assert HTTP.request("PUT", put.url, body=b"png", headers=put.headers).status == 200
    assert _post(storage, b"a,b", "text/csv", name="direct-uploads/y/t.csv", max_size=10) == 204
    assert storage.adopt("direct-uploads/x/photo.png", "photos/photo.png") == "photos/photo.png"
    assert stored_keys(s3_client, bucket) == ["media/direct-uploads/y/t.csv", "media/photos/photo.png"]
    assert storage.open("photos/photo.png").read() == b"png"


def test_a_customer_key_storage_refuses_browser_uploads(bucket: str):
    from minio.sse import SseCustomerKey

    storage = MinioBackend(bucket, MINIO_USE_HTTPS=True, sse=SseCustomerKey(b"k" * 32))
    for sign in (lambda: storage.presigned_put("a.txt"), lambda: storage.presigned_post("a.txt", max_size=1)):
        with pytest.raises(NotImplementedError, match="customer key"):
            sign()

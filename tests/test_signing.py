"""Our SigV4 presigner: the server accepts what it signs, and refuses anything edited."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from minio import Minio

from django_minio_backend import MinioBackend
from django_minio_backend.conf import Secret
from django_minio_backend.credentials import SigningCredentials
from django_minio_backend.signing import Presigner, uri_encode

from .s3 import CountingPoolManager, Endpoint, http_get

AWKWARD_NAMES = [
    "plain.txt",
    "with space/and  two spaces.txt",
    "ünïcödé/日本語 ファイル.txt",
    "a+b=c.txt",
    "100% sure.txt",
    "hash#tag.txt",
    "question?mark.txt",
    "amp&ersand;semi.txt",
    "quote'double\"back`tick.txt",
    "brackets[{(<>)}]|pipe^caret.txt",
    "tilde~star*excl!at@dollar$comma,colon:.txt",
    "emoji 🎉.txt",
    "deep/er/path/x.txt",
]


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_presigned_urls_of_awkward_names_are_accepted_by_the_server(storage: MinioBackend, name: str):
    stored = storage.save(name, ContentFile(name.encode()))
    assert stored == name
    assert http_get(storage.url(name))[:2] == (200, name.encode())


def test_response_header_overrides_are_signed_and_applied(storage: MinioBackend):
    storage.save("report.csv", ContentFile(b"a,b\n"))
    url = storage.url(
        "report.csv",
        response_headers={
            "Content-Disposition": 'attachment; filename="r é+&.csv"',
            "Content-Type": "text/csv; charset=utf-8",
            "Cache-Control": "max-age=60, private",
            "Content-Language": "en",
        },
    )
    status, body, headers = http_get(url)
    assert (status, body) == (200, b"a,b\n")
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Cache-Control"] == "max-age=60, private"
    assert headers["Content-Language"] == "en"
    assert headers["Content-Disposition"].encode("latin-1").decode() == 'attachment; filename="r é+&.csv"'


def _edited(url: str, **replace: str) -> str:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    for name, value in replace.items():
        if name == "path":
            parts = parts._replace(path=value)
        else:
            query[name.replace("_", "-")] = [value]
    encoded = "&".join(f"{k}={uri_encode(v[0])}" for k, v in query.items())
    return parts._replace(query=encoded).geturl()


def test_an_edited_url_is_refused(storage: MinioBackend, bucket: str):
    storage.save("mine.txt", ContentFile(b"mine"))
    storage.save("other.txt", ContentFile(b"other"))
    url = storage.url("mine.txt", response_headers={"Content-Type": "text/plain"})
    assert http_get(_edited(url))[:2] == (200, b"mine")  # re-encoding alone changes nothing
    assert http_get(_edited(url, path=f"/{bucket}/other.txt"))[0] == 403
    assert http_get(_edited(url, X_Amz_Expires="604799"))[0] == 403
    assert http_get(_edited(url, response_content_type="text/html"))[0] == 403


def test_a_url_signed_with_another_secret_is_refused(storage: MinioBackend, s3_endpoint: Endpoint, bucket: str):
    storage.save("guarded.txt", ContentFile(b"guarded"))
    endpoint, https, access_key = s3_endpoint.endpoint, s3_endpoint.use_https, s3_endpoint.access_key
    forged = Presigner(endpoint, https, SigningCredentials(access_key, Secret("not-the-secret")), "us-east-1")
    assert http_get(forged.presign_get(bucket, "guarded.txt", 60))[0] == 403


def test_signatures_equal_minio_py_for_the_same_request():
    """An independent implementation (minio-py) computes the very same signature."""
    client = Minio("example.com:9000", "AK+/=ID", "se/cr+et", secure=True, region="eu-central-1")
    signer = Presigner("example.com:9000", True, SigningCredentials("AK+/=ID", Secret("se/cr+et")), "eu-central-1")
    for timestamp in (1767225599, 1767225600):  # either side of a UTC midnight: a new signing key
        for name in AWKWARD_NAMES:
            overrides = {"response-content-disposition": f"attachment; filename={name}"}
            theirs = client.presigned_get_object(
                "bucket",
                name,
                expires=timedelta(hours=5),
                response_headers=dict(overrides),  # type: ignore[arg-type]
                request_date=datetime.fromtimestamp(timestamp, tz=timezone.utc),
            )
            ours = signer.presign_get("bucket", name, 5 * 3600, overrides.items(), timestamp)
            assert urlsplit(ours).path == urlsplit(theirs).path
            assert parse_qs(urlsplit(ours).query) == parse_qs(urlsplit(theirs).query)


def test_hosts_are_lower_case_and_default_ports_left_out_as_browsers_send_them():
    def url(endpoint: str, https: bool) -> str:
        return Presigner(endpoint, https, SigningCredentials("a", Secret("s")), "us-east-1").presign_get("b", "k", 1)

    assert url("host:443", True).startswith("https://host/b/k?")
    assert url("HOST:80", False).startswith("http://host/b/k?")
    assert url("host:8443", True).startswith("https://host:8443/")


def test_the_presigner_never_shows_its_secret():
    signer = Presigner("host", True, SigningCredentials("access", Secret("very-secret-value")), "us-east-1")
    assert "very-secret-value" not in repr(signer)
    assert "very-secret-value" not in signer.presign_get("b", "k", 60)


def test_stable_urls_repeat_within_the_window_and_are_accepted(storage: MinioBackend, bucket: str):
    stable = MinioBackend(bucket, MINIO_URL_CACHING_ENABLED=True, MINIO_URL_CACHE_TIMEOUT=3600)
    storage.save("cached.txt", ContentFile(b"cache me"))
    first = stable.url("cached.txt")
    assert stable.url("cached.txt") == first
    signed = datetime.strptime(parse_qs(urlsplit(first).query)["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
    assert signed.minute == signed.second == 0  # the start of the hour-long window
    assert http_get(first)[:2] == (200, b"cache me")


def test_a_lifetime_shorter_than_the_window_is_signed_as_of_now(storage: MinioBackend, bucket: str):
    stable = MinioBackend(bucket, MINIO_URL_CACHING_ENABLED=True, MINIO_URL_CACHE_TIMEOUT=3600)
    storage.save("brief.txt", ContentFile(b"brief"))
    url = stable.url("brief.txt", expires=timedelta(minutes=1))
    signed = datetime.strptime(parse_qs(urlsplit(url).query)["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
    assert abs(signed.replace(tzinfo=timezone.utc).timestamp() - time.time()) < 60
    assert http_get(url)[:2] == (200, b"brief")


def test_4x_url_cache_settings_are_accepted_from_storages_options(bucket: str, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "media": {
            "BACKEND": "django_minio_backend.models.MinioBackend",
            "OPTIONS": {
                "MINIO_URL_CACHING_ENABLED": True,
                "MINIO_URL_CACHE_TIMEOUT": 600,
                "MINIO_URL_CACHE_PREFIX": "minio_url_",
            },
        },
    }
    stable = MinioBackend(bucket, storage_name="media")
    date = parse_qs(urlsplit(stable.url("x.txt")).query)["X-Amz-Date"][0]
    assert int(date[-5:-3]) % 10 == 0 and date[-3:] == "00Z"


def test_amazon_s3_endpoints_get_minio_signed_virtual_host_urls_without_a_request():
    counter = CountingPoolManager()
    storage = MinioBackend(
        "my-bucket",
        MINIO_ENDPOINT="s3.eu-west-1.amazonaws.com",
        MINIO_REGION="eu-west-1",
        MINIO_USE_HTTPS=True,
        MINIO_HTTP_CLIENT=counter,
    )
    url = storage.url("a b.txt")
    assert url.startswith("https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b.txt?")
    assert "X-Amz-Signature=" in url
    assert counter.requests == []


def test_a_query_value_that_cannot_be_signed_fails_before_the_token_is_in_any_frame():
    token = "FwoGZXIvYXdzEXAMPLE-session-token"
    credentials = SigningCredentials("AKIDEXAMPLE", Secret("secret"), Secret(token), time.time() + 3600)
    presigner = Presigner("127.0.0.1:9000", False, credentials, "us-east-1")
    with pytest.raises(TypeError) as caught:
        presigner.presign_get("bucket", "a.txt", 60, [("response-expires", 3600)])  # type: ignore[list-item]
    frames, traceback = [], caught.tb.tb_next  # the frames below this test's own
    while traceback is not None:
        frames.append(traceback.tb_frame)
        traceback = traceback.tb_next
    shown = [f"{name}={value!r}" for frame in frames for name, value in frame.f_locals.items()]
    assert frames and not [text for text in shown if token in text]
    assert token in presigner.presign_get("bucket", "a.txt", 60)  # the URL itself carries it, as it must

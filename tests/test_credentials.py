"""Temporary credentials, for real: a SeaweedFS whose STS (``AssumeRole``) issues credentials
that live ``LIFETIME`` seconds, and whose S3 API refuses a wrong, missing or expired session token.

What this server enforces and these tests show: saves, reads, listings and presigned GETs
signed with the issued access key, secret key and token (header and ``X-Amz-Security-Token``
query); the refusal of an expired, a wrong and a missing token; refreshes, counted as the STS
requests that reach the server. minio's other providers (EC2/ECS metadata, web identity,
environment) hand the same kind of credentials to the same code and are not run here.
"""

from __future__ import annotations

import base64
import calendar
import json
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import urllib3
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from minio import Minio
from minio.credentials.providers import AssumeRoleProvider, EnvMinioProvider, Provider

from django_minio_backend import MinioBackend
from django_minio_backend.conf import Secret, problems, read_options
from django_minio_backend.credentials import CredentialsUnavailableError, ProviderCredentials
from django_minio_backend.localserver import LocalS3Server
from django_minio_backend.post_policy import PresignedPost

from .reliability.faults import full_text
from .reliability.proxy import Proxy
from .reliability.test_security import _captured, _reachable
from .s3 import CountingPoolManager, closed_port, http_get, make_bucket, new_bucket_name

LIFETIME = 12  # seconds the server's temporary credentials live
ROLE = "arn:aws:iam::role/StorageRole"

_IAM_CONFIG = {
    "sts": {
        "tokenDuration": f"{LIFETIME}s",
        "maxSessionLength": f"{LIFETIME}s",
        "issuer": "seaweedfs-sts",
        "signingKey": "c3RzLXNpZ25pbmcta2V5LWZvci10aGUtdGVzdHMtb25seQ==",
    },
    "policy": {"defaultEffect": "Deny", "storeType": "memory"},
    "roles": [
        {
            "roleName": "StorageRole",
            "roleArn": ROLE,
            "trustPolicy": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["sts:AssumeRole"]}],
            },
            "attachedPolicies": ["Storage"],
        }
    ],
    "policies": [
        {
            "name": "Storage",
            "document": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]},
                    {"Effect": "Allow", "Action": ["sts:ValidateSession"], "Resource": ["*"]},
                ],
            },
        }
    ],
}


@pytest.fixture(scope="module")
def sts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalS3Server]:
    config = tmp_path_factory.mktemp("sts") / "iam.json"
    config.write_text(json.dumps(_IAM_CONFIG))
    with LocalS3Server(iam_config=config) as server:
        yield server


@pytest.fixture(scope="module")
def sts_bucket(sts_server: LocalS3Server) -> str:
    admin = Minio(sts_server.endpoint, sts_server.access_key, sts_server.secret_key, secure=False, region="us-east-1")
    return make_bucket(admin, new_bucket_name("sts"))


@pytest.fixture
def sts_requests() -> CountingPoolManager:
    """The HTTP pool of ``provider``: the STS requests it sent."""
    return CountingPoolManager()


@pytest.fixture
def provider(sts_server: LocalS3Server, sts_requests: CountingPoolManager) -> AssumeRoleProvider:
    return _assume_role(sts_server, sts_server.endpoint, sts_requests)


def _assume_role(server: LocalS3Server, sts_endpoint: str, requests: CountingPoolManager) -> AssumeRoleProvider:
    """minio's provider assuming ``ROLE`` with the server's admin keys, at ``sts_endpoint``."""
    return AssumeRoleProvider(
        sts_endpoint=f"http://{sts_endpoint}",
        access_key=server.access_key,
        secret_key=server.secret_key,
        role_arn=ROLE,
        role_session_name="storage-tests",
        http_client=requests,
    )


def _storage(server: LocalS3Server, bucket: str, **options: Any) -> MinioBackend:
    """A storage of ``server``; no static keys unless given (the suite's settings hold some)."""
    keys = {"MINIO_ACCESS_KEY": "", "MINIO_SECRET_KEY": ""}
    return MinioBackend(bucket, MINIO_ENDPOINT=server.endpoint, MINIO_USE_HTTPS=False, **{**keys, **options})


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def _issued(provider: Provider) -> tuple[str, str, str, float]:
    """Temporary credentials from the server: access key, secret key, token, expiry (Unix time)."""
    credentials = ProviderCredentials(provider).current()
    assert credentials.session_token and credentials.expires_at
    secret_key, token = credentials.secret_key.reveal(), credentials.session_token.reveal()
    return credentials.access_key, secret_key, token, credentials.expires_at


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def test_a_save_a_read_a_listing_and_a_url_with_provider_credentials(
    sts_server: LocalS3Server, sts_bucket: str, provider: AssumeRoleProvider, sts_requests: CountingPoolManager
):
    storage = _storage(sts_server, sts_bucket, MINIO_CREDENTIALS_PROVIDER=provider)
    name = storage.save("temporary.txt", ContentFile(b"signed with a session token"))
    assert storage.open(name).read() == b"signed with a session token"
    assert name in storage.listdir("")[1]
    url = storage.url(name)
    query = _query(url)
    assert query["X-Amz-Security-Token"] and query["X-Amz-Credential"].startswith("ASIA")
    assert http_get(url)[:2] == (200, b"signed with a session token")
    assert storage.is_minio_available()
    assert sts_requests.methods() == ["POST"]  # one AssumeRole for every request and the URL


def test_a_presigned_url_ends_when_its_credentials_do(
    sts_server: LocalS3Server, sts_bucket: str, provider: AssumeRoleProvider
):
    """The cap: a URL asked for an hour lives until its credentials expire; then the server refuses it."""
    storage = _storage(sts_server, sts_bucket, MINIO_CREDENTIALS_PROVIDER=provider)
    name = storage.save("capped.txt", ContentFile(b"x"))
    url = storage.url(name, expires=timedelta(hours=1))
    query = _query(url)
    signed_at = calendar.timegm(time.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
    assert 0 < int(query["X-Amz-Expires"]) <= LIFETIME
    assert http_get(url)[0] == 200
    _sleep_until(signed_at + int(query["X-Amz-Expires"]) + 2)
    assert http_get(url)[0] == 403


def _post_expiry(fields: dict[str, str]) -> int:
    """The Unix time a POST policy's form ``fields`` expire at."""
    document = json.loads(base64.b64decode(fields["policy"]))
    return calendar.timegm(time.strptime(document["expiration"], "%Y-%m-%dT%H:%M:%S.000Z"))


def _posted(post: PresignedPost, name: str) -> int:
    """The status of a browser-style form upload of ``name`` with ``post``."""
    form = {**post.fields, "Content-Type": "text/plain", "file": (name, b"posted", "text/plain")}
    return urllib3.PoolManager().request("POST", post.url, fields=form).status


def test_a_presigned_put_signs_with_the_token_and_ends_with_its_credentials(
    sts_server: LocalS3Server, sts_bucket: str, provider: AssumeRoleProvider
):
    """A browser's PUT with temporary credentials is stored; asked for an hour, it lives until
    the credentials expire, and the server refuses it afterwards."""
    storage = _storage(sts_server, sts_bucket, MINIO_CREDENTIALS_PROVIDER=provider)
    http = urllib3.PoolManager()
    put = storage.presigned_put("direct/put.txt", expires=timedelta(hours=1), content_type="text/plain")
    query = _query(put.url)
    assert query["X-Amz-Security-Token"] and 0 < int(query["X-Amz-Expires"]) <= LIFETIME
    assert http.request("PUT", put.url, body=b"put", headers=put.headers).status == 200
    assert storage.open("direct/put.txt").read() == b"put"
    late = storage.presigned_put("direct/late.txt", expires=timedelta(hours=1))
    late_query = _query(late.url)
    signed_at = calendar.timegm(time.strptime(late_query["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
    _sleep_until(signed_at + int(late_query["X-Amz-Expires"]) + 2)
    assert http.request("PUT", late.url, body=b"late", headers=late.headers).status == 403
    assert not storage.exists("direct/late.txt")


def test_a_post_policy_carries_the_token_and_ends_with_its_credentials(
    sts_server: LocalS3Server, sts_bucket: str, provider: AssumeRoleProvider
):
    storage = _storage(sts_server, sts_bucket, MINIO_CREDENTIALS_PROVIDER=provider)
    post = storage.presigned_post("direct/post.txt", max_size=100, expires=timedelta(hours=1))
    token = post.fields["x-amz-security-token"]
    assert token == _query(storage.url("any"))["X-Amz-Security-Token"]  # the credentials URLs sign with
    assert {"x-amz-security-token": token} in json.loads(base64.b64decode(post.fields["policy"]))["conditions"]
    assert time.time() < _post_expiry(post.fields) <= time.time() + LIFETIME
    assert token not in repr(post)


@pytest.mark.xfail(
    strict=True,
    reason="SeaweedFS checks a POST policy's access key against its configured identities only "
    "(doesPolicySignatureV4Match), never an STS session: it answers InvalidAccessKeyId",
)
def test_a_post_policy_upload_with_temporary_credentials_is_stored(
    sts_server: LocalS3Server, sts_bucket: str, provider: AssumeRoleProvider
):
    storage = _storage(sts_server, sts_bucket, MINIO_CREDENTIALS_PROVIDER=provider)
    post = storage.presigned_post("direct/post.txt", max_size=100, expires=timedelta(hours=1))
    assert _posted(post, "post.txt") == 204
    assert storage.open("direct/post.txt").read() == b"posted"


def test_credentials_are_refreshed_across_their_expiry(
    sts_server: LocalS3Server, sts_bucket: str, provider: AssumeRoleProvider, sts_requests: CountingPoolManager
):
    storage = _storage(sts_server, sts_bucket, MINIO_CREDENTIALS_PROVIDER=provider)
    first = storage.save("before.txt", ContentFile(b"1"))
    first_key = _query(storage.url(first))["X-Amz-Credential"].split("/")[0]
    time.sleep(LIFETIME + 1)
    second = storage.save("after.txt", ContentFile(b"2"))
    assert storage.open(first).read() == b"1" and storage.open(second).read() == b"2"
    url = storage.url(second)
    assert _query(url)["X-Amz-Credential"].split("/")[0] != first_key
    assert http_get(url)[:2] == (200, b"2")
    assert sts_requests.methods() == ["POST", "POST"]


def test_many_threads_share_one_refresh(
    sts_server: LocalS3Server, sts_bucket: str, provider: AssumeRoleProvider, sts_requests: CountingPoolManager
):
    """32 threads at once: while the credentials are still valid, one refreshes and the others sign
    with them; once they have expired, the others wait for that one refresh."""
    storage = _storage(sts_server, sts_bucket, MINIO_CREDENTIALS_PROVIDER=provider)
    name = storage.save("shared.txt", ContentFile(b"x"))
    fetched = time.time()
    assert len(sts_requests.requests) == 1

    def all_at_once() -> list[str]:
        barrier = threading.Barrier(32)
        urls: list[str] = []

        def sign() -> None:
            barrier.wait()
            urls.append(storage.url(name))

        threads = [threading.Thread(target=sign) for _ in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return urls

    _sleep_until(fetched + LIFETIME * 0.8)  # due for a refresh, still valid
    due = all_at_once()
    assert len(sts_requests.requests) == 2 and len(due) == 32
    assert all(http_get(url)[0] == 200 for url in due[:3])
    _sleep_until(time.time() + LIFETIME + 1)  # every credential held has expired
    expired = all_at_once()
    assert len(sts_requests.requests) == 3
    assert len({_query(url)["X-Amz-Credential"] for url in expired}) == 1  # all waited for the new ones
    assert http_get(expired[0])[0] == 200


def test_a_refresh_that_fails_keeps_valid_credentials_in_use_then_raises(
    sts_server: LocalS3Server, sts_bucket: str, sts_requests: CountingPoolManager, caplog: pytest.LogCaptureFixture
):
    """The STS goes away (its proxy closes) after the first credentials were fetched."""
    with Proxy(sts_server.endpoint) as sts:
        provider = _assume_role(sts_server, sts.endpoint, sts_requests)
        storage = _storage(sts_server, sts_bucket, MINIO_CREDENTIALS_PROVIDER=provider)
        name = storage.save("outage.txt", ContentFile(b"x"))
        fetched = time.time()
    _sleep_until(fetched + LIFETIME * 0.8)  # due for a refresh, still valid
    with caplog.at_level(logging.WARNING, logger="django_minio_backend.credentials"):
        url = storage.url(name)
    assert "AssumeRoleProvider gave no credentials" in caplog.text and http_get(url)[0] == 200
    _sleep_until(fetched + LIFETIME + 1)
    with pytest.raises(CredentialsUnavailableError, match="AssumeRoleProvider gave no credentials"):
        storage.exists(name)


def test_threads_that_need_credentials_share_one_failed_refresh():
    """With no credentials held and the provider failing, 20 threads at once ask it once: the
    others get its failure, and so does a call soon after, until RETRY_INTERVAL has passed."""
    calls: list[int] = []

    class CountingProvider(AssumeRoleProvider):
        def retrieve(self) -> Any:
            calls.append(1)
            return super().retrieve()

    sts = f"http://127.0.0.1:{closed_port()}"
    source = ProviderCredentials(
        CountingProvider(
            sts_endpoint=sts,
            access_key="a",
            secret_key="unused-secret",
            role_arn=ROLE,
            http_client=urllib3.PoolManager(retries=False),  # one refused connection per call
        )
    )
    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(lambda _: _captured(source.current), range(20)))
    assert all(isinstance(outcome, CredentialsUnavailableError) for outcome in outcomes)
    assert all("CountingProvider gave no credentials" in str(outcome) for outcome in outcomes)
    assert len(calls) == 1
    assert isinstance(_captured(source.current), CredentialsUnavailableError) and len(calls) == 1


def test_static_temporary_credentials_and_the_refusal_of_an_expired_token(
    sts_server: LocalS3Server, sts_bucket: str, provider: AssumeRoleProvider, caplog: pytest.LogCaptureFixture
):
    access_key, secret_key, token, expires_at = _issued(provider)
    keys = {"MINIO_ACCESS_KEY": access_key, "MINIO_SECRET_KEY": secret_key}
    storage = _storage(sts_server, sts_bucket, **keys, MINIO_SESSION_TOKEN=token)
    name = storage.save("static-token.txt", ContentFile(b"x"))
    url = storage.url(name)
    assert _query(url)["X-Amz-Security-Token"] == token and http_get(url)[0] == 200
    for refused in (
        _storage(sts_server, sts_bucket, **keys),
        _storage(sts_server, sts_bucket, **keys, MINIO_SESSION_TOKEN=token[:-8] + "AAAAAAAA"),
    ):
        with pytest.raises(OSError, match="InvalidAccessKeyId"):
            refused.listdir("")
    _sleep_until(expires_at + 1)
    with caplog.at_level(logging.DEBUG):
        exc = _captured(lambda: storage.listdir(""))
    assert isinstance(exc, OSError) and "InvalidAccessKeyId" in str(exc)
    shown = {"message": full_text(exc), "logs at DEBUG": caplog.text, "frames but minio's request": _frames(exc)}
    assert [where for where, text in shown.items() if token in text or secret_key in text] == []
    # The known exception: minio's request frame holds the headers it sent, the token among them.
    assert token in "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    assert http_get(url)[0] == 403


def _frames(exc: BaseException) -> str:
    """Every local of every frame of ``exc`` and its causes, walked as error trackers walk them,
    but those of minio's ``_url_open`` (the request being sent)."""
    texts: list[str] = []
    seen: set[int] = set()
    while exc is not None:
        for frame, _ in traceback.walk_tb(exc.__traceback__):
            if frame.f_code.co_name != "_url_open":
                for value in frame.f_locals.values():
                    _reachable(value, 8, seen, texts)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return "\n".join(texts)


def test_initialize_buckets_and_the_health_check_with_a_provider(
    sts_server: LocalS3Server, provider: AssumeRoleProvider
):
    bucket = new_bucket_name("sts-init")
    options = {"MINIO_ENDPOINT": sts_server.endpoint, "MINIO_USE_HTTPS": False, "MINIO_PRIVATE_BUCKETS": [bucket]}
    no_keys = {"MINIO_ACCESS_KEY": "", "MINIO_SECRET_KEY": ""}
    storages = {
        "default": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": options},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, MINIO_CREDENTIALS_PROVIDER=provider, **no_keys):
        call_command("check")
        call_command("initialize_buckets", verbosity=0)
        assert MinioBackend(bucket).exists("nothing.txt") is False
        assert MinioBackend(bucket).is_minio_available()


def test_a_failing_provider_fails_the_health_check_and_names_itself(sts_server: LocalS3Server):
    failing = AssumeRoleProvider(
        sts_endpoint=f"http://127.0.0.1:{closed_port()}", access_key="a", secret_key="unused-secret", role_arn=ROLE
    )
    storage = _storage(sts_server, "any-bucket", MINIO_CREDENTIALS_PROVIDER=failing)
    status = storage.is_minio_available()
    assert not status and "AssumeRoleProvider gave no credentials" in status.details
    for operation in (lambda: storage.url("a.txt"), lambda: storage.exists("a.txt")):
        with pytest.raises(OSError, match="AssumeRoleProvider gave no credentials"):
            operation()


def _problem_ids(**options: Any) -> list[str]:
    base = {"MINIO_ENDPOINT": "s3.example:9000", "MINIO_ACCESS_KEY": "", "MINIO_SECRET_KEY": ""}
    return [problem.check_id for problem in problems(read_options(None, {**base, **options}))]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"MINIO_CREDENTIALS_PROVIDER": EnvMinioProvider()}, []),
        ({"MINIO_CREDENTIALS_PROVIDER": "minio.credentials.providers.EnvMinioProvider"}, []),
        ({}, ["E002"]),
        ({"MINIO_CREDENTIALS_PROVIDER": "no.such.Provider"}, ["E060"]),
        ({"MINIO_CREDENTIALS_PROVIDER": 42}, ["E060"]),
        ({"MINIO_CREDENTIALS_PROVIDER": "minio.credentials.providers.StaticProvider"}, ["E060"]),
        ({"MINIO_CREDENTIALS_PROVIDER": EnvMinioProvider(), "MINIO_ACCESS_KEY": "key"}, ["E061"]),
        ({"MINIO_CREDENTIALS_PROVIDER": EnvMinioProvider(), "MINIO_SESSION_TOKEN": "t"}, ["E061"]),
        ({"MINIO_SESSION_TOKEN": "t"}, ["E002"]),
    ],
)
def test_the_credential_rules(options: dict[str, Any], expected: list[str]):
    assert _problem_ids(**options) == expected


def test_an_import_path_names_one_shared_provider(sts_server: LocalS3Server):
    path = "minio.credentials.providers.EnvMinioProvider"
    first, second = (_storage(sts_server, "b", MINIO_CREDENTIALS_PROVIDER=path) for _ in range(2))
    assert first.settings.connection.credentials_provider is second.settings.connection.credentials_provider
    with pytest.raises(ImproperlyConfigured, match="E060"):
        _storage(sts_server, "b", MINIO_CREDENTIALS_PROVIDER="no.such.Provider").settings


def test_a_session_token_is_held_as_a_secret_and_never_shown(
    sts_server: LocalS3Server, sts_bucket: str, provider: AssumeRoleProvider
):
    """Given as an option or fetched by a provider, after a save, a read, a URL and a health check:
    not in anything the storage holds (walked as error trackers walk objects), nor in its migration."""
    access_key, secret_key, token, _ = _issued(provider)
    keys = {"MINIO_ACCESS_KEY": access_key, "MINIO_SECRET_KEY": secret_key, "MINIO_SESSION_TOKEN": token}
    static = _storage(sts_server, sts_bucket, **keys)
    fetched = _storage(sts_server, sts_bucket, MINIO_CREDENTIALS_PROVIDER=_TokenOnce(provider))
    for storage in (static, fetched):
        name = storage.save("held.txt", ContentFile(b"x"))
        assert storage.open(name).read() == b"x"
        storage.url(name)
        assert storage.is_minio_available()
        texts: list[str] = []
        _reachable(storage, 12, set(), texts)
        assert token not in "\n".join(texts) and secret_key not in "\n".join(texts)
        assert token not in repr(storage.deconstruct())
    assert isinstance(static.options["MINIO_SESSION_TOKEN"], Secret)
    assert static.settings.connection.session_token == Secret(token)


class _TokenOnce(Provider):
    """The test's issued credentials, handed over once: the storage's copy is the only one it holds."""

    def __init__(self, provider: Provider):
        self._retrieve: Callable[[], Any] | None = provider.retrieve

    def retrieve(self) -> Any:
        retrieve, self._retrieve = self._retrieve, None
        assert retrieve is not None, "asked twice"
        return retrieve()

"""Least privilege, against a SeaweedFS of its own that enforces permissions per action.

What was checked on SeaweedFS 4.x (``weed mini -s3.config``): an identity's ``actions``
(``Read``, ``Write``, ``List``, ``Tagging``, ``Admin``, each optionally ``:bucket``) do not
separate delete from write: ``Write`` allows PutObject and DeleteObject alike, and AWS action
names (``s3:PutObject``) in that list grant nothing. Bucket policies are evaluated per S3
action for signed requests too, with the identity as principal
``arn:aws:iam::000000000000:user/<name>``. So the key here is an identity with no actions of
its own that a bucket policy allows ``s3:GetObject``, ``s3:PutObject`` and ``s3:ListBucket``
on one bucket: it cannot delete, create buckets, or read or change policies
(``test_the_server_enforces_the_limits`` shows it). Keys of another identity, allowed
``Read`` and ``List`` everywhere, show each ``initialize_buckets`` step's permission.
"""

from __future__ import annotations

import io
import json
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from minio import Minio
from minio.error import S3Error

from django_minio_backend import MinioBackend, MinioBackendError
from django_minio_backend.buckets import BucketUse, initialize
from django_minio_backend.client import PROBE_KEY
from django_minio_backend.localserver import LocalS3Server
from django_minio_backend.policies import public_read

from ..s3 import CountingPoolManager, Endpoint, http_get, new_bucket_name
from .conftest import SMALL_PARTS, MiB, storage_at
from .proxy import Proxy
from .test_fallback import IgnoreIfNoneMatch

ACCOUNT = "000000000000"  # SeaweedFS's account id of identities that name none


@dataclass(frozen=True)
class Identity:
    name: str
    actions: tuple[str, ...]
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(18), repr=False)

    @property
    def access_key(self) -> str:
        return f"{self.name}-key"

    def endpoint(self, server: LocalS3Server) -> Endpoint:
        return Endpoint(server.endpoint, self.access_key, self.secret)

    def config(self) -> dict[str, Any]:
        credentials = [{"accessKey": self.access_key, "secretKey": self.secret}]
        return {"name": self.name, "credentials": credentials, "actions": list(self.actions)}


APP = Identity("app", ())  # rights come from its bucket's policy only
READER = Identity("reader", ("Read", "List"))
WRITER = Identity("writer", ("Read", "Write", "List"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalS3Server]:
    config = Path(tmp_path_factory.mktemp("identities")) / "s3.json"
    config.write_text(json.dumps({"identities": [identity.config() for identity in (APP, READER, WRITER)]}))
    with LocalS3Server(s3_config=config) as server:  # its own access key may do everything
        yield server


@pytest.fixture(scope="module")
def admin(server: LocalS3Server) -> Minio:
    return Minio(server.endpoint, server.access_key, server.secret_key, secure=False, region="us-east-1")


def app_policy(bucket: str) -> dict[str, Any]:
    """Get, put and list on ``bucket`` for the app's key: nothing else, for no one else."""
    principal = {"AWS": [f"arn:aws:iam::{ACCOUNT}:user/{APP.name}"]}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": principal,
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/*"],
            },
            {
                "Effect": "Allow",
                "Principal": principal,
                "Action": ["s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{bucket}"],
            },
        ],
    }


@pytest.fixture
def app_bucket(admin: Minio) -> str:
    """A fresh bucket the app's key may get, put and list in (the server is thrown away after)."""
    name = new_bucket_name("app")
    admin.make_bucket(name)
    admin.set_bucket_policy(name, json.dumps(app_policy(name)))
    return name


def admin_bucket(admin: Minio) -> str:
    """A fresh bucket only the server's own key may use."""
    name = new_bucket_name("admin")
    admin.make_bucket(name)
    return name


def app_storage(server: LocalS3Server, bucket: str, **options: Any) -> MinioBackend:
    """A storage with the app's key; ``options`` that differ make it a connection of its own
    (as in a fresh process: its first save asks about conditional writes)."""
    return storage_at(server.endpoint, APP.endpoint(server), bucket, **options)


def test_the_server_enforces_the_limits(server: LocalS3Server, admin: Minio, app_bucket: str):
    admin.put_object(app_bucket, "kept.txt", io.BytesIO(b"kept"), 4)
    app = APP.endpoint(server).client()
    refused = {
        "delete": lambda: app.remove_object(app_bucket, "kept.txt"),
        "create a bucket": lambda: app.make_bucket(new_bucket_name("app")),
        "read the policy": lambda: app.get_bucket_policy(app_bucket),
        "set a policy": lambda: app.set_bucket_policy(app_bucket, json.dumps(app_policy(app_bucket))),
        "write to another bucket": lambda: app.put_object(admin_bucket(admin), "x", io.BytesIO(b"x"), 1),
    }
    for what, attempt in refused.items():
        with pytest.raises(S3Error) as caught:
            attempt()
        assert caught.value.code == "AccessDenied", what
    assert admin.stat_object(app_bucket, "kept.txt").size == 4
    assert http_get(f"http://{server.endpoint}/{app_bucket}/kept.txt")[0] == 403  # nor anonymous reads


def test_seaweedfs_identity_actions_do_not_separate_delete_from_write(server: LocalS3Server, admin: Minio):
    """Why the app's rights are a bucket policy: an identity allowed ``Write`` may delete."""
    bucket = admin_bucket(admin)
    admin.put_object(bucket, "doomed.txt", io.BytesIO(b"x"), 1)
    WRITER.endpoint(server).client().remove_object(bucket, "doomed.txt")
    with pytest.raises(S3Error, match="NoSuchKey"):
        admin.stat_object(bucket, "doomed.txt")


def test_a_key_limited_to_get_put_and_list_does_everything_but_delete(server: LocalS3Server, app_bucket: str):
    counter = CountingPoolManager()
    storage = app_storage(server, app_bucket, MINIO_HTTP_CLIENT=counter, **SMALL_PARTS)
    first = storage.save("a.txt", ContentFile(b"first"))  # the process's first save: the probe too
    assert "DELETE" not in counter.methods()
    second = storage.save("a.txt", ContentFile(b"second"))
    assert first == "a.txt" and second != first
    with pytest.raises(FileExistsError):
        storage.create("a.txt", ContentFile(b"again"))
    app_storage(server, app_bucket, allow_overwrite=True).save("a.txt", ContentFile(b"replaced"))
    data = os.urandom(12 * MiB)
    big = storage.save("big.bin", ContentFile(data))  # multipart: three parts
    assert storage.exists("a.txt") and not storage.exists("missing.txt")
    assert storage.open("a.txt").read() == b"replaced" and storage.size(big) == len(data)
    with storage.open(big) as handle:
        handle.seek(5 * MiB)
        assert handle.read(10) == data[5 * MiB : 5 * MiB + 10]
    assert storage.get_modified_time(first)
    assert storage.listdir("") == ([], sorted(["a.txt", second, big]))  # the probe's object is hidden
    assert http_get(storage.url(second))[:2] == (200, b"second")
    assert storage.is_minio_available()
    assert "DELETE" not in counter.methods()
    with pytest.raises(MinioBackendError, match="AccessDenied"):
        storage.delete("a.txt")  # deleting needs s3:DeleteObject, as docs/security.md says
    assert storage.exists("a.txt")


def _probe_objects(admin: Minio, bucket: str) -> list[tuple[str, int]]:
    return [
        (str(item.object_name), int(item.size or 0))
        for item in admin.list_objects(bucket)
        if item.object_name == PROBE_KEY
    ]


def test_the_probe_is_a_conditional_put_of_one_object_that_stays(server: LocalS3Server, admin: Minio, app_bucket: str):
    """In a new bucket: stored once, refused (412) the second time, which proves support. Every
    later connection (process) sends one conditional PUT, refused. Nothing is deleted."""
    counters = [CountingPoolManager(), CountingPoolManager()]
    for counter in counters:
        app_storage(server, app_bucket, MINIO_HTTP_CLIENT=counter).save("f.txt", ContentFile(b"x"))
    probes = [[r for r in counter.requests if r.url.endswith(PROBE_KEY)] for counter in counters]
    assert [[(r.method, r.status) for r in sent] for sent in probes] == [[("PUT", 200), ("PUT", 412)], [("PUT", 412)]]
    assert all(r.headers["If-None-Match"] == "*" for sent in probes for r in sent)
    assert _probe_objects(admin, app_bucket) == [(PROBE_KEY, 0)]


def test_a_server_that_ignores_conditions_gets_two_puts_and_no_delete(
    server: LocalS3Server, admin: Minio, app_bucket: str, caplog: pytest.LogCaptureFixture
):
    with Proxy(server.endpoint, tamper=IgnoreIfNoneMatch(APP.endpoint(server))) as proxy:
        storage = storage_at(proxy.endpoint, APP.endpoint(server), app_bucket)
        with caplog.at_level(logging.WARNING, "django_minio_backend"):
            assert storage.save("f.txt", ContentFile(b"x")) == "f.txt"
        probes = [request.method for request in proxy.requests if request.target.endswith(PROBE_KEY)]
    assert probes == ["PUT", "PUT"] and "DELETE" not in [request.method for request in proxy.requests]
    assert "ignores If-None-Match" in caplog.text
    assert _probe_objects(admin, app_bucket) == [(PROBE_KEY, 0)]


@pytest.mark.parametrize(("declared", "first_save"), [(True, ["PUT"]), (False, ["HEAD", "HEAD", "PUT"])])
def test_declared_conditional_writes_skip_the_probe(
    server: LocalS3Server, admin: Minio, app_bucket: str, declared: bool, first_save: list[str]
):
    counter = CountingPoolManager()
    storage = app_storage(server, app_bucket, MINIO_HTTP_CLIENT=counter, MINIO_CONDITIONAL_WRITES=declared)
    storage.save("f.txt", ContentFile(b"x"))
    assert counter.methods() == first_save  # without conditions: is the name (and the bucket) there?
    assert ("If-None-Match" in counter.requests[-1].headers) is declared
    assert _probe_objects(admin, app_bucket) == []
    assert storage.save("f.txt", ContentFile(b"y")) != "f.txt"  # a taken name is still never overwritten


# (key, bucket as it is on the server, as configured) -> the permission initialize_buckets names
STEP_CASES = {
    "read its policy": (APP, "app", False, "s3:GetBucketPolicy"),
    "create it": (READER, None, False, "s3:CreateBucket"),
    "make it public": (READER, "private", True, "s3:PutBucketPolicy"),
    "make it private": (READER, "public", False, "s3:DeleteBucketPolicy"),
}


def _bucket_as(admin: Minio, state: str | None) -> str:
    name = new_bucket_name("init")
    if state is not None:
        admin.make_bucket(name)
        policy = {"app": app_policy(name), "public": public_read(name)}.get(state)
        if policy:
            admin.set_bucket_policy(name, json.dumps(policy))
    return name


def _use(server: LocalS3Server, identity: Identity, bucket: str, public: bool) -> BucketUse:
    """One bucket to initialize with ``identity``'s key, and no bucket lists."""
    no_lists = {"MINIO_PRIVATE_BUCKETS": [], "MINIO_PUBLIC_BUCKETS": []}
    return BucketUse(
        storage_at(server.endpoint, identity.endpoint(server), bucket, **no_lists).settings, bucket, public
    )


@pytest.mark.parametrize("step", STEP_CASES)
def test_initialize_buckets_names_the_permission_a_step_lacks(server: LocalS3Server, admin: Minio, step: str):
    identity, state, public, permission = STEP_CASES[step]
    bucket = _bucket_as(admin, state)
    outcome = initialize([_use(server, identity, bucket, public)])
    assert [
        f"lacks the permission {permission} on arn:aws:s3:::{bucket}" in failure for failure in outcome.failures
    ] == [True], outcome.failures


@pytest.mark.parametrize("step", [step for step, (identity, *_) in STEP_CASES.items() if identity is READER])
def test_a_dry_run_says_which_permission_each_change_needs(server: LocalS3Server, admin: Minio, step: str):
    identity, state, public, permission = STEP_CASES[step]
    bucket = _bucket_as(admin, state)
    outcome = initialize([_use(server, identity, bucket, public)], dry_run=True)
    assert not outcome.failures
    assert [change.endswith(f"[needs {permission}]") for change in outcome.reports[0].changes] == [True]


def test_initialize_buckets_with_reads_only_passes_when_nothing_changes(server: LocalS3Server, admin: Minio):
    bucket = _bucket_as(admin, "private")
    outcome = initialize([_use(server, READER, bucket, False)])
    assert not outcome.failures and outcome.changes == 0


def test_the_command_fails_with_the_missing_permission(server: LocalS3Server, admin: Minio):
    bucket = new_bucket_name("init")
    connection = READER.endpoint(server).settings()
    refused = pytest.raises(CommandError, match=f"lacks the permission s3:CreateBucket on arn:aws:s3:::{bucket}")
    with override_settings(**connection, MINIO_PRIVATE_BUCKETS=[bucket], MINIO_PUBLIC_BUCKETS=[]), refused:
        call_command("initialize_buckets", silenced=True)

"""initialize_buckets: buckets created as configured, anonymous access checked over HTTP."""

from __future__ import annotations

import json
import runpy
import time
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from minio import Minio

from django_minio_backend.checks import check_configuration
from django_minio_backend.policies import public_read, read_only_prefix

from .conftest import SEED_BUCKETS
from .s3 import Endpoint, closed_port, empty_and_remove_bucket, http_get, new_bucket_name

SEED_PRIVATE = [name for name, public in SEED_BUCKETS.items() if not public]
SEED_PUBLIC = [name for name, public in SEED_BUCKETS.items() if public]


@dataclass
class Project:
    """Two fresh buckets declared in settings (one private, one public), not yet on the server."""

    private: str
    public: str
    endpoint: Endpoint
    client: Minio

    def settings(self, **extra: Any) -> override_settings:
        declared = {
            "MINIO_PRIVATE_BUCKETS": [*SEED_PRIVATE, self.private],
            "MINIO_PUBLIC_BUCKETS": [*SEED_PUBLIC, self.public],
        }
        return override_settings(**{**declared, **extra})

    def put(self, bucket: str, key: str, data: bytes = b"data") -> None:
        self.client.put_object(bucket, key, BytesIO(data), len(data))

    def anonymous(self, bucket: str, key: str = "") -> int:
        """HTTP status of an anonymous GET of an object (or of the bucket listing)."""
        return http_get(f"{self.endpoint.base_url}/{bucket}/{key}")[0]

    def policy(self, bucket: str) -> str | None:
        try:
            return self.client.get_bucket_policy(bucket)
        except Exception:
            return None


def initialize(*args: str) -> str:
    out = StringIO()
    call_command("initialize_buckets", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def project(s3_endpoint: Endpoint, s3_client: Minio) -> Iterator[Project]:
    result = Project(new_bucket_name("priv"), new_bucket_name("pub"), s3_endpoint, s3_client)
    yield result
    for name in (result.private, result.public):
        empty_and_remove_bucket(s3_client, name)


def test_creates_buckets_private_refused_public_readable_not_listable(project: Project):
    assert not project.client.bucket_exists(project.private)
    with project.settings():
        output = initialize()
    assert f"{project.private}: created in region us-east-1" in output
    assert f"{project.public}: created in region us-east-1; policy set: anonymous read (not listable)" in output
    project.put(project.private, "secret.txt")
    project.put(project.public, "logo.svg")
    assert project.anonymous(project.private, "secret.txt") == 403
    assert http_get(f"{project.endpoint.base_url}/{project.public}/logo.svg")[:2] == (200, b"data")
    assert project.anonymous(project.public) == 403  # listing refused


def test_second_run_changes_nothing_and_says_so(project: Project):
    with project.settings():
        initialize()
        policy_before = project.policy(project.public)
        output = initialize()
    assert "Nothing to change" in output
    assert f"{project.private}: up to date" in output and f"{project.public}: up to date" in output
    assert project.policy(project.public) == policy_before


def test_listing_is_granted_only_to_buckets_that_opt_in(project: Project):
    with project.settings(MINIO_LISTABLE_BUCKETS=[project.public]):
        output = initialize()
    assert "anonymous read and list" in output
    project.put(project.public, "a.txt")
    status, body, _ = http_get(f"{project.endpoint.base_url}/{project.public}/")
    assert status == 200 and b"a.txt" in body


def test_drift_is_corrected_both_ways(project: Project):
    with project.settings():
        initialize()
        project.client.set_bucket_policy(project.private, json.dumps(public_read(project.private)))
        project.client.delete_bucket_policy(project.public)
        project.put(project.private, "secret.txt")
        project.put(project.public, "logo.svg")
        assert project.anonymous(project.private, "secret.txt") == 200  # the drift is real
        assert project.anonymous(project.public, "logo.svg") == 403
        output = initialize()
    assert f"{project.private}: policy removed: private again" in output
    assert f"{project.public}: policy set: anonymous read (not listable)" in output
    assert project.anonymous(project.private, "secret.txt") == 403
    assert project.anonymous(project.public, "logo.svg") == 200


def test_dry_run_reports_drift_and_changes_nothing(project: Project):
    with project.settings():
        output = initialize("--dry-run")
        assert f"{project.private}: would create it in region us-east-1" in output
        assert "nothing was changed" in output
        assert not project.client.bucket_exists(project.private)
        assert not project.client.bucket_exists(project.public)
        initialize()
        project.client.set_bucket_policy(project.private, json.dumps(public_read(project.private)))
        output = initialize("--dry-run")
    assert f"{project.private}: would remove its policy (make it private)" in output
    assert project.policy(project.private) is not None


@pytest.mark.parametrize("quiet", [("--verbosity", "0"), ("--silenced",)])
def test_verbosity_0_or_silenced_prints_nothing(project: Project, quiet: tuple[str, ...]):
    with project.settings():
        assert initialize(*quiet) == ""
    assert project.client.bucket_exists(project.public)


def test_hook_applies_to_its_own_bucket_only(project: Project, s3_client: Minio):
    other = new_bucket_name("other")
    hooks = [(project.private, read_only_prefix(project.private, "shared/"))]
    try:
        with project.settings(MINIO_PRIVATE_BUCKETS=[*SEED_PRIVATE, project.private, other], MINIO_POLICY_HOOKS=hooks):
            output = initialize()
        assert "policy set: MINIO_POLICY_HOOKS[0]" in output
        for bucket in (project.private, other):
            project.put(bucket, "shared/a.txt")
            project.put(bucket, "private/b.txt")
        assert project.anonymous(project.private, "shared/a.txt") == 200
        assert project.anonymous(project.private, "private/b.txt") == 403
        assert project.anonymous(other, "shared/a.txt") == 403
        assert project.policy(other) is None
    finally:
        empty_and_remove_bucket(s3_client, other)


def test_hook_on_a_public_bucket_adds_to_public_read(project: Project):
    hooks = [(project.public, {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:ListBucket"],
        "Resource": [f"arn:aws:s3:::{project.public}"],
    }]})]  # fmt: skip
    with project.settings(MINIO_POLICY_HOOKS=hooks):
        output = initialize()
        assert "policy set: anonymous read (not listable), MINIO_POLICY_HOOKS[0]" in output
        assert "Nothing to change" in initialize()
    project.put(project.public, "a.txt")
    assert project.anonymous(project.public, "a.txt") == 200
    assert project.anonymous(project.public) == 200  # the hook's own grant


def test_hook_for_an_undeclared_bucket_is_a_clear_error_before_any_request(project: Project):
    hooks = [("not-declared", read_only_prefix("not-declared", "x/"))]
    expected = r"MINIO_POLICY_HOOKS\[0\] is for bucket 'not-declared'"
    with project.settings(MINIO_POLICY_HOOKS=hooks), pytest.raises(CommandError, match=expected):
        initialize()
    assert not project.client.bucket_exists(project.private)


def test_policy_rejected_by_the_server_names_the_hook(project: Project):
    bogus = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject"],
        "Resource": [f"arn:aws:s3:::{project.private}/*"],
        "Condition": {"NoSuchOperator": {"aws:SourceIp": "192.0.2.1"}},
    }]}  # fmt: skip
    expected = rf"rejected the policy of bucket '{project.private}' built from MINIO_POLICY_HOOKS\[0\]"
    with project.settings(MINIO_POLICY_HOOKS=[(project.private, bogus)]), pytest.raises(CommandError, match=expected):
        initialize()
    assert project.client.bucket_exists(project.public)  # the other buckets were still done


def test_unreachable_server_exits_non_zero_with_a_clear_message(project: Project):
    started = time.monotonic()
    down = project.settings(MINIO_ENDPOINT=f"127.0.0.1:{closed_port()}")
    with down, pytest.raises(CommandError, match="is unreachable"):
        initialize()
    print(f"failed after {time.monotonic() - started:.2f}s")


def test_storages_under_any_alias_are_covered(project: Project, s3_endpoint: Endpoint):
    media = new_bucket_name("media")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "uploads": {
            "BACKEND": "django_minio_backend.models.MinioBackend",
            "OPTIONS": {**s3_endpoint.settings(), "MINIO_DEFAULT_BUCKET": media, "MINIO_PUBLIC_BUCKETS": [media]},
        },
    }
    try:
        with project.settings(STORAGES=storages):
            output = initialize()
        assert f"{media}: created in region us-east-1; policy set: anonymous read (not listable)" in output
        project.put(media, "a.txt")
        assert project.anonymous(media, "a.txt") == 200
    finally:
        empty_and_remove_bucket(project.client, media)


def test_a_static_bucket_listed_as_private_is_served_publicly_with_a_warning(project: Project):
    """2.x-4.x made the static bucket public whatever the lists said; settings that list it
    as private keep working, and the check says so."""
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django_minio_backend.models.MinioBackendStatic"},
    }
    with project.settings(STORAGES=storages, MINIO_STATIC_FILES_BUCKET=project.private):
        messages = check_configuration()
        output = initialize()
    assert [m.id for m in messages] == ["django_minio_backend.W005"], messages
    assert project.private in messages[0].msg and messages[0].hint
    assert f"{project.private}: created in region us-east-1; policy set: anonymous read (not listable)" in output
    project.put(project.private, "app.css")
    assert project.anonymous(project.private, "app.css") == 200


def test_the_policy_hook_example_applies_cleanly(project: Project, s3_client: Minio):
    example = runpy.run_path(str(Path(__file__).parent.parent / "examples" / "policy_hook.example.py"))
    names = {key: example[key] for key in ("MINIO_PRIVATE_BUCKETS", "MINIO_PUBLIC_BUCKETS", "MINIO_POLICY_HOOKS")}
    try:
        with override_settings(**names):
            assert check_configuration() == []
            output = initialize()
            assert "MINIO_POLICY_HOOKS[2]" in output
            assert "Nothing to change" in initialize()
        project.put("reports", "published/q1.pdf")
        project.put("reports", "drafts/q2.pdf")
        assert project.anonymous("reports", "published/q1.pdf") == 200
        assert project.anonymous("reports", "drafts/q2.pdf") == 403
    finally:
        for bucket in ("reports", "inbox"):
            empty_and_remove_bucket(s3_client, bucket)
        s3_client.set_bucket_policy(SEED_PUBLIC[0], json.dumps(public_read(SEED_PUBLIC[0])))

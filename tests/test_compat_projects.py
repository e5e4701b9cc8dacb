"""Projects built on 2.6, 3.x and 4.x (tests/compat_projects) run unchanged on this package: their
migrations apply and match their models, and their own tests (uploads, URLs, helpers, errors)
pass against the session's server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from minio import Minio

from .s3 import Endpoint, empty_and_remove_bucket

PROJECTS = Path(__file__).resolve().parent / "compat_projects"
VERSIONS = ["readme26", "readme3x", "readme4x"]


@pytest.fixture
def environment(s3_endpoint: Endpoint, s3_client: Minio, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment the projects' settings read; buckets they create are removed afterwards."""
    before = {bucket.name for bucket in s3_client.list_buckets()}
    yield {
        **os.environ,
        "MINIO_ENDPOINT": s3_endpoint.endpoint,
        "MINIO_ACCESS_KEY": s3_endpoint.access_key,
        "MINIO_SECRET_KEY": s3_endpoint.secret_key,
        "MINIO_USE_HTTPS": "true" if s3_endpoint.use_https else "false",
        "PROJECT_DATABASE": str(tmp_path / "db.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "project.settings",
    }
    for bucket in {bucket.name for bucket in s3_client.list_buckets()} - before:
        empty_and_remove_bucket(s3_client, bucket)


def manage(version: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECTS / version, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} of {version}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.mark.parametrize("version", VERSIONS)
def test_the_project_migrates_matches_its_migrations_and_passes_its_tests(version: str, environment: dict[str, str]):
    assert "Applying attachments.0001_initial... OK" in manage(version, environment, "migrate")
    assert "No changes detected" in manage(version, environment, "makemigrations", "--check", "--dry-run")
    output = manage(version, environment, "test", "attachments", "-v", "2")
    assert "OK" in output.splitlines() and " ... ok" in output


@pytest.mark.parametrize("version", VERSIONS)
def test_the_migrations_are_in_the_form_old_versions_wrote(version: str):
    text = (PROJECTS / version / "attachments" / "migrations" / "0001_initial.py").read_text()
    assert "upload_to=django_minio_backend.models.iso_date_prefix" in text
    assert "storage=django_minio_backend.models.MinioBackend(" in text or "storage=attachments.storages." in text

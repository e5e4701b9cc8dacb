"""The on-start consistency check, in a real ``django.setup()`` of a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from minio import Minio

from .s3 import Endpoint, closed_port, empty_and_remove_bucket, new_bucket_name, silent_port

ROOT = Path(__file__).resolve().parent.parent
CHECKED_APP = "django_minio_backend.apps.DjangoMinioBackendConfig"


def start_django(tmp_path: Path, app: str, endpoint: Endpoint, **settings: object) -> subprocess.CompletedProcess[str]:
    """Run ``django.setup()`` in a new process with these settings; a hang fails the test."""
    (tmp_path / "project_settings.py").write_text(
        textwrap.dedent(f"""
            SECRET_KEY = "start-up-test"
            INSTALLED_APPS = ["django.contrib.contenttypes", {app!r}]
            MINIO_ENDPOINT = {endpoint.endpoint!r}
            MINIO_ACCESS_KEY = {endpoint.access_key!r}
            MINIO_SECRET_KEY = {endpoint.secret_key!r}
            MINIO_USE_HTTPS = {endpoint.use_https!r}
            MINIO_CONSISTENCY_CHECK_ON_START = True
        """)
        + "".join(f"{key} = {value!r}\n" for key, value in settings.items())
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "project_settings", "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    print(f"start-up ended after {time.monotonic() - started:.2f}s with exit code {result.returncode}")
    return result


def test_start_creates_and_corrects_the_buckets(tmp_path: Path, s3_endpoint: Endpoint, s3_client: Minio):
    private, public = new_bucket_name("start"), new_bucket_name("start-pub")
    try:
        result = start_django(
            tmp_path, CHECKED_APP, s3_endpoint, MINIO_PRIVATE_BUCKETS=[private], MINIO_PUBLIC_BUCKETS=[public]
        )
        assert result.returncode == 0, result.stderr
        assert "started" in result.stdout
        assert s3_client.bucket_exists(private) and s3_client.bucket_exists(public)
        assert '"s3:GetObject"' in s3_client.get_bucket_policy(public)
    finally:
        empty_and_remove_bucket(s3_client, private)
        empty_and_remove_bucket(s3_client, public)


def assert_one_clear_error(result: subprocess.CompletedProcess[str], reason: str, secret: str) -> None:
    assert result.returncode != 0 and "started" not in result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django_minio_backend.startup.ConsistencyCheckFailed: MINIO_CONSISTENCY_CHECK_ON_START")
    assert reason in last_line and "MINIO_CONSISTENCY_CHECK_ON_START = False" in last_line
    assert result.stderr.count("Traceback") == 1 and "Retrying" not in result.stderr
    assert secret not in result.stderr


def test_start_against_a_closed_port_fails_with_one_clear_error(tmp_path: Path, s3_endpoint: Endpoint):
    down = Endpoint(f"127.0.0.1:{closed_port()}", s3_endpoint.access_key, s3_endpoint.secret_key)
    result = start_django(tmp_path, CHECKED_APP, down, MINIO_PRIVATE_BUCKETS=["some-bucket"])
    assert_one_clear_error(result, "is unreachable", down.secret_key)


def test_start_against_a_server_that_never_answers_fails_within_the_timeout(tmp_path: Path, s3_endpoint: Endpoint):
    with silent_port() as listener:
        hung = Endpoint(f"127.0.0.1:{listener.getsockname()[1]}", s3_endpoint.access_key, s3_endpoint.secret_key)
        result = start_django(tmp_path, CHECKED_APP, hung, MINIO_CONNECT_TIMEOUT=1.0)
    assert_one_clear_error(result, "timed out", hung.secret_key)


@pytest.mark.parametrize("app", ["django_minio_backend", "django_minio_backend.apps.MinioBackendConfig"])
def test_plain_app_does_no_network_io_at_start(tmp_path: Path, s3_endpoint: Endpoint, app: str):
    with silent_port() as listener:
        hung = Endpoint(f"127.0.0.1:{listener.getsockname()[1]}", s3_endpoint.access_key, s3_endpoint.secret_key)
        result = start_django(tmp_path, app, hung)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    assert result.returncode == 0 and "started" in result.stdout, result.stderr


def test_a_mistake_in_the_options_is_left_to_the_checks_when_the_start_check_is_off(
    tmp_path: Path, s3_endpoint: Endpoint
):
    result = start_django(
        tmp_path, CHECKED_APP, s3_endpoint, MINIO_CONSISTENCY_CHECK_ON_START=False, MINIO_MULTIPART_PART_SIZE=1024
    )
    assert result.returncode == 0 and "started" in result.stdout, result.stderr

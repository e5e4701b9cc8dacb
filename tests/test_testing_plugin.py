"""The pytest plugin, used as a project would: a user's test suite run in its own process."""

from __future__ import annotations

import textwrap

import pytest

SETTINGS = """
SECRET_KEY = "user-project"
INSTALLED_APPS = ["django.contrib.contenttypes", "django_minio_backend"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
STORAGES = {
    "default": {
        "BACKEND": "django_minio_backend.models.MinioBackend",
        "OPTIONS": {
            "MINIO_ENDPOINT": "minio.production.invalid",
            "MINIO_ACCESS_KEY": "production-key",
            "MINIO_SECRET_KEY": "production-secret",
            "MINIO_DEFAULT_BUCKET": "user-uploads",
            "MINIO_PRIVATE_BUCKETS": ["user-uploads"],
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""

USER_TESTS = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

pytest_plugins = ["django_minio_backend.testing"]


def test_upload_round_trip(minio_server):
    name = default_storage.save("report.txt", ContentFile(b"quarterly numbers"))
    assert default_storage.open(name).read() == b"quarterly numbers"
    assert default_storage.settings.connection.endpoint == minio_server.endpoint
    assert minio_server.client().bucket_exists("user-uploads")


def test_fresh_bucket(minio_bucket, minio_server):
    assert list(minio_server.client().list_objects(minio_bucket)) == []
"""


def test_a_user_project_tests_its_uploads_against_a_throwaway_server(pytester: pytest.Pytester):
    pytester.makepyfile(user_settings=SETTINGS, test_uploads=textwrap.dedent(USER_TESTS))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ds=user_settings", "-o", "addopts=")
    result.assert_outcomes(passed=2)

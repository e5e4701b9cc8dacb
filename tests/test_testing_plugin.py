"""The pytest plugin, used as a project would: a user's test suite run in its own process."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings
from minio import Minio

from django_minio_backend import MinioBackend
from django_minio_backend.testing import own_endpoints, pointed_at

from .s3 import Endpoint, empty_and_remove_bucket, new_bucket_name

SETTINGS = """
import urllib3

SECRET_KEY = "user-project"
MINIO_EXTERNAL_ENDPOINT = "media.production.invalid"
MINIO_URL_ADDRESSING_STYLE = "virtual"  # the test server answers path-style URLs
MINIO_HTTP_CLIENT = urllib3.ProxyManager("http://proxy.production.invalid:3128")
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
import urllib.request

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

pytest_plugins = ["django_minio_backend.testing"]


def test_upload_round_trip(minio_server):
    name = default_storage.save("report.txt", ContentFile(b"quarterly numbers"))
    assert default_storage.open(name).read() == b"quarterly numbers"
    assert default_storage.settings.connection.endpoint == minio_server.endpoint
    assert minio_server.client().bucket_exists("user-uploads")
    url = default_storage.url(name)
    assert url.startswith(minio_server.base_url + "/user-uploads/report.txt?")
    with urllib.request.urlopen(url) as answer:
        assert answer.read() == b"quarterly numbers"


def test_fresh_bucket(minio_bucket, minio_server):
    assert list(minio_server.client().list_objects(minio_bucket)) == []
"""


def test_a_user_project_tests_its_uploads_against_a_throwaway_server(pytester: pytest.Pytester):
    pytester.makepyfile(user_settings=SETTINGS, test_uploads=textwrap.dedent(USER_TESTS))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ds=user_settings", "-o", "addopts=")
    result.assert_outcomes(passed=2)


PRODUCTION = {
    "MINIO_ENDPOINT": "minio.production.invalid",
    "MINIO_ACCESS_KEY": "production-key",
    "MINIO_SECRET_KEY": "production-secret",
}


def test_the_session_server_wins_over_constructor_options_and_already_read_settings(s3_endpoint: Endpoint):
    storage = MinioBackend("b-bucket", MINIO_ENDPOINT="own.example:9000", MINIO_REGION="eu-1")
    assert storage.settings.connection.endpoint == "own.example:9000"  # read and cached
    with pointed_at(s3_endpoint):
        assert storage.settings.connection.endpoint == s3_endpoint.endpoint
        assert storage.settings.connection.region == "eu-1"  # options not about the connection stay
        with own_endpoints():
            assert storage.settings.connection.endpoint == "own.example:9000"
        assert storage.settings.connection.endpoint == s3_endpoint.endpoint
    assert storage.settings.connection.endpoint == "own.example:9000"


def test_an_alias_without_options_still_shares_the_default_alias_options_under_the_plugin(
    s3_endpoint: Endpoint, bucket: str
):
    aliases = {
        "default": {
            "BACKEND": "django_minio_backend.models.MinioBackend",
            "OPTIONS": {**PRODUCTION, "MINIO_DEFAULT_BUCKET": bucket},
        },
        "media": {"BACKEND": "django_minio_backend.models.MinioBackend"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=aliases), pointed_at(s3_endpoint):
        media = storages["media"]
        assert media.bucket == bucket
        name = media.save("shared.txt", ContentFile(b"shared"))
        assert s3_endpoint.client().get_object(bucket, name).read() == b"shared"


@pytest.fixture
def user_project(
    pytester: pytest.Pytester, s3_endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> Iterator[UserProject]:
    """A user project whose test session uses this session's server (so tests can look at it)."""
    for name, value in (
        ("MINIO_TEST_ENDPOINT", s3_endpoint.endpoint),
        ("MINIO_TEST_ACCESS_KEY", s3_endpoint.access_key),
        ("MINIO_TEST_SECRET_KEY", s3_endpoint.secret_key),
        ("MINIO_TEST_USE_HTTPS", "1" if s3_endpoint.use_https else ""),
    ):
        monkeypatch.setenv(name, value)
    project = UserProject(pytester, new_bucket_name("uploads"), new_bucket_name("archive"))
    yield project
    for bucket in (project.uploads, project.archive):
        empty_and_remove_bucket(s3_endpoint.client(), bucket)


@dataclass
class UserProject:
    pytester: pytest.Pytester
    uploads: str
    archive: str

    def run(self, models: str, tests: str) -> pytest.RunResult:
        options = {
            **PRODUCTION,
            "MINIO_DEFAULT_BUCKET": self.uploads,
            "MINIO_PRIVATE_BUCKETS": [self.uploads, self.archive],
        }
        self.pytester.makepyfile(
            user_settings=f"""
SECRET_KEY = "user-project"
INSTALLED_APPS = ["django.contrib.contenttypes", "django_minio_backend", "userapp"]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}}}
STORAGES = {{
    "default": {{"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": {options!r}}},
    "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
}}
""",
            test_user=textwrap.dedent(tests),
        )
        self.pytester.mkpydir("userapp")
        self.pytester.path.joinpath("userapp", "models.py").write_text(
            textwrap.dedent(models).format(archive=self.archive, production=PRODUCTION)
        )
        return self.pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ds=user_settings", "-o", "addopts=")


ARCHIVE_MODELS = """
from django.db import models

from django_minio_backend import MinioBackend

archive = MinioBackend(bucket_name="{archive}", **{production!r})
archive.settings  # read at import, before the test session points storages anywhere


class Document(models.Model):
    file = models.FileField(storage=archive)
"""


def test_a_storage_with_its_own_endpoint_uses_the_test_server(user_project: UserProject):
    result = user_project.run(
        ARCHIVE_MODELS,
        f"""
        from django.core.files.base import ContentFile

        from django_minio_backend.testing import own_endpoints
        from userapp.models import Document, archive

        pytest_plugins = ["django_minio_backend.testing"]


        def test_the_field_storage_saves_to_the_test_server(minio_server):
            storage = Document._meta.get_field("file").storage
            assert storage.settings.connection.endpoint == minio_server.endpoint
            name = storage.save("contract.txt", ContentFile(b"signed"))
            assert minio_server.client().get_object("{user_project.archive}", name).read() == b"signed"


        def test_own_endpoints_lets_a_test_point_a_storage_elsewhere(minio_server):
            with own_endpoints():
                assert archive.settings.connection.endpoint == "minio.production.invalid"
            assert archive.settings.connection.endpoint == minio_server.endpoint
        """,
    )
    result.assert_outcomes(passed=2)


def test_a_storage_the_session_cannot_redirect_stops_it_before_any_bucket_is_made(
    user_project: UserProject, s3_client: Minio
):
    pinned = """
    from django.db import models

    from django_minio_backend import MinioBackend


    class PinnedBackend(MinioBackend):
        @property
        def settings(self):
            own = super().settings
            pinned = own.connection._replace(endpoint="minio.production.invalid")
            return own._replace(connection=pinned)


    class Document(models.Model):
        file = models.FileField(storage=PinnedBackend(bucket_name="{archive}"))
    """
    result = user_project.run(
        pinned, "pytest_plugins = ['django_minio_backend.testing']\n\ndef test_any():\n    pass\n"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*Refusing to test against*userapp.Document.file (minio.production.invalid)*"])
    assert not s3_client.bucket_exists(user_project.uploads)
    assert not s3_client.bucket_exists(user_project.archive)

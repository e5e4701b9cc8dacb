"""A key prefix per storage (MINIO_LOCATION, or location=): every object under it, every name without it.

Against the real server: keys are read back with minio directly, URLs are fetched anonymously,
and bucket policies are evaluated by the server.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.test import override_settings
from minio import Minio

from django_minio_backend import MinioBackend, s3api
from django_minio_backend.buckets import BucketUse, plan
from django_minio_backend.discovery import StorageUse
from django_minio_backend.filecopy import copy_file
from django_minio_backend.orphans import find_orphans, scopes
from django_minio_backend.policies import canonical, read_only_prefix
from django_minio_backend.staticfiles import MinioBackendStatic, MinioManifestStaticStorage

from .s3 import CountingPoolManager, http_get, stored_keys
from .testapp.models import PrivateAttachment


@pytest.fixture
def media(bucket: str) -> MinioBackend:
    return MinioBackend(bucket, location="media")


@pytest.fixture
def static(bucket: str) -> MinioBackendStatic:
    return MinioBackendStatic(bucket, location="static/")


def test_objects_are_stored_under_the_location_and_names_never_hold_it(media: MinioBackend, s3_client: Minio):
    name = media.save("docs/report.txt", ContentFile(b"quarterly"))
    assert name == "docs/report.txt"
    assert stored_keys(s3_client, media.bucket) == ["media/docs/report.txt"]
    assert media.exists(name) and media.size(name) == 9
    with media.open(name) as stored:
        assert stored.read() == b"quarterly"
    assert media.listdir("") == (["docs"], [])
    assert media.listdir("docs") == ([], ["report.txt"])
    assert media.stored_names() == ["docs/report.txt"]
    media.delete(name)
    assert stored_keys(s3_client, media.bucket) == []


def test_a_taken_name_gets_an_alternative_within_the_location(media: MinioBackend, s3_client: Minio):
    first = media.save("a.txt", ContentFile(b"1"))
    second = media.save("a.txt", ContentFile(b"2"))
    assert first == "a.txt" and second != first and "/" not in second
    assert sorted(stored_keys(s3_client, media.bucket)) == sorted([f"media/{first}", f"media/{second}"])
    with pytest.raises(FileExistsError):
        media.create("a.txt", io.BytesIO(b"3"))


def test_two_storages_in_one_bucket_see_only_their_own_objects(
    media: MinioBackend, static: MinioBackendStatic, s3_client: Minio
):
    media.save("logo.png", ContentFile(b"user upload"))
    static.save("logo.png", ContentFile(b"site logo"))
    assert sorted(stored_keys(s3_client, media.bucket)) == ["media/logo.png", "static/logo.png"]
    with media.open("logo.png") as upload, static.open("logo.png") as logo:
        assert (upload.read(), logo.read()) == (b"user upload", b"site logo")
    assert media.listdir("") == ([], ["logo.png"]) == static.listdir("")
    media.delete_many(["logo.png"])
    assert stored_keys(s3_client, media.bucket) == ["static/logo.png"]
    assert not media.exists("logo.png") and static.exists("logo.png")


def test_the_location_is_the_setting_or_the_argument_and_is_normalised(bucket: str):
    with override_settings(MINIO_LOCATION="site/media/"):
        assert MinioBackend(bucket).settings.location == "site/media/"
        assert MinioBackend(bucket, location="other").settings.location == "other/"  # the argument wins
    assert MinioBackend(bucket).settings.location == ""
    assert MinioBackend(bucket, MINIO_LOCATION="media").settings.location == "media/"
    # migrations keep the location a field's storage was given, as they keep its bucket
    assert MinioBackend(bucket, location="media").deconstruct()[2] == {"bucket_name": bucket, "location": "media"}


@pytest.mark.parametrize("location", ["/media", "../media", "media/../static", "media//x", "./media", "a\\b", 5])
def test_a_location_that_could_leave_its_prefix_is_refused_when_the_storage_is_used(bucket: str, location: Any):
    storage = MinioBackend(bucket, location=location)
    with pytest.raises(ImproperlyConfigured, match=r"MINIO_LOCATION .*django_minio_backend\.E040"):
        storage.save("x.txt", ContentFile(b"x"))


@pytest.mark.parametrize("name", ["../static/logo.png", "/static/logo.png", "a/../../static/logo.png", "..", "a/.."])
def test_no_name_reaches_outside_the_location(
    media: MinioBackend, static: MinioBackendStatic, s3_client: Minio, name: str
):
    static.save("logo.png", ContentFile(b"site logo"))
    for attempt in (
        lambda: media.save(name, ContentFile(b"overwrite")),
        lambda: media.open(name).read(),
        lambda: media.exists(name),
        lambda: media.delete(name),
        lambda: media.url(name),
    ):
        with pytest.raises(SuspiciousFileOperation):
            attempt()
    if ".." in name:
        with pytest.raises(SuspiciousFileOperation):
            media.listdir(name)
    else:  # a directory given as absolute is the location's own, as the storage's root is
        assert media.listdir(name) == ([], [])
    with pytest.raises(SuspiciousFileOperation):
        media.abort_incomplete_uploads(timedelta(0), prefix="../")
    assert stored_keys(s3_client, media.bucket) == ["static/logo.png"]


def test_a_name_the_location_makes_too_long_for_s3_is_shortened_by_save_and_refused_by_create(
    media: MinioBackend, s3_client: Minio
):
    directory = "/".join(["d" * 199] * 4)  # segments of at most 255 bytes, as SeaweedFS requires
    name = media.save(f"{directory}/{'f' * 220}.bin", ContentFile(b"first"))
    assert name == f"{directory}/{'f' * 214}.bin"  # 1024 bytes with "media/"
    assert stored_keys(s3_client, media.bucket) == [f"media/{name}"]
    second = media.save(f"{directory}/{'f' * 220}.bin", ContentFile(b"second"))  # taken: an alternative, fitted too
    assert second != name and second.startswith(directory) and len(f"media/{second}") <= 1024
    with media.open(second) as stored:
        assert stored.read() == b"second"
    with pytest.raises(SuspiciousFileOperation, match="1024-byte key limit"):
        media.create(f"{directory}/{'f' * 220}.bin", io.BytesIO(b"y"))
    assert len(stored_keys(s3_client, media.bucket)) == 2


def test_urls_name_the_whole_key_and_serve_the_object(media: MinioBackend, static: MinioBackendStatic):
    media.save("private doc.txt", ContentFile(b"for members"))
    static.save("css/app.css", ContentFile(b"body{}"))
    signed = media.url("private doc.txt")
    assert f"/{media.bucket}/media/private%20doc.txt?" in signed
    assert http_get(signed)[:2] == (200, b"for members")
    assert static.url("css/app.css").endswith(f"/{static.bucket}/static/css/app.css")


def incomplete_uploads(client: Minio, bucket: str) -> list[str]:
    return sorted(upload.key for upload in s3api.list_multipart_uploads(client, bucket))


def test_abort_incomplete_uploads_stays_inside_the_location(
    media: MinioBackend, static: MinioBackendStatic, s3_client: Minio
):
    for key in ("media/big.bin", "media/videos/big.bin", "static/bundle.js"):
        s3api.create_multipart_upload(s3_client, media.bucket, key, {})
    assert media.abort_incomplete_uploads(timedelta(0), prefix="videos/") == ["videos/big.bin"]
    assert media.abort_incomplete_uploads(timedelta(0)) == ["big.bin"]
    assert incomplete_uploads(s3_client, media.bucket) == ["static/bundle.js"]
    assert static.abort_incomplete_uploads(timedelta(0)) == ["bundle.js"]


def test_migrated_files_land_under_the_location_and_a_second_run_skips_them(
    media: MinioBackend, s3_client: Minio, tmp_path: Path
):
    source = FileSystemStorage(location=tmp_path)
    source.save("old/photo.jpg", ContentFile(b"jpeg bytes"))
    assert copy_file(source, media, "old/photo.jpg").status == "copied"
    assert stored_keys(s3_client, media.bucket) == ["media/old/photo.jpg"]
    assert copy_file(source, media, "old/photo.jpg").status == "skipped"


@pytest.mark.django_db
def test_orphans_are_names_of_the_location_and_other_storages_objects_are_never_orphans(bucket: str, s3_client: Minio):
    root = MinioBackend(bucket)  # the FileField's storage, at the bucket's root
    media = MinioBackend(bucket, location="media")
    static = MinioBackendStatic(bucket, location="static")
    field = PrivateAttachment._meta.get_field("file")
    for storage in (root, media):
        storage.save("kept.txt", ContentFile(b"referenced"))
        storage.save("lost.txt", ContentFile(b"orphan"))
    static.save("app.css", ContentFile(b"body{}"))
    PrivateAttachment.objects.create(file="kept.txt")
    uses = [
        StorageUse(root, "root", model_field=field),  # type: ignore[arg-type]
        StorageUse(media, "media", model_field=field),  # type: ignore[arg-type]
        StorageUse(static, "STORAGES['staticfiles']"),
    ]
    found = {scope.storage.settings.location: scope for scope in scopes(uses, bucket)}
    assert found[""].excluded == ["media/", "static/"]
    assert [(o.key, o.name) for o in find_orphans(found[""], timedelta(0))] == [("lost.txt", "lost.txt")]
    assert [(o.key, o.name) for o in find_orphans(found["media/"], timedelta(0))] == [("media/lost.txt", "lost.txt")]


# Media and static in one bucket, under two prefixes


class StaticUnderPrefix(MinioBackendStatic):
    """The staticfiles storage under static/ (Django 4.2's override_settings drops staticfiles OPTIONS)."""

    def __init__(self, **options: Any):
        super().__init__(location="static", **options)


@pytest.fixture
def project(bucket: str, tmp_path: Path, counter: CountingPoolManager) -> Iterator[dict[str, Any]]:
    """A project whose media and static files share one private bucket: media under media/
    (private), static under static/ (public), as cookiecutter-django lays them out."""
    source = tmp_path / "static-source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_bytes(b"body { color: teal; }")
    (source / "robots.txt").write_bytes(b"User-agent: *")
    with override_settings(
        STATICFILES_DIRS=[str(source)],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],  # not the apps' own files
        STORAGES={
            "default": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": {"location": "media"}},
            "staticfiles": {"BACKEND": "tests.test_location.StaticUnderPrefix"},
        },
        MINIO_DEFAULT_BUCKET=bucket,
        MINIO_STATIC_FILES_BUCKET=bucket,
        MINIO_PRIVATE_BUCKETS=[bucket],
        MINIO_HTTP_CLIENT=counter,
    ):
        yield {"source": source, "media": storages["default"]}


def test_media_and_static_share_a_private_bucket_with_a_public_static_prefix(
    project: dict[str, Any], bucket: str, s3_client: Minio, counter: CountingPoolManager
):
    from django.contrib.staticfiles.storage import staticfiles_storage

    media: MinioBackend = project["media"]
    media.save("invoice.pdf", ContentFile(b"%PDF private"))
    media.save("static/trap.txt", ContentFile(b"a media name that looks static"))
    call_command("initialize_buckets", stdout=io.StringIO())
    policy = json.loads(s3_client.get_bucket_policy(bucket))  # anyone may read static/*, and nothing else
    assert canonical(policy) == canonical(read_only_prefix(bucket, "static/"))

    call_command("collectstatic", "--noinput", stdout=io.StringIO())
    assert sorted(stored_keys(s3_client, bucket)) == [
        "media/invoice.pdf",
        "media/static/trap.txt",
        "static/css/site.css",
        "static/robots.txt",
    ]
    # Static files are served to anyone at plain URLs; media files are not, even by a guessed URL.
    url = staticfiles_storage.url("css/site.css")
    assert "X-Amz-" not in url and url.endswith(f"/{bucket}/static/css/site.css")
    assert http_get(url)[:2] == (200, b"body { color: teal; }")
    plain_media = url.replace("/static/css/site.css", "/media/invoice.pdf")
    assert http_get(plain_media)[0] == 403
    assert http_get(plain_media.replace("/media/invoice.pdf", "/media/static/trap.txt"))[0] == 403
    assert http_get(media.url("invoice.pdf"))[:2] == (200, b"%PDF private")

    # A second run lists only the static prefix and sends nothing; --clear deletes only there.
    counter.reset()
    call_command("collectstatic", "--noinput", stdout=io.StringIO())
    assert [r.method for r in counter.requests] == ["GET"]
    assert "prefix=static%2F" in counter.requests[0].url
    call_command("collectstatic", "--noinput", "--clear", stdout=io.StringIO())
    assert sorted(stored_keys(s3_client, bucket)) == [
        "media/invoice.pdf",
        "media/static/trap.txt",
        "static/css/site.css",
        "static/robots.txt",
    ]


class ManifestUnderPrefix(MinioManifestStaticStorage):
    def __init__(self, **options: Any):
        super().__init__(location="static", **options)


def test_hashed_static_files_and_their_manifest_stay_under_the_prefix(
    project: dict[str, Any], bucket: str, s3_client: Minio
):
    from django.contrib.staticfiles.storage import staticfiles_storage

    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": {"location": "media"}},
            "staticfiles": {"BACKEND": "tests.test_location.ManifestUnderPrefix"},
        }
    ):
        call_command("initialize_buckets", stdout=io.StringIO())
        call_command("collectstatic", "--noinput", stdout=io.StringIO())
        keys = stored_keys(s3_client, bucket)
        assert "static/staticfiles.json" in keys and all(key.startswith("static/") for key in keys)
        url = staticfiles_storage.url("css/site.css")
        assert re.search(rf"/{bucket}/static/css/site\.[0-9a-f]{{12}}\.css$", url)
        assert http_get(url)[:2] == (200, b"body { color: teal; }")


def test_a_private_location_in_a_public_bucket_or_overlapping_a_public_one_is_refused(bucket: str):
    def problems(*uses: tuple[MinioBackend, bool]) -> list[str]:
        return [problem.check_id for problem in plan([BucketUse(s.settings, bucket, public) for s, public in uses])[1]]

    media, static = MinioBackend(bucket, location="media"), MinioBackendStatic(bucket, location="static")
    assert problems((media, False), (static, True)) == []
    assert problems((MinioBackend(bucket), False), (static, True)) == ["E041"]  # media at the root holds static/
    assert problems((MinioBackend(bucket, location="static/uploads"), False), (static, True)) == ["E041"]
    assert problems((media, False), (MinioBackendStatic(bucket), True)) == ["E006"]


def about(bucket: str) -> list[str]:
    """The ids of the system checks' messages about ``bucket`` (the test app's fields have their own)."""
    from django_minio_backend.checks import check_configuration

    return [message.id for message in check_configuration() if bucket in message.msg]


def test_the_shared_bucket_layout_passes_the_system_checks(project: dict[str, Any], bucket: str):
    assert about(bucket) == []  # no W005 either: only static/ is public


def test_an_overlap_is_reported_by_the_system_checks(project: dict[str, Any], bucket: str):
    with override_settings(
        STORAGES={
            "default": {"BACKEND": "django_minio_backend.models.MinioBackend"},
            "staticfiles": {"BACKEND": "tests.test_location.StaticUnderPrefix"},
        }
    ):
        assert about(bucket) == ["django_minio_backend.E041"]

"""minio_migrate_files: local media copied into MinIO, verified, resumable, never overwriting."""

from __future__ import annotations

import hashlib
import os
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from minio import Minio

from .s3 import CountingPoolManager, stored_keys
from .testapp.models import LocalAttachment, PrivateAttachment, SoftDeletedAttachment

FILES = {
    "2024-01-01/report.pdf": b"%PDF-1.7 report",
    "2024-01-01/empty.txt": b"",
    "photos/été à Zürich.jpg": b"\xff\xd8 jpeg bytes",
    "big/video.bin": os.urandom(20 * 1024 * 1024 + 123),  # multipart, so verified by reading back
}


@pytest.fixture
def media(tmp_path: Path) -> Path:
    for name, data in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return tmp_path


def migrate(*args: str) -> str:
    out = StringIO()
    call_command("minio_migrate_files", *args, stdout=out, stderr=out)
    return out.getvalue()


def stored(client: Minio, bucket: str) -> dict[str, str]:
    return {
        key: hashlib.sha256(client.get_object(bucket, key).read()).hexdigest() for key in stored_keys(client, bucket)
    }


def digests(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}


def test_every_file_is_copied_verified_and_the_source_untouched(media: Path, bucket: str, s3_client: Minio):
    before = {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in media.rglob("*") if path.is_file()}
    output = migrate("--source-dir", str(media), "--bucket", bucket)
    assert "4 copied, 0 skipped, 0 failed" in output
    assert stored(s3_client, bucket) == digests(FILES)
    assert {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in before} == before


def test_a_second_run_skips_everything_and_uploads_nothing(media: Path, bucket: str):
    migrate("--source-dir", str(media), "--bucket", bucket)
    counter = CountingPoolManager()
    with override_settings(MINIO_HTTP_CLIENT=counter):
        output = migrate("--source-dir", str(media), "--bucket", bucket)
    assert "0 copied, 4 skipped, 0 failed" in output
    assert not {"PUT", "POST", "DELETE"} & set(counter.methods())


def test_an_interrupted_run_resumes(media: Path, bucket: str, s3_client: Minio):
    done = "2024-01-01/report.pdf"
    s3_client.put_object(bucket, done, BytesIO(FILES[done]), len(FILES[done]))  # copied before the interruption
    output = migrate("--source-dir", str(media), "--bucket", bucket)
    assert "3 copied, 1 skipped, 0 failed" in output
    assert stored(s3_client, bucket) == digests(FILES)


def test_an_object_with_other_content_is_never_overwritten(media: Path, bucket: str, s3_client: Minio):
    name = "photos/été à Zürich.jpg"
    s3_client.put_object(bucket, name, BytesIO(b"someone else's photo"), 20)
    with pytest.raises(CommandError, match=r"1 file\(s\) failed"):
        migrate("--source-dir", str(media), "--bucket", bucket)
    assert s3_client.get_object(bucket, name).read() == b"someone else's photo"
    assert len(stored(s3_client, bucket)) == 4


def test_dry_run_copies_nothing(media: Path, bucket: str, s3_client: Minio):
    output = migrate("--source-dir", str(media), "--bucket", bucket, "--dry-run")
    assert "0 copied, 4 would-copy, 0 skipped, 0 failed" in output
    assert stored(s3_client, bucket) == {}


def test_an_unreadable_source_file_fails_alone(media: Path, bucket: str, s3_client: Minio):
    (media / "2024-01-01" / "dangling.txt").symlink_to(media / "nowhere")
    with pytest.raises(CommandError, match=r"1 file\(s\) failed"):
        migrate("--source-dir", str(media), "--bucket", bucket)
    assert stored(s3_client, bucket) == digests(FILES)


@pytest.mark.django_db
def test_referenced_copies_only_what_rows_refer_to(media: Path, bucket: str, s3_client: Minio):
    PrivateAttachment.objects.create(file="2024-01-01/report.pdf")
    PrivateAttachment.objects.create(file="2023-12-31/lost-long-ago.pdf")  # not on disk
    output = migrate("--source-dir", str(media), "--bucket", bucket, "--referenced")
    assert "1 referenced file(s) are not in the source" in output
    assert "1 copied, 0 skipped, 0 failed" in output
    assert list(stored(s3_client, bucket)) == ["2024-01-01/report.pdf"]


@pytest.mark.django_db
def test_referenced_copies_files_of_rows_the_default_manager_hides(media: Path, bucket: str, s3_client: Minio):
    SoftDeletedAttachment.objects.create(file="2024-01-01/report.pdf", deleted=True)
    output = migrate("--source-dir", str(media), "--bucket", bucket, "--referenced")
    assert "1 copied, 0 skipped, 0 failed" in output
    assert list(stored(s3_client, bucket)) == ["2024-01-01/report.pdf"]


@pytest.mark.django_db
def test_referenced_counts_fields_not_yet_on_minio(media: Path, bucket: str, s3_client: Minio):
    LocalAttachment.objects.create(file="photos/été à Zürich.jpg")
    output = migrate("--source-dir", str(media), "--bucket", bucket, "--referenced")
    assert "1 copied, 0 skipped, 0 failed" in output
    assert list(stored(s3_client, bucket)) == ["photos/été à Zürich.jpg"]

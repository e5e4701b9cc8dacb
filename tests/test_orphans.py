"""clean_orphaned_minio_files: objects no row references are reported, and deleted only when asked."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from django_minio_backend import MinioBackend, s3api

from .testapp.models import PrivateAttachment, SoftDeletedAttachment

pytestmark = pytest.mark.django_db
BUCKET = "django-backend-dev-private"


def orphans(*args: str, bucket: str = BUCKET) -> str:
    out = StringIO()
    call_command("clean_orphaned_minio_files", "--bucket", bucket, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def stored() -> dict[str, str]:
    """One object a row references and one nobody references, in a FileField's bucket."""
    kept = PrivateAttachment.objects.create(file=ContentFile(b"referenced", name="kept.txt"))
    orphan = MinioBackend(BUCKET).save("orphans/lost.txt", ContentFile(b"lost"))
    return {"kept": kept.file.name, "orphan": orphan}


def test_report_lists_orphans_and_deletes_nothing(stored: dict[str, str]):
    output = orphans("--grace-hours", "0")
    assert f"{BUCKET}/{stored['orphan']}  4 bytes" in output
    assert stored["kept"] not in output
    assert "Nothing was deleted" in output
    assert MinioBackend(BUCKET).exists(stored["orphan"])


def test_delete_removes_only_orphans(stored: dict[str, str]):
    output = orphans("--grace-hours", "0", "--delete", "--no-input")
    assert f"{BUCKET}/{stored['orphan']}" in output and "deleted" in output
    storage = MinioBackend(BUCKET)
    assert not storage.exists(stored["orphan"])
    assert storage.exists(stored["kept"])


def test_files_of_rows_the_default_manager_hides_are_no_orphans():
    row = SoftDeletedAttachment.objects.create(file=ContentFile(b"in the bin", name="soft-deleted.txt"))
    SoftDeletedAttachment.objects.filter(pk=row.pk).update(deleted=True)
    assert not SoftDeletedAttachment.objects.filter(pk=row.pk).exists()
    bucket = row.file.storage.bucket
    output = orphans("--grace-hours", "0", "--delete", "--no-input", bucket=bucket)
    assert row.file.name not in output
    assert MinioBackend(bucket).exists(row.file.name)


def test_recent_objects_are_within_the_grace_period(stored: dict[str, str]):
    output = orphans("--delete", "--no-input")  # default grace: hours
    assert stored["orphan"] not in output
    assert MinioBackend(BUCKET).exists(stored["orphan"])


def test_buckets_without_file_fields_are_out_of_scope(bucket: str):
    MinioBackend(bucket).save("not-a-field-file.txt", ContentFile(b"x"))
    with pytest.raises(CommandError, match="No model FileField stores into bucket"):
        call_command("clean_orphaned_minio_files", "--bucket", bucket, "--grace-hours", "0", "--delete", "--no-input")
    assert MinioBackend(bucket).exists("not-a-field-file.txt")


def test_abandoned_multipart_uploads_are_reported_and_aborted_only_with_delete(stored: dict[str, str]):
    storage = MinioBackend(BUCKET)
    s3api.create_multipart_upload(storage.client, BUCKET, "uploads/abandoned.bin", {})

    def left() -> list[str]:
        return [upload.key for upload in s3api.list_multipart_uploads(storage.client, BUCKET)]

    assert "uploads/abandoned.bin" not in orphans()  # begun just now: within the grace period
    report = orphans("--grace-hours", "0")
    assert f"{BUCKET}/uploads/abandoned.bin  incomplete multipart upload, begun " in report
    assert left() == ["uploads/abandoned.bin"]
    assert "aborted 1 incomplete upload(s)" in orphans("--grace-hours", "0", "--delete", "--no-input")
    assert left() == []
    assert storage.exists(stored["kept"])


class Terminal(StringIO):
    """Standard input as a terminal where the user types ``answer``."""

    def __init__(self, answer: str):
        super().__init__(answer + "\n")

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "deleted"), [("yes", True), ("no", False), ("y", False)])
def test_delete_asks_on_a_terminal(stored: dict[str, str], monkeypatch: pytest.MonkeyPatch, answer: str, deleted: bool):
    monkeypatch.setattr("sys.stdin", Terminal(answer))
    if deleted:
        assert ": deleted " in orphans("--grace-hours", "0", "--delete")
    else:
        with pytest.raises(CommandError, match="Cancelled; nothing was deleted"):
            orphans("--grace-hours", "0", "--delete")
    assert MinioBackend(BUCKET).exists(stored["orphan"]) is not deleted


def test_delete_without_a_terminal_needs_no_input(stored: dict[str, str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("sys.stdin", StringIO("yes\n"))  # piped input is no confirmation
    with pytest.raises(CommandError, match="pass --no-input"):
        orphans("--grace-hours", "0", "--delete")
    assert MinioBackend(BUCKET).exists(stored["orphan"])


def test_verbosity_0_prints_nothing(stored: dict[str, str]):
    assert orphans("--grace-hours", "0", "--verbosity", "0") == ""
    assert orphans("--grace-hours", "0", "--delete", "--no-input", "-v", "0") == ""
    assert not MinioBackend(BUCKET).exists(stored["orphan"])

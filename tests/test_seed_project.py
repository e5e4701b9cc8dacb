"""A project configured exactly as in the seed README stores, serves and deletes files."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from django_minio_backend import MinioBackend, get_iso_date

from .s3 import http_get
from .testapp.models import PrivateAttachment, PublicAttachment

pytestmark = pytest.mark.django_db


def test_private_attachment_is_stored_served_signed_and_deleted():
    attachment = PrivateAttachment.objects.create(
        file=SimpleUploadedFile("contract.pdf", b"%PDF private", content_type="application/pdf")
    )
    assert attachment.file.name == f"{get_iso_date()}/contract.pdf"
    assert attachment.file.read() == b"%PDF private"
    url = attachment.file.url
    assert http_get(url)[:2] == (200, b"%PDF private")
    assert http_get(url.split("?")[0])[0] == 403
    storage = attachment.file.storage
    name = attachment.file.name
    attachment.file.delete()
    assert not storage.exists(name)


def test_public_attachment_is_served_without_signature():
    attachment = PublicAttachment.objects.create(
        file=SimpleUploadedFile("logo.svg", b"<svg/>", content_type="image/svg+xml")
    )
    url = attachment.file.url
    assert "X-Amz-" not in url
    status, body, headers = http_get(url)
    assert (status, body) == (200, b"<svg/>")
    assert headers["Content-Type"] == "image/svg+xml"
    attachment.file.delete()


def test_two_uploads_of_one_file_name_keep_both():
    first = PrivateAttachment.objects.create(file=SimpleUploadedFile("same.txt", b"one"))
    second = PrivateAttachment.objects.create(file=SimpleUploadedFile("same.txt", b"two"))
    assert first.file.name != second.file.name
    assert PrivateAttachment.objects.get(pk=first.pk).file.read() == b"one"
    assert PrivateAttachment.objects.get(pk=second.pk).file.read() == b"two"


def test_health_check_as_in_the_readme():
    minio_available = MinioBackend("").is_minio_available()
    assert minio_available, minio_available.details

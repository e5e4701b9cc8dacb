"""What the README's Switching section promises a 2.x-4.x user about script-running uploads."""

from __future__ import annotations

from django.core.files.base import ContentFile
from minio import Minio

from django_minio_backend import MinioBackend


def test_html_uploads_are_attachments_unless_the_4x_headers_option_says_inline(bucket: str, s3_client: Minio):
    default = MinioBackend(bucket).save("report.html", ContentFile(b"<p>hi</p>"))
    inline = MinioBackend(bucket, headers={"Content-Disposition": "inline"}).save("page.html", ContentFile(b"<p>x</p>"))
    stored = {
        name: s3_client.stat_object(bucket, name).metadata.get("Content-Disposition") for name in (default, inline)
    }
    assert stored == {default: "attachment", inline: "inline"}

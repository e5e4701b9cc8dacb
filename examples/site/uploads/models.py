"""Three kinds of upload, each a FileField on a MinIO bucket (the original README's step 4)."""

from django.db import models

from django_minio_backend import iso_date_prefix

from .storages import private_storage, public_storage


class Upload(models.Model):
    """What every upload has: a file, stored under ``YYYY-MM-DD/<name>``, and a time."""

    file = models.FileField(storage=private_storage, upload_to=iso_date_prefix)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.file.name or ""


class PrivateAttachment(Upload):
    """A file in the private bucket: its links are presigned and expire."""


class PublicAttachment(Upload):
    """A file in the public bucket: its plain URL works for anyone."""

    file = models.FileField(storage=public_storage, upload_to=iso_date_prefix)


class Image(Upload):
    """A public image; Django fills width and height from the image's header."""

    file = models.ImageField(
        storage=public_storage, upload_to=iso_date_prefix, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)


class LargeFile(Upload):
    """A large private file that the browser uploads straight to the bucket, in parts for large
    files, with progress: its bytes never pass through Django (``uploads.views.direct``)."""


UPLOAD_MODELS: dict[str, type[Upload]] = {
    "private": PrivateAttachment,
    "public": PublicAttachment,
    "image": Image,
}
"""The page's sections, by the name used in its URLs."""

"""Models configured exactly as in the seed README."""

from django.db import models

from django_minio_backend import MinioBackend, iso_date_prefix


class PrivateAttachment(models.Model):
    file = models.FileField(
        verbose_name="Object Upload",
        storage=MinioBackend(bucket_name="django-backend-dev-private"),
        upload_to=iso_date_prefix,
    )


class PublicAttachment(models.Model):
    file = models.FileField(
        verbose_name="Object Upload",
        storage=MinioBackend(bucket_name="django-backend-dev-public"),
        upload_to=iso_date_prefix,
    )


class LocalAttachment(models.Model):
    """A field still on the default storage (local disk), as before its files move to MinIO."""

    file = models.FileField()


class VisibleAttachments(models.Manager["SoftDeletedAttachment"]):
    def get_queryset(self) -> models.QuerySet["SoftDeletedAttachment"]:
        return super().get_queryset().filter(deleted=False)


class SoftDeletedAttachment(models.Model):
    """Soft deletion: a deleted row stays, hidden by the default manager, and its file is kept."""

    file = models.FileField(storage=MinioBackend(bucket_name="django-backend-dev-public"))
    deleted = models.BooleanField(default=False)

    objects = VisibleAttachments()


class DirectAttachment(models.Model):
    """A file the browser uploads straight to the bucket (tests/test_direct_*.py)."""

    file = models.FileField(storage=MinioBackend(bucket_name="django-backend-dev-public"), upload_to="direct/")

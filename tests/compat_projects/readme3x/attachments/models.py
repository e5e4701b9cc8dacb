"""Step 4 of the 3.x README, and the storages of its "Behaviour" and "Default File Storage" sections."""

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


class Image(models.Model):
    image = models.ImageField(storage=MinioBackend(bucket_name="images-public", replace_existing=True))


class Document(models.Model):
    """Stored in MINIO_MEDIA_FILES_BUCKET, the bucket of a MinioBackend without bucket_name."""

    file = models.FileField(storage=MinioBackend())

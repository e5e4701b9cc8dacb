"""Models of a 4.x project: storages as lazy callables, and one given directly with storage_name."""

from django.db import models

from django_minio_backend import iso_date_prefix
from django_minio_backend.models import MinioBackend

from .storages import get_private_storage, get_public_storage


class PrivateAttachment(models.Model):
    file = models.FileField(
        verbose_name="Object Upload",
        storage=get_private_storage,  # Callable, not an instance
        upload_to=iso_date_prefix,
    )


class PublicAttachment(models.Model):
    file = models.FileField(verbose_name="Object Upload", storage=get_public_storage, upload_to=iso_date_prefix)


class Report(models.Model):
    file = models.FileField(storage=MinioBackend(bucket_name="django-backend-dev-private", storage_name="default"))

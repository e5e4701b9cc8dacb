"""Lazy storages, as 4.x's MIGRATIONS.md recommends (step 5): migrations name these callables."""

from django_minio_backend.models import MinioBackend


def get_private_storage():
    return MinioBackend(
        bucket_name="django-backend-dev-private",
        storage_name="default",  # References STORAGES["default"]
    )


def get_public_storage():
    return MinioBackend(
        bucket_name="django-backend-dev-public",
        storage_name="default",
    )

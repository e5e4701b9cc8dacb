"""The import path of 2.x-4.x (``django_minio_backend.models.MinioBackend``), kept for
``STORAGES`` settings and existing migrations. The classes live in ``storage``."""

from .storage import MinioBackend, MinioBackendStatic

__all__ = ["MinioBackend", "MinioBackendStatic"]

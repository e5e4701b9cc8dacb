"""The import path of 2.x-4.x (``django_minio_backend.models.MinioBackend``), kept for
``STORAGES`` settings and existing migrations. The classes live in ``storage`` and ``staticfiles``."""

from .staticfiles import MinioBackendStatic, MinioManifestStaticStorage
from .storage import MinioBackend

__all__ = ["MinioBackend", "MinioBackendStatic", "MinioManifestStaticStorage"]

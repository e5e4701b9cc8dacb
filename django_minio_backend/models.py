"""The import path of 2.x-4.x (``django_minio_backend.models.MinioBackend``), kept for
``STORAGES`` settings and existing migrations, with every name 2.x-4.x code imported from here:
migrations name ``django_minio_backend.models.iso_date_prefix``. The classes live in ``storage``,
``staticfiles`` and ``files``; the helpers in ``utils``.

``S3File`` (4.x's file class) is ``MinioFile``, what ``storage.open()`` returns.
"""

from .files import MinioFile
from .staticfiles import MinioBackendStatic, MinioManifestStaticStorage
from .storage import MinioBackend
from .utils import (
    ConfigurationError,
    MinioServerStatus,
    PrivatePublicMixedError,
    get_iso_date,
    get_setting,
    get_storages_setting,
    iso_date_prefix,
)

S3File = MinioFile

__all__ = [
    "ConfigurationError",
    "MinioBackend",
    "MinioBackendStatic",
    "MinioManifestStaticStorage",
    "MinioServerStatus",
    "PrivatePublicMixedError",
    "S3File",
    "get_iso_date",
    "get_setting",
    "get_storages_setting",
    "iso_date_prefix",
]

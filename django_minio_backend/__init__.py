"""Django storage backend for MinIO and any S3-compatible object store."""

from .apps import DjangoMinioBackendConfig
from .errors import BucketDoesNotExist, MinioBackendError, ObjectChangedError
from .staticfiles import MinioBackendStatic, MinioManifestStaticStorage
from .storage import MinioBackend
from .utils import MinioServerStatus, get_iso_date, iso_date_prefix

__all__ = [
    "BucketDoesNotExist",
    "DjangoMinioBackendConfig",  # 2.x-4.x exported it here too
    "MinioBackend",
    "MinioBackendError",
    "MinioBackendStatic",
    "MinioManifestStaticStorage",
    "MinioServerStatus",
    "ObjectChangedError",
    "get_iso_date",
    "iso_date_prefix",
]
__version__ = "5.0.0.dev0"

"""Django storage backend for MinIO and any S3-compatible object store."""

from typing import TYPE_CHECKING, Any

from .apps import DjangoMinioBackendConfig
from .errors import BucketDoesNotExist, MinioBackendError, ObjectChangedError
from .storage import MinioBackend
from .utils import MinioServerStatus, get_iso_date, iso_date_prefix

if TYPE_CHECKING:
    from .staticfiles import MinioBackendStatic, MinioManifestStaticStorage

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

STATIC_STORAGES = ("MinioBackendStatic", "MinioManifestStaticStorage")


def __getattr__(name: str) -> Any:
    """The static storages, imported on first use: a process that only reads and writes media
    does not import Django's staticfiles for them."""
    if name in STATIC_STORAGES:
        from . import staticfiles

        return getattr(staticfiles, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *STATIC_STORAGES})

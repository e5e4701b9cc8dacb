"""Finding the project's MinioBackend storages: ``STORAGES`` aliases, model fields and settings.

Building a storage sends no request, so discovery is free of network I/O.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.files.storage import storages
from django.db.models import FileField
from django.utils.module_loading import import_string

from .buckets import StorageUse
from .storage import MinioBackend


def is_minio_backend(path: str) -> bool:
    """Whether the import path ``path`` names MinioBackend or a subclass."""
    try:
        backend = import_string(path)
    except ImportError:
        return False
    return isinstance(backend, type) and issubclass(backend, MinioBackend)


def _alias_uses() -> list[StorageUse]:
    return [
        StorageUse(storages[alias], f"STORAGES[{alias!r}]")  # type: ignore[arg-type]
        for alias, entry in settings.STORAGES.items()
        if is_minio_backend(str(entry.get("BACKEND", "")))
    ]


def _field_uses() -> list[StorageUse]:
    uses = []
    for model in apps.get_models():
        for field in model._meta.local_fields:
            if isinstance(field, FileField) and isinstance(field.storage, MinioBackend):
                origin = f"{model._meta.label}.{field.name}"
                uses.append(StorageUse(field.storage, origin, model_field=field))
    return uses


def project_storages() -> list[StorageUse]:
    """Every MinioBackend storage the project configures.

    The top-level ``MINIO_*`` settings count as a storage of their own when
    ``MINIO_ENDPOINT`` is set or nothing else is found, so buckets declared in
    ``MINIO_PRIVATE_BUCKETS``/``MINIO_PUBLIC_BUCKETS`` are covered too.
    """
    uses = _alias_uses() + _field_uses()
    if getattr(settings, "MINIO_ENDPOINT", "") or not uses:
        uses.append(StorageUse(MinioBackend(), "the top-level MINIO_* settings", uses_bucket=False))
    return uses

"""Finding the project's MinioBackend storages (``STORAGES`` aliases, model fields and settings)
and the file names model rows reference.

Building a storage sends no request, so finding storages is free of network I/O;
only ``referenced_names`` reads (the database).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.files.storage import storages
from django.db.models import FileField

from .conf import MinioSettings, is_minio_backend
from .storage import MinioBackend


@dataclass(frozen=True)
class StorageUse:
    """A storage and where the project uses it (``origin``, for messages); a ``buckets.BucketUser``.

    ``uses_bucket`` is False for the storage that only stands for the top-level
    ``MINIO_*`` settings: its bucket lists count, its default bucket does not.
    """

    storage: MinioBackend
    origin: str
    uses_bucket: bool = True
    model_field: FileField | None = None

    @property
    def config(self) -> MinioSettings:
        return self.storage.settings

    @property
    def bucket(self) -> str:
        return self.storage.bucket

    @property
    def public(self) -> bool:
        return self.storage.is_public


def _alias_uses() -> list[StorageUse]:
    return [
        StorageUse(storages[alias], f"STORAGES[{alias!r}]")  # type: ignore[arg-type]
        for alias, entry in settings.STORAGES.items()
        if is_minio_backend(str(entry.get("BACKEND", "")))
    ]


def file_fields() -> list[FileField]:
    """Every ``FileField`` (``ImageField`` included) of every installed model, whatever its storage.

    A field inherited from a concrete parent model is listed once, on the parent.
    """
    return [field for model in apps.get_models() for field in model._meta.local_fields if isinstance(field, FileField)]


def referenced_names(fields: Iterable[FileField]) -> Iterator[str]:
    """Every non-empty file name the rows of ``fields`` hold, each once.

    Rows are read through the base manager, so rows a custom default manager hides
    (soft-deleted ones, say) still count: their files are still referenced.
    """
    seen: set[str] = set()
    for field in fields:
        rows = field.model._base_manager.exclude(**{field.attname: ""})
        for name in rows.values_list(field.attname, flat=True).iterator():
            if name and name not in seen:
                seen.add(name)
                yield str(name)


def _field_uses() -> list[StorageUse]:
    return [
        StorageUse(field.storage, f"{field.model._meta.label}.{field.name}", model_field=field)
        for field in file_fields()
        if isinstance(field.storage, MinioBackend)
    ]


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

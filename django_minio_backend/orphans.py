"""Orphans: objects in a FileField's bucket that no row references, and multipart
uploads there that were begun and never completed.

Only buckets that model ``FileField``s store into are searched, so buckets the
project writes to by other means (static files, direct ``storage.save()`` calls)
are never in scope. Objects younger than a grace period are left alone, so an
upload whose row is not saved yet is never taken for an orphan.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from minio.deleteobjects import DeleteObject

from . import transfer
from .buckets import StorageUse
from .discovery import referenced_names
from .errors import translated_errors
from .storage import MinioBackend
from .transfer import PROBE_PREFIX, IncompleteUpload


@dataclass(frozen=True)
class Orphan:
    bucket: str
    key: str
    size: int
    last_modified: datetime


@dataclass
class BucketScope:
    """One bucket and the FileFields that store into it."""

    storage: MinioBackend
    fields: list[StorageUse] = field(default_factory=list)

    @property
    def bucket(self) -> str:
        return self.storage.bucket


def scopes(uses: Iterable[StorageUse], only_bucket: str | None = None) -> list[BucketScope]:
    """The buckets that model fields store into, each with its fields."""
    found: dict[tuple[object, str], BucketScope] = {}
    for use in uses:
        if use.model_field is None or (only_bucket and use.storage.bucket != only_bucket):
            continue
        key = (use.storage.settings.connection, use.storage.bucket)
        found.setdefault(key, BucketScope(use.storage)).fields.append(use)
    return list(found.values())


def find_orphans(scope: BucketScope, grace: timedelta) -> Iterator[Orphan]:
    """Objects of the scope's bucket older than ``grace`` that no row references.

    The bucket is listed before the rows are read, so a row saved meanwhile still counts.
    """
    storage = scope.storage
    cutoff = datetime.now(timezone.utc) - grace
    with translated_errors("list", storage.settings.connection.endpoint, storage.bucket):
        listed = [
            Orphan(storage.bucket, str(item.object_name), int(item.size or 0), item.last_modified)
            for item in storage.client.list_objects(storage.bucket, recursive=True)
            if item.last_modified is not None and not str(item.object_name).startswith(PROBE_PREFIX)
        ]
    referenced = set(referenced_names(use.model_field for use in scope.fields if use.model_field is not None))
    return (orphan for orphan in listed if orphan.key not in referenced and orphan.last_modified < cutoff)


def delete_orphans(storage: MinioBackend, orphans: list[Orphan]) -> list[str]:
    """Delete ``orphans`` in batches (one request per 1,000 objects); the keys that failed, with why."""
    with translated_errors("delete objects in", storage.settings.connection.endpoint, storage.bucket):
        errors = storage.client.remove_objects(storage.bucket, (DeleteObject(orphan.key) for orphan in orphans))
        return [f"{error.name}: {error.code} {error.message}" for error in errors]


def stale_uploads(scope: BucketScope, grace: timedelta) -> list[IncompleteUpload]:
    """The scope's bucket's multipart uploads begun more than ``grace`` ago and never completed."""
    storage = scope.storage
    with translated_errors("list incomplete uploads in", storage.settings.connection.endpoint, storage.bucket):
        return transfer.stale_uploads(storage.client, storage.bucket, older_than=grace)


def abort_uploads(scope: BucketScope, uploads: list[IncompleteUpload]) -> int:
    """Abort ``uploads`` (their parts' space is freed); how many were still there to abort."""
    storage = scope.storage
    with translated_errors("abort incomplete uploads in", storage.settings.connection.endpoint, storage.bucket):
        return len(transfer.abort_uploads(storage.client, storage.bucket, uploads))

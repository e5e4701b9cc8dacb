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

from .discovery import StorageUse, referenced_names
from .errors import MinioBackendError
from .s3api import IncompleteUpload
from .storage import MinioBackend


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
    listed = [
        Orphan(storage.bucket, key, info.size, info.last_modified)
        for key, info in storage.bucket_objects.entries("", recursive=True)
        if info is not None
    ]
    referenced = set(referenced_names(use.model_field for use in scope.fields if use.model_field is not None))
    return (orphan for orphan in listed if orphan.key not in referenced and orphan.last_modified < cutoff)


def delete_orphans(storage: MinioBackend, orphans: list[Orphan]) -> list[str]:
    """Delete ``orphans`` in batches (one request per 1,000 objects); what failed, with why."""
    try:
        storage.delete_many([orphan.key for orphan in orphans])
    except MinioBackendError as exc:
        return [str(exc)]
    return []


def stale_uploads(scope: BucketScope, grace: timedelta) -> list[IncompleteUpload]:
    """The scope's bucket's multipart uploads begun more than ``grace`` ago and never completed."""
    return scope.storage.bucket_objects.stale_uploads(grace)


def abort_uploads(scope: BucketScope, uploads: list[IncompleteUpload]) -> int:
    """Abort ``uploads`` (their parts' space is freed); how many were still there to abort."""
    return len(scope.storage.bucket_objects.abort_uploads(uploads))

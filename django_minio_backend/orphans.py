"""Orphans: objects in a FileField's bucket that no row references, and multipart
uploads there that were begun and never completed.

Only the buckets (and, for storages with a ``MINIO_LOCATION``, the prefixes) that
model ``FileField``s store into are searched, so buckets the project writes to by other
means (static files, direct ``storage.save()`` calls) are never in scope, nor are the
locations of the project's other storages inside a searched one. Objects younger than
a grace period are left alone, so an upload whose row is not saved yet is never taken
for an orphan.
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
    key: str  # the object's key: the storage's location and ``name``
    size: int
    last_modified: datetime
    name: str  # the file name a row would hold


@dataclass
class BucketScope:
    """One bucket (under one location) and the FileFields that store into it; ``excluded``
    are the names under which the project's other storages store inside that location."""

    storage: MinioBackend
    fields: list[StorageUse] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def bucket(self) -> str:
        return self.storage.bucket


def scopes(uses: Iterable[StorageUse], only_bucket: str | None = None) -> list[BucketScope]:
    """The buckets (and locations) that model fields store into, each with its fields."""
    uses = list(uses)
    found: dict[tuple[object, str, str], BucketScope] = {}
    for use in uses:
        if use.model_field is None or (only_bucket and use.storage.bucket != only_bucket):
            continue
        found.setdefault(_place(use.storage), BucketScope(use.storage)).fields.append(use)
    for (connection, bucket, location), scope in found.items():
        scope.excluded = sorted(
            {
                other[2][len(location) :]
                for other in map(_place, (use.storage for use in uses))
                if other[:2] == (connection, bucket) and other[2] != location and other[2].startswith(location)
            }
        )
    return list(found.values())


def _place(storage: MinioBackend) -> tuple[object, str, str]:
    """Where a storage's objects are: its connection, bucket and location."""
    return storage.settings.connection, storage.bucket, storage.settings.location


def find_orphans(scope: BucketScope, grace: timedelta) -> Iterator[Orphan]:
    """Objects of the scope's bucket older than ``grace`` that no row references.

    The bucket is listed before the rows are read, so a row saved meanwhile still counts.
    """
    storage = scope.storage
    cutoff = datetime.now(timezone.utc) - grace
    objects = storage.bucket_objects
    excluded = tuple(scope.excluded)
    listed = [
        Orphan(storage.bucket, objects.key(name), info.size, info.last_modified, name)
        for name, info in objects.entries("", recursive=True)
        if info is not None and not name.startswith(excluded)
    ]
    referenced = set(referenced_names(use.model_field for use in scope.fields if use.model_field is not None))
    return (orphan for orphan in listed if orphan.name not in referenced and orphan.last_modified < cutoff)


def delete_orphans(storage: MinioBackend, orphans: list[Orphan]) -> list[str]:
    """Delete ``orphans`` in batches (one request per 1,000 objects); what failed, with why."""
    try:
        storage.delete_many([orphan.name for orphan in orphans])
    except MinioBackendError as exc:
        return [str(exc)]
    return []


def stale_uploads(scope: BucketScope, grace: timedelta) -> list[IncompleteUpload]:
    """The scope's bucket's multipart uploads begun more than ``grace`` ago and never completed."""
    uploads = scope.storage.bucket_objects.stale_uploads(grace)
    return [upload for upload in uploads if not upload.key.startswith(tuple(scope.excluded))]


def abort_uploads(scope: BucketScope, uploads: list[IncompleteUpload]) -> int:
    """Abort ``uploads`` (their parts' space is freed); how many were still there to abort."""
    return len(scope.storage.bucket_objects.abort_uploads(uploads))

"""Object access: the few operations the storages are written over, for one bucket.

``Objects`` is the seam: stat, list, ranged get, put and delete. ``BucketObjects`` sends
them to the server; ``batch.BatchObjects`` answers them from one listing while a
``collectstatic`` run is open. Either way errors come out alike: ``FileNotFoundError`` for a
missing object, ``BucketDoesNotExist`` for a missing bucket, ``transfer.ObjectExists`` when a
conditional write finds the name taken, and ``MinioBackendError`` naming bucket and key for
anything else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

from minio.deleteobjects import DeleteObject
from minio.error import S3Error
from urllib3 import BaseHTTPResponse

from . import transfer
from .client import PROBE_PREFIX, Connection
from .errors import MISSING_OBJECT_CODES, BucketDoesNotExist, MinioBackendError, missing_bucket, translated_errors
from .payload import Payload
from .s3api import IncompleteUpload

_EPOCH = datetime.fromtimestamp(0, timezone.utc)


@dataclass(frozen=True)
class ObjectInfo:
    """What the server says about one object."""

    size: int
    etag: str  # lower-case, without quotes
    last_modified: datetime  # aware UTC

    @classmethod
    def of(cls, size: int | None, etag: str | None, last_modified: datetime | None) -> ObjectInfo:
        return cls(int(size or 0), (etag or "").strip('"').lower(), last_modified or _EPOCH)


# A listing entry: a key and its object, or a "directory" prefix (ending in "/") and None.
Entry = tuple[str, ObjectInfo | None]


class Objects(Protocol):
    """The objects of one bucket, as the storages use them."""

    @property
    def bucket(self) -> str: ...

    def writes_conditionally(self) -> bool:
        """Whether the server honours ``If-None-Match: *`` on writes."""

    def stat(self, key: str) -> ObjectInfo:
        """The object's metadata; ``FileNotFoundError`` if it is missing."""

    def entries(self, prefix: str, *, recursive: bool) -> Iterator[Entry]:
        """Keys under ``prefix`` (``""`` or ending in ``/``), sorted; without ``recursive``,
        the keys directly under it and its sub-prefixes."""

    def get(self, key: str, offset: int, length: int | None) -> BaseHTTPResponse | None:
        """A streaming GET of ``length`` bytes from ``offset`` (to the end if None); None past the end."""

    def put(self, key: str, payload: Payload, headers: Mapping[str, str], *, if_absent: bool) -> None:
        """Store ``payload`` with ``headers``; with ``if_absent``, ``ObjectExists`` if the key is taken."""

    def delete(self, key: str) -> None:
        """Delete the object; a missing object is not an error."""

    def delete_many(self, keys: list[str]) -> None:
        """Delete these objects now, 1,000 per request; missing ones are not an error."""


class BucketObjects:
    """``Objects`` on the server, through one shared connection.

    A HEAD answers a missing object and a missing bucket alike with a bare 404, so a miss
    asks whether the bucket exists, once while it is there, and raises ``BucketDoesNotExist``
    if not. With ``missing_bucket_is_empty`` (``MINIO_BUCKET_CHECK_ON_SAVE``) a missing bucket
    holds missing objects, since the next save creates it.
    """

    def __init__(self, connection: Connection, bucket: str, *, parallel: int, missing_bucket_is_empty: bool):
        self.connection = connection
        self._bucket = bucket
        self._parallel = parallel
        self._missing_bucket_is_empty = missing_bucket_is_empty
        self._bucket_seen = False

    @property
    def bucket(self) -> str:
        return self._bucket

    @contextmanager
    def _errors(self, action: str, key: str | None = None) -> Iterator[None]:
        try:
            with translated_errors(action, self.connection.settings.endpoint, self._bucket, key):
                yield
        except BucketDoesNotExist:
            self._bucket_seen = False
            raise

    def writes_conditionally(self) -> bool:
        """Whether the server honours ``If-None-Match: *`` (asked once per connection, here)."""
        with self._errors("save"):
            return self.connection.conditional_writes(self._bucket)

    def stat(self, key: str) -> ObjectInfo:
        client = self.connection.client
        with self._errors("inspect", key):
            try:
                stat = client.stat_object(self._bucket, key)
            except S3Error as exc:
                if exc.code in MISSING_OBJECT_CODES and not (self._bucket_seen or self._missing_bucket_is_empty):
                    if not client.bucket_exists(self._bucket):
                        raise missing_bucket("inspect", self.connection.settings.endpoint, self._bucket, key) from exc
                    self._bucket_seen = True
                raise
        return ObjectInfo.of(stat.size, stat.etag, stat.last_modified)

    def entries(self, prefix: str, *, recursive: bool) -> Iterator[Entry]:
        """As ``Objects.entries``; the conditional-write probe's objects are never listed."""
        with self._errors("list", prefix or None):
            for item in self.connection.client.list_objects(self._bucket, prefix or None, recursive):
                key = str(item.object_name)
                if key.startswith(PROBE_PREFIX):
                    continue
                yield key, None if item.is_dir else ObjectInfo.of(item.size, item.etag, item.last_modified)

    def get(self, key: str, offset: int, length: int | None) -> BaseHTTPResponse | None:
        with self._errors("read", key):
            try:
                return self.connection.client.get_object(self._bucket, key, offset=offset, length=length or 0)
            except S3Error as exc:
                if exc.code == "InvalidRange":
                    return None
                raise

    def put(self, key: str, payload: Payload, headers: Mapping[str, str], *, if_absent: bool) -> None:
        with self._errors("save", key):
            transfer.store(
                self.connection.client, self._bucket, key, payload, headers,
                if_absent=if_absent, parallel=self._parallel,
            )  # fmt: skip

    def delete(self, key: str) -> None:
        with self._errors("delete", key):
            self.connection.client.remove_object(self._bucket, key)

    def delete_many(self, keys: list[str]) -> None:
        if not keys:
            return
        with self._errors("delete"):
            failures = list(self.connection.client.remove_objects(self._bucket, (DeleteObject(key) for key in keys)))
        if failures:
            first = failures[0]
            raise MinioBackendError(
                f"Could not delete {len(failures)} object(s) of {self._bucket!r} at "
                f"{self.connection.settings.endpoint}, e.g. {first.name!r}: {first.code}: {first.message}"
            )

    def stale_uploads(self, older_than: timedelta, prefix: str = "") -> list[IncompleteUpload]:
        """Multipart uploads begun more than ``older_than`` ago and never completed."""
        with self._errors("list incomplete uploads in", prefix or None):
            return transfer.stale_uploads(self.connection.client, self._bucket, older_than=older_than, prefix=prefix)

    def abort_uploads(self, uploads: list[IncompleteUpload]) -> list[IncompleteUpload]:
        """Abort ``uploads``; those that were still there to abort."""
        with self._errors("abort incomplete uploads in"):
            return transfer.abort_uploads(self.connection.client, self._bucket, uploads)

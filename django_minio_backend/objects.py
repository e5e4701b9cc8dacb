"""Object access: the few operations the storages are written over, for one bucket.

``Objects`` is the seam: stat, list, ranged get, put and delete. ``BucketObjects`` sends
them to the server; ``PrefixedObjects`` is a bucket's objects under one key prefix
(``MINIO_LOCATION``), by name; ``batch.BatchObjects`` answers them from one listing while
a ``collectstatic`` run is open. Either way errors come out alike: ``FileNotFoundError`` for a
missing object, ``BucketDoesNotExist`` for a missing bucket, ``transfer.ObjectExists`` when a
conditional write finds the name taken, ``ObjectChangedError`` when a GET of one version
finds another, and ``MinioBackendError`` naming bucket and key for anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import NamedTuple, Protocol

from django.core.exceptions import SuspiciousFileOperation
from minio.deleteobjects import DeleteObject
from minio.error import S3Error
from urllib3 import BaseHTTPResponse

from . import s3api, transfer
from .client import PROBE_PREFIX, Connection
from .errors import (
    MISSING_OBJECT_CODES,
    BucketDoesNotExist,
    MinioBackendError,
    ObjectChangedError,
    missing_bucket,
    translated_errors,
)
from .names import S3_MAX_KEY_BYTES, key_bytes, relative_prefix
from .payload import Payload
from .s3api import Fields, IncompleteUpload

_EPOCH = datetime.fromtimestamp(0, timezone.utc)
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
DRAIN_LIMIT = 64 * 1024  # a body closed with at most this much unread is read off, keeping its connection

Errors = Callable[[], AbstractContextManager[None]]  # a fresh context that translates the errors it sees


class ObjectInfo(NamedTuple):
    """What the server says about one object."""

    size: int
    etag: str  # lower-case, without quotes
    last_modified: datetime  # aware UTC

    @classmethod
    def of(cls, size: int | None, etag: str | None, last_modified: datetime | None) -> ObjectInfo:
        return cls(int(size or 0), (etag or "").strip('"').lower(), last_modified or _EPOCH)

    @property
    def if_match(self) -> dict[str, str | list[str] | tuple[str]]:
        """The request header that asks for this version only (none if the server gave no ETag)."""
        return {"If-Match": f'"{self.etag}"'} if self.etag else {}


class ObjectBody:
    """The streaming answer to a GET: bytes ``start`` to ``end`` (exclusive) of the version ``info``.

    ``position`` is the offset of the next byte ``read()`` returns. ``close()`` gives the
    connection back to the pool (read off first if little is left, else closed).
    """

    def __init__(self, response: BaseHTTPResponse, start: int, end: int, info: ObjectInfo, errors: Errors):
        self.info = info
        self.start = self.position = start
        self.end = end
        self._response: BaseHTTPResponse | None = response
        self._errors = errors

    @classmethod
    def answering(cls, response: BaseHTTPResponse, errors: Errors) -> ObjectBody | None:
        """The body of a GET's answer, with the version its headers name; None if they do not say
        which bytes of how large an object it holds (neither 206 with ``Content-Range`` nor 200
        with ``Content-Length``). ``errors()`` translates errors while reading it."""
        headers = response.headers
        match = _CONTENT_RANGE.fullmatch(headers.get("Content-Range", ""))
        if response.status == 206 and match:
            start, end, size = int(match.group(1)), int(match.group(2)) + 1, int(match.group(3))
        elif response.status == 200 and headers.get("Content-Length", "").isdigit():
            start, end = 0, int(headers["Content-Length"])
            size = end
        else:
            return None
        modified = headers.get("Last-Modified")
        info = ObjectInfo.of(size, headers.get("ETag"), parsedate_to_datetime(modified) if modified else None)
        return cls(response, start, end, info, errors)

    def read(self, size: int | None) -> bytes:
        """Up to ``size`` bytes (the rest if None), exactly as stored; ``b""`` at the end."""
        if self._response is None:
            return b""
        try:
            data = self._response.read(size, decode_content=False)
        except Exception:
            with self._errors():  # translated only when it fails: this runs once per piece read
                raise
        self.position += len(data)
        if self.position >= self.end:
            self.close()
        return data

    def close(self) -> None:
        if self._response is None:
            return
        response, self._response = self._response, None
        if self.end - self.position > DRAIN_LIMIT:
            response.close()
        else:
            response.drain_conn()
        response.release_conn()


# A listing entry: a key and its object, or a "directory" prefix (ending in "/") and None.
Entry = tuple[str, ObjectInfo | None]


_CHANGED = "the object changed while it was being read (replaced or rewritten); open it again to read the new version"


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

    def get(self, key: str, offset: int, length: int | None, version: ObjectInfo | None = None) -> ObjectBody | None:
        """A streaming GET of ``length`` bytes from ``offset`` (to the end if None); None past the end.

        With ``version``, of that version only (``If-Match`` its ETag): ``ObjectChangedError``
        if the object is another one now."""

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
    holds missing objects, since the next save creates it. ``key_headers`` (an SSE-C key's, the
    key ``MaskedText``: ``object_options.customer_key_headers``) go with every request that reads an
    object or its metadata; writes carry them in their own headers.
    """

    def __init__(
        self,
        connection: Connection,
        bucket: str,
        *,
        parallel: int,
        missing_bucket_is_empty: bool,
        key_headers: Mapping[str, str] | None = None,
    ):
        self.connection = connection
        self._bucket = bucket
        self._parallel = parallel
        self._missing_bucket_is_empty = missing_bucket_is_empty
        self._key_headers: Fields = dict(key_headers or {})
        self._bucket_seen = False

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def key_headers(self) -> Fields:
        """The SSE-C headers every read of an object sends (none unless encrypted with a customer key)."""
        return dict(self._key_headers)

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
                stat = s3api.head_object(client, self._bucket, key, self._key_headers)
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

    def get(self, key: str, offset: int, length: int | None, version: ObjectInfo | None = None) -> ObjectBody | None:
        condition = version.if_match if version is not None else {}
        with self._errors("read", key):
            try:
                response = self.connection.client.get_object(
                    self._bucket, key, offset=offset, length=length or 0,
                    request_headers={**self._key_headers, **condition},
                )  # fmt: skip
            except S3Error as exc:
                if exc.code == "InvalidRange":
                    return None
                if exc.code == "PreconditionFailed" and condition:
                    message = self._cannot_read(key, _CHANGED)
                    raise ObjectChangedError(message, source=exc, bucket=self._bucket, key=key) from exc
                raise
        body = ObjectBody.answering(response, lambda: self._errors("read", key))
        if body is None or body.start != offset:
            response.close()
            response.release_conn()
            raise MinioBackendError(
                self._cannot_read(key, f"the server did not answer with bytes {offset}- (HTTP {response.status})")
            )
        return body

    def _cannot_read(self, key: str, reason: str) -> str:
        where = f"{self._bucket}/{key}"
        return f"Could not read {where!r} at {self.connection.settings.endpoint}: {reason}"

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


class PrefixedObjects:
    """``Objects`` by name: the objects of ``direct`` whose keys start with ``prefix``
    (``MINIO_LOCATION``: ``""`` or ending in ``/``), each under its key without the prefix.

    Names go in as ``prefix + name`` and come out of listings (and incomplete uploads) with
    the prefix cut off, so callers, a batch over this view included, see names only and never
    an object outside the prefix. Names are validated before they get here
    (``names.object_key`` refuses absolute and ``..`` names); a key the prefix makes longer
    than S3's 1024 bytes is ``SuspiciousFileOperation``.
    """

    def __init__(self, direct: BucketObjects, prefix: str):
        self.direct = direct
        self.prefix = prefix

    @property
    def bucket(self) -> str:
        return self.direct.bucket

    @property
    def connection(self) -> Connection:
        return self.direct.connection

    def key(self, name: str) -> str:
        """The object key of ``name``."""
        if not self.prefix:
            return name
        key = self.prefix + name
        if key_bytes(key) > S3_MAX_KEY_BYTES:
            raise SuspiciousFileOperation(
                f"File name with MINIO_LOCATION {self.prefix!r} is longer than S3's {S3_MAX_KEY_BYTES}-byte "
                f"key limit: {name[:60]!r}..."
            )
        return key

    def writes_conditionally(self) -> bool:
        return self.direct.writes_conditionally()

    def stat(self, key: str) -> ObjectInfo:
        return self.direct.stat(self.key(key))

    def entries(self, prefix: str, *, recursive: bool) -> Iterator[Entry]:
        cut = len(self.prefix)
        for key, info in self.direct.entries(self.prefix + prefix, recursive=recursive):
            if len(key) > cut:  # the prefix itself (a "folder" object) is no name
                yield key[cut:], info

    def get(self, key: str, offset: int, length: int | None, version: ObjectInfo | None = None) -> ObjectBody | None:
        return self.direct.get(self.key(key), offset, length, version)

    def put(self, key: str, payload: Payload, headers: Mapping[str, str], *, if_absent: bool) -> None:
        self.direct.put(self.key(key), payload, headers, if_absent=if_absent)

    def delete(self, key: str) -> None:
        self.direct.delete(self.key(key))

    def delete_many(self, keys: list[str]) -> None:
        self.direct.delete_many([self.key(key) for key in keys])

    def stale_uploads(self, older_than: timedelta, prefix: str = "") -> list[IncompleteUpload]:
        """As ``BucketObjects.stale_uploads``, of names starting with ``prefix``, each by its name."""
        uploads = self.direct.stale_uploads(older_than, self.prefix + relative_prefix(prefix))
        return [upload._replace(key=upload.key[len(self.prefix) :]) for upload in uploads]

    def abort_uploads(self, uploads: list[IncompleteUpload]) -> list[IncompleteUpload]:
        """As ``BucketObjects.abort_uploads``, of uploads named as ``stale_uploads`` names them."""
        aborted = self.direct.abort_uploads([upload._replace(key=self.key(upload.key)) for upload in uploads])
        return [upload._replace(key=upload.key[len(self.prefix) :]) for upload in aborted]

"""The Django storage class ``MinioBackend`` (the static storages build on it in ``staticfiles``)."""

from __future__ import annotations

import pathlib
import posixpath
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cached_property
from types import MappingProxyType
from typing import IO, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.base import File
from django.core.files.storage import Storage
from django.core.signals import setting_changed
from minio import Minio
from minio.datatypes import Object
from minio.error import S3Error
from urllib3 import BaseHTTPResponse

from . import buckets, contenttypes, transfer, urls
from .client import get_client
from .conf import MinioSettings, OptionValues, read_options, storage_alias
from .errors import MISSING_OBJECT_CODES, BucketDoesNotExist, missing_bucket, translated_errors
from .files import MinioFile, ObjectReader
from .health import server_status
from .names import directory_prefix, object_key
from .utils import MinioServerStatus, as_django_datetime

T = TypeVar("T")

# What deconstruct() records, with defaults left out. Connection options (endpoints,
# credentials, clients) never go into migrations: they differ between environments.
_DECONSTRUCTED_DEFAULTS: dict[str, Any] = {"storage_name": None, "allow_overwrite": False, "replace_existing": False}


class MinioBackend(Storage):
    """Stores files as objects in one bucket of a MinIO or other S3-compatible server.

    ``bucket_name`` defaults to ``MINIO_DEFAULT_BUCKET``. ``storage_name`` names the
    ``STORAGES`` alias whose OPTIONS apply. ``allow_overwrite`` (or its 2.x/3.x name
    ``replace_existing``) makes a save replace an existing object; otherwise a taken
    name gets an alternative name, as with Django's ``FileSystemStorage``. Other
    keyword arguments are ``MINIO_*`` options, overriding settings.

    Constructing a storage sends no request; the client is built on first use.
    """

    def __init__(
        self,
        bucket_name: str = "",
        storage_name: str | None = None,
        *,
        allow_overwrite: bool = False,
        replace_existing: bool = False,
        **options: Any,
    ):
        self._bucket_name = bucket_name
        self.storage_name = storage_name
        self.options: Mapping[str, Any] = MappingProxyType(options)
        """The ``MINIO_*`` options given to this instance (Django passes ``STORAGES`` OPTIONS here)."""
        self._alias = storage_alias(
            storage_name,
            {
                "bucket_name": bucket_name,
                "allow_overwrite": allow_overwrite,
                "replace_existing": replace_existing,
                **options,
            },
        )
        self.allow_overwrite = bool(allow_overwrite or replace_existing)
        self._init_kwargs: dict[str, Any] = {
            "bucket_name": bucket_name,
            "storage_name": storage_name,
            "allow_overwrite": allow_overwrite,
            "replace_existing": replace_existing,
        }
        self._bucket_seen = ""
        setting_changed.connect(self._forget_settings)

    # Configuration

    @cached_property
    def settings(self) -> MinioSettings:
        """This storage's settings, read on first use and again after a settings change."""
        return MinioSettings.from_options(self.option_values())

    def option_values(self) -> OptionValues:
        """Every ``MINIO_*`` option as configured for this storage, not yet validated."""
        return read_options(self._alias, self.options)

    def _forget_settings(self, *, setting: str, **kwargs: Any) -> None:
        if setting.startswith("MINIO_") or setting == "STORAGES":
            self.__dict__.pop("settings", None)
            self.__dict__.pop("_urls", None)
            self._bucket_seen = ""

    @property
    def bucket(self) -> str:
        """The bucket this storage writes to."""
        bucket = self._bucket_name or self._default_bucket()
        if not bucket:
            raise ImproperlyConfigured(
                f"{type(self).__name__} has no bucket: pass bucket_name or set MINIO_DEFAULT_BUCKET."
            )
        return bucket

    def _default_bucket(self) -> str:
        return self.settings.default_bucket

    @property
    def is_public(self) -> bool:
        """Whether anyone may read this bucket's objects, so URLs need no signature."""
        return self.bucket in self.settings.public_buckets

    @property
    def client(self) -> Minio:
        """The shared ``minio.Minio`` client (built on first use)."""
        return get_client(self.settings.connection)

    @contextmanager
    def _errors(self, action: str, key: str | None = None) -> Iterator[None]:
        try:
            with translated_errors(action, self.settings.connection.endpoint, self.bucket, key):
                yield
        except BucketDoesNotExist:
            self._bucket_seen = ""
            raise

    # Reading

    def _open(self, name: str, mode: str = "rb") -> MinioFile:
        return MinioFile(object_key(name), mode, self)

    def _reader(self, key: str) -> ObjectReader:
        return ObjectReader(lambda offset, length: self._fetch(key, offset, length), lambda: self.size(key))

    def _fetch(self, key: str, offset: int, length: int | None) -> BaseHTTPResponse | None:
        """A streaming GET of ``length`` bytes from ``offset`` (to the end if None); None past the end."""
        with self._errors("read", key):
            try:
                return self.client.get_object(self.bucket, key, offset=offset, length=length or 0)
            except S3Error as exc:
                if exc.code == "InvalidRange":
                    return None
                raise

    def _stat(self, key: str) -> Object:
        """The object's metadata; ``FileNotFoundError`` if it is missing, ``BucketDoesNotExist``
        if its bucket is (a HEAD answers both with a bare 404, so a miss asks about the bucket,
        once per storage while the bucket is there). With ``MINIO_BUCKET_CHECK_ON_SAVE`` a
        missing bucket holds missing objects: the next save creates it."""
        with self._errors("inspect", key):
            try:
                return self.client.stat_object(self.bucket, key)
            except S3Error as exc:
                if (
                    exc.code in MISSING_OBJECT_CODES
                    and self._bucket_seen != self.bucket
                    and not self.settings.bucket_check_on_save
                ):
                    if not self.client.bucket_exists(self.bucket):
                        raise missing_bucket("inspect", self.settings.connection.endpoint, self.bucket, key) from exc
                    self._bucket_seen = self.bucket
                raise

    def exists(self, name: str) -> bool:
        """Whether the object exists; errors other than "not found" are raised, never read as False."""
        try:
            self._stat(object_key(name))
        except FileNotFoundError:
            return False
        return True

    def size(self, name: str) -> int:
        return int(self._stat(object_key(name)).size or 0)

    def get_modified_time(self, name: str) -> datetime:
        """Aware UTC time with ``USE_TZ=True``; naive local (``TIME_ZONE``) time otherwise."""
        modified = self._stat(object_key(name)).last_modified
        assert modified is not None
        return as_django_datetime(modified)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        """``(directories, files)`` directly under ``path``, like ``FileSystemStorage``."""
        prefix = directory_prefix(path)
        directories, files = [], []
        with self._errors("list", prefix or None):
            for item in self.client.list_objects(self.bucket, prefix=prefix or None):
                entry = str(item.object_name)[len(prefix) :]
                if item.is_dir:
                    directories.append(entry.rstrip("/"))
                elif entry:
                    files.append(entry)
        return directories, files

    # Writing

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        """Store ``content`` and return the name it was stored under.

        Without overwrite, the write itself is conditional (``If-None-Match: *``),
        so a taken name costs no extra request and two concurrent saves of one name
        can never replace each other: the later one gets an alternative name.
        """
        if name is None:
            name = content.name
        if not hasattr(content, "chunks"):
            content = File(content, name)
        return self._store(str(name), content, max_length)

    def _save(self, name: str, content: Any) -> str:
        return self._store(name, content, None)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        if self.allow_overwrite:
            return self._fit(object_key(name), max_length)
        return super().get_available_name(name, max_length)

    def delete(self, name: str) -> None:
        """Delete the object; deleting a missing object is not an error."""
        key = object_key(name)
        with self._errors("delete", key):
            self.client.remove_object(self.bucket, key)

    def _store(self, name: str, content: IO[Any], max_length: int | None) -> str:
        key = object_key(name)
        payload = transfer.Payload(content, self.settings.multipart_threshold, self.settings.multipart_part_size)
        content_type = contenttypes.content_type(key, content)
        return self._in_own_bucket(
            "save", key, lambda: self._store_payload(key, payload, content_type, max_length), payload
        )

    def _in_own_bucket(
        self, action: str, key: str | None, operation: Callable[[], T], payload: transfer.Payload | None = None
    ) -> T:
        """Run ``operation`` with errors translated. If it finds the bucket missing and
        ``MINIO_BUCKET_CHECK_ON_SAVE`` is set, create the bucket as ``initialize_buckets``
        would and run it once more, with ``payload`` (what it sends) from its first byte;
        otherwise, or if ``payload`` cannot be read again, ``BucketDoesNotExist`` propagates."""
        try:
            with self._errors(action, key):
                return operation()
        except BucketDoesNotExist:
            if not self.settings.bucket_check_on_save or (payload is not None and not payload.restart()):
                raise
        with self._errors("create"):
            (own_plan, *_), problems = buckets.plan([buckets.StorageUse(self, repr(self))])
            if problems:
                raise ImproperlyConfigured(" ".join(problem.message for problem in problems))
            buckets.reconcile(self.client, own_plan.buckets[self.bucket], self.settings.connection)
        with self._errors(action, key):
            return operation()

    def _store_payload(self, key: str, payload: transfer.Payload, content_type: str, max_length: int | None) -> str:
        if self.allow_overwrite:
            key = self._fit(key, max_length)
            self._upload(key, payload, content_type, if_absent=False)
            return key
        conditional = transfer.supports_conditional_writes(self.client, self.bucket)
        for candidate in self._candidate_names(key, max_length):
            # A large upload checks first, not to send gigabytes to a taken name.
            if (not conditional or not payload.is_small) and self.exists(candidate):
                continue
            try:
                self._upload(candidate, payload, content_type, if_absent=conditional)
            except transfer.ObjectExists:
                if not payload.is_small and not payload.rewindable:
                    raise FileExistsError(
                        f"{self.bucket}/{candidate} was created by another writer during this upload, "
                        "and the content cannot be re-read to store it under another name."
                    ) from None
                if not payload.is_small:
                    payload.rewind()
                continue
            return candidate
        raise AssertionError("unreachable: candidate names never run out")

    def create(self, name: str, content: IO[Any]) -> None:
        """Store ``content`` under exactly ``name``; ``FileExistsError`` if the name is taken.

        Unlike ``save()``, no alternative name is tried. One conditional request
        (or a multipart upload completed conditionally), streamed.
        """
        self._write(object_key(name), content, overwrite=False)

    def _write(self, key: str, content: IO[Any], *, overwrite: bool) -> None:
        """Write exactly ``key`` (for ``open(name, "w"/"x")``); ``FileExistsError`` if not
        ``overwrite`` and the object exists."""
        payload = transfer.Payload(content, self.settings.multipart_threshold, self.settings.multipart_part_size)

        def write() -> None:
            conditional = not overwrite and transfer.supports_conditional_writes(self.client, self.bucket)
            try:
                if not overwrite and not conditional and self.exists(key):
                    raise transfer.ObjectExists(key)
                self._upload(key, payload, contenttypes.content_type(key, content), if_absent=conditional)
            except transfer.ObjectExists:
                raise FileExistsError(f"{self.bucket}/{key} already exists") from None

        self._in_own_bucket("save", key, write, payload)

    def abort_incomplete_uploads(self, older_than: timedelta = timedelta(days=1), prefix: str = "") -> list[str]:
        """Abort this bucket's multipart uploads begun more than ``older_than`` ago and never
        completed, and return their object names.

        A save aborts its own failed upload, but cannot when the server or the process
        dies mid-upload; the parts then hold space until this (e.g. from a periodic task)
        or a lifecycle rule on the bucket removes them. Objects are never touched.
        """
        with self._errors("abort incomplete uploads in", prefix or None):
            stale = transfer.stale_uploads(self.client, self.bucket, older_than=older_than, prefix=prefix)
            aborted = transfer.abort_uploads(self.client, self.bucket, stale)
        return [upload.key for upload in aborted]

    def _upload(self, key: str, payload: transfer.Payload, content_type: str, *, if_absent: bool) -> None:
        headers = self._extra_headers(key)
        if payload.is_small:
            transfer.put_bytes(
                self.client, self.bucket, key, payload.head, content_type, if_absent=if_absent, extra_headers=headers
            )
            return
        transfer.put_multipart(
            self.client,
            self.bucket,
            key,
            payload.parts(),
            content_type,
            if_absent=if_absent,
            parallel=self.settings.multipart_parallel,
            extra_headers=headers,
        )

    def _extra_headers(self, key: str) -> dict[str, str]:
        """Headers stored with a new object besides its Content-Type (e.g. Cache-Control); none here."""
        return {}

    def _fit(self, key: str, max_length: int | None) -> str:
        """Shorten the file's root so ``key`` fits ``max_length``, as Django does."""
        if not max_length or len(key) <= max_length:
            return key
        directory, root, extension = _split_name(key)
        root = root[: max_length - len(key)]
        if not root:
            raise SuspiciousFileOperation(f"Storage cannot fit {key!r} into max_length={max_length}.")
        return posixpath.join(directory, root + extension)

    def _candidate_names(self, key: str, max_length: int | None) -> Iterator[str]:
        """``key`` if it fits, then alternatives from ``get_alternative_name()``, each fitting
        ``max_length`` by shortening the file's root, as Django's ``get_available_name()`` does."""
        if not max_length or len(key) <= max_length:
            yield key
        directory, root, extension = _split_name(key)
        while True:
            candidate = posixpath.join(directory, self.get_alternative_name(root, extension))
            overflow = len(candidate) - max_length if max_length else 0
            if overflow > 0:
                root = root[:-overflow]
                if not root:
                    raise SuspiciousFileOperation(
                        f"Storage cannot find an available name for {key!r} within max_length={max_length}."
                    )
                candidate = posixpath.join(directory, self.get_alternative_name(root, extension))
            yield candidate

    # URLs and health

    def url(
        self,
        name: str | None,
        expires: timedelta | None = None,
        response_headers: Mapping[str, str] | None = None,
    ) -> str:
        """The object's URL; never sends a request.

        Public buckets get a plain URL. Private buckets, or any call with
        ``expires`` or ``response_headers`` (e.g. ``{"Content-Disposition":
        "attachment; filename=report.pdf"}``), get a presigned URL.
        """
        return self._urls.url(object_key(name), expires, response_headers)

    @cached_property
    def _urls(self) -> urls.ObjectUrls:
        return urls.ObjectUrls(self.settings, self.bucket, self.is_public)

    def is_minio_available(self, timeout: float = 5.0) -> MinioServerStatus:
        """Ask the server (any S3 server) whether it answers and accepts our credentials.

        One request, no retries, bounded by ``timeout`` seconds. Never raises.
        """
        try:
            return server_status(self.settings.connection, timeout)
        except ImproperlyConfigured as exc:
            return MinioServerStatus(False, f"not configured: {exc}")

    # Identity

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        """For migrations: bucket and overwrite arguments; never connection options or credentials."""
        cls = type(self)
        module = cls.__module__
        if module.startswith("django_minio_backend."):
            module = "django_minio_backend.models"  # the import path users know from 2.x-4.x
        kwargs = {
            key: value
            for key, value in self._init_kwargs.items()
            if key == "bucket_name" or value != _DECONSTRUCTED_DEFAULTS[key]
        }
        return f"{module}.{cls.__qualname__}", (), kwargs

    def __repr__(self) -> str:
        bucket = self._bucket_name or "<default bucket>"
        return f"<{type(self).__name__} bucket={bucket!r}>"


def _split_name(key: str) -> tuple[str, str, str]:
    """``(directory, root, extensions)`` of an object key: ``"a/b.tar.gz"`` gives ``("a", "b", ".tar.gz")``."""
    directory, file_name = posixpath.split(key)
    extension = "".join(pathlib.PurePosixPath(file_name).suffixes)
    return directory, file_name.removesuffix(extension), extension

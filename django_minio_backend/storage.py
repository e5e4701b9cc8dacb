"""The Django storage class ``MinioBackend`` (the static storages build on it in ``staticfiles``).

Every Storage method is a few lines over one seam, ``objects.Objects`` (stat, list, ranged
get, put, delete), and every write goes through one loop, ``_write``.
"""

from __future__ import annotations

import copy
import enum
import os
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any, NamedTuple, cast

import urllib3
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.storage import Storage
from django.core.signals import setting_changed
from minio import Minio
from minio.error import S3Error
from minio.sse import SseCustomerKey

from . import s3api
from .client import get_connection
from .compat import LegacyHelpers
from .conf import ARGUMENT_DEFAULTS, MinioSettings, OptionValues, masked, read_options, storage_alias
from .errors import BucketDoesNotExist, ObjectChangedError, translated_errors
from .files import MinioFile, ObjectReader
from .mediatypes import content_type, runs_script
from .names import directory_prefix, fitted_key, name_excess, object_key, split_name
from .object_options import ProgressReader, customer_key_headers, merged, parameter_headers, stored_headers
from .objects import BucketObjects, Objects, PrefixedObjects
from .payload import Payload
from .transfer import ObjectExists
from .uploaded import UploadedObject
from .utils import MinioServerStatus, as_django_datetime

if TYPE_CHECKING:
    from .object_urls import ObjectUrls
    from .post_policy import PresignedPost, PresignedRequest

# Bucket creation (``buckets``), URLs (``object_urls``) and the health probe (``health``) are
# imported where they are first used: a process that only reads and writes files (a worker's
# first request, a management command) does not pay for importing them.

Name = str | os.PathLike[str]


class _Saving(NamedTuple):
    """The ``save()`` in progress in this context: Django passes ``max_length`` to
    ``get_available_name()`` but not on to ``_save()``."""

    max_length: int | None


_saving: ContextVar[_Saving | None] = ContextVar("saving", default=None)

# Alternative names tried before a save gives up (a get_alternative_name() that repeats itself
# would otherwise send the content again and again).
MAX_ALTERNATIVES = 100


class WriteMode(enum.Enum):
    """What a write does when the name is taken."""

    CREATE = "create"  # nothing: FileExistsError
    REPLACE = "replace"  # replaces the object
    CREATE_OR_RENAME = "create-or-rename"  # stores under an alternative name


class MinioBackend(LegacyHelpers, Storage):
    """Stores files as objects in one bucket of a MinIO or other S3-compatible server.

    ``bucket_name`` defaults to ``MINIO_DEFAULT_BUCKET``. ``storage_name`` names the
    ``STORAGES`` alias whose OPTIONS apply. ``allow_overwrite`` (or its 2.x/3.x name
    ``replace_existing``) makes a save replace an existing object; otherwise a taken
    name gets an alternative name, as with Django's ``FileSystemStorage``. Other
    keyword arguments are ``MINIO_*`` options, overriding settings, or 4.x's
    ``put_object`` options (``metadata``, ``tags``, ``sse``, ...; see ``conf.PUT_OPTIONS``).

    Constructing a storage sends no request; the client is built on first use.
    """

    # Built on first use from the settings, and again after a settings change.
    _BUILT_ON_USE: tuple[str, ...] = ("settings", "_urls", "bucket_objects")
    # Never copied: rebuilt on use, or made anew by _start_fresh().
    _NOT_COPIED: tuple[str, ...] = _BUILT_ON_USE

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
        self.options: dict[str, Any] = masked(options)
        """The ``MINIO_*`` options given to this instance (Django passes ``STORAGES`` OPTIONS here),
        the secret key as a ``conf.Secret``: this storage's ``__dict__`` shows no secret to an
        error report (``cached_property`` holds it in a local variable)."""
        self.allow_overwrite = bool(allow_overwrite or replace_existing)
        arguments = {
            "bucket_name": bucket_name,
            "allow_overwrite": allow_overwrite,
            "replace_existing": replace_existing,
        }
        self._alias = storage_alias(storage_name, {**arguments, **options})
        self._init_kwargs: dict[str, Any] = {**arguments, "storage_name": storage_name}
        self._start_fresh()

    # Configuration

    def _start_fresh(self) -> None:
        """What every instance, a copy or an unpickled one included, starts with of its own."""
        setting_changed.connect(self._forget_settings)

    @cached_property
    def settings(self) -> MinioSettings:
        """This storage's settings, read on first use and again after a settings change."""
        return MinioSettings.from_options(self.option_values())

    def option_values(self) -> OptionValues:
        """Every ``MINIO_*`` option as configured for this storage, not yet validated."""
        return read_options(self._alias, self.options)

    def _forget_settings(self, *, setting: str, **kwargs: Any) -> None:
        if setting.startswith("MINIO_") or setting == "STORAGES":
            for name in self._BUILT_ON_USE:
                self.__dict__.pop(name, None)

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
        return self.bucket_objects.connection.client

    @cached_property
    def bucket_objects(self) -> PrefixedObjects:
        """The objects of this storage's bucket under its location (``MINIO_LOCATION``), by name,
        straight on the server (``objects.PrefixedObjects`` over ``objects.BucketObjects``)."""
        config = self.settings
        bucket = BucketObjects(
            get_connection(config.connection),
            self.bucket,
            parallel=config.multipart_parallel,
            missing_bucket_is_empty=config.bucket_check_on_save,
            key_headers=customer_key_headers(config.put_options.sse),
        )
        return PrefixedObjects(bucket, config.location)

    def _objects(self) -> Objects:
        """Where this storage's objects are read and written: its bucket (a batch, in ``staticfiles``)."""
        return self.bucket_objects

    # Reading

    def _open(self, name: Name, mode: str = "rb") -> MinioFile:
        key = object_key(name)
        write_mode = WriteMode.CREATE if "x" in mode else WriteMode.REPLACE
        return MinioFile(
            key,
            mode,
            open_reader=lambda: self._reader(key),
            store=lambda content: self._write(key, content, write_mode),
        )

    def _reader(self, key: str) -> ObjectReader:
        return ObjectReader(
            lambda offset, length, version: self._objects().get(key, offset, length, version),
            lambda: self._objects().stat(key),
        )

    def exists(self, name: Name) -> bool:
        """Whether the object exists; the storage's root (``""``) always does, as a
        ``FileSystemStorage``'s (Django's ``collectstatic --clear`` asks). Errors other than
        "not found" are raised, never read as False."""
        if name == "":
            return True
        try:
            self._objects().stat(object_key(name))
        except FileNotFoundError:
            return False
        return True

    def size(self, name: Name) -> int:
        return self._objects().stat(object_key(name)).size

    def get_modified_time(self, name: Name) -> datetime:
        """Aware UTC time with ``USE_TZ=True``; naive local (``TIME_ZONE``) time otherwise."""
        return as_django_datetime(self._objects().stat(object_key(name)).last_modified)

    def listdir(self, path: Name) -> tuple[list[str], list[str]]:
        """``(directories, files)`` directly under ``path``, like ``FileSystemStorage``."""
        prefix = directory_prefix(path)
        directories, files = [], []
        for key, info in self._objects().entries(prefix, recursive=False):
            entry = key[len(prefix) :]
            if info is None:
                directories.append(entry.rstrip("/"))
            elif entry:
                files.append(entry)
        return directories, files

    def stored_names(self, path: Name = "") -> list[str]:
        """Every name stored under directory ``path``, at any depth, sorted (one paged listing)."""
        return sorted(key for key, _ in self._objects().entries(directory_prefix(path), recursive=True))

    # Writing

    def save(self, name: Name | None, content: Any, max_length: int | None = None) -> str:
        """Django's ``Storage.save()``, unchanged: validate the name, ``get_available_name()``,
        ``_save()``, validate the name it returns. ``max_length`` is also kept for ``_save()``
        (Django does not pass it on), which keeps alternative names within it."""
        token = _saving.set(_Saving(max_length))
        try:
            return str(super().save(name, content, max_length))  # type: ignore[arg-type]  # Django takes PathLike
        finally:
            _saving.reset(token)

    def get_available_name(self, name: Name, max_length: int | None = None) -> str:
        """A free name for new content, as Django documents: ``name`` as its object key,
        shortened to fit ``max_length``, or an alternative when it is taken.

        Within ``save()`` nothing is asked here: the write itself finds out whether the
        name is free (see ``_save``), in the same request, so a save costs no extra request
        and two concurrent saves of one name cannot replace each other. Subclasses may
        override this as Django documents (an "overwrite storage" that deletes first, say):
        ``save()`` honours them.
        """
        key = fitted_key(name, max_length, self.settings.location)
        if _saving.get() is not None or self.allow_overwrite:
            return key
        return str(super().get_available_name(key, max_length))

    def _save(self, name: str, content: Any) -> str:
        """Store ``content`` under ``name`` and return the name used: with ``allow_overwrite``,
        replacing what is there; otherwise under an alternative name if ``name`` is taken.
        An ``UploadedObject`` (a direct upload) is moved there by ``adopt()``, not sent."""
        mode = WriteMode.REPLACE if self.allow_overwrite else WriteMode.CREATE_OR_RENAME
        saving = _saving.get()
        max_length = saving.max_length if saving else None
        if isinstance(content, UploadedObject):
            if content.bucket != self.bucket:
                raise ValueError(f"{content!r} is not in this storage's bucket {self.bucket!r}")
            return self.adopt(content.stored_name, name, max_length, if_match=content.etag)
        return self._write(name, content, mode, max_length)

    def create(self, name: Name, content: IO[Any]) -> None:
        """Store ``content`` under exactly ``name``; ``FileExistsError`` if the name is taken.

        Unlike ``save()``, no alternative name is tried. One conditional request
        (or a multipart upload completed conditionally), streamed.
        """
        self._write(name, content, WriteMode.CREATE)

    def delete(self, name: Name) -> None:
        """Delete the object; deleting a missing object is not an error."""
        self._objects().delete(object_key(name))

    def delete_many(self, names: Iterable[Name]) -> None:
        """Delete these objects now, 1,000 per request; missing ones are not an error."""
        self._objects().delete_many([object_key(name) for name in names])

    def _write(self, name: Name, content: IO[Any], mode: WriteMode, max_length: int | None = None) -> str:
        """The one write path: store ``content`` as ``mode`` says and return the key used.

        Without ``REPLACE`` the write itself is conditional (``If-None-Match: *``), or, on
        servers that ignore conditions and for content too large to send twice, a HEAD
        comes first. A taken name is ``FileExistsError`` (``CREATE``) or the next
        alternative name (``CREATE_OR_RENAME``). A missing bucket is created once if
        ``MINIO_BUCKET_CHECK_ON_SAVE`` is set. Either way the content is sent again from its
        first byte, or, if it cannot be re-read, the error propagates: never a cut-off object.
        """
        key = object_key(name)
        progress = self.settings.put_options.progress
        source = content if progress is None else cast(IO[Any], ProgressReader(content, progress, key))
        payload = Payload(source, self.settings.multipart_threshold, self.settings.multipart_part_size)
        names = self._candidate_names(key, max_length) if mode is WriteMode.CREATE_OR_RENAME else iter([key])
        key = next(names)
        bucket_created = False
        while True:
            try:
                self._put(key, payload, self._headers(key, content), if_absent=mode is not WriteMode.REPLACE)
                return key
            except ObjectExists:
                if mode is WriteMode.CREATE:
                    raise FileExistsError(f"{self.bucket}/{key} already exists") from None
                if not payload.restart():
                    raise FileExistsError(
                        f"{self.bucket}/{key} was created by another writer during this upload, "
                        "and the content cannot be re-read to store it under another name."
                    ) from None
                key = next(names)
            except BucketDoesNotExist:
                if bucket_created or not self.settings.bucket_check_on_save or not payload.restart():
                    raise
                self._create_bucket()
                bucket_created = True

    def _put(self, key: str, payload: Payload, headers: Mapping[str, str], *, if_absent: bool) -> None:
        conditional = if_absent and self._objects().writes_conditionally()
        # Without conditions, and for large content (not to send gigabytes to a taken name), ask first.
        if if_absent and (not conditional or not payload.is_small) and self.exists(key):
            raise ObjectExists(key)
        self._objects().put(key, payload, headers, if_absent=conditional)

    def _candidate_names(self, key: str, max_length: int | None) -> Iterator[str]:
        """``key``, then names from ``get_alternative_name()``, each validated and fitting
        ``max_length`` and S3's 1024 bytes by shortening the file's root, as Django's
        ``get_available_name()`` does."""
        yield key
        directory, root, extension = split_name(key)
        tried = 0
        while tried < MAX_ALTERNATIVES:
            candidate = posixpath.join(directory, self.get_alternative_name(root, extension))
            excess = name_excess(candidate, max_length, self.settings.location)
            if excess <= 0:
                tried += 1
                yield object_key(candidate)
            elif len(root) > excess:
                root = root[:-excess]
            else:
                raise SuspiciousFileOperation(
                    f"Storage cannot find an available name for {key!r} within max_length={max_length}."
                )
        raise FileExistsError(f"{self.bucket}/{key}: {MAX_ALTERNATIVES} alternative names were all taken.")

    def _headers(self, key: str, content: Any) -> dict[str, str]:
        """Everything stored with an object besides its bytes, for every write path. Each layer
        replaces the same headers of the ones before it: the type of the name or content, the
        storage's own headers (``_object_headers``), what the 4.x ``put_object`` options store,
        then ``get_object_parameters(key)``."""
        own = {"Content-Type": content_type(key, content), **self._object_headers(key)}
        label = f"{type(self).__name__}.get_object_parameters({key!r})"
        parameters = parameter_headers(self.get_object_parameters(key), label)
        return merged(own, stored_headers(self.settings.put_options), parameters)

    def get_object_parameters(self, name: str) -> dict[str, Any]:
        """The object parameters stored with a new object ``name``: ``MINIO_OBJECT_PARAMETERS``.

        Override it to set them per file, e.g. ``{**super().get_object_parameters(name),
        "Content-Disposition": "attachment"}`` for ``.csv`` names. The names are those of
        ``MINIO_OBJECT_PARAMETERS`` (``Cache-Control``, ``Content-Disposition``,
        ``Content-Encoding``, ``Content-Language``, ``Expires``, ``Metadata``, ``Tags``,
        ``StorageClass``); a bad one fails the write with ``ValueError``, before any request.
        """
        return dict(self.settings.object_parameters)

    def _object_headers(self, key: str) -> dict[str, str]:
        """Headers stored with a new object besides its Content-Type (e.g. Cache-Control).

        Here: ``Content-Disposition: attachment`` when the name's type is one browsers run
        script in (HTML, SVG, XML, XSL, JavaScript), so an upload opened from its URL, framed
        or embedded is downloaded, never run on the storage's origin. A declared type runs
        script only if the name's type does (``mediatypes.content_type``), so this covers
        every stored object that could. The static storages, serving the project's own files,
        store none.
        """
        return {"Content-Disposition": "attachment"} if runs_script(content_type(key)) else {}

    def _create_bucket(self, public: bool | None = None) -> None:
        """Create this storage's bucket, with its policy (public if ``public``, else as configured),
        as ``initialize_buckets`` would; an existing bucket gets its policy."""
        from . import buckets

        public = self.is_public if public is None else public
        (own_plan, *_), problems = buckets.plan([buckets.BucketUse(self.settings, self.bucket, public)])
        if problems:
            raise ImproperlyConfigured(" ".join(problem.message for problem in problems))
        with translated_errors("create", self.settings.connection.endpoint, self.bucket):
            buckets.reconcile(self.client, own_plan.buckets[self.bucket], self.settings.connection)

    def abort_incomplete_uploads(self, older_than: timedelta = timedelta(days=1), prefix: str = "") -> list[str]:
        """Abort this storage's multipart uploads (of names starting with ``prefix``, within its
        location) begun more than ``older_than`` ago and never completed, and return their names.

        A save aborts its own failed upload, but cannot when the server or the process
        dies mid-upload; the parts then hold space until this (e.g. from a periodic task)
        or a lifecycle rule on the bucket removes them. Objects are never touched.
        """
        objects = self.bucket_objects
        return [upload.key for upload in objects.abort_uploads(objects.stale_uploads(older_than, prefix))]

    # URLs and health

    def url(
        self,
        name: Name | None,
        expires: timedelta | None = None,
        response_headers: Mapping[str, str] | None = None,
        method: str = "GET",
    ) -> str:
        """The object's URL; never sends a request.

        Public buckets get a plain URL. Private buckets, or any call with
        ``expires`` or ``response_headers`` (e.g. ``{"Content-Disposition":
        "attachment; filename=report.pdf"}``), get a presigned URL.

        ``method="PUT"`` gives a presigned PUT that needs no header, valid for ``expires``
        (default ``MINIO_DIRECT_UPLOAD_EXPIRY``): it stores or *replaces* the object.
        ``presigned_put()`` signs a Content-Type and no-overwrite condition too.
        """
        if name is None:
            raise TypeError("file names must be str or os.PathLike, got NoneType")
        if isinstance(self.settings.put_options.sse, SseCustomerKey):
            raise NotImplementedError(
                f"{type(self).__name__} encrypts with a customer key (SSE-C), so its objects have no URL: "
                "S3 serves them only to requests that carry the key, which a browser cannot send "
                "(a presigned URL does not hold it). Serve them through a Django view that reads "
                "the file with this storage, or use SseS3()/SseKMS() encryption."
            )
        if method == "PUT":
            if response_headers:
                raise ValueError("response_headers apply to GET URLs only")
            return self.presigned_put(name, expires=expires, overwrite=True).url
        if method != "GET":
            raise ValueError(f"method must be 'GET' or 'PUT', got {method!r}")
        return self._urls.url(object_key(name), expires, response_headers)

    def presigned_put(
        self,
        name: Name,
        *,
        expires: timedelta | None = None,
        content_type: str | None = None,
        overwrite: bool = False,
        part: tuple[str, int] | None = None,
        content_length: int | None = None,
    ) -> PresignedRequest:
        """A PUT that stores the object ``name`` from a browser, signed locally (no request).

        The client must send the returned ``headers`` exactly: ``Content-Type`` if
        ``content_type`` is given, ``If-None-Match: *`` unless ``overwrite`` (the
        server then refuses to replace an existing object, answering 412), and
        ``Content-Length`` if ``content_length`` is given (a browser sends it for its
        body, so a body of another length is refused). Valid for ``expires`` (default
        ``MINIO_DIRECT_UPLOAD_EXPIRY``). With ``part=(upload_id, number)``, a PUT of that
        part of a multipart upload instead (only ``Content-Length`` applies).
        """
        self._refuse_customer_key()
        if content_length is not None and (type(content_length) is not int or content_length < 0):
            raise ValueError(f"content_length must be a whole number of bytes, got {content_length!r}")
        expires = expires or self.settings.direct_upload_expiry
        length = {} if content_length is None else {"Content-Length": str(content_length)}
        if part is not None:
            upload_id, number = part
            query = {"partNumber": str(number), "uploadId": upload_id}
            return self._urls.presigned_put(object_key(name), expires, length, query)
        headers = {**length} if overwrite else {"If-None-Match": "*", **length}
        if content_type is not None:
            headers["Content-Type"] = content_type
        return self._urls.presigned_put(object_key(name), expires, headers)

    def presigned_post(
        self,
        name: Name | None = None,
        *,
        key_prefix: str | None = None,
        max_size: int,
        min_size: int = 0,
        content_type: str | None = None,
        expires: timedelta | None = None,
    ) -> PresignedPost:
        """A browser form upload (S3 POST policy) signed locally: its ``url`` and form ``fields``.

        The server refuses the upload unless its key is ``name`` (or starts with
        ``key_prefix``; the form's ``key`` field is then ``key_prefix + "${filename}"``), its
        size is within ``min_size``..``max_size`` bytes, its Content-Type is ``content_type``
        (one type, or a family such as ``"image/"``; None: any) and the policy has not
        expired (``expires``, default ``MINIO_DIRECT_UPLOAD_EXPIRY``). A POST replaces
        an object of the same key: issue keys nobody else uses (see ``direct_uploads``).
        """
        self._refuse_customer_key()
        if key_prefix is not None:
            object_key(key_prefix + "x")  # validates the prefix as the start of a name
        return self._urls.presigned_post(
            expires or self.settings.direct_upload_expiry,
            name=None if name is None else object_key(name),
            name_prefix=key_prefix,
            min_size=min_size,
            max_size=max_size,
            content_type=content_type,
        )

    def _refuse_customer_key(self) -> None:
        if isinstance(self.settings.put_options.sse, SseCustomerKey):
            raise NotImplementedError(
                f"{type(self).__name__} encrypts with a customer key (SSE-C), which a browser's upload cannot "
                "carry (a presigned request does not hold it): use SseS3()/SseKMS() for direct uploads."
            )

    def adopt(self, source: Name, name: Name, max_length: int | None = None, *, if_match: str | None = None) -> str:
        """Move the object ``source`` (e.g. a direct upload) to ``name``, or to an alternative name
        if ``name`` is taken, as ``save()`` names files; return the name used.

        A server-side copy (S3 copies at most 5 GiB at once), stored with the headers a
        save of ``name`` would store, conditional on the name being free as every write
        here is; then ``source`` is deleted. ``FileNotFoundError`` if ``source`` is missing.
        With ``if_match`` (the ETag of the version that was checked), only that version is
        moved: ``ObjectChangedError`` if ``source`` was replaced since, and it is left as it is.
        """
        source_name = object_key(source)
        location = self.settings.location
        if self.allow_overwrite:
            names: Iterator[str] = iter([fitted_key(name, max_length, location)])
        else:
            names = self._candidate_names(fitted_key(name, max_length, location), max_length)
        objects = self.bucket_objects
        source_key = objects.key(source_name)
        source_key_headers = customer_key_headers(self.settings.put_options.sse, copy_source=True)
        for candidate in names:
            conditional = not self.allow_overwrite and objects.writes_conditionally()
            if not self.allow_overwrite and not conditional and self.exists(candidate):
                continue
            key = objects.key(candidate)
            headers = {**self._headers(candidate, None), **source_key_headers}
            try:
                with translated_errors("move", self.settings.connection.endpoint, self.bucket, source_key):
                    try:
                        s3api.copy_object(self.client, self.bucket, key, source_key, headers, conditional, if_match)
                    except S3Error as exc:
                        if if_match is not None and exc.code == "PreconditionFailed":
                            self._refuse_if_changed(source_name, if_match, exc)
                        if conditional and s3api.name_taken(exc):
                            raise ObjectExists(key) from exc
                        raise
            except ObjectExists:
                continue
            self.delete(source_name)
            return candidate
        raise FileExistsError(f"{self.bucket}/{name}: no free name to move {source_name!r} to")

    def _refuse_if_changed(self, name: str, etag: str, refusal: S3Error) -> None:
        """``ObjectChangedError`` if ``name`` is no longer the version ``etag`` (a move's source,
        whose conditional copy was ``refusal``); ``FileNotFoundError`` if it is gone."""
        if self.bucket_objects.stat(name).etag != etag:
            key = self.bucket_objects.key(name)
            message = f"{self.bucket}/{key} changed after it was checked; it was not moved"
            raise ObjectChangedError(message, source=refusal, bucket=self.bucket, key=key) from refusal

    @cached_property
    def _urls(self) -> ObjectUrls:
        from .object_urls import ObjectUrls

        return ObjectUrls(self.settings, self.bucket, self.is_public)

    def is_minio_available(self, timeout: float = 5.0) -> MinioServerStatus:
        """Ask the server (any S3 server) whether it answers and accepts our credentials.

        One request, no retries, bounded by ``timeout`` seconds. Never raises.
        """
        from .health import server_status

        try:
            return server_status(self.settings.connection, timeout)
        except ImproperlyConfigured as exc:
            return MinioServerStatus(False, f"not configured: {exc}")

    # Identity

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        """For migrations: the bucket, the location given as ``location=``, the alias and the
        overwrite arguments that differ from their defaults; never connection options or
        credentials (they differ between environments)."""
        cls = type(self)
        module = cls.__module__
        if module.startswith("django_minio_backend."):
            module = "django_minio_backend.models"  # the import path users know from 2.x-4.x
        kwargs = {
            key: value
            for key, value in self._init_kwargs.items()
            if key == "bucket_name" or value != ARGUMENT_DEFAULTS.get(key)
        }
        if self.options.get("location"):
            kwargs["location"] = self.options["location"]
        return f"{module}.{cls.__qualname__}", (), kwargs

    def __getstate__(self) -> dict[str, Any]:
        """Copies and pickles leave out what is built on use (settings, connection) and what
        each instance has of its own (``_start_fresh``). A storage given a ``MINIO_HTTP_CLIENT``
        object cannot be pickled (a pool manager cannot); one given its import path can."""
        return {key: value for key, value in self.__dict__.items() if key not in self._NOT_COPIED}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._start_fresh()

    def __deepcopy__(self, memo: dict[int, Any]) -> MinioBackend:
        """A storage with deep copies of this one's state; a ``MINIO_HTTP_CLIENT`` pool manager and
        a ``progress`` object, shared by threads by design, are shared by the copy too."""
        clone = copy.copy(self)
        memo[id(self)] = clone
        shared = [v for k, v in self.options.items() if k == "progress" or isinstance(v, urllib3.PoolManager)]
        memo.update({id(value): value for value in shared})
        clone.__dict__.update(copy.deepcopy(self.__getstate__(), memo))
        return clone

    def __repr__(self) -> str:
        bucket = self._bucket_name or "<default bucket>"
        return f"<{type(self).__name__} bucket={bucket!r}>"

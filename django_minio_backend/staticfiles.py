"""Static files storages: ``MinioBackendStatic`` and ``MinioManifestStaticStorage``.

Both store into ``MINIO_STATIC_FILES_BUCKET``, which is public (readable by anyone,
not listable), and give plain URLs on ``MINIO_EXTERNAL_ENDPOINT`` when one is set.
A save replaces the object of that name: a static file's name is its address.

``batch()`` makes a run of many calls cheap (see ``batch.py``); this package's
``collectstatic`` command wraps each run in one.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import partial
from typing import IO, Any, cast
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.base import File
from django.core.files.storage import Storage
from minio.deleteobjects import DeleteObject

from . import contenttypes, transfer
from .batch import Batch, Listed
from .errors import MinioBackendError
from .files import MinioFile
from .names import directory_prefix, object_key
from .storage import MinioBackend
from .utils import as_django_datetime

_EPOCH = datetime.fromtimestamp(0, timezone.utc)


class MinioBackendStatic(MinioBackend):
    """The ``staticfiles`` storage: bucket ``MINIO_STATIC_FILES_BUCKET``, public, plain URLs.

    Objects are stored with ``MINIO_STATIC_CACHE_CONTROL``. Saves replace.
    """

    def __init__(self, bucket_name: str = "", storage_name: str | None = None, **kwargs: Any):
        super().__init__(bucket_name, storage_name, **kwargs)
        self.allow_overwrite = True
        self._batches: dict[int, Batch] = {}

    def _default_bucket(self) -> str:
        return self.settings.static_bucket

    @property
    def is_public(self) -> bool:
        return True

    def _extra_headers(self, key: str) -> dict[str, str]:
        cache_control = self._cache_control(key)
        return {"Cache-Control": cache_control} if cache_control else {}

    def _cache_control(self, key: str) -> str:
        return self.settings.static_cache_control

    # Batches

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """Within the block, in this thread: one listing answers ``exists()``, ``size()``,
        ``get_modified_time()`` and ``listdir()``; saves of unchanged content send nothing,
        other small saves upload in parallel (``MINIO_STATIC_PARALLEL_UPLOADS``); deletes
        are sent in bulk at the end. Everything is on the server when the block exits;
        if the block raises, pending deletes are dropped. Nested use joins the open batch.
        """
        thread = threading.get_ident()
        if thread in self._batches:
            yield self._batches[thread]
            return
        batch = Batch(self._list_objects, self._delete_keys, self.settings.static_parallel_uploads)
        self._batches[thread] = batch
        try:
            yield batch
        except BaseException:
            batch.abandon()
            raise
        else:
            batch.finish()
        finally:
            del self._batches[thread]

    def _current_batch(self) -> Batch | None:
        return self._batches.get(threading.get_ident()) if self._batches else None

    def _list_objects(self) -> dict[str, Listed]:
        """Every object of the bucket, from one paged listing. A missing bucket is created
        (public) if ``MINIO_BUCKET_CHECK_ON_SAVE`` is set."""

        def listing() -> dict[str, Listed]:
            return {
                str(item.object_name): Listed(
                    int(item.size or 0), (item.etag or "").lower(), item.last_modified or _EPOCH
                )
                for item in self.client.list_objects(self.bucket, recursive=True)
                if not str(item.object_name).startswith(transfer.PROBE_PREFIX)
            }

        return self._in_own_bucket("list", None, listing)

    def _delete_keys(self, keys: list[str]) -> None:
        """Delete ``keys`` now, 1,000 per request."""
        with self._errors("delete"):
            failures = list(self.client.remove_objects(self.bucket, (DeleteObject(key) for key in keys)))
        if failures:
            first = failures[0]
            raise MinioBackendError(
                f"Could not delete {len(failures)} object(s) of {self.bucket!r} at {self.settings.connection.endpoint}"
                f", e.g. {first.name!r}: {first.code}: {first.message}"
            )

    def _listed(self, batch: Batch, name: str) -> Listed:
        key = object_key(name)
        listed = batch.get(key)
        if listed is None:
            raise FileNotFoundError(errno.ENOENT, "No such object", f"{self.bucket}/{key}")
        return listed

    def _stat_listed(self, key: str) -> Listed:
        stat = self._stat(key)
        return Listed(int(stat.size or 0), (stat.etag or "").lower(), stat.last_modified or _EPOCH)

    # Storage API, answered by the batch when one is open

    def exists(self, name: str) -> bool:
        """Whether the object exists; the storage's root (``""``) always does."""
        if not name.strip("/\\"):
            return True
        batch = self._current_batch()
        if batch is None:
            return super().exists(name)
        return batch.get(object_key(name)) is not None

    def size(self, name: str) -> int:
        batch = self._current_batch()
        return super().size(name) if batch is None else self._listed(batch, name).size

    def get_modified_time(self, name: str) -> datetime:
        batch = self._current_batch()
        if batch is None:
            return super().get_modified_time(name)
        return as_django_datetime(self._listed(batch, name).last_modified)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        batch = self._current_batch()
        return super().listdir(path) if batch is None else batch.listdir(directory_prefix(path))

    def stored_names(self, path: str = "") -> list[str]:
        """Every name stored under directory ``path``, at any depth, sorted (one paged listing)."""
        prefix = directory_prefix(path)
        batch = self._current_batch()
        if batch is not None:
            return batch.keys(prefix)
        with self._errors("list", prefix or "/"):
            return sorted(str(item.object_name) for item in self.client.list_objects(self.bucket, prefix, True))

    def delete(self, name: str) -> None:
        batch = self._current_batch()
        if batch is None:
            super().delete(name)
        else:
            batch.delete(object_key(name))

    def delete_many(self, names: Iterable[str]) -> None:
        """Delete these objects now, 1,000 per request; missing ones are not an error."""
        keys = [object_key(name) for name in names]
        batch = self._current_batch()
        if batch is not None:
            batch.forget(keys)
        if keys:
            self._delete_keys(keys)

    def _open(self, name: str, mode: str = "rb") -> MinioFile:
        batch = self._current_batch()
        if batch is not None:
            batch.settle(object_key(name))
        return super()._open(name, mode)

    def _store(self, name: str, content: IO[Any], max_length: int | None) -> str:
        batch = self._current_batch()
        if batch is None:
            return super()._store(name, content, max_length)
        key = self._fit(object_key(name), max_length)
        payload = transfer.Payload(content, self.settings.multipart_threshold, self.settings.multipart_part_size)
        upload = partial(self._replace, key, payload, contenttypes.content_type(key, content))
        if payload.is_small:
            batch.put(key, payload.head, upload)
        else:
            batch.claim(key)
            upload()
            batch.record(key, self._stat_listed(key))
        return key

    def _replace(self, key: str, payload: transfer.Payload, content_type: str) -> None:
        with self._errors("save", key):
            self._upload(key, payload, content_type, if_absent=False)

    def _write(self, key: str, content: IO[Any], *, overwrite: bool) -> None:
        batch = self._current_batch()
        if batch is None:
            super()._write(key, content, overwrite=overwrite)
            return
        if overwrite:
            batch.claim(key)
        else:
            batch.settle(key)
        super()._write(key, content, overwrite=overwrite)
        batch.record(key, self._stat_listed(key))


class MinioManifestStaticStorage(ManifestFilesMixin, MinioBackendStatic):  # type: ignore[misc]
    """``MinioBackendStatic`` with hashed names (Django's ``ManifestFilesMixin``).

    The manifest (``staticfiles.json``) is read on first use, not on construction; a
    missing manifest is an empty one, so the first ``collectstatic`` works. Hashed
    objects are stored with ``MINIO_STATIC_HASHED_CACHE_CONTROL``.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        self._constructing = True
        self._hashed_files: dict[str, str] | None = None
        self._manifest_hash: str | None = None
        self._hashed_names: set[str] = set()
        self._sources: dict[str, tuple[Storage, str]] = {}
        super().__init__(*args, **kwargs)
        self._constructing = False

    def load_manifest(self) -> Any:  # (paths, hash); django-stubs type it as a dict
        if self._constructing:  # ManifestFilesMixin.__init__ asks; defer until first use
            return None, None
        return super().load_manifest()

    def _loaded(self) -> None:
        if self._hashed_files is None:
            self._hashed_files, self._manifest_hash = cast(tuple[dict[str, str], str], super().load_manifest())

    @property
    def hashed_files(self) -> dict[str, str]:
        self._loaded()
        assert self._hashed_files is not None
        return self._hashed_files

    @hashed_files.setter
    def hashed_files(self, value: dict[str, str] | None) -> None:
        self._hashed_files = value

    @property
    def manifest_hash(self) -> str:
        self._loaded()
        return self._manifest_hash or ""

    @manifest_hash.setter
    def manifest_hash(self, value: str | None) -> None:
        self._manifest_hash = value

    def post_process(self, paths: dict[str, tuple[Storage, str]], *args: Any, **kwargs: Any) -> Iterator[Any]:
        """Django's post-processing; a file it must hash by name is read from its local
        source rather than downloaded, being the same bytes."""
        self._sources = paths
        try:
            yield from super().post_process(paths, *args, **kwargs)
        finally:
            self._sources = {}

    def hashed_name(self, name: str, content: File | None = None, filename: str | None = None) -> str:  # type: ignore[type-arg]
        source = self._sources.get(urlsplit(unquote(filename or name)).path.strip()) if content is None else None
        if source is None:
            hashed = str(super().hashed_name(name, content, filename))
        else:
            storage, path = source
            with storage.open(path) as local:
                hashed = str(super().hashed_name(name, local, filename))
        self._hashed_names.add(self.clean_name(urlsplit(hashed).path))
        return hashed

    def _cache_control(self, key: str) -> str:
        if key in self._hashed_names:
            return self.settings.static_hashed_cache_control
        return super()._cache_control(key)

"""Static files storages: ``MinioBackendStatic`` and ``MinioManifestStaticStorage``.

Both store into ``MINIO_STATIC_FILES_BUCKET``, which is public (readable by anyone,
not listable), and give plain URLs on ``MINIO_EXTERNAL_ENDPOINT`` when one is set.
A save replaces the object of that name: a static file's name is its address.

``batch()`` makes a run of many calls cheap (see ``batch.py``); this package's
``collectstatic`` command wraps each run in one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.files.base import File
from django.core.files.storage import Storage

from .batch import BatchObjects
from .errors import BucketDoesNotExist
from .manifest_passes import SkipsUnneededPasses
from .objects import ObjectInfo, Objects
from .storage import MinioBackend


class MinioBackendStatic(MinioBackend):
    """The ``staticfiles`` storage: bucket ``MINIO_STATIC_FILES_BUCKET``, public, plain URLs.

    Objects are stored with ``MINIO_STATIC_CACHE_CONTROL``. Saves replace.
    """

    _NOT_COPIED = (*MinioBackend._NOT_COPIED, "_batches")

    def __init__(self, bucket_name: str = "", storage_name: str | None = None, **kwargs: Any):
        super().__init__(bucket_name, storage_name, **kwargs)
        self.allow_overwrite = True

    def _default_bucket(self) -> str:
        return self.settings.static_bucket

    @property
    def is_public(self) -> bool:
        return True

    def _object_headers(self, key: str) -> dict[str, str]:
        cache_control = self._cache_control(key)
        return {"Cache-Control": cache_control} if cache_control else {}

    def _cache_control(self, key: str) -> str:
        return self.settings.static_cache_control

    # Batches

    def _start_fresh(self) -> None:
        super()._start_fresh()
        self._batches: dict[int, BatchObjects] = {}
        """The open batch of each thread; a copy has none."""

    @contextmanager
    def batch(self) -> Iterator[BatchObjects]:
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
        batch = BatchObjects(self.bucket_objects, self._list_all, self.settings.static_parallel_uploads)
        self._batches[thread] = batch
        try:
            yield batch
        except BaseException:
            batch.abandon()
            raise
        else:
            batch.finish()
        finally:
            self._batches.pop(thread, None)

    def _objects(self) -> Objects:
        """The batch open in this thread, if any; else the bucket."""
        batches = self._batches
        batch = batches.get(threading.get_ident()) if batches else None
        return self.bucket_objects if batch is None else batch

    def _list_all(self) -> dict[str, ObjectInfo]:
        """Every object of the bucket, from one paged listing. A missing bucket is created
        (public) if ``MINIO_BUCKET_CHECK_ON_SAVE`` is set."""
        try:
            return self._listing()
        except BucketDoesNotExist:
            if not self.settings.bucket_check_on_save:
                raise
        self._create_bucket()
        return self._listing()

    def _listing(self) -> dict[str, ObjectInfo]:
        return {key: info for key, info in self.bucket_objects.entries("", recursive=True) if info is not None}


class MinioManifestStaticStorage(SkipsUnneededPasses, ManifestFilesMixin, MinioBackendStatic):  # type: ignore[misc]
    """``MinioBackendStatic`` with hashed names (Django's ``ManifestFilesMixin``).

    The manifest (``staticfiles.json``) is read on first use, not on construction; a
    missing manifest is an empty one, so the first ``collectstatic`` works. Hashed
    objects are stored with ``MINIO_STATIC_HASHED_CACHE_CONTROL``. Post-processing reads
    every file from its source, never back from the bucket, and repeats a pass only when
    the first left a reference stale (see ``manifest_passes``).

    With ``MINIO_STATIC_KEEP_ONLY_HASHED_FILES`` only the hashed copies (and the manifest)
    are kept: this package's ``collectstatic`` does not upload the unhashed ones, and
    ``post_process()`` deletes any that are stored (from an earlier run, or uploaded by
    Django's own command).
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

    @property
    def keep_only_hashed_files(self) -> bool:
        """Whether the unhashed copies are left out of the bucket (``MINIO_STATIC_KEEP_ONLY_HASHED_FILES``)."""
        return self.settings.static_keep_only_hashed_files

    def post_process(
        self, paths: dict[str, tuple[Storage, str]], dry_run: bool = False, **options: Any
    ) -> Iterator[Any]:
        """Django's post-processing; a file it must hash by name is read from its local
        source rather than downloaded, being the same bytes. When it has succeeded and
        only hashed files are kept, the stored unhashed copies of ``paths`` are deleted."""
        self._sources = paths
        try:
            yield from super().post_process(paths, dry_run=dry_run, **options)
        finally:
            self._sources = {}
        if self.keep_only_hashed_files and not dry_run:
            self._delete_unhashed(paths)

    def _delete_unhashed(self, names: Iterable[str]) -> None:
        """Delete the stored objects of ``names`` that are neither a file's hashed name nor the
        manifest (one listing)."""
        kept = {*self.hashed_files.values(), self.manifest_name}
        stored = set(self.stored_names())
        self.delete_many(name for name in names if name in stored and name not in kept)

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

"""Batches: many storage calls answered from one bucket listing, with parallel uploads and bulk deletes.

A ``Batch`` serves one storage in one thread for a bounded stretch of work
(``collectstatic`` opens one per run). On first need it lists the bucket once
(ListObjectsV2, 1,000 objects per page); from then on it answers which objects
exist, and their sizes and modification times, from that listing, kept up to date
by the batch's own writes:

- a small save whose content is byte-identical to the stored object (same size,
  and the content's MD5 is the object's ETag) sends nothing;
- other small saves are PUT by a pool of threads, at most ``parallel`` at once, so
  at most that many payloads are held in memory; two writes of one name never overlap;
- deletes are held until the batch ends, then sent in bulk (1,000 names per request),
  unless a later save of the same name made them moot.

If the work inside the batch fails, ``abandon()`` drops the pending deletes (the
stored objects stay as they were) and cancels uploads that have not started.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from .transfer import md5_etag


@dataclass(frozen=True)
class Listed:
    """What a listing says about one object."""

    size: int
    etag: str
    last_modified: datetime  # aware UTC


class Batch:
    """Bookkeeping and upload pool of one batch; see the module docstring.

    ``list_objects()`` returns the bucket's objects by key; ``delete_keys(keys)``
    deletes objects now. Both are called from the owning thread only.
    """

    def __init__(
        self,
        list_objects: Callable[[], dict[str, Listed]],
        delete_keys: Callable[[list[str]], None],
        parallel: int,
    ):
        self._list_objects = list_objects
        self._delete_keys = delete_keys
        self._parallel = parallel
        self._objects: dict[str, Listed] | None = None
        self._deletes: dict[str, Listed | None] = {}  # pending deletes, with the object each one hides
        self._uploads: dict[str, concurrent.futures.Future[None]] = {}
        self._failures: list[BaseException] = []
        self._slots = threading.BoundedSemaphore(parallel)
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.uploads = 0
        self.unchanged = 0

    # What is stored

    @property
    def objects(self) -> dict[str, Listed]:
        """Every object by key, as listed once and changed by this batch since."""
        if self._objects is None:
            self._objects = self._list_objects()
        return self._objects

    def get(self, key: str) -> Listed | None:
        return self.objects.get(key)

    def keys(self, prefix: str = "") -> list[str]:
        """Every key under ``prefix``, sorted."""
        return sorted(key for key in self.objects if key.startswith(prefix))

    def listdir(self, prefix: str) -> tuple[list[str], list[str]]:
        """``(directories, files)`` directly under ``prefix`` (``""`` or ending in ``/``)."""
        directories, files = set(), []
        for key in self.keys(prefix):
            head, slash, _ = key[len(prefix) :].partition("/")
            if slash:
                directories.add(head)
            else:
                files.append(head)
        return sorted(directories), files

    # Changes

    def delete(self, key: str) -> None:
        """Delete ``key`` when the batch ends (a save of the same name first makes that moot)."""
        self._deletes[key] = self.objects.pop(key, None) or self._deletes.get(key)

    def put(self, key: str, data: bytes, upload: Callable[[], None]) -> None:
        """Save ``data`` under ``key``: nothing to send if the stored object holds these bytes,
        else run ``upload`` in the pool. Blocks while ``parallel`` uploads are running;
        raises an earlier upload's error."""
        etag = md5_etag(data)
        stored = self.objects.get(key) or self._deletes.get(key)
        self._deletes.pop(key, None)
        if stored is not None and stored.size == len(data) and stored.etag == etag:
            self.objects[key] = stored
            self.unchanged += 1
            return
        self.wait(key)
        self._raise_failure()
        self._slots.acquire()
        try:
            future = self._executor().submit(upload)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(self._uploaded)
        self._uploads[key] = future
        self.objects[key] = Listed(len(data), etag, datetime.now(timezone.utc))
        self.uploads += 1

    def settle(self, key: str) -> None:
        """Bring ``key`` up to date on the server before a call outside the pool reads it
        or creates it exclusively: wait for its upload, and send its pending delete now."""
        self.wait(key)
        if key in self._deletes:
            del self._deletes[key]
            self._delete_keys([key])

    def claim(self, key: str) -> None:
        """Prepare ``key`` for a write outside the pool that replaces it: wait for its
        upload and drop its pending delete, so a failed write leaves the stored object
        (listed again). The bucket is listed first if no call has listed it yet."""
        self.wait(key)
        stored = self.objects  # listed once (which creates a missing bucket if so configured)
        hidden = self._deletes.pop(key, None)
        if hidden is not None:
            stored.setdefault(key, hidden)

    def record(self, key: str, listed: Listed) -> None:
        """Note an object written outside the pool."""
        self.objects[key] = listed

    def forget(self, keys: list[str]) -> None:
        """Note that ``keys`` are deleted now by the caller: their uploads are awaited first."""
        for key in keys:
            self.wait(key)
            self.objects.pop(key, None)
            self._deletes.pop(key, None)

    def wait(self, key: str | None = None) -> None:
        """Wait for the upload of ``key``, or for every upload; raise the first failure."""
        if key is None:
            concurrent.futures.wait(list(self._uploads.values()))
        elif key in self._uploads:
            concurrent.futures.wait([self._uploads[key]])
        self._raise_failure()

    # End

    def finish(self) -> None:
        """Wait for every upload, then send the pending deletes; raise the first failure."""
        try:
            self.wait()
            keys = sorted(self._deletes)
            self._deletes.clear()
            if keys:
                self._delete_keys(keys)
        finally:
            self._shutdown(cancel=False)

    def abandon(self) -> None:
        """Drop pending deletes and unstarted uploads; wait for running ones, ignoring their errors."""
        self._deletes.clear()
        self._shutdown(cancel=True)

    def _executor(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(self._parallel, thread_name_prefix="minio-batch")
        return self._pool

    def _uploaded(self, future: concurrent.futures.Future[None]) -> None:
        self._slots.release()
        if not future.cancelled() and future.exception() is not None:
            self._failures.append(future.exception())  # type: ignore[arg-type]

    def _raise_failure(self) -> None:
        if self._failures:
            raise self._failures[0]

    def _shutdown(self, *, cancel: bool) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None

"""Batches: the ``Objects`` of one bucket answered from one listing, with parallel uploads and bulk deletes.

A ``BatchObjects`` serves one storage in one thread for a bounded stretch of work
(``collectstatic`` opens one per run). On first need it lists the bucket once
(ListObjectsV2, 1,000 objects per page); from then on it answers which objects
exist, and their sizes and modification times, from that listing, kept up to date
by the batch's own writes:

- a small write that replaces, of content byte-identical to the stored object (same
  size, and the content's MD5 is the object's ETag), sends nothing;
- other small writes that replace are PUT by a pool of threads, at most ``parallel`` at
  once, so at most that many payloads are held in memory; two writes of one name never overlap;
- deletes are held until the batch ends, then sent in bulk (1,000 names per request),
  unless a later write of the same name made them moot.

Reads, large writes and writes that must not replace go to the bucket at once, after the
key's pending upload or delete is settled. If the work inside the batch fails,
``abandon()`` drops the pending deletes (the stored objects stay as they were) and
cancels uploads that have not started.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone

from .errors import missing_object
from .objects import Entry, ObjectBody, ObjectInfo, Objects
from .payload import Payload, md5_etag


class BatchObjects:
    """``Objects`` of a batch over ``direct`` (the bucket itself); see the module docstring.

    ``list_all()`` returns the bucket's objects by key. Calls come from the owning thread only.
    """

    def __init__(self, direct: Objects, list_all: Callable[[], dict[str, ObjectInfo]], parallel: int):
        self._direct = direct
        self._list_all = list_all
        self._parallel = parallel
        self._objects: dict[str, ObjectInfo] | None = None
        self._deletes: dict[str, ObjectInfo | None] = {}  # pending deletes, with the object each one hides
        self._uploads: dict[str, concurrent.futures.Future[None]] = {}
        self._failures: list[BaseException] = []
        self._slots = threading.BoundedSemaphore(parallel)
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.uploads = 0
        self.unchanged = 0

    @property
    def bucket(self) -> str:
        return self._direct.bucket

    @property
    def objects(self) -> dict[str, ObjectInfo]:
        """Every object by key, as listed once and changed by this batch since."""
        if self._objects is None:
            self._objects = self._list_all()
        return self._objects

    def writes_conditionally(self) -> bool:
        return self._direct.writes_conditionally()

    # Reading

    def stat(self, key: str) -> ObjectInfo:
        info = self.objects.get(key)
        if info is None:
            raise missing_object(self.bucket, key)
        return info

    def entries(self, prefix: str, *, recursive: bool) -> Iterator[Entry]:
        keys = sorted(key for key in self.objects if key.startswith(prefix))
        directories: set[str] = set()
        for key in keys:
            head, slash, _ = key[len(prefix) :].partition("/")
            if not slash or recursive:
                yield key, self.objects[key]
            elif head not in directories:
                directories.add(head)
                yield f"{prefix}{head}/", None

    def get(self, key: str, offset: int, length: int | None, version: ObjectInfo | None = None) -> ObjectBody | None:
        self.settle(key)
        return self._direct.get(key, offset, length, version)

    # Writing

    def put(self, key: str, payload: Payload, headers: Mapping[str, str], *, if_absent: bool) -> None:
        """A small write that replaces is pooled (or skipped if the stored object holds these
        bytes); others go to the bucket now. Raises an earlier pooled upload's error."""
        if not if_absent and payload.is_small:
            self._put_pooled(key, payload.head, lambda: self._direct.put(key, payload, headers, if_absent=False))
            return
        if if_absent:
            self.settle(key)
        else:
            self._claim(key)
        self._direct.put(key, payload, headers, if_absent=if_absent)
        self.objects[key] = self._direct.stat(key)

    def _put_pooled(self, key: str, data: bytes, upload: Callable[[], None]) -> None:
        etag = md5_etag(data)
        stored = self.objects.get(key) or self._deletes.get(key)
        self._deletes.pop(key, None)
        if stored is not None and stored.size == len(data) and stored.etag == etag:
            self.objects[key] = stored
            self.unchanged += 1
            return
        self._wait(key)
        self._slots.acquire()
        try:
            future = self._executor().submit(upload)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(self._uploaded)
        self._uploads[key] = future
        self.objects[key] = ObjectInfo(len(data), etag, datetime.now(timezone.utc))
        self.uploads += 1

    def delete(self, key: str) -> None:
        """Delete ``key`` when the batch ends (a write of the same name first makes that moot)."""
        self._deletes[key] = self.objects.pop(key, None) or self._deletes.get(key)

    def delete_many(self, keys: list[str]) -> None:
        for key in keys:
            self._wait(key)
            self.objects.pop(key, None)
            self._deletes.pop(key, None)
        self._direct.delete_many(keys)

    def settle(self, key: str) -> None:
        """Bring ``key`` up to date on the server before a call outside the pool reads it
        or creates it exclusively: wait for its upload, and send its pending delete now."""
        self._wait(key)
        if key in self._deletes:
            del self._deletes[key]
            self._direct.delete_many([key])

    def _claim(self, key: str) -> None:
        """Prepare ``key`` for a write outside the pool that replaces it: wait for its upload
        and drop its pending delete, so a failed write leaves the stored object (listed
        again). The bucket is listed first if no call has listed it yet."""
        self._wait(key)
        stored = self.objects
        hidden = self._deletes.pop(key, None)
        if hidden is not None:
            stored.setdefault(key, hidden)

    def _wait(self, key: str | None = None) -> None:
        """Wait for the upload of ``key``, or for every upload; raise the first failure."""
        if key is None:
            concurrent.futures.wait(list(self._uploads.values()))
        elif key in self._uploads:
            concurrent.futures.wait([self._uploads[key]])
        if self._failures:
            raise self._failures[0]

    # End

    def finish(self) -> None:
        """Wait for every upload, then send the pending deletes; raise the first failure."""
        try:
            self._wait()
            keys = sorted(self._deletes)
            self._deletes.clear()
            self._direct.delete_many(keys)
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

    def _shutdown(self, *, cancel: bool) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None

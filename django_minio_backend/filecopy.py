"""Copying files from another storage (local disk, any Django storage) into a MinioBackend.

Each file is read in blocks (constant memory), stored under exactly its name
with a conditional write (an object already there is never replaced), and
verified afterwards: its size, and its content, by the MD5 ``ETag`` of a
single-part upload or else by reading it back and comparing SHA-256. A file
already copied with the same content is skipped, so an interrupted run resumes.
The source is only read.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.storage import Storage

from .errors import MinioBackendError
from .names import object_key
from .storage import MinioBackend

BLOCK = 1024 * 1024


@dataclass(frozen=True)
class Fingerprint:
    size: int
    md5: str
    sha256: str


@dataclass(frozen=True)
class Result:
    """What happened to one file: ``status`` is copied, skipped, would-copy or failed."""

    name: str
    status: str
    size: int = 0
    reason: str = ""


def fingerprint(stream: IO[bytes]) -> Fingerprint:
    """Size, MD5 and SHA-256 of ``stream``, read in blocks."""
    md5, sha256, size = hashlib.md5(usedforsecurity=False), hashlib.sha256(), 0
    while block := stream.read(BLOCK):
        md5.update(block)
        sha256.update(block)
        size += len(block)
    return Fingerprint(size, md5.hexdigest(), sha256.hexdigest())


def all_names(source: Storage, directory: str = "") -> Iterator[str]:
    """Every file name under ``directory`` of ``source``, depth first."""
    directories, files = source.listdir(directory)
    for file_name in sorted(files):
        yield posixpath.join(directory, file_name)
    for sub in sorted(directories):
        yield from all_names(source, posixpath.join(directory, sub))


def stored_copy_matches(target: MinioBackend, key: str, expected: Fingerprint) -> bool | None:
    """None if ``key`` is not in the target; else whether it holds exactly ``expected``."""
    try:
        stat = target.bucket_objects.stat(key)
    except FileNotFoundError:
        return None
    if stat.size != expected.size:
        return False
    if stat.etag == expected.md5:
        return True
    with target.open(key, "rb") as stored:  # multipart ETags are no MD5: compare the bytes
        return fingerprint(stored).sha256 == expected.sha256


def copy_file(source: Storage, target: MinioBackend, name: str, *, dry_run: bool = False) -> Result:
    """Copy one file; never raises for a file-level problem, which is reported in the result."""
    try:
        key = object_key(name)
        with source.open(name, "rb") as stream:
            expected = fingerprint(stream)
        stored = stored_copy_matches(target, key, expected)
        if stored is True:
            return Result(name, "skipped", expected.size)
        if stored is False:
            return Result(name, "failed", reason=f"{target.bucket}/{key} exists with other content; left as it is")
        if dry_run:
            return Result(name, "would-copy", expected.size)
        with source.open(name, "rb") as stream:
            target.create(key, stream)
        if not stored_copy_matches(target, key, expected):
            target.delete(key)
            return Result(name, "failed", reason="the stored copy did not match the source; it was removed")
        return Result(name, "copied", expected.size)
    except (OSError, MinioBackendError, ValueError) as exc:
        return Result(name, "failed", reason=f"{type(exc).__name__}: {exc}")


def copy_files(
    source: Storage,
    target: MinioBackend,
    names: Iterable[str],
    *,
    jobs: int = 4,
    dry_run: bool = False,
    on_result: Callable[[Result], Any] = lambda result: None,
) -> list[Result]:
    """Copy ``names`` with at most ``jobs`` files in flight; ``on_result`` sees each result as it comes."""
    results: list[Result] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        pending: list[Future[Result]] = []
        for name in names:
            pending.append(pool.submit(copy_file, source, target, name, dry_run=dry_run))
            if len(pending) >= jobs * 2:
                results.append(_finish(pending.pop(0), on_result))
        results += [_finish(future, on_result) for future in pending]
    return results


def _finish(future: Future[Result], on_result: Callable[[Result], Any]) -> Result:
    """Wait for one copy and tell ``on_result``."""
    result = future.result()
    on_result(result)
    return result

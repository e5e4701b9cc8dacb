"""Turning SDK and transport errors into clear exceptions that name the bucket and object.

Messages carry the endpoint, bucket, object and the server's error code; never
credentials (minio signs with headers, so no secret is ever part of a URL).
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

import urllib3.exceptions
from minio.error import MinioException, S3Error

MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "NoSuchObject", "ResourceNotFound"})


class MinioBackendError(OSError):
    """A request to the object store failed (unreachable, refused or rejected)."""


class BucketDoesNotExist(MinioBackendError):
    """The bucket is missing; ``python manage.py initialize_buckets`` creates it."""


class ObjectChangedError(MinioBackendError):
    """An open file's object was replaced or rewritten while it was being read.

    The file reads one version; its later requests ask for that version only (``If-Match``
    its ETag) and get this error instead of another version's bytes. Opening the file
    again reads the new version.
    """


def missing_bucket(action: str, endpoint: str, bucket: str, key: str | None = None) -> BucketDoesNotExist:
    """The error for an ``action`` that found ``bucket`` missing, saying how to create it."""
    where = f"{bucket}/{key}" if key is not None else bucket
    return BucketDoesNotExist(
        f"Could not {action} {where!r} at {endpoint}: bucket {bucket!r} does not exist "
        "(python manage.py initialize_buckets creates it)."
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, S3Error):
        return f"{exc.code}: {exc.message}"
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        return f"{type(exc.reason).__name__}: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"


@contextmanager
def translated_errors(action: str, endpoint: str, bucket: str, key: str | None = None) -> Iterator[None]:
    """Re-raise errors of the block as ``FileNotFoundError`` or ``MinioBackendError``.

    ``action`` is a verb phrase such as ``"read"``; the message reads
    ``"Could not read 'bucket/key' at endpoint: <reason>"``.
    """
    where = f"{bucket}/{key}" if key is not None else bucket
    try:
        yield
    except S3Error as exc:
        if exc.code in MISSING_OBJECT_CODES and key is not None:
            raise FileNotFoundError(errno.ENOENT, "No such object", where) from exc
        if exc.code == "NoSuchBucket":
            raise missing_bucket(action, endpoint, bucket, key) from exc
        raise MinioBackendError(f"Could not {action} {where!r} at {endpoint}: {_describe(exc)}") from exc
    except (MinioException, urllib3.exceptions.HTTPError) as exc:
        raise MinioBackendError(f"Could not {action} {where!r} at {endpoint}: {_describe(exc)}") from exc

"""Turning SDK and transport errors into clear exceptions that name the bucket and object.

Messages carry the endpoint, bucket, object and the server's error code; never
credentials (minio signs with headers, so no secret is ever part of a URL).

An error the server answered is also minio's ``S3Error`` (with its ``code``), as 2.x-4.x
let it through: a missing object is ``ObjectNotFound``, both ``FileNotFoundError`` and
``S3Error`` with code ``NoSuchKey``; a missing bucket ``BucketDoesNotExist`` (``NoSuchBucket``);
an object replaced while an open file reads it ``ObjectChangedError`` (``PreconditionFailed``);
any other answer ``RequestRefused``. So ``except FileNotFoundError`` and ``except S3Error``
both keep working. Transport errors (unreachable, timed out) are ``MinioBackendError`` only.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import urllib3.exceptions
from minio.error import MinioException, S3Error

MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "NoSuchObject", "ResourceNotFound"})


class MinioBackendError(OSError):
    """A request to the object store failed (unreachable, refused or rejected)."""


def _field(error: S3Error | None, name: str) -> Any:
    """A field of minio's ``S3Error``: an attribute from minio 7.2.x on, an underscored one in 7.2.0."""
    if error is None:
        return None
    return getattr(error, name, getattr(error, "_" + name, None))


class _ServerAnswer(S3Error):
    """The ``S3Error`` side of this package's exceptions: the code and the rest of the answer.
    It comes first among their bases, so that its methods win; their text is the OSError's.

    Unlike minio's own, these are ordinary mutable exceptions (Python adds notes to them,
    ``copy`` and ``pickle`` restore them), and they are built from OSError-style arguments.
    """

    def _answer(self, code: str, source: S3Error | None, bucket: str | None, key: str | None) -> None:
        S3Error.__init__(
            self,
            response=_field(source, "response"),
            code=code,
            message=_field(source, "message"),
            resource=_field(source, "resource"),
            request_id=_field(source, "request_id"),
            host_id=_field(source, "host_id"),
            bucket_name=bucket,
            object_name=key,
        )
        for name in ("resource", "request_id", "host_id", "bucket_name", "object_name"):
            if not hasattr(self, name):  # minio 7.2.0 keeps them underscored only
                object.__setattr__(self, name, getattr(self, "_" + name, None))

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        object.__delattr__(self, name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, code={self.code!r})"

    # Each exception is itself, as exceptions are (minio's compares fields, so an error would be
    # equal to the S3Error it was raised from, and Django's error report would stop at a "cycle").
    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles without the HTTP answer (it holds a socket), e.g. for Django's parallel test runner."""
        reduced = OSError.__reduce__(self)  # the class and its arguments (minio 7.2.0's own would keep the answer)
        assert isinstance(reduced, tuple)
        state = dict(self.__dict__)
        for name in ("response", "_response"):  # minio 7.2.0 keeps it underscored
            if name in state:
                state[name] = None
        return reduced[0], reduced[1], state


class RequestRefused(_ServerAnswer, MinioBackendError):
    """The server answered a request with an S3 error (``code`` says which)."""

    def __init__(
        self, message: str = "", *, code: str = "", source: S3Error | None = None, bucket: str = "", key: str = ""
    ):
        self._answer(code or (source.code if source is not None else "") or "", source, bucket or None, key or None)
        MinioBackendError.__init__(self, message)


class BucketDoesNotExist(RequestRefused):
    """The bucket is missing; ``python manage.py initialize_buckets`` creates it."""


class ObjectChangedError(RequestRefused):
    """An object was replaced or rewritten between requests that needed one version of it: while
    an open file was reading it, or between a direct upload's check and its move (``adopt()``).

    An open file reads one version; its later requests ask for that version only (``If-Match``
    its ETag) and get this error instead of another version's bytes. Opening the file
    again reads the new version.
    """


class ObjectNotFound(_ServerAnswer, FileNotFoundError):
    """The object is missing: ``FileNotFoundError`` for Django, ``S3Error`` (``NoSuchKey``) for 2.x-4.x code."""

    def __init__(self, *args: Any, source: S3Error | None = None):
        bucket, _, key = str(args[2] if len(args) > 2 else "").partition("/")
        self._answer("NoSuchKey", source, bucket or None, key or None)
        FileNotFoundError.__init__(self, *args)


def missing_object(bucket: str, key: str, source: S3Error | None = None) -> ObjectNotFound:
    """The error for ``bucket/key`` being missing."""
    return ObjectNotFound(errno.ENOENT, "No such object", f"{bucket}/{key}", source=source)


def missing_bucket(
    action: str, endpoint: str, bucket: str, key: str | None = None, source: S3Error | None = None
) -> BucketDoesNotExist:
    """The error for an ``action`` that found ``bucket`` missing, saying how to create it."""
    where = f"{bucket}/{key}" if key is not None else bucket
    return BucketDoesNotExist(
        f"Could not {action} {where!r} at {endpoint}: bucket {bucket!r} does not exist "
        "(python manage.py initialize_buckets creates it).",
        code="NoSuchBucket",
        source=source,
        bucket=bucket,
        key=key or "",
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, S3Error):
        return f"{exc.code}: {exc.message}"
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        return f"{type(exc.reason).__name__}: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"


@contextmanager
def translated_errors(action: str, endpoint: str, bucket: str, key: str | None = None) -> Iterator[None]:
    """Re-raise errors of the block as ``ObjectNotFound``, ``BucketDoesNotExist``,
    ``RequestRefused`` (answers) or ``MinioBackendError`` (transport).

    ``action`` is a verb phrase such as ``"read"``; the message reads
    ``"Could not read 'bucket/key' at endpoint: <reason>"``.
    """
    where = f"{bucket}/{key}" if key is not None else bucket
    try:
        yield
    except _ServerAnswer:
        raise
    except S3Error as exc:
        if exc.code in MISSING_OBJECT_CODES and key is not None:
            raise missing_object(bucket, key, exc) from exc
        if exc.code == "NoSuchBucket":
            raise missing_bucket(action, endpoint, bucket, key, exc) from exc
        message = f"Could not {action} {where!r} at {endpoint}: {_describe(exc)}"
        raise RequestRefused(message, source=exc, bucket=bucket, key=key or "") from exc
    except (MinioException, urllib3.exceptions.HTTPError) as exc:
        raise MinioBackendError(f"Could not {action} {where!r} at {endpoint}: {_describe(exc)}") from exc

"""Uploads: one PUT for small content, a bounded parallel multipart upload for large content.

Writes that must not overwrite carry ``If-None-Match: *`` (on the PUT, or on the
request that completes a multipart upload); the server answers 412 when the name
is taken, so checking and writing are one atomic step. Every body carries its
``Content-MD5``, which the server verifies. Memory stays bounded: content is read
in blocks of the part size, never whole.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone

import urllib3.exceptions
from minio import Minio
from minio.error import MinioException, S3Error

from . import s3api
from .payload import Payload, content_md5, md5_etag, multipart_etag
from .s3api import Fields, IncompleteUpload

logger = logging.getLogger(__name__)


class ObjectExists(Exception):
    """A conditional write found the name taken; nothing was written."""


def _condition(if_absent: bool) -> Fields:
    return {"If-None-Match": "*"} if if_absent else {}


_CUSTOMER_KEY_PREFIX = "x-amz-server-side-encryption-customer-"


def _customer_key(headers: Mapping[str, str]) -> Fields:
    """The SSE-C headers among ``headers``: S3 needs the key with every part and the completion too."""
    return {name: value for name, value in headers.items() if name.lower().startswith(_CUSTOMER_KEY_PREFIX)}


def store(
    client: Minio,
    bucket: str,
    key: str,
    payload: Payload,
    headers: Mapping[str, str],
    *,
    if_absent: bool,
    parallel: int,
) -> None:
    """Store ``payload`` with ``headers`` (Content-Type and whatever else is stored with the
    object, an SSE-C key's headers included, which also read back what a write whose answer
    was lost stored): one PUT if it is small, else a multipart upload.
    With ``if_absent``, raise ``ObjectExists`` if the key is taken."""
    if payload.is_small:
        put_small(client, bucket, key, payload.head, headers, if_absent=if_absent)
    else:
        put_multipart(client, bucket, key, payload.parts(), headers, if_absent=if_absent, parallel=parallel)


def put_small(
    client: Minio,
    bucket: str,
    key: str,
    data: bytes,
    headers: Mapping[str, str],
    *,
    if_absent: bool,
) -> None:
    """Store ``data`` in one PUT; with ``if_absent``, raise ``ObjectExists`` if the key is taken.

    urllib3 resends a PUT whose answer is lost; if the resent conditional PUT finds the key
    taken by an object with our content's MD5, that object is our first attempt's.
    """
    try:
        s3api.put_object(
            client, bucket, key, data, {**headers, **_condition(if_absent), "Content-MD5": content_md5(data)}
        )
    except S3Error as exc:
        if if_absent and s3api.name_taken(exc):
            if _resent(exc) and _stored_etag(client, bucket, key, headers) == md5_etag(data):
                return  # the first attempt stored it, and its answer was lost
            raise ObjectExists(key) from exc
        raise


def _resent(exc: S3Error) -> bool:
    """Whether urllib3 sent the failed request more than once (after a lost answer, say)."""
    retries = exc.response.retries if exc.response is not None else None
    return bool(retries and retries.history)


def _stored_etag(client: Minio, bucket: str, key: str, headers: Mapping[str, str]) -> str | None:
    """The object's ETag, asked with the SSE-C key among the write's ``headers``; None when it
    is missing or the server cannot be asked."""
    try:
        return (s3api.head_object(client, bucket, key, _customer_key(headers)).etag or "").strip('"')
    except (MinioException, urllib3.exceptions.HTTPError):
        return None


def put_multipart(
    client: Minio,
    bucket: str,
    key: str,
    parts: Iterator[bytes],
    headers: Mapping[str, str],
    *,
    if_absent: bool,
    parallel: int,
) -> None:
    """Upload ``parts`` with at most ``parallel`` in flight, then complete the upload.

    Any failure, the name being taken (``ObjectExists``) included, aborts the
    upload so no parts are left behind, and re-raises. If the answer to the
    completion is lost, the object's ETag tells whether the upload completed.
    """
    upload_id = s3api.create_multipart_upload(client, bucket, key, dict(headers))
    key_headers = _customer_key(headers)
    try:
        etags = _upload_parts(client, bucket, key, upload_id, parts, parallel, key_headers)
        try:
            complete_headers = {**_condition(if_absent), **key_headers}
            s3api.complete_multipart_upload(client, bucket, key, upload_id, etags, complete_headers)
        except S3Error as exc:
            if if_absent and s3api.name_taken(exc):
                raise ObjectExists(key) from exc
            raise
        except urllib3.exceptions.HTTPError:
            # The answer is lost, and POST is never resent: the upload may have completed.
            expected = multipart_etag(etags)
            if expected is None or _stored_etag(client, bucket, key, headers) != expected:
                raise
    except BaseException:
        _abort(client, bucket, key, upload_id)
        raise


def _upload_parts(
    client: Minio, bucket: str, key: str, upload_id: str, parts: Iterator[bytes], parallel: int, headers: Fields
) -> list[str]:
    """Upload parts, each with ``headers``, with at most ``parallel`` in flight; return their ETags in order."""

    def send(number: int, box: list[bytes]) -> str:
        # The part comes in a box that is emptied here: the executor keeps its arguments a
        # moment after the result is in, and the next part must not be read while it does.
        data = box.pop()
        part_headers: Fields = {**headers, "Content-MD5": content_md5(data)}
        return s3api.upload_part(client, bucket, key, upload_id, number, data, part_headers)

    etags: dict[int, str] = {}
    numbers: dict[concurrent.futures.Future[str], int] = {}

    def collect(done: set[concurrent.futures.Future[str]]) -> None:
        for future in done:
            etags[numbers.pop(future)] = future.result()  # re-raises a failed part's error

    # A part is read only once fewer than ``parallel`` are in flight, so at most
    # ``parallel`` parts are ever held in memory.
    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="minio-part") as pool:
        pending: set[concurrent.futures.Future[str]] = set()
        for number in itertools.count(1):
            if len(pending) >= parallel:
                done, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
                collect(done)
            data = next(parts, None)
            if data is None:
                break
            future = pool.submit(send, number, [data])
            del data
            numbers[future] = number
            pending.add(future)
        collect(concurrent.futures.wait(pending).done)
    return [etags[number] for number in sorted(etags)]


def _abort(client: Minio, bucket: str, key: str, upload_id: str) -> None:
    try:
        s3api.abort_multipart_upload(client, bucket, key, upload_id)
    except Exception:  # the original error matters more; say what is left behind
        logger.warning(
            "Could not abort multipart upload %s of %s/%s; its parts remain until "
            "MinioBackend.abort_incomplete_uploads(), clean_orphaned_minio_files --delete "
            "or a lifecycle rule removes them",
            upload_id, bucket, key,
        )  # fmt: skip


def stale_uploads(client: Minio, bucket: str, *, older_than: timedelta, prefix: str = "") -> list[IncompleteUpload]:
    """The incomplete uploads begun more than ``older_than`` ago, listed in full.

    Uploads whose start time the server does not report count as stale only when
    ``older_than`` is zero.
    """
    cutoff = datetime.now(timezone.utc) - older_than
    return [
        upload
        for upload in s3api.list_multipart_uploads(client, bucket, prefix)
        if (upload.initiated <= cutoff if upload.initiated else not older_than)
    ]


def abort_uploads(client: Minio, bucket: str, uploads: list[IncompleteUpload]) -> list[IncompleteUpload]:
    """Abort ``uploads`` and return those aborted.

    Errors are raised, except that an upload which is gone by the time it is aborted
    (completed or aborted meanwhile) is skipped.
    """
    aborted = []
    for upload in uploads:
        try:
            s3api.abort_multipart_upload(client, bucket, upload.key, upload.upload_id)
        except S3Error as exc:
            if exc.code != "NoSuchUpload":
                raise
            continue
        aborted.append(upload)
    return aborted

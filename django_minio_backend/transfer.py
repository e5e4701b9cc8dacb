"""Uploads: one PUT for small content, a bounded parallel multipart upload for large content.

Writes that must not overwrite carry ``If-None-Match: *`` (on the PUT, or on the
request that completes a multipart upload); the server answers 412 when the name
is taken, so checking and writing are one atomic step. Every body carries its
``Content-MD5``, which the server verifies. Memory stays bounded: content is read
in blocks of the part size, never whole.

This is the only module that goes beyond minio's public API: minio has no public
way to send a conditional PUT, so requests go through ``Minio._execute`` (which
signs, retries and parses errors like every public call). ``tests/test_sdk_contract.py``
fails if a minio release changes it.
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import itertools
import logging
import math
import threading
import uuid
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import IO, Any
from xml.sax.saxutils import escape

import urllib3.exceptions
from minio import Minio
from minio.error import MinioException, S3Error
from urllib3 import BaseHTTPResponse

logger = logging.getLogger(__name__)

S3_MAX_PARTS = 10_000
# Codes that mean "the name is taken" for a conditional write (409: a concurrent
# conditional write to the same key is in progress).
TAKEN_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})
_S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
PROBE_PREFIX = ".django-minio-backend-probe-"


class ObjectExists(Exception):
    """A conditional write found the name taken; nothing was written."""


class Payload:
    """Content to upload, read in bounded blocks from the start.

    ``head`` holds at most ``threshold + 1`` bytes: if the content is no longer
    than ``threshold`` it is all there (``is_small``); otherwise ``parts()``
    yields it in parts of at least ``part_size`` bytes. ``str`` data is encoded
    as UTF-8.
    """

    def __init__(self, content: IO[Any], threshold: int, part_size: int):
        self._content = content
        self._threshold = threshold
        self.part_size = self._fit_part_size(content, part_size)
        self.rewindable = self._rewind()
        self.head = self._read_block(threshold + 1)
        self.is_small = len(self.head) <= threshold
        self._parts_begun = False

    @staticmethod
    def _fit_part_size(content: IO[Any], part_size: int) -> int:
        """Grow the part size so a file of known size fits into S3's 10,000 parts."""
        try:
            size = int(getattr(content, "size", 0) or 0)
        except (AttributeError, OSError, TypeError, ValueError):
            size = 0
        return max(part_size, math.ceil(size / S3_MAX_PARTS))

    def _rewind(self) -> bool:
        try:
            if hasattr(self._content, "seekable") and not self._content.seekable():
                return False
            self._content.seek(0)
        except (AttributeError, OSError, ValueError):
            return False
        return True

    def rewind(self) -> None:
        """Start over from the first byte; only for seekable content."""
        if not self.rewindable or not self._rewind():
            raise ValueError("content cannot be re-read: it is not seekable")
        self.head = self._read_block(self._threshold + 1)
        self.is_small = len(self.head) <= self._threshold
        self._parts_begun = False

    def restart(self) -> bool:
        """Be ready to send the content again from its first byte; False if it cannot be
        (``parts()`` has begun on content that cannot be re-read)."""
        if not self._parts_begun:
            return True
        try:
            self.rewind()
        except ValueError:
            return False
        return True

    def _read_block(self, size: int) -> bytes:
        """``size`` bytes, fewer only at the end of the content. What one ``read()`` returns
        is used as is (files and buffered streams return all that is asked): no copy."""
        chunks: list[bytes] = []
        missing = size
        while missing > 0:
            chunk = self._content.read(missing)
            if not chunk:
                break
            chunks.append(chunk.encode() if isinstance(chunk, str) else bytes(chunk))
            missing -= len(chunks[-1])
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def parts(self) -> Iterator[bytes]:
        """The content in parts; all but the last at least ``part_size`` bytes."""
        self._parts_begun = True
        block = self.head
        if len(block) < self.part_size:
            block += self._read_block(self.part_size - len(block))
        self.head = b""  # held by the first part now; rewind() reads it again
        count = 0
        while block:
            count += 1
            if count > S3_MAX_PARTS:
                raise ValueError(
                    f"content needs more than {S3_MAX_PARTS} parts of {self.part_size} bytes; "
                    "raise MINIO_MULTIPART_PART_SIZE"
                )
            yield block
            block = b""  # let go of the part just yielded before reading the next one
            block = self._read_block(self.part_size)


# minio's own type for header and query dictionaries
Fields = dict[str, str | list[str] | tuple[str]]


def _headers(content_type: str, if_absent: bool, extra: Mapping[str, str] | None = None) -> Fields:
    headers: Fields = {**(extra or {}), "Content-Type": content_type}
    if if_absent:
        headers["If-None-Match"] = "*"
    return headers


def content_md5(data: bytes) -> str:
    """The ``Content-MD5`` header of a request body.

    The server refuses a body that does not match it (``BadDigest``), so a transfer
    corrupted on the way is never stored. The signed ``x-amz-content-sha256`` that
    minio sends over HTTP is not enough: not every server checks it against the body.
    """
    return base64.b64encode(bytes.fromhex(md5_etag(data))).decode()


def md5_etag(data: bytes) -> str:
    """The ETag S3 gives an object stored with one PUT: the hex MD5 of its bytes."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _taken(exc: S3Error) -> bool:
    return exc.code in TAKEN_CODES or (exc.response is not None and exc.response.status == 412)


def put_bytes(
    client: Minio,
    bucket: str,
    key: str,
    data: bytes,
    content_type: str,
    *,
    if_absent: bool,
    extra_headers: Mapping[str, str] | None = None,
) -> None:
    """Store ``data`` in one PUT; with ``if_absent``, raise ``ObjectExists`` if the key is taken.

    ``extra_headers`` (e.g. Cache-Control) are stored with the object. urllib3 resends a
    PUT whose answer is lost; if the resent conditional PUT finds the key taken by an
    object with our content's MD5, that object is our first attempt's.
    """
    headers = _headers(content_type, if_absent, extra_headers)
    headers["Content-MD5"] = content_md5(data)
    try:
        client._execute("PUT", bucket, key, body=data, headers=headers)
    except S3Error as exc:
        if if_absent and _taken(exc):
            if _resent(exc) and _stored_etag(client, bucket, key) == md5_etag(data):
                return  # the first attempt stored it, and its answer was lost
            raise ObjectExists(key) from exc
        raise


def _resent(exc: S3Error) -> bool:
    """Whether urllib3 sent the failed request more than once (after a lost answer, say)."""
    retries = exc.response.retries if exc.response is not None else None
    return bool(retries and retries.history)


def _stored_etag(client: Minio, bucket: str, key: str) -> str | None:
    """The object's ETag, or None when it is missing or the server cannot be asked."""
    try:
        return (client.stat_object(bucket, key).etag or "").strip('"')
    except (MinioException, urllib3.exceptions.HTTPError):
        return None


def _multipart_etag(part_etags: list[str]) -> str | None:
    """The ETag S3 gives a completed upload of these parts: the MD5 of their MD5s, ``-``, their count."""
    try:
        digests = b"".join(bytes.fromhex(etag.strip('"')) for etag in part_etags)
    except ValueError:  # not MD5s (e.g. encrypted parts): the completed ETag cannot be predicted
        return None
    return f"{md5_etag(digests)}-{len(part_etags)}"


def s3_error(response: BaseHTTPResponse, code: str, message: str | None) -> S3Error:
    """The ``S3Error`` for an error answer, built alike on every supported minio: 7.2.0
    takes ``response`` last and later releases take it first, so only keywords are stable."""
    return S3Error(response=response, code=code, message=message, resource=None, request_id=None, host_id=None)


def _xml_child(response: BaseHTTPResponse, tag: str) -> str | None:
    """The text of ``tag`` in the XML answer; raises ``S3Error`` if the answer is an error."""
    root = ET.fromstring(response.data)  # noqa: S314 - answers of the configured server, parsed as minio does
    if root.tag == "Error" or root.tag.endswith("}Error"):
        raise s3_error(response, root.findtext("Code") or "InternalError", root.findtext("Message"))
    return root.findtext(_S3_NS + tag) or root.findtext(tag)


def put_multipart(
    client: Minio,
    bucket: str,
    key: str,
    parts: Iterator[bytes],
    content_type: str,
    *,
    if_absent: bool,
    parallel: int,
    extra_headers: Mapping[str, str] | None = None,
) -> None:
    """Upload ``parts`` with at most ``parallel`` in flight, then complete the upload.

    Any failure, the name being taken (``ObjectExists``) included, aborts the
    upload so no parts are left behind, and re-raises. If the answer to the
    completion is lost, the object's ETag tells whether the upload completed.
    """
    response = client._execute(
        "POST", bucket, key, headers=_headers(content_type, False, extra_headers), query_params={"uploads": ""}
    )
    upload_id = _xml_child(response, "UploadId")
    if not upload_id:
        raise s3_error(response, "InvalidResponse", "no UploadId in answer")
    try:
        etags = _upload_parts(client, bucket, key, upload_id, parts, parallel)
        body = "".join(
            f"<Part><PartNumber>{number}</PartNumber><ETag>{escape(etag)}</ETag></Part>"
            for number, etag in enumerate(etags, start=1)
        )
        complete = f"<CompleteMultipartUpload>{body}</CompleteMultipartUpload>".encode()
        try:
            response = client._execute(
                "POST", bucket, key, body=complete,
                headers=_headers("application/xml", if_absent), query_params={"uploadId": upload_id},
            )  # fmt: skip
            _xml_child(response, "ETag")  # S3 may report a failed completion inside a 200 answer
        except S3Error as exc:
            if if_absent and _taken(exc):
                raise ObjectExists(key) from exc
            raise
        except urllib3.exceptions.HTTPError:
            # The answer is lost, and POST is never resent: the upload may have completed.
            expected = _multipart_etag(etags)
            if expected is None or _stored_etag(client, bucket, key) != expected:
                raise
    except BaseException:
        _abort(client, bucket, key, upload_id)
        raise


def _upload_parts(
    client: Minio, bucket: str, key: str, upload_id: str, parts: Iterator[bytes], parallel: int
) -> list[str]:
    """Upload parts with at most ``parallel`` in flight; return their ETags in order."""

    def upload(number: int, box: list[bytes]) -> str:
        # The part comes in a box that is emptied here: the executor keeps its arguments a
        # moment after the result is in, and the next part must not be read while it does.
        query: Fields = {"uploadId": upload_id, "partNumber": str(number)}
        data = box.pop()
        answer = client._execute(
            "PUT", bucket, key, body=data, headers={"Content-MD5": content_md5(data)}, query_params=query
        )
        return str(answer.headers["ETag"])

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
            future = pool.submit(upload, number, [data])
            del data
            numbers[future] = number
            pending.add(future)
        collect(concurrent.futures.wait(pending).done)
    return [etags[number] for number in sorted(etags)]


def _abort(client: Minio, bucket: str, key: str, upload_id: str) -> None:
    try:
        client._execute("DELETE", bucket, key, query_params={"uploadId": upload_id})
    except Exception:  # the original error matters more; say what is left behind
        logger.warning(
            "Could not abort multipart upload %s of %s/%s; its parts remain until "
            "MinioBackend.abort_incomplete_uploads(), clean_orphaned_minio_files --delete "
            "or a lifecycle rule removes them",
            upload_id, bucket, key,
        )  # fmt: skip


@dataclass(frozen=True)
class IncompleteUpload:
    """A multipart upload that was begun and neither completed nor aborted."""

    key: str
    upload_id: str
    initiated: datetime | None


def incomplete_uploads(client: Minio, bucket: str, prefix: str = "") -> Iterator[IncompleteUpload]:
    """The bucket's incomplete multipart uploads of keys starting with ``prefix`` (ListMultipartUploads).
    A truncated answer that gives no place to continue from raises instead of asking again forever."""
    # Keys come XML-escaped, not URL-encoded: some servers claim encoding-type=url but do not apply it.
    query: Fields = {"uploads": "", "prefix": prefix}
    while True:
        response = client._execute("GET", bucket, query_params=query)
        root = ET.fromstring(response.data)  # noqa: S314 - as _xml_child
        last = None
        for upload in root.iter(_S3_NS + "Upload"):
            initiated = upload.findtext(_S3_NS + "Initiated")
            last = IncompleteUpload(
                upload.findtext(_S3_NS + "Key") or "",
                upload.findtext(_S3_NS + "UploadId") or "",
                datetime.fromisoformat(initiated.replace("Z", "+00:00")) if initiated else None,
            )
            yield last
        if root.findtext(_S3_NS + "IsTruncated") != "true":
            return
        markers = (root.findtext(_S3_NS + "NextKeyMarker") or "", root.findtext(_S3_NS + "NextUploadIdMarker") or "")
        if not all(markers) and last is not None:
            markers = (last.key, last.upload_id)  # servers that leave out a next marker mean the last upload listed
        if not markers[0] or markers == (query.get("key-marker"), query.get("upload-id-marker")):
            raise s3_error(response, "InvalidResponse", "a truncated list of uploads gave no place to continue from")
        query["key-marker"], query["upload-id-marker"] = markers


def stale_uploads(client: Minio, bucket: str, *, older_than: timedelta, prefix: str = "") -> list[IncompleteUpload]:
    """The incomplete uploads begun more than ``older_than`` ago, listed in full.

    Uploads whose start time the server does not report count as stale only when
    ``older_than`` is zero.
    """
    cutoff = datetime.now(timezone.utc) - older_than
    return [
        upload
        for upload in incomplete_uploads(client, bucket, prefix)
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
            client._execute("DELETE", bucket, upload.key, query_params={"uploadId": upload.upload_id})
        except S3Error as exc:
            if exc.code != "NoSuchUpload":
                raise
            continue
        aborted.append(upload)
    return aborted


_conditional_support: weakref.WeakKeyDictionary[Minio, bool] = weakref.WeakKeyDictionary()
_probes: weakref.WeakKeyDictionary[Minio, concurrent.futures.Future[bool]] = weakref.WeakKeyDictionary()
_probe_lock = threading.Lock()


def supports_conditional_writes(client: Minio, bucket: str) -> bool:
    """Whether the server honours ``If-None-Match: *`` on PUT; asked once per client.

    Concurrent callers share one probe and its outcome, so a server that does not
    answer costs them one timeout together, not one each in turn. A failed probe
    is asked again by the next caller.
    """
    known = _conditional_support.get(client)
    if known is not None:
        return known
    with _probe_lock:
        probe = _probes.get(client)
        if probe is not None:
            leader = False
        else:
            leader, probe = True, concurrent.futures.Future()
            _probes[client] = probe
    if not leader:
        return probe.result()
    try:
        supported = _conditional_support[client] = _probe(client, bucket)
        probe.set_result(supported)
        return supported
    except BaseException as exc:
        probe.set_exception(exc)
        raise
    finally:
        with _probe_lock:
            del _probes[client]


def _probe(client: Minio, bucket: str) -> bool:
    """Write a zero-byte object named ``.django-minio-backend-probe-<uuid>`` twice, the second
    time conditionally, and delete it: a server that answers 412 honours conditions."""
    key = PROBE_PREFIX + uuid.uuid4().hex
    put_bytes(client, bucket, key, b"", "application/octet-stream", if_absent=False)
    try:
        put_bytes(client, bucket, key, b"", "application/octet-stream", if_absent=True)
        supported = False
    except ObjectExists:
        supported = True
    finally:
        client.remove_object(bucket, key)
    if not supported:
        logger.warning(
            "The S3 server ignores If-None-Match; saves check with HEAD before PUT, "
            "which two concurrent saves of one name can race."
        )
    return supported

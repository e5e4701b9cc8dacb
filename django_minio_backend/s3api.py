"""The S3 requests minio has no public call for, one function per request.

minio cannot send a conditional PUT or copy, nor run a multipart upload part by part, nor
set a bucket's CORS rules, nor send a HEAD with headers of our own (minio 7.2.0's
``stat_object`` takes none), through its public API. These functions go through
``Minio._execute``, which signs, retries and turns error answers into ``S3Error`` like
every public call. This is the only module that uses minio's non-public API;
``tests/test_sdk_contract.py`` fails if a minio release changes it.
"""

from __future__ import annotations

import base64
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from urllib.parse import quote

from minio import Minio
from minio.error import S3Error
from urllib3 import BaseHTTPResponse, HTTPHeaderDict

_S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"

# minio's own type for header and query dictionaries
Fields = dict[str, str | list[str] | tuple[str]]


# Codes that mean "the condition failed, the name is taken" for a conditional write (409: a
# concurrent conditional write to the same key is in progress).
_TAKEN_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})


def name_taken(exc: S3Error) -> bool:
    """Whether a write with ``If-None-Match: *`` failed because the key is taken."""
    return exc.code in _TAKEN_CODES or (exc.response is not None and exc.response.status == 412)


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


def put_object(client: Minio, bucket: str, key: str, body: bytes, headers: Fields) -> BaseHTTPResponse:
    """PutObject: store ``body`` under ``key`` with ``headers`` (``If-None-Match`` included) as given."""
    return client._execute("PUT", bucket, key, body=body, headers=headers)


def create_multipart_upload(client: Minio, bucket: str, key: str, headers: Fields) -> str:
    """CreateMultipartUpload; the upload id. ``headers`` are stored with the completed object."""
    response = client._execute("POST", bucket, key, headers=headers, query_params={"uploads": ""})
    upload_id = _xml_child(response, "UploadId")
    if not upload_id:
        raise s3_error(response, "InvalidResponse", "no UploadId in answer")
    return upload_id


def upload_part(client: Minio, bucket: str, key: str, upload_id: str, number: int, body: bytes, headers: Fields) -> str:
    """UploadPart: part ``number`` (from 1) of the upload; the part's ETag."""
    query: Fields = {"uploadId": upload_id, "partNumber": str(number)}
    response = client._execute("PUT", bucket, key, body=body, headers=headers, query_params=query)
    return str(response.headers["ETag"])


def _xml_text(value: str) -> str:
    """``value`` as XML character data."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def complete_multipart_upload(
    client: Minio, bucket: str, key: str, upload_id: str, part_etags: list[str], headers: Fields
) -> None:
    """CompleteMultipartUpload of the parts with these ETags, in order. S3 may report a failed
    completion inside a 200 answer; that raises ``S3Error`` too."""
    parts = "".join(
        f"<Part><PartNumber>{number}</PartNumber><ETag>{_xml_text(etag)}</ETag></Part>"
        for number, etag in enumerate(part_etags, start=1)
    )
    body = f"<CompleteMultipartUpload>{parts}</CompleteMultipartUpload>".encode()
    headers = {**headers, "Content-Type": "application/xml"}
    response = client._execute("POST", bucket, key, body=body, headers=headers, query_params={"uploadId": upload_id})
    _xml_child(response, "ETag")


def abort_multipart_upload(client: Minio, bucket: str, key: str, upload_id: str) -> None:
    """AbortMultipartUpload: the upload's parts are deleted."""
    client._execute("DELETE", bucket, key, query_params={"uploadId": upload_id})


class IncompleteUpload(NamedTuple):
    """A multipart upload that was begun and neither completed nor aborted."""

    key: str
    upload_id: str
    initiated: datetime | None


def list_multipart_uploads(client: Minio, bucket: str, prefix: str = "") -> Iterator[IncompleteUpload]:
    """ListMultipartUploads, every page: the bucket's incomplete uploads of keys starting with
    ``prefix``. A truncated answer that gives no place to continue from raises instead of
    asking again forever."""
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


def copy_object(
    client: Minio,
    bucket: str,
    key: str,
    source_key: str,
    headers: Mapping[str, str],
    if_absent: bool,
    source_etag: str | None = None,
) -> None:
    """CopyObject within ``bucket``: ``source_key`` to ``key``, stored with ``headers`` instead of the
    source's (tags too, if ``headers`` has ``x-amz-tagging``); with ``if_absent``, ``If-None-Match: *``;
    with ``source_etag``, only that version of the source (``x-amz-copy-source-if-match``): either
    condition failing is a ``PreconditionFailed``. S3 may report a failed copy inside a 200
    answer; that raises ``S3Error`` too."""
    sent: Fields = {
        **headers,
        "x-amz-copy-source": quote(f"/{bucket}/{source_key}"),
        "x-amz-metadata-directive": "REPLACE",
    }
    if any(name.lower() == "x-amz-tagging" for name in headers):
        sent["x-amz-tagging-directive"] = "REPLACE"
    if if_absent:
        sent["If-None-Match"] = "*"
    if source_etag is not None:
        sent["x-amz-copy-source-if-match"] = f'"{source_etag}"'
    _xml_child(client._execute("PUT", bucket, key, headers=sent), "ETag")


class CorsRule(NamedTuple):
    """One CORS rule: browsers at ``origins`` may send ``methods`` with any header and read ``exposed``."""

    origins: tuple[str, ...]
    methods: tuple[str, ...]
    exposed: tuple[str, ...]
    max_age: int


def put_bucket_cors(client: Minio, bucket: str, rules: list[CorsRule]) -> None:
    """PutBucketCors: replace the bucket's CORS rules with ``rules``."""
    body = "".join(
        "<CORSRule>"
        + "".join(f"<AllowedOrigin>{_xml_text(origin)}</AllowedOrigin>" for origin in rule.origins)
        + "".join(f"<AllowedMethod>{method}</AllowedMethod>" for method in rule.methods)
        + "<AllowedHeader>*</AllowedHeader>"
        + "".join(f"<ExposeHeader>{_xml_text(name)}</ExposeHeader>" for name in rule.exposed)
        + f"<MaxAgeSeconds>{rule.max_age}</MaxAgeSeconds></CORSRule>"
        for rule in rules
    )
    document = f"<CORSConfiguration>{body}</CORSConfiguration>".encode()
    md5 = base64.b64encode(hashlib.md5(document).digest()).decode()  # noqa: S324 - S3 requires Content-MD5 here
    headers: Fields = {"Content-MD5": md5, "Content-Type": "application/xml"}
    client._execute("PUT", bucket, body=document, headers=headers, query_params={"cors": ""})


def get_bucket_cors(client: Minio, bucket: str) -> str | None:
    """GetBucketCors: the bucket's CORS configuration document; None if it has none."""
    try:
        response = client._execute("GET", bucket, query_params={"cors": ""})
    except S3Error as exc:
        if exc.code == "NoSuchCORSConfiguration":
            return None
        raise
    return response.data.decode()


def list_parts(client: Minio, bucket: str, key: str, upload_id: str) -> list[tuple[int, str, int]]:
    """ListParts, every page: ``(number, ETag, size)`` of each part uploaded so far, by number."""
    query: Fields = {"uploadId": upload_id}
    parts: list[tuple[int, str, int]] = []
    while True:
        root = ET.fromstring(client._execute("GET", bucket, key, query_params=query).data)  # noqa: S314 - as _xml_child
        for part in root.iter(_S3_NS + "Part"):
            number = int(part.findtext(_S3_NS + "PartNumber") or 0)
            parts.append((number, part.findtext(_S3_NS + "ETag") or "", int(part.findtext(_S3_NS + "Size") or 0)))
        marker = root.findtext(_S3_NS + "NextPartNumberMarker")
        if root.findtext(_S3_NS + "IsTruncated") != "true" or not marker or marker == query.get("part-number-marker"):
            return sorted(parts)
        query["part-number-marker"] = marker


class ObjectHead(NamedTuple):
    """What a HEAD of an object tells: its size, ETag (as sent, quotes included), last change and
    every header of the answer."""

    size: int
    etag: str | None
    last_modified: datetime | None
    headers: HTTPHeaderDict


def head_object(client: Minio, bucket: str, key: str, headers: Fields) -> ObjectHead:
    """HeadObject with ``headers`` (an SSE-C key's, say) as given. A missing object raises
    ``S3Error`` with minio's codes for a bodiless 404 (``NoSuchKey``, as ``stat_object``)."""
    response = client._execute("HEAD", bucket, key, headers=headers)
    modified = response.headers.get("Last-Modified")
    return ObjectHead(
        int(response.headers.get("Content-Length") or 0),
        response.headers.get("ETag"),
        parsedate_to_datetime(modified) if modified else None,
        response.headers,
    )

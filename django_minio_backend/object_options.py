"""What the 4.x ``put_object`` options store with every object, as minio's ``put_object`` stored them.

``stored_headers`` turns ``conf.PutOptions`` into the headers of a write: user metadata
(``x-amz-meta-*``), headers to store (``Content-Disposition``, ``Cache-Control``, ...), tags
(``x-amz-tagging``), object-lock retention and legal hold, and server-side encryption. They go
with the PUT, or with the request that begins a multipart upload (``transfer`` also sends the
SSE-C key with each part). ``parameter_headers`` does the same for object parameters
(``MINIO_OBJECT_PARAMETERS``, ``get_object_parameters()``). ``ProgressReader`` tells a
``progress`` object of every byte read for an upload, as minio's ``put_object`` tells it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import IO, Any
from urllib.parse import quote, urlencode

from minio.sse import Sse, SseCustomerKey

from .conf import OBJECT_PARAMETERS, PutOptions, header_values, object_parameter_problems
from .credentials import MaskedText

# Headers 4.5's ``metadata`` stores as they are (minio's put_object does); other names become user metadata.
STANDARD_HEADERS = frozenset(
    {"cache-control", "content-disposition", "content-encoding", "content-language", "content-type"}
)
_META_PREFIX = "x-amz-meta-"
SECRET_HEADERS = frozenset(
    {"x-amz-server-side-encryption-customer-key", "x-amz-copy-source-server-side-encryption-customer-key"}
)


def merged(*layers: Mapping[str, str]) -> dict[str, str]:
    """Headers of ``layers``, later ones replacing earlier ones of the same name in any case."""
    headers: dict[str, str] = {}
    for layer in layers:
        for name, value in layer.items():
            for known in [known for known in headers if known.lower() == name.lower()]:
                del headers[known]
            headers[name] = value
    return headers


def _user_metadata(name: str) -> str:
    return name if name.lower().startswith(_META_PREFIX) else _META_PREFIX + name


def _header_value(value: object) -> str:
    return ", ".join(str(item) for item in header_values(value))


def _utc_iso8601(moment: datetime) -> str:
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def stored_headers(options: PutOptions) -> dict[str, str]:
    """The headers that store ``options`` with an object. A ``Content-Type`` among them has no
    effect (each object has its own, as in 4.x; checks say so, W006)."""
    named = [
        *((name if name.lower() in STANDARD_HEADERS else _user_metadata(name), value)
          for name, value in options.metadata.items()),
        *((_user_metadata(name), value) for name, value in options.user_metadata.items()),
        *options.headers.items(),
    ]  # fmt: skip
    headers = merged({name: _header_value(value) for name, value in named if name.lower() != "content-type"})
    if options.tags:
        headers["x-amz-tagging"] = _tagging(options.tags)
    if options.retention is not None:
        headers["x-amz-object-lock-mode"] = str(options.retention.mode)
        headers["x-amz-object-lock-retain-until-date"] = _utc_iso8601(options.retention.retain_until_date)
    if options.legal_hold:
        headers["x-amz-object-lock-legal-hold"] = "ON"
    if options.sse is not None:  # masked at once: no local variable of this frame holds the key
        headers.update({name: _masked(name, value) for name, value in options.sse.headers().items()})
    return headers


def customer_key_headers(sse: Sse | None, *, copy_source: bool = False) -> dict[str, str]:
    """The headers every request that reads an object or its metadata sends for an SSE-C key
    (``SseCustomerKey``), the key ``MaskedText``; none for other modes, which reads need not name.
    With ``copy_source``, those of a copy whose source is encrypted with that key."""
    if not isinstance(sse, SseCustomerKey):
        return {}
    headers = sse.copy_headers() if copy_source else sse.headers()
    return {name: _masked(name, value) for name, value in headers.items()}


def _tagging(tags: Mapping[str, str]) -> str:
    return urlencode(tags, quote_via=quote)


def parameter_headers(parameters: Mapping[str, Any], label: str) -> dict[str, str]:
    """The headers that store object ``parameters`` (``conf.OBJECT_PARAMETERS``, names in any
    case) with an object; ``ValueError`` naming ``label`` if they are not valid (E030's rules)."""
    for problem in object_parameter_problems(parameters, label):
        raise ValueError(problem)
    headers: dict[str, str] = {}
    for name, value in parameters.items():
        known = OBJECT_PARAMETERS[name.lower()]
        if known == "Metadata":
            headers.update({_user_metadata(key): item for key, item in value.items()})
        elif known == "Tags":
            headers["x-amz-tagging"] = _tagging(value)
        elif known == "StorageClass":
            headers["x-amz-storage-class"] = value
        elif isinstance(value, datetime):  # Expires
            headers[known] = format_datetime(value.astimezone(timezone.utc), usegmt=True)
        else:
            headers[known] = value
    return headers


def _masked(name: str, value: str) -> str:
    return MaskedText(value) if name.lower() in SECRET_HEADERS else value


class ProgressReader:
    """``content`` as an upload reads it, every block read told to ``progress.update(length)``
    after ``progress.set_meta(object_name, total_length)`` (-1 when the size is unknown), as
    minio's ``put_object`` tells it. Everything else (seeking, ``size``, ``content_type``) is the
    content's own. Content read again for a retry is told again."""

    def __init__(self, content: IO[Any], progress: Any, object_name: str):
        self._content = content
        self._progress = progress
        try:
            size = int(getattr(content, "size", -1))
        except (AttributeError, OSError, TypeError, ValueError):
            size = -1
        progress.set_meta(object_name=object_name, total_length=size)

    def read(self, size: int = -1) -> Any:
        data = self._content.read(size)
        if data:
            self._progress.update(len(data.encode()) if isinstance(data, str) else len(data))
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._content, name)

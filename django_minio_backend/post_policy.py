"""S3 POST policies for browser form uploads, and what presigned uploads return.

A POST policy is a signed list of conditions the server checks before it stores a form
upload: the bucket, the key (exact or a prefix), a content-length range, the
Content-Type (exact, or a family such as ``image/``) and an expiry. Every upload is stored
with ``Content-Disposition: attachment`` (``UPLOAD_HEADERS``): whatever type the browser
declared, the object is never opened as a page on the storage's origin (an ``image/svg+xml``
or, with no type limit, ``text/html`` upload would run its script there); embedding it
(``<img>``) still works, and ``MinioBackend.adopt()`` stores the final name's own headers. ``conditions()``
writes them; ``signing.Presigner.sign_post_policy`` signs them.

A policy can say one Content-Type or one prefix, not a list: to allow several types,
issue one policy per file, for the type that file declares (as the direct-upload views do).
"""

from __future__ import annotations

from typing import Any, NamedTuple

GiB = 1024**3
S3_MAX_SINGLE_UPLOAD = 5 * GiB  # S3's limit for one PUT or POST (and for one CopyObject)
UPLOAD_HEADERS = {"Content-Disposition": "attachment"}  # stored with every browser upload


class PresignedPost(NamedTuple):
    """A form upload: POST ``fields`` (every one, in any order) then the file, as ``file``, to ``url``."""

    url: str
    fields: dict[str, str]


class PresignedRequest(NamedTuple):
    """A signed request: send ``method`` to ``url`` with exactly these ``headers`` (they are signed)."""

    method: str
    url: str
    headers: dict[str, str]


def conditions(
    *,
    key: str | None,
    key_prefix: str | None,
    min_size: int,
    max_size: int,
    content_type: str | None,
) -> tuple[list[Any], dict[str, str]]:
    """The policy conditions and the form fields the browser must send with them.

    Exactly one of ``key`` and ``key_prefix``. ``content_type`` is one type (``text/csv``), a
    family ending in ``/`` (``image/``: any image type), or None for any. ``ValueError`` for
    anything S3 would refuse or a policy cannot say.
    """
    if (key is None) == (key_prefix is None):
        raise ValueError("give exactly one of name and key_prefix")
    if not 0 <= min_size <= max_size <= S3_MAX_SINGLE_UPLOAD:
        raise ValueError(f"sizes must satisfy 0 <= min_size <= max_size <= 5 GiB, got {min_size} and {max_size}")
    found: list[Any] = [["content-length-range", min_size, max_size], *({k: v} for k, v in UPLOAD_HEADERS.items())]
    fields: dict[str, str] = dict(UPLOAD_HEADERS)
    if key is not None:
        found.append({"key": key})
        fields["key"] = key
    else:
        found.append(["starts-with", "$key", key_prefix])
        fields["key"] = f"{key_prefix}${{filename}}"  # S3 puts the uploaded file's name here
    if content_type is None:
        found.append(["starts-with", "$Content-Type", ""])
    elif content_type.endswith("/"):
        found.append(["starts-with", "$Content-Type", content_type])
    elif "/" in content_type and "," not in content_type:
        found.append({"Content-Type": content_type})
        fields["Content-Type"] = content_type
    else:
        raise ValueError(
            f"content_type must be one type such as 'text/csv' or a family such as 'image/', got {content_type!r}"
        )
    return found, fields

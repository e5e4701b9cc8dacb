"""URLs: plain percent-encoded ones for public buckets, presigned GETs for private ones.

Nothing here sends a request: signing is local, and the region is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from time import time
from urllib.parse import quote

from minio import Minio

# HTTP response headers that S3 lets a signed URL override, and their query parameters.
OVERRIDABLE_HEADERS = {
    "cache-control": "response-cache-control",
    "content-disposition": "response-content-disposition",
    "content-encoding": "response-content-encoding",
    "content-language": "response-content-language",
    "content-type": "response-content-type",
    "expires": "response-expires",
}


def public_url(endpoint: str, use_https: bool, bucket: str, key: str) -> str:
    """An unsigned path-style URL with the key percent-encoded (``/`` kept)."""
    scheme = "https" if use_https else "http"
    return f"{scheme}://{endpoint}/{bucket}/{quote(key, safe='/~')}"


def response_overrides(headers: Mapping[str, str]) -> dict[str, str | list[str] | tuple[str]]:
    """Map ``{"Content-Disposition": ...}`` to S3's ``response-content-disposition`` query keys."""
    overrides: dict[str, str | list[str] | tuple[str]] = {}
    for name, value in headers.items():
        lowered = name.lower()
        parameter = OVERRIDABLE_HEADERS.get(lowered.removeprefix("response-"))
        if parameter is None:
            raise ValueError(
                f"S3 cannot override the response header {name!r}; allowed: {', '.join(sorted(OVERRIDABLE_HEADERS))}"
            )
        overrides[parameter] = value
    return overrides


def presigned_url(
    client: Minio,
    bucket: str,
    key: str,
    expires: timedelta,
    response_headers: Mapping[str, str] | None = None,
    stable_window: int | None = None,
) -> str:
    """A presigned GET URL valid for ``expires``.

    With ``stable_window`` (seconds), the signing time is rounded down to the
    window, so the URL for an object stays the same within a window and browsers
    can cache it; it then stays valid for at least ``expires - stable_window``.
    """
    signed_at = None
    if stable_window:
        now = int(time())
        signed_at = datetime.fromtimestamp(now - now % stable_window, tz=timezone.utc)
    return client.presigned_get_object(
        bucket,
        key,
        expires=expires,
        response_headers=response_overrides(response_headers or {}) or None,
        request_date=signed_at,
    )

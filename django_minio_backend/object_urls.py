"""URLs: plain percent-encoded ones for public buckets, presigned GETs for private ones.

Nothing here sends a request: signing is local (``signing.py``), and the region is known.
URLs are path-style (``scheme://endpoint/bucket/key``) on the external endpoint when one
is set. On Amazon S3 endpoints presigned URLs come from minio, which knows AWS's
virtual-host naming rules.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from .client import credential_source, get_url_client
from .conf import S3_MAX_PRESIGN_EXPIRY, MinioSettings
from .signing import Presigner, capped_expiry, host_of, uri_encode

# HTTP response headers that S3 lets a signed URL override, and their query parameters.
OVERRIDABLE_HEADERS = {
    "cache-control": "response-cache-control",
    "content-disposition": "response-content-disposition",
    "content-encoding": "response-content-encoding",
    "content-language": "response-content-language",
    "content-type": "response-content-type",
    "expires": "response-expires",
}
_AWS_DOMAINS = (".amazonaws.com", ".amazonaws.com.cn")


def response_overrides(headers: Mapping[str, str]) -> dict[str, str]:
    """Map ``{"Content-Disposition": ...}`` to S3's ``response-content-disposition`` query keys."""
    overrides: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        parameter = OVERRIDABLE_HEADERS.get(lowered.removeprefix("response-"))
        if parameter is None:
            raise ValueError(
                f"S3 cannot override the response header {name!r}; allowed: {', '.join(sorted(OVERRIDABLE_HEADERS))}"
            )
        overrides[parameter] = value
    return overrides


class ObjectUrls:
    """The URLs of one bucket's objects, with everything that does not depend on the key
    computed once. Immutable; shared by threads.

    With ``MINIO_URL_CACHING_ENABLED``, presigned URLs are *stable*: the signing time is
    rounded down to a multiple of ``MINIO_URL_CACHE_TIMEOUT`` seconds, so an object keeps
    the same URL within that window (browsers can cache it) and every URL stays valid for
    at least ``expiry - window``. A lifetime no longer than the window is signed as of now.

    With temporary credentials (a session token, or ``MINIO_CREDENTIALS_PROVIDER``) a URL
    ends when the credentials that signed it do, if that is sooner than its expiry.
    """

    def __init__(self, config: MinioSettings, bucket: str, public: bool):
        connection = config.connection
        endpoint = config.external_endpoint or connection.endpoint
        use_https = config.external_use_https if config.external_endpoint else connection.use_https
        host = host_of(endpoint, use_https)
        self._config = config
        self._bucket = bucket
        self._public = public
        self._public_prefix = f"{'https' if use_https else 'http'}://{host}/{uri_encode(bucket)}/"
        self._expires = int(config.url_expiry.total_seconds())
        self._window = config.url_cache_timeout if config.url_caching else 0
        self._credentials = credential_source(connection)
        self._presigner = Presigner(endpoint, use_https, self._credentials, connection.region)
        self._on_aws = host.rsplit(":", 1)[0].endswith(_AWS_DOMAINS)

    def url(self, key: str, expires: timedelta | None = None, response_headers: Mapping[str, str] | None = None) -> str:
        """A plain URL if the bucket is public and neither argument is given, else a presigned GET."""
        if expires is None:
            if self._public and not response_headers:
                return self._public_prefix + uri_encode(key, keep_slash=True)
            seconds = self._expires
        elif timedelta(seconds=1) <= expires <= S3_MAX_PRESIGN_EXPIRY:
            seconds = int(expires.total_seconds())
        else:
            raise ValueError(f"expires must be between 1 second and 7 days, got {expires!r}")
        overrides = response_overrides(response_headers) if response_headers else {}
        if self._on_aws:
            return self._aws_presigned(key, seconds, overrides)
        return self._presigner.presign_get(self._bucket, key, seconds, overrides.items(), self._signed_at(seconds))

    def _signed_at(self, expires: int) -> int | None:
        if not self._window or self._window >= expires:
            return None
        now = int(time.time())
        return now - now % self._window

    def _aws_presigned(self, key: str, expires: int, overrides: dict[str, str]) -> str:
        config = self._config
        client = get_url_client(config.connection, config.external_endpoint, config.external_use_https)
        signed_at = self._signed_at(expires)
        now = int(time.time())
        lifetime = capped_expiry(self._credentials.current(), expires, now if signed_at is None else signed_at)
        headers: dict[str, str | list[str] | tuple[str]] = dict(overrides)
        return client.presigned_get_object(
            self._bucket,
            key,
            expires=timedelta(seconds=lifetime),
            response_headers=headers or None,
            request_date=None if signed_at is None else _utc(signed_at),
        )


def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)

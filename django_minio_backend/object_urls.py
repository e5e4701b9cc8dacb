"""URLs: plain percent-encoded ones for public buckets, presigned GETs for private ones, and
presigned uploads (PUT, POST policies) for browsers.

Nothing here sends a request: signing is local (``signing.py``), and the region is known.
URLs are path-style (``scheme://endpoint/bucket/key``), or virtual-host style
(``scheme://bucket.endpoint/key``, ``MINIO_URL_ADDRESSING_STYLE``), on the external endpoint
when one is set. Keys are the storage's location (``MINIO_LOCATION``) and the name. Public
objects' plain URLs start with ``MINIO_PUBLIC_URL`` instead when it is set: it is the URL of
the location's root, so a URL is it and the percent-encoded name. On Amazon S3 endpoints
presigned GET URLs come from minio, which knows AWS's virtual-host naming rules; uploads are
signed here in the configured style.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from .client import credential_source, get_url_client
from .conf import S3_MAX_PRESIGN_EXPIRY, MinioSettings
from .post_policy import PresignedPost, PresignedRequest, conditions
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

    With temporary credentials (a session token, or ``MINIO_CREDENTIALS_PROVIDER``) a URL or a
    POST policy ends when the credentials that signed it do, if that is sooner than its expiry.
    """

    def __init__(self, config: MinioSettings, bucket: str, public: bool):
        connection = config.connection
        endpoint = config.external_endpoint or connection.endpoint
        use_https = config.external_use_https if config.external_endpoint else connection.use_https
        host = host_of(endpoint, use_https)
        scheme = "https" if use_https else "http"
        virtual = config.addressing_style == "virtual"
        self._config = config
        self._bucket = bucket
        self._location = config.location
        self._public = public
        self._public_prefix = f"{scheme}://{bucket}.{host}/" if virtual else f"{scheme}://{host}/{uri_encode(bucket)}/"
        self._public_prefix += uri_encode(config.location, keep_slash=True)
        if config.public_url:
            self._public_prefix = config.public_url
        self._expires = int(config.url_expiry.total_seconds())
        self._window = config.url_cache_timeout if config.url_caching else 0
        self._signed_bucket = None if virtual else bucket
        self._credentials = credential_source(connection)
        self._presigner = Presigner(
            f"{bucket}.{endpoint}" if virtual else endpoint, use_https, self._credentials, connection.region
        )
        self._on_aws = host.rsplit(":", 1)[0].endswith(_AWS_DOMAINS)

    def url(
        self, name: str, expires: timedelta | None = None, response_headers: Mapping[str, str] | None = None
    ) -> str:
        """A plain URL of the object of ``name`` (a valid name, without the location) if the bucket
        is public and neither argument is given, else a presigned GET."""
        if expires is None:
            if self._public and not response_headers:
                return self._public_prefix + uri_encode(name, keep_slash=True)
            seconds = self._expires
        else:
            seconds = _seconds(expires)
        overrides = response_overrides(response_headers) if response_headers else {}
        key = self._location + name
        if self._on_aws:
            return self._aws_presigned(key, seconds, overrides)
        signed_at = self._signed_at(seconds)
        return self._presigner.presign_get(self._signed_bucket, key, seconds, overrides.items(), signed_at)

    def presigned_put(
        self, name: str, expires: timedelta, headers: Mapping[str, str], query: Mapping[str, str] | None = None
    ) -> PresignedRequest:
        """A PUT of the object of ``name`` (without the location) valid for ``expires``; the client
        must send ``headers`` (signed) as given. ``query`` adds signed parameters (``partNumber``
        and ``uploadId`` for one part of an upload)."""
        key = self._location + name
        url = self._presigner.presign(
            "PUT", self._signed_bucket, key, _seconds(expires), (query or {}).items(), headers
        )
        return PresignedRequest("PUT", url, dict(headers))

    def presigned_post(
        self,
        expires: timedelta,
        *,
        name: str | None,
        name_prefix: str | None,
        min_size: int,
        max_size: int,
        content_type: str | None,
    ) -> PresignedPost:
        """A browser form upload under these conditions (``post_policy.conditions``), valid for
        ``expires``; ``name`` and ``name_prefix`` are without the location."""
        found, fields = conditions(
            key=None if name is None else self._location + name,
            key_prefix=None if name_prefix is None else self._location + name_prefix,
            min_size=min_size,
            max_size=max_size,
            content_type=content_type,
        )
        in_host = self._signed_bucket is None
        url, signed = self._presigner.sign_post_policy(self._bucket, found, _seconds(expires), in_host=in_host)
        return PresignedPost(url, {**fields, **signed})

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


def _seconds(expires: timedelta) -> int:
    """A URL's lifetime in whole seconds; ``ValueError`` outside S3's 1 second to 7 days."""
    if timedelta(seconds=1) <= expires <= S3_MAX_PRESIGN_EXPIRY:
        return int(expires.total_seconds())
    raise ValueError(f"expires must be between 1 second and 7 days, got {expires!r}")


def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)

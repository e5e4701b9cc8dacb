"""Settings: the one place that reads ``MINIO_*`` values and their defaults.

Values come from four layers, the later winning:

1. top-level ``MINIO_*`` settings (the 2.x/3.x style);
2. ``STORAGES[alias]["OPTIONS"]`` (the 4.x style): of the alias named by
   ``storage_name``; else of ``"default"`` when the default storage is a
   MinioBackend, so a ``MinioBackend(...)`` put on a FileField shares its
   endpoint and keys;
3. options passed to the constructor;
4. options forced with ``forced()`` (the test plugin points every storage at
   its server this way).

Django builds ``STORAGES[alias]`` as ``Backend(**OPTIONS)`` without naming the
alias, so those OPTIONS arrive as constructor options. A storage constructed
with options whose values are the very objects in the OPTIONS of an alias other
than ``"default"`` is that alias's storage (``built_for_another_alias()``, asked
once, at construction, so a later change of ``STORAGES`` does not change the
answer): layer 2 is left out, and it never inherits the default alias's endpoint
or bucket. Options written in code are other objects, equal or not, and sit on
layer 2 of ``"default"``, except values Python shares between modules (``True``,
small numbers, short names), which can make options written in code look like
an alias's. An alias whose OPTIONS hold no ``MINIO_*`` option cannot be told
from a bare ``MinioBackend()`` and shares the default alias's OPTIONS.

Django's settings object is only read, never changed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal
from django.utils.module_loading import import_string
from django.views.decorators.debug import sensitive_variables

MiB = 1024 * 1024
S3_MAX_PRESIGN_EXPIRY = timedelta(days=7)
S3_MIN_PART_SIZE = 5 * MiB

# Every accepted option and its default. Names from 2.x, 3.x and 4.x are all here.
DEFAULTS: dict[str, Any] = {
    "MINIO_ENDPOINT": "",
    "MINIO_ACCESS_KEY": "",
    "MINIO_SECRET_KEY": "",
    "MINIO_USE_HTTPS": True,
    "MINIO_REGION": "us-east-1",
    "MINIO_EXTERNAL_ENDPOINT": "",
    "MINIO_EXTERNAL_ENDPOINT_USE_HTTPS": None,  # None: same as MINIO_USE_HTTPS
    "MINIO_URL_EXPIRY_HOURS": S3_MAX_PRESIGN_EXPIRY,
    "MINIO_CONSISTENCY_CHECK_ON_START": False,
    "MINIO_PRIVATE_BUCKETS": (),
    "MINIO_PUBLIC_BUCKETS": (),
    "MINIO_LISTABLE_BUCKETS": (),  # public buckets whose object list anyone may read too
    "MINIO_POLICY_HOOKS": (),
    "MINIO_DEFAULT_BUCKET": "",
    "MINIO_MEDIA_FILES_BUCKET": "auto-generated-bucket-media-files",  # 3.x name
    "MINIO_STATIC_FILES_BUCKET": "auto-generated-bucket-static-files",
    "MINIO_BUCKET_CHECK_ON_SAVE": False,
    "MINIO_HTTP_CLIENT": None,
    "MINIO_CA_CERTS": None,
    "MINIO_CONNECT_TIMEOUT": 5.0,
    "MINIO_READ_TIMEOUT": 30.0,
    "MINIO_MAX_RETRIES": 3,
    "MINIO_MULTIPART_UPLOAD": True,  # 4.x switch; uploads above the threshold are always multipart
    "MINIO_MULTIPART_THRESHOLD": 8 * MiB,
    "MINIO_MULTIPART_PART_SIZE": 8 * MiB,
    "MINIO_MULTIPART_PARALLEL": 3,
    "MINIO_URL_CACHING_ENABLED": False,
    "MINIO_URL_CACHE_TIMEOUT": 3600,
    "MINIO_URL_CACHE_PREFIX": "",  # 4.x cache-key prefix; stable URLs need no cache
    "MINIO_STATIC_CACHE_CONTROL": "public, max-age=300",
    "MINIO_STATIC_HASHED_CACHE_CONTROL": "public, max-age=31536000, immutable",
    "MINIO_STATIC_PARALLEL_UPLOADS": 8,
}


# Functions that hold the secret key in local variables hide them all from Django's error
# reports (the debug page, ADMINS e-mails), as do the functions they call.
@sensitive_variables()
def _alias_options(alias: str, *, only_if_minio: bool) -> Mapping[str, Any]:
    storages = getattr(settings, "STORAGES", None) or {}
    entry = storages.get(alias)
    if entry is None:
        if not only_if_minio:
            raise ImproperlyConfigured(f"storage_name={alias!r} is not an alias in settings.STORAGES.")
        return {}
    backend = str(entry.get("BACKEND", ""))
    if only_if_minio and not backend.startswith("django_minio_backend."):
        return {}
    return entry.get("OPTIONS") or {}


@sensitive_variables()
def built_for_another_alias(options: Mapping[str, Any]) -> bool:
    """Whether ``options`` are the OPTIONS objects of an alias other than ``"default"``."""
    if not options:
        return False
    for alias, entry in (getattr(settings, "STORAGES", None) or {}).items():
        own = {key: value for key, value in (entry.get("OPTIONS") or {}).items() if key in DEFAULTS}
        if alias != "default" and own.keys() == options.keys() and all(options[k] is v for k, v in own.items()):
            return True
    return False


def _check_names(options: Mapping[str, Any]) -> None:
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise ImproperlyConfigured(
            f"Unknown MinioBackend option(s): {', '.join(unknown)}. Known: {', '.join(sorted(DEFAULTS))}."
        )


# The options of each forced() now in effect, innermost last; only the innermost applies.
_forced: list[Mapping[str, Any]] = []

forced_changed = Signal()
"""Sent with ``setting`` (an option name) for each option whose forced value changes."""


def _innermost_forced() -> Mapping[str, Any]:
    return _forced[-1] if _forced else {}


@contextmanager
def forced(**options: Any) -> Iterator[None]:
    """Within this block, ``options`` win over every other layer, constructor options
    included, for every storage of the process.

    Only the innermost ``forced()`` applies, so ``forced()`` with no options lifts
    an outer one. Storages drop the settings they read on entry and on exit.
    """
    _check_names(options)
    outer = _innermost_forced()
    _forced.append(options)
    try:
        _announce(outer, options)
        yield
    finally:
        _forced.pop()
        _announce(options, outer)


def _announce(before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    for setting in sorted(before.keys() | after.keys()):
        forced_changed.send(sender=forced, setting=setting)


@sensitive_variables()
def collect_options(
    storage_name: str | None, options: Mapping[str, Any], *, other_alias: bool = False
) -> dict[str, Any]:
    """Merge the four layers into one mapping with every option present; ``other_alias``
    says ``options`` are the OPTIONS of an alias other than ``"default"``.

    Unknown option names raise ``ImproperlyConfigured`` instead of being ignored.
    """
    _check_names(options)
    if storage_name is not None:
        alias_options = _alias_options(storage_name, only_if_minio=False)
    elif other_alias:
        alias_options = {}
    else:
        alias_options = _alias_options("default", only_if_minio=True)
    merged = {key: getattr(settings, key, default) for key, default in DEFAULTS.items()}
    merged.update(alias_options)
    merged.update(options)
    merged.update(_innermost_forced())
    return merged


def endpoint_problem(setting: str, value: object) -> str | None:
    """Why ``value`` is not a ``host[:port]`` endpoint for ``setting``, or None."""
    if not isinstance(value, str) or "://" in value or "/" in value:
        return f"{setting} must be host[:port] without scheme or path, got {value!r}."
    return None


def _as_tuple(name: str, value: Any) -> tuple[Any, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
        raise ImproperlyConfigured(f"{name} must be a list, got {type(value).__name__}.")
    return tuple(value)


def _header_value(name: str, value: Any) -> str:
    """A header value, or "" for none; line breaks would smuggle in other headers."""
    if value is None:
        return ""
    if not isinstance(value, str) or "\r" in value or "\n" in value:
        raise ImproperlyConfigured(f"{name} must be a one-line string (or empty for none), got {value!r}.")
    return value.strip()


def _seconds(name: str, value: Any) -> float:
    """A positive number of seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive number of seconds, got {value!r}.")
    return float(value)


def _whole(name: str, value: Any, minimum: int = 1) -> int:
    """A whole number of at least ``minimum``: an int, or a float with nothing after the point
    (``timedelta(hours=8).total_seconds()``); never a bool or a string."""
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole or value < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}, got {value!r}.")
    return int(value)


@dataclass(frozen=True)
class ConnectionSettings:
    """What it takes to build a client; hashable so equal settings share one client."""

    endpoint: str
    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    use_https: bool
    region: str
    connect_timeout: float
    read_timeout: float
    max_retries: int
    ca_certs: str | None = None
    http_client: urllib3.PoolManager | None = field(default=None, compare=True, repr=False)


@dataclass(frozen=True)
class MinioSettings:
    """Typed, validated settings of one storage instance."""

    connection: ConnectionSettings
    external_endpoint: str
    external_use_https: bool
    url_expiry: timedelta
    private_buckets: tuple[str, ...]
    public_buckets: tuple[str, ...]
    listable_buckets: tuple[str, ...]
    policy_hooks: tuple[Any, ...]
    default_bucket: str
    static_bucket: str
    bucket_check_on_save: bool
    multipart_threshold: int
    multipart_part_size: int
    multipart_parallel: int
    url_caching: bool
    url_cache_timeout: int
    static_cache_control: str
    static_hashed_cache_control: str
    static_parallel_uploads: int

    @classmethod
    @sensitive_variables()
    def load(
        cls, storage_name: str | None = None, options: Mapping[str, Any] | None = None, *, other_alias: bool = False
    ) -> MinioSettings:
        """Read and validate settings (see ``collect_options``); raise ``ImproperlyConfigured``
        naming the bad option."""
        o = collect_options(storage_name, options or {}, other_alias=other_alias)
        expiry = o["MINIO_URL_EXPIRY_HOURS"]
        if not isinstance(expiry, timedelta) or not timedelta(seconds=1) <= expiry <= S3_MAX_PRESIGN_EXPIRY:
            raise ImproperlyConfigured(
                f"MINIO_URL_EXPIRY_HOURS must be a timedelta between 1 second and 7 days, got {expiry!r}."
            )
        http_client = o["MINIO_HTTP_CLIENT"]
        if isinstance(http_client, str):
            http_client = import_string(http_client)
        if http_client is not None and not isinstance(http_client, urllib3.PoolManager):
            raise ImproperlyConfigured("MINIO_HTTP_CLIENT must be a urllib3.PoolManager (or its import path).")
        part_size = _whole("MINIO_MULTIPART_PART_SIZE", o["MINIO_MULTIPART_PART_SIZE"])
        if part_size < S3_MIN_PART_SIZE:
            raise ImproperlyConfigured("MINIO_MULTIPART_PART_SIZE must be at least 5 MiB (the S3 minimum).")
        cache_timeout = _whole("MINIO_URL_CACHE_TIMEOUT", o["MINIO_URL_CACHE_TIMEOUT"])
        if o["MINIO_URL_CACHING_ENABLED"] and cache_timeout >= expiry.total_seconds():
            raise ImproperlyConfigured("MINIO_URL_CACHE_TIMEOUT must be shorter than MINIO_URL_EXPIRY_HOURS.")
        use_https = bool(o["MINIO_USE_HTTPS"])
        external_https = o["MINIO_EXTERNAL_ENDPOINT_USE_HTTPS"]
        return cls(
            connection=ConnectionSettings(
                endpoint=str(o["MINIO_ENDPOINT"]),
                access_key=str(o["MINIO_ACCESS_KEY"]),
                secret_key=str(o["MINIO_SECRET_KEY"]),
                use_https=use_https,
                region=str(o["MINIO_REGION"] or DEFAULTS["MINIO_REGION"]),
                connect_timeout=_seconds("MINIO_CONNECT_TIMEOUT", o["MINIO_CONNECT_TIMEOUT"]),
                read_timeout=_seconds("MINIO_READ_TIMEOUT", o["MINIO_READ_TIMEOUT"]),
                max_retries=_whole("MINIO_MAX_RETRIES", o["MINIO_MAX_RETRIES"], minimum=0),
                ca_certs=o["MINIO_CA_CERTS"],
                http_client=http_client,
            ),
            external_endpoint=str(o["MINIO_EXTERNAL_ENDPOINT"] or ""),
            external_use_https=use_https if external_https is None else bool(external_https),
            url_expiry=expiry,
            private_buckets=_as_tuple("MINIO_PRIVATE_BUCKETS", o["MINIO_PRIVATE_BUCKETS"]),
            public_buckets=_as_tuple("MINIO_PUBLIC_BUCKETS", o["MINIO_PUBLIC_BUCKETS"]),
            listable_buckets=_as_tuple("MINIO_LISTABLE_BUCKETS", o["MINIO_LISTABLE_BUCKETS"]),
            policy_hooks=_as_tuple("MINIO_POLICY_HOOKS", o["MINIO_POLICY_HOOKS"]),
            default_bucket=str(o["MINIO_DEFAULT_BUCKET"] or o["MINIO_MEDIA_FILES_BUCKET"]),
            static_bucket=str(o["MINIO_STATIC_FILES_BUCKET"]),
            bucket_check_on_save=bool(o["MINIO_BUCKET_CHECK_ON_SAVE"]),
            multipart_threshold=_whole("MINIO_MULTIPART_THRESHOLD", o["MINIO_MULTIPART_THRESHOLD"]),
            multipart_part_size=part_size,
            multipart_parallel=_whole("MINIO_MULTIPART_PARALLEL", o["MINIO_MULTIPART_PARALLEL"]),
            url_caching=bool(o["MINIO_URL_CACHING_ENABLED"]),
            url_cache_timeout=int(cache_timeout),
            static_cache_control=_header_value("MINIO_STATIC_CACHE_CONTROL", o["MINIO_STATIC_CACHE_CONTROL"]),
            static_hashed_cache_control=_header_value(
                "MINIO_STATIC_HASHED_CACHE_CONTROL", o["MINIO_STATIC_HASHED_CACHE_CONTROL"]
            ),
            static_parallel_uploads=_whole("MINIO_STATIC_PARALLEL_UPLOADS", o["MINIO_STATIC_PARALLEL_UPLOADS"]),
        )

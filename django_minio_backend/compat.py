"""The public helpers 2.x-4.x code calls on a ``MinioBackend``, with their old signatures and
meaning, minus the old bugs: ``MinioBackend`` inherits them from ``LegacyHelpers``.

What changed is only what was wrong: ``stat()`` raises when the server cannot be reached (it
answered False), ``set_bucket_to_public()`` makes objects readable but the bucket not listable,
and the bucket checks create buckets with their configured policy, as ``initialize_buckets`` does.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any, Protocol

from minio import Minio
from minio.datatypes import Object

from . import s3api
from .client import get_url_client
from .conf import Problem, problems
from .errors import MinioBackendError, translated_errors
from .names import object_key
from .object_options import customer_key_headers
from .utils import ConfigurationError, PrivatePublicMixedError

if TYPE_CHECKING:
    import os

    from .conf import MinioSettings, OptionValues
    from .objects import PrefixedObjects


class Backend(Protocol):
    """What the helpers use of ``MinioBackend``."""

    _BUILT_ON_USE: tuple[str, ...]

    @property
    def settings(self) -> MinioSettings: ...

    @property
    def bucket(self) -> str: ...

    @property
    def is_public(self) -> bool: ...

    @property
    def client(self) -> Minio: ...

    @property
    def bucket_objects(self) -> PrefixedObjects: ...

    def option_values(self) -> OptionValues: ...

    def _create_bucket(self, public: bool | None = None) -> None: ...


class LegacyHelpers:
    """``MinioBackend``'s 2.x-4.x helpers (see the module docstring)."""

    def stat(self: Backend, name: str | os.PathLike[str]) -> Object | bool:
        """The object's minio ``Object`` (size, etag, metadata, ...), or False if it is missing.

        Raises when the bucket is missing (``BucketDoesNotExist``, as ``exists()``) or the
        server cannot be asked (``MinioBackendError``).
        """
        key = object_key(name)
        try:
            with translated_errors("inspect", self.settings.connection.endpoint, self.bucket, key):
                stored_key = self.bucket_objects.key(key)
                key_headers: s3api.Fields = {**customer_key_headers(self.settings.put_options.sse)}  # masked
                head = s3api.head_object(self.client, self.bucket, stored_key, key_headers)
                return Object(
                    self.bucket,
                    stored_key,
                    last_modified=head.last_modified,
                    etag=(head.etag or "").replace('"', ""),
                    size=head.size,
                    content_type=head.headers.get("Content-Type"),
                    metadata=head.headers,
                    version_id=head.headers.get("x-amz-version-id"),
                )
        except FileNotFoundError:
            with contextlib.suppress(FileNotFoundError):
                self.bucket_objects.stat(key)  # a miss asks whether the bucket exists, as exists() does
            return False

    @property
    def is_bucket_public(self: Backend) -> bool:
        """Whether anyone may read this bucket's objects (``is_public``)."""
        return self.is_public

    @property
    def PRIVATE_BUCKETS(self: Backend) -> list[str]:
        """``MINIO_PRIVATE_BUCKETS`` as this storage reads it."""
        return list(self.settings.private_buckets)

    @property
    def PUBLIC_BUCKETS(self: Backend) -> list[str]:
        """``MINIO_PUBLIC_BUCKETS`` as this storage reads it."""
        return list(self.settings.public_buckets)

    @property
    def base_url(self: Backend) -> str:
        """``scheme://MINIO_ENDPOINT``, where this storage sends its requests."""
        return _internal_url(self.settings)

    @property
    def base_url_external(self: Backend) -> str:
        """``scheme://host`` of the URLs this storage gives (``MINIO_EXTERNAL_ENDPOINT`` when set)."""
        return _external_url(self.settings)

    @property
    def same_endpoints(self: Backend) -> bool:
        """Whether URLs point at the endpoint requests go to (no other ``MINIO_EXTERNAL_ENDPOINT``)."""
        return _external_url(self.settings) == _internal_url(self.settings)

    @property
    def client_external(self: Backend) -> Minio:
        """The minio client of the external endpoint (the client itself when there is none); it
        signs for the host browsers talk to. Shared, built on first use."""
        config = self.settings
        return get_url_client(config.connection, config.external_endpoint, config.external_use_https)

    def new_client(self: Backend) -> Minio:
        """Read the settings again and return the client they give (2.x). Clients are shared
        by storages of one connection, so this never opens a second pool."""
        for name in self._BUILT_ON_USE:
            self.__dict__.pop(name, None)
        return self.client

    def check_bucket_existence(self: Backend) -> None:
        """Create this storage's bucket if it is missing, with its configured policy."""
        self._create_bucket()

    def check_bucket_existences(self: Backend, max_workers: int | None = None) -> None:
        """Create the buckets this storage's settings declare, and its own, if missing, and give
        each its configured policy, as ``initialize_buckets`` does. Raises ``MinioBackendError``
        naming every bucket that failed once all were tried. ``max_workers`` is 4.x's
        argument: buckets are done one after another here."""
        from . import buckets  # imported on first use, as in ``storage``

        outcome = buckets.initialize([buckets.BucketUse(self.settings, self.bucket, self.is_public)])
        if outcome.failures:
            raise MinioBackendError("; ".join(outcome.failures))

    def set_bucket_policy(self: Backend, bucket: str, policy: dict[str, Any]) -> None:
        """Give ``bucket`` the policy document ``policy`` (a dict), replacing its policy.
        ``initialize_buckets`` puts back the configured one; ``MINIO_POLICY_HOOKS`` keep theirs."""
        with translated_errors("set the policy of", self.settings.connection.endpoint, bucket):
            self.client.set_bucket_policy(bucket, json.dumps(policy))

    def set_bucket_to_public(self: Backend) -> None:
        """Make this storage's bucket public as ``initialize_buckets`` makes public buckets: anyone
        may read its objects, and list them only if it is in ``MINIO_LISTABLE_BUCKETS``. Creates
        the bucket if it is missing."""
        self._create_bucket(public=True)

    def validate_settings(self: Backend) -> None:
        """Raise ``ConfigurationError`` (an ``ImproperlyConfigured``) for the first mistake the
        system checks report as an error in this storage's settings; ``PrivatePublicMixedError``
        for a bucket that is both private and public."""
        found: list[Problem] = [problem for problem in problems(self.option_values()) if problem.is_error]
        if not found:
            from . import buckets  # imported on first use, as in ``storage``

            found = buckets.plan([buckets.BucketUse(self.settings, self.bucket, self.is_public)])[1]
        if found:
            raise (PrivatePublicMixedError if found[0].check_id == "E006" else ConfigurationError)(str(found[0]))


def _internal_url(config: MinioSettings) -> str:
    return f"{'https' if config.connection.use_https else 'http'}://{config.connection.endpoint}"


def _external_url(config: MinioSettings) -> str:
    if not config.external_endpoint:
        return _internal_url(config)
    return f"{'https' if config.external_use_https else 'http'}://{config.external_endpoint}"

"""Credentials: what requests and presigned URLs sign with, and a provider's, refreshed.

``SigningCredentials`` are one set of keys (with a session token and an expiry, when
temporary); fixed ones are their own ``CredentialSource``. ``ProviderCredentials`` is the
source of a connection with a provider: ``current()`` gives what every request and every
presigned URL signs with. It asks the provider (``MINIO_CREDENTIALS_PROVIDER``) for credentials
once, then again when they near their end: a quarter of their lifetime before it, at most
``REFRESH_MARGIN`` seconds. Many threads may ask at once; one of them refreshes:

- while the credentials held are still valid, the others go on signing with them;
- once they have expired (or before the first), the others wait for that one refresh.

minio's own providers keep the credentials they fetched until 10 seconds before they expire,
so a refresh may bring back the same credentials; the next is then due a quarter of their
remaining time before their end (a dozen cheap calls from five minutes to ten seconds).
A refresh that fails while the credentials held are valid is logged (a warning), they stay in
use, and a call ``RETRY_INTERVAL`` seconds later tries again; once they have expired, the failure
is raised, and for ``RETRY_INTERVAL`` seconds every call that needs credentials raises it again
without asking the provider, so many threads and requests never line up behind a failing one.
The credentials are held as ``SigningCredentials``, secrets masked; the provider's answer is
turned into them at once.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from django.views.decorators.debug import sensitive_variables
from minio.credentials.credentials import Credentials
from minio.credentials.providers import Provider

from .conf import Secret
from .errors import MinioBackendError

logger = logging.getLogger(__name__)

REFRESH_MARGIN = 300.0
"""Refresh at most this many seconds before credentials expire (a quarter of their lifetime if less)."""
RETRY_INTERVAL = 5.0
"""Seconds after a failed refresh before the provider is asked again."""
_EXPIRED_MARGIN = 1.0  # credentials this close to their end are not used for another request


class MaskedText(str):
    """A string whose ``repr()`` is ``'********'``: a secret that must be handed on as ``str``
    (a session token or an SSE-C key in a request header, a signed query) yet never shown by what prints
    objects. ``str()``, formatting and encoding give the text itself."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'********'"


class SigningCredentials:
    """One set of credentials: an access key, its secret key and, for temporary credentials,
    a session token and the Unix time they expire at. Secrets stay ``Secret``; the
    ``repr()`` shows neither. Immutable; fixed credentials are their own ``CredentialSource``.
    """

    __slots__ = ("access_key", "expires_at", "secret_key", "session_token")
    access_key: str
    secret_key: Secret
    session_token: Secret | None
    expires_at: float | None

    def __init__(
        self, access_key: str, secret_key: Secret, session_token: Secret | None = None, expires_at: float | None = None
    ):
        for name, value in (
            ("access_key", access_key),
            ("secret_key", secret_key),
            ("session_token", session_token or None),
            ("expires_at", expires_at),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("SigningCredentials are immutable")

    def current(self) -> SigningCredentials:
        return self

    def __repr__(self) -> str:
        token = ", session_token='********'" if self.session_token else ""
        return f"SigningCredentials(access_key={self.access_key!r}, secret_key='********'{token})"


class CredentialSource(Protocol):
    """Whatever gives the credentials to sign with now."""

    def current(self) -> SigningCredentials: ...


class CredentialsUnavailableError(MinioBackendError):
    """The credentials provider gave no credentials (its own error is the cause); an ``OSError``,
    as every failed request is."""


class CredentialsExpiredError(CredentialsUnavailableError):
    """The credentials have expired, or expire within the second: nothing they sign would work."""


@dataclass(frozen=True)
class _Held:
    credentials: SigningCredentials
    refresh_at: float  # Unix time; never for credentials that do not expire

    @property
    def valid(self) -> bool:
        expires_at = self.credentials.expires_at
        return expires_at is None or time.time() < expires_at - _EXPIRED_MARGIN


class ProviderCredentials:
    """The current credentials of one minio ``Provider``; thread-safe. A ``CredentialSource``."""

    def __init__(self, provider: Provider):
        self._provider = provider
        self._held: _Held | None = None
        self._failure: tuple[float, CredentialsUnavailableError] | None = None  # the last refresh's, and when
        self._refreshing = threading.Lock()

    def current(self) -> SigningCredentials:
        """Credentials valid now, refreshed first if they are due (see the module docstring).

        ``CredentialsUnavailableError`` if the provider fails when no valid credentials are held.
        """
        held = self._held
        if held is not None and time.time() < held.refresh_at:
            return held.credentials
        if held is not None and held.valid:
            if not self._refreshing.acquire(blocking=False):
                return held.credentials  # another thread refreshes them
        else:
            self._refreshing.acquire()
        try:
            held = self._held
            if held is None or time.time() >= held.refresh_at:
                held = self._refreshed(held)
            return held.credentials
        finally:
            self._refreshing.release()

    def _refreshed(self, held: _Held | None) -> _Held:
        valid = held is not None and held.valid
        failure = self._failure
        if not valid and failure is not None and time.monotonic() - failure[0] < RETRY_INTERVAL:
            again = f"{failure[1]} (the provider is asked again {RETRY_INTERVAL:g} s after it failed)"
            raise CredentialsUnavailableError(again) from failure[1]
        try:
            self._held = self._fetch()
        except CredentialsUnavailableError as exc:
            self._failure = (time.monotonic(), exc)
            if held is None or not valid:
                raise
            logger.warning("%s; the credentials held stay in use until they expire.", exc)
            expires_at = held.credentials.expires_at or math.inf
            self._held = _Held(held.credentials, min(time.time() + RETRY_INTERVAL, expires_at - _EXPIRED_MARGIN))
            return self._held
        self._failure = None
        return self._held

    @sensitive_variables()
    def _fetch(self) -> _Held:
        fetched_at = time.time()
        try:
            answer = self._provider.retrieve()
        except Exception as exc:
            raise CredentialsUnavailableError(
                f"{type(self._provider).__name__} gave no credentials: {type(exc).__name__}: {exc}"
            ) from exc
        expiration = _expiration(answer)
        token = answer.session_token
        credentials = SigningCredentials(
            answer.access_key,
            Secret(answer.secret_key),
            Secret(token) if token else None,
            None if expiration is None else _utc(expiration).timestamp(),
        )
        del answer, token
        expires_at = credentials.expires_at
        if expires_at is None:
            return _Held(credentials, float("inf"))
        if expires_at - fetched_at < _EXPIRED_MARGIN:
            raise CredentialsExpiredError(
                f"{type(self._provider).__name__} gave credentials that have expired (access key "
                f"{credentials.access_key!r})."
            )
        return _Held(credentials, expires_at - min(REFRESH_MARGIN, (expires_at - fetched_at) / 4))

    def __repr__(self) -> str:
        return f"<ProviderCredentials of {type(self._provider).__name__}>"


def _expiration(credentials: Credentials) -> datetime | None:
    """When minio's credentials expire: a field from minio 7.2.x on, an underscored one in 7.2.0."""
    return getattr(credentials, "expiration", getattr(credentials, "_expiration", None))


def _utc(moment: datetime) -> datetime:
    """minio's expirations are UTC, naive in some providers and versions."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

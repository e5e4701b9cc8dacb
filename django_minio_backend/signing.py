"""AWS Signature Version 4 query-string signing ("presigned URLs") for GET, done locally.

``Presigner.presign_get()`` returns a path-style URL ``scheme://host/bucket/key?...`` that any
S3 server accepts until it expires. It sends no request and reads no clock but ``time.time()``.

What it costs per URL: one key encoding, one SHA-256 of the canonical request and one HMAC with
the signing key. The signing key (four HMACs) is derived once per secret, UTC day and region and
cached; the HMAC itself reuses pre-hashed inner and outer key pads (RFC 2104), so no HMAC
context is set up per call. The secret key stays a ``conf.Secret`` up to the derivation of
the signing key, the one place that reveals it.

A ``Presigner`` signs with what its ``CredentialSource`` gives at each call: fixed
``SigningCredentials`` (their own source), or temporary ones that change (``credentials.py``).
A session token is signed into the URL as ``X-Amz-Security-Token``, and the URL's
``X-Amz-Expires`` is cut so that it ends when the credentials do, never later.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import time
from collections.abc import Iterable

from .conf import Secret
from .credentials import CredentialsExpiredError, CredentialSource, MaskedText, SigningCredentials

ALGORITHM = "AWS4-HMAC-SHA256"
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
# One entry per byte value: the byte itself if unreserved, else %XX (upper-case hex), as SigV4 demands.
_QUERY_TABLE = [chr(byte) if byte in _UNRESERVED else f"%{byte:02X}" for byte in range(256)]
_PATH_TABLE = [*_QUERY_TABLE[: ord("/")], "/", *_QUERY_TABLE[ord("/") + 1 :]]
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9\-._~]*")
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~/]*")


def uri_encode(text: str, *, keep_slash: bool = False) -> str:
    """Percent-encode ``text`` as SigV4's UriEncode: UTF-8, every byte but ``A-Za-z0-9-._~``
    as ``%XX``; ``/`` is kept too with ``keep_slash`` (for object keys in paths)."""
    if (_PLAIN_PATH if keep_slash else _PLAIN_QUERY).fullmatch(text):
        return text
    # latin-1 maps each byte to the code point of the same value, which translate() looks up.
    return text.encode("utf-8").decode("latin-1").translate(_PATH_TABLE if keep_slash else _QUERY_TABLE)


class _HmacKey:
    """HMAC-SHA256 with one key, its inner and outer pads hashed once (RFC 2104)."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes):
        block = key.ljust(64, b"\0")  # SHA-256 keys are at most 32 bytes here; the block is 64
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in block))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in block))

    def hexdigest(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def __repr__(self) -> str:
        return "<_HmacKey>"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.digest(key, message.encode(), "sha256")


@functools.lru_cache(maxsize=64)
def signing_key(secret_key: Secret, datestamp: str, region: str) -> _HmacKey:
    """The SigV4 signing key for S3 on ``datestamp`` (``YYYYMMDD``) in ``region``, ready to sign."""
    key = _hmac(_hmac(_hmac(_hmac(b"AWS4" + secret_key.reveal().encode(), datestamp), region), "s3"), "aws4_request")
    return _HmacKey(key)


@functools.lru_cache(maxsize=4)
def amz_date(timestamp: int) -> str:
    """``YYYYMMDDTHHMMSSZ`` (UTC) of a Unix time in whole seconds."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(timestamp))


def host_of(endpoint: str, use_https: bool) -> str:
    """The ``Host`` header a client sends for ``endpoint``: lower-case, default port dropped."""
    host = endpoint.lower()
    default_port = ":443" if use_https else ":80"
    return host.removesuffix(default_port)


def capped_expiry(credentials: SigningCredentials, expires: int, signed_at: int) -> int:
    """``expires`` (seconds from ``signed_at``), cut so that a URL signed with ``credentials`` ends
    when they do. ``CredentialsExpiredError`` if they end within the second."""
    if credentials.expires_at is None:
        return expires
    if credentials.expires_at - time.time() < 1:
        raise CredentialsExpiredError(f"The credentials of access key {credentials.access_key!r} have expired.")
    return min(expires, int(credentials.expires_at) - signed_at)


class Presigner:
    """Signs GET URLs for objects on one endpoint with the credentials its source gives.

    Thread-safe: its settings never change, and its one cache is replaced whole. Its ``repr()``
    never shows a secret.
    """

    __slots__ = ("_base", "_canonical_tail", "_credential_suffix", "_credentials", "_encoded", "_region")

    def __init__(self, endpoint: str, use_https: bool, credentials: CredentialSource, region: str):
        host = host_of(endpoint, use_https)
        self._base = f"{'https' if use_https else 'http'}://{host}"
        self._credentials = credentials
        self._encoded: tuple[SigningCredentials, str, MaskedText] | None = None  # replaced whole, never edited
        self._region = region
        self._credential_suffix = uri_encode(f"/{region}/s3/aws4_request")
        self._canonical_tail = f"\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD"

    def presign_get(
        self,
        bucket: str,
        key: str,
        expires: int,
        overrides: Iterable[tuple[str, str]] = (),
        signed_at: int | None = None,
    ) -> str:
        """A URL that lets anyone GET ``bucket/key`` for ``expires`` seconds from ``signed_at``,
        or until the credentials expire if that is sooner.

        ``overrides`` are ``(query parameter, value)`` pairs such as
        ``("response-content-disposition", "attachment")``; ``signed_at`` is a Unix time
        (default: now). ``CredentialsExpiredError`` if the credentials end within the second.
        """
        credentials = self._credentials.current()
        if signed_at is None:
            signed_at = int(time.time())
        expires = capped_expiry(credentials, expires, signed_at)
        date = amz_date(signed_at)
        datestamp = date[:8]
        path = f"/{uri_encode(bucket)}/{uri_encode(key, keep_slash=True)}"
        access_key, token = self._query_parts(credentials)
        # The canonical query string is the URL's query: parameters sorted by name
        # (upper-case "X-Amz-" sorts before lower-case "response-"; "Security-Token" before "SignedHeaders").
        query = (
            f"X-Amz-Algorithm={ALGORITHM}&X-Amz-Credential={access_key}{datestamp}{self._credential_suffix}"
            f"&X-Amz-Date={date}&X-Amz-Expires={expires}{token}&X-Amz-SignedHeaders=host"
        )
        for name, value in sorted(overrides):
            query += f"&{name}={uri_encode(value)}"
        canonical_request = f"GET\n{path}\n{query}{self._canonical_tail}"
        scope = f"{datestamp}/{self._region}/s3/aws4_request"
        string_to_sign = f"{ALGORITHM}\n{date}\n{scope}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
        signature = signing_key(credentials.secret_key, datestamp, self._region).hexdigest(string_to_sign.encode())
        return f"{self._base}{path}?{query}&X-Amz-Signature={signature}"

    def _query_parts(self, credentials: SigningCredentials) -> tuple[str, MaskedText]:
        """``credentials``' URL-encoded ``access key/`` and ``&X-Amz-Security-Token=...`` (or ``""``),
        encoded once per set of credentials."""
        encoded = self._encoded
        if encoded is None or encoded[0] is not credentials:
            token = credentials.session_token
            encoded = self._encoded = (
                credentials,
                uri_encode(credentials.access_key + "/"),
                MaskedText(f"&X-Amz-Security-Token={uri_encode(token.reveal())}" if token else ""),
            )
        return encoded[1], encoded[2]

    def __repr__(self) -> str:
        return f"<Presigner {self._base}>"

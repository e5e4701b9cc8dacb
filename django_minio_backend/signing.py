"""AWS Signature Version 4 query-string signing ("presigned URLs") and POST policies, done locally.

``Presigner.presign_get()`` returns a path-style URL ``scheme://host/bucket/key?...`` that any
S3 server accepts until it expires, or, for a ``Presigner`` of a bucket's own host name
(virtual-host style, ``bucket.host``), ``scheme://bucket.host/key?...``; ``presign()`` does the
same for any method and for request headers the client must send as signed (a PUT's
``Content-Type``); ``sign_post_policy()`` signs the policy of a browser form upload. None sends
a request or reads a clock but ``time.time()``.

What it costs per URL: one key encoding, one SHA-256 of the canonical request and one HMAC with
the signing key. The signing key (four HMACs) is derived once per secret, UTC day and region and
cached; the HMAC itself reuses pre-hashed inner and outer key pads (RFC 2104), so no HMAC
context is set up per call. The secret key stays a ``conf.Secret`` up to the derivation of
the signing key, the one place that reveals it.

A ``Presigner`` signs with what its ``CredentialSource`` gives at each call: fixed
``SigningCredentials`` (their own source), or temporary ones that change (``credentials.py``).
A session token is signed into a URL as ``X-Amz-Security-Token`` and into a POST policy as its
``x-amz-security-token`` field and condition; every URL's ``X-Amz-Expires`` and every policy's
expiration is cut (``capped_expiry``) so that it ends when the credentials do, never later.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

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
    """``expires`` (seconds from ``signed_at``), cut so that what is signed with ``credentials``
    ends when they do. ``CredentialsExpiredError`` if they end within the second."""
    if credentials.expires_at is None:
        return expires
    if credentials.expires_at - time.time() < 1:
        raise CredentialsExpiredError(f"The credentials of access key {credentials.access_key!r} have expired.")
    return min(expires, int(credentials.expires_at) - signed_at)


class Presigner:
    """Signs URLs and POST policies for objects on one endpoint with the credentials its source gives.

    Thread-safe: its settings never change, and its one cache is replaced whole. Its ``repr()``
    never shows a secret.
    """

    __slots__ = ("_base", "_canonical_tail", "_credential_suffix", "_credentials", "_encoded", "_host", "_region")

    def __init__(self, endpoint: str, use_https: bool, credentials: CredentialSource, region: str):
        host = host_of(endpoint, use_https)
        self._base = f"{'https' if use_https else 'http'}://{host}"
        self._host = host
        self._credentials = credentials
        self._encoded: tuple[SigningCredentials, str, MaskedText] | None = None  # replaced whole, never edited
        self._region = region
        self._credential_suffix = uri_encode(f"/{region}/s3/aws4_request")
        self._canonical_tail = f"\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD"

    def presign_get(
        self,
        bucket: str | None,
        key: str,
        expires: int,
        overrides: Iterable[tuple[str, str]] = (),
        signed_at: int | None = None,
    ) -> str:
        """A URL that lets anyone GET ``bucket/key`` (as ``presign()``).

        ``overrides`` are ``(query parameter, value)`` pairs such as
        ``("response-content-disposition", "attachment")``.
        """
        return self.presign("GET", bucket, key, expires, overrides, signed_at=signed_at)

    def presign(
        self,
        method: str,
        bucket: str | None,
        key: str,
        expires: int,
        query: Iterable[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
        signed_at: int | None = None,
    ) -> str:
        """A URL that lets anyone send ``method`` to ``bucket/key`` for ``expires`` seconds from
        ``signed_at`` (a Unix time, default now), or until the credentials expire if that is
        sooner (``bucket`` None: the host names it).

        ``query`` pairs are signed into the URL (``partNumber``, ``uploadId``); ``headers`` are
        signed too, so the request must carry each of them with exactly that value.
        ``CredentialsExpiredError`` if the credentials end within the second.
        """
        credentials, signed_at, expires = self._signing(expires, signed_at)
        date = amz_date(signed_at)
        datestamp = date[:8]
        path = f"/{uri_encode(key, keep_slash=True)}"
        if bucket is not None:
            path = f"/{uri_encode(bucket)}{path}"
        signed = sorted((name.lower(), value.strip()) for name, value in (headers or {}).items())
        names = ";".join(sorted(["host", *(name for name, _ in signed)]))
        # Encoded before the token joins the query, so a value that cannot be encoded raises
        # while no local of this frame holds the token in clear.
        extra_query = "".join(f"&{name}={uri_encode(value)}" for name, value in sorted(query))
        access_key, token = self._query_parts(credentials)
        # The canonical query string is the URL's query: parameters sorted by name (upper-case
        # "X-Amz-" sorts before lower-case "response-", "partNumber", "uploadId"; "Security-Token"
        # before "SignedHeaders").
        query_string = (
            f"X-Amz-Algorithm={ALGORITHM}&X-Amz-Credential={access_key}{datestamp}{self._credential_suffix}"
            f"&X-Amz-Date={date}&X-Amz-Expires={expires}{token}&X-Amz-SignedHeaders={uri_encode(names)}"
            f"{extra_query}"
        )
        if signed:
            lines = sorted([("host", self._host), *signed])
            tail = "\n" + "".join(f"{name}:{value}\n" for name, value in lines) + f"\n{names}\nUNSIGNED-PAYLOAD"
        else:
            tail = self._canonical_tail
        canonical_request = f"{method}\n{path}\n{query_string}{tail}"
        scope = f"{datestamp}/{self._region}/s3/aws4_request"
        string_to_sign = f"{ALGORITHM}\n{date}\n{scope}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
        signature = signing_key(credentials.secret_key, datestamp, self._region).hexdigest(string_to_sign.encode())
        return f"{self._base}{path}?{query_string}&X-Amz-Signature={signature}"

    def sign_post_policy(
        self,
        bucket: str,
        conditions: list[Any],
        expires: int,
        *,
        in_host: bool = False,
        signed_at: int | None = None,
    ) -> tuple[str, dict[str, str]]:
        """The URL and the form fields of a browser POST upload to ``bucket`` under ``conditions``
        (S3 POST policy conditions, without the credential ones added here), valid for
        ``expires`` seconds from ``signed_at`` (default now) or until the credentials expire if
        that is sooner; ``in_host`` when the host names the bucket (virtual-host style).
        A session token is a field and a condition (``x-amz-security-token``).
        The form must send every field, then the file last.
        """
        credentials, signed_at, expires = self._signing(expires, signed_at)
        date = amz_date(signed_at)
        datestamp = date[:8]
        credential = f"{credentials.access_key}/{datestamp}/{self._region}/s3/aws4_request"
        fields = {"x-amz-algorithm": ALGORITHM, "x-amz-credential": credential, "x-amz-date": date}
        if credentials.session_token is not None:
            fields["x-amz-security-token"] = MaskedText(credentials.session_token.reveal())
        document = {
            "expiration": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(signed_at + expires)),
            "conditions": [{"bucket": bucket}, *conditions, *({name: value} for name, value in fields.items())],
        }
        policy = base64.b64encode(json.dumps(document, separators=(",", ":")).encode()).decode()
        signature = signing_key(credentials.secret_key, datestamp, self._region).hexdigest(policy.encode())
        url = f"{self._base}/" if in_host else f"{self._base}/{uri_encode(bucket)}"
        return url, {**fields, "policy": policy, "x-amz-signature": signature}

    def _signing(self, expires: int, signed_at: int | None) -> tuple[SigningCredentials, int, int]:
        """The credentials to sign with now, the signing time (``signed_at``, default now) and
        ``expires`` capped to the credentials' end."""
        credentials = self._credentials.current()
        if signed_at is None:
            signed_at = int(time.time())
        return credentials, signed_at, capped_expiry(credentials, expires, signed_at)

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

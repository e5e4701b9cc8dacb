"""Connections: one registry entry per distinct connection, built lazily, shared by threads.

An entry holds the ``minio.Minio`` client, its HTTP pool, and what the server is known to
support (conditional writes: declared by ``MINIO_CONDITIONAL_WRITES``, else asked once).
Building one does no network I/O: the region is always known (``MINIO_REGION``, default
``us-east-1``), so minio never has to ask the server for it, and a credentials provider is
first asked by the first request. The client holds the secret key and session token as
``conf.Secret`` and reveals them only to minio's signing code.
"""

from __future__ import annotations

import concurrent.futures
import copy
import logging
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

import urllib3
from minio import Minio
from minio.credentials.credentials import Credentials
from minio.credentials.providers import Provider
from minio.error import S3Error
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import ReadTimeoutError

from . import s3api
from .conf import ConnectionSettings
from .credentials import CredentialSource, MaskedText, ProviderCredentials, SigningCredentials

if TYPE_CHECKING:
    from typing_extensions import Self

# Answers worth another try. urllib3 retries them only for idempotent methods (its default
# allowed_methods), so a POST is never sent twice.
RETRY_STATUSES = (500, 502, 503, 504)

logger = logging.getLogger(__name__)

PROBE_PREFIX = ".django-minio-backend-probe-"
"""Keys of the package's probe objects; listings hide them."""
PROBE_KEY = PROBE_PREFIX + "conditional-writes"
"""The zero-byte object the conditional-write probe writes and leaves in a bucket (one per bucket)."""
_EMPTY_MD5 = "1B2M2Y8AsgTpgAmY7PhCfg=="  # Content-MD5 of no bytes (object-lock buckets require one)


class Retry(urllib3.Retry):
    """urllib3's retries, except that a read timeout is final.

    A server that accepted the connection but did not answer within the read
    timeout would make each retry wait as long again: with 3 retries, a hung
    server held every call for four read timeouts.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: urllib3.BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        if isinstance(error, ReadTimeoutError):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


def build_pool(connection: ConnectionSettings) -> urllib3.PoolManager:
    """The HTTP pool: bounded timeouts, bounded retries with backoff, TLS verified.

    urllib3 retries connection failures for every method but read failures and
    ``RETRY_STATUSES`` only for idempotent ones, so a POST (completing a multipart
    upload) is never sent twice. A read timeout is never retried (see ``Retry``), so a
    server that stops answering costs one read timeout per call, not one per attempt.
    ``MINIO_HTTP_CLIENT``, when set, is used as it is, with its own timeouts and retries.
    """
    if connection.http_client is not None:
        return connection.http_client
    return urllib3.PoolManager(
        maxsize=32,
        timeout=urllib3.Timeout(connect=connection.connect_timeout, read=connection.read_timeout),
        retries=Retry(
            total=connection.max_retries,
            backoff_factor=0.2,
            status_forcelist=RETRY_STATUSES,
            raise_on_status=False,
        ),
        cert_reqs="CERT_REQUIRED",
        ca_certs=connection.ca_certs,
    )


class _Credentials(Credentials):
    """minio's credentials, holding the secret key and session token as ``Secret``.

    minio keeps the credentials it signs with in a local variable of every request, where
    error reports and error trackers that list local variables (and walk into objects) would
    find minio's own ``Credentials`` with the secret in clear. This one reveals the secret key
    and the session token only when minio's signing code reads them. The base class's
    ``__init__`` is not called: it would store them in clear. It never reports itself expired:
    ``ProviderCredentials`` refreshes before that.
    """

    _signing: SigningCredentials

    def __init__(self, credentials: SigningCredentials):
        object.__setattr__(self, "_signing", credentials)  # minio's Credentials may be a frozen dataclass

    @property
    def access_key(self) -> str:
        return self._signing.access_key

    @property
    def secret_key(self) -> str:
        return self._signing.secret_key.reveal()

    @property
    def session_token(self) -> str | None:
        """A ``MaskedText``: minio puts it in the headers of a request, which its frames hold."""
        token = self._signing.session_token
        return MaskedText(token.reveal()) if token else None

    expiration = None
    _expiration = None  # what minio 7.2.0's is_expired() reads

    def __repr__(self) -> str:
        return f"Credentials(access_key={self.access_key!r}, secret_key='********')"


class _MinioCredentials(Provider):
    """minio's view of a ``CredentialSource``: the credentials it gives now, for every request."""

    def __init__(self, source: CredentialSource):
        self._source = source
        self._last: _Credentials | None = None

    def retrieve(self) -> Credentials:
        credentials = self._source.current()
        last = self._last
        if last is None or last._signing is not credentials:
            last = self._last = _Credentials(credentials)
        return last


_sources: dict[tuple[object, ...], CredentialSource] = {}
_sources_lock = threading.Lock()


def credential_source(connection: ConnectionSettings) -> CredentialSource:
    """What the connection's requests and URLs sign with: its static keys, or the shared
    ``ProviderCredentials`` of its ``MINIO_CREDENTIALS_PROVIDER`` (one per provider, so the
    storage's client, its URL signer and the health probe refresh together, once)."""
    provider = connection.credentials_provider
    key: tuple[object, ...] = (
        (provider,)
        if provider is not None
        else (connection.access_key, connection.secret_key, connection.session_token)
    )
    source = _sources.get(key)
    if source is None:
        with _sources_lock:
            source = _sources.get(key)
            if source is None:
                source = _sources[key] = (
                    ProviderCredentials(provider)
                    if provider is not None
                    else SigningCredentials(connection.access_key, connection.secret_key, connection.session_token)
                )
    return source


def _build(connection: ConnectionSettings, pool: urllib3.PoolManager) -> Minio:
    return Minio(
        connection.endpoint,
        credentials=_MinioCredentials(credential_source(connection)),
        secure=connection.use_https,
        region=connection.region,
        http_client=pool,
    )


class Connection:
    """The registry entry of one connection: its client and what its server supports."""

    def __init__(self, settings: ConnectionSettings):
        self.settings = settings
        self.client = _build(settings, build_pool(settings))
        self._conditional_writes: bool | None = None
        self._probe: concurrent.futures.Future[bool] | None = None
        self._probe_lock = threading.Lock()

    def conditional_writes(self, bucket: str) -> bool:
        """Whether the server honours ``If-None-Match: *`` on PUT: as ``MINIO_CONDITIONAL_WRITES``
        declares, else asked once, in ``bucket``.

        Concurrent callers share one probe and its outcome, so a server that does not
        answer costs them one timeout together, not one each in turn. A failed probe
        is asked again by the next caller.
        """
        if self.settings.conditional_writes is not None:
            return self.settings.conditional_writes
        if self._conditional_writes is not None:
            return self._conditional_writes
        with self._probe_lock:
            if self._conditional_writes is not None:  # a probe finished while this caller waited
                return self._conditional_writes
            leader = self._probe is None
            if leader:
                self._probe = concurrent.futures.Future()
            probe = self._probe
        assert probe is not None
        if not leader:
            return probe.result()
        try:
            supported = self._conditional_writes = _probe_conditional_writes(self.client, bucket)
            probe.set_result(supported)
            return supported
        except BaseException as exc:
            probe.set_exception(exc)
            raise
        finally:
            with self._probe_lock:
                self._probe = None


def _probe_conditional_writes(client: Minio, bucket: str) -> bool:
    """Ask with the rights a save needs (PutObject), no delete right: store the zero-byte
    ``PROBE_KEY`` with ``If-None-Match: *``, and once more if that was stored (the object was
    new, or the condition ignored). A 412 proves support. A server that ignores the condition
    stores the same zero bytes again, so nothing but the probe's own object is ever written."""
    headers: s3api.Fields = {
        "Content-Type": "application/octet-stream",
        "Content-MD5": _EMPTY_MD5,
        "If-None-Match": "*",
    }
    for _ in range(2):
        try:
            s3api.put_object(client, bucket, PROBE_KEY, b"", headers)
        except S3Error as exc:
            if not s3api.name_taken(exc):
                raise
            return True
    logger.warning(
        "The S3 server ignores If-None-Match; saves check with HEAD before PUT, "
        "which two concurrent saves of one name can race (MINIO_CONDITIONAL_WRITES = False skips this probe)."
    )
    return False


_connections: dict[ConnectionSettings, Connection] = {}
_connections_lock = threading.Lock()


def get_connection(settings: ConnectionSettings) -> Connection:
    """The shared registry entry for these connection settings, built on first use."""
    connection = _connections.get(settings)
    if connection is None:
        with _connections_lock:
            connection = _connections.get(settings)
            if connection is None:
                connection = _connections[settings] = Connection(settings)
    return connection


def get_client(settings: ConnectionSettings) -> Minio:
    """The shared client for these connection settings, built on first use."""
    return get_connection(settings).client


def get_url_client(connection: ConnectionSettings, external_endpoint: str, external_use_https: bool) -> Minio:
    """The client that signs URLs: for the external endpoint when one is set, so signatures
    are valid on the host the browser talks to. It never sends a request itself."""
    if not external_endpoint:
        return get_client(connection)
    return get_client(connection._replace(endpoint=external_endpoint, use_https=external_use_https))


def build_probe_client(connection: ConnectionSettings, timeout: float) -> Minio:
    """A client for health checks: no retries, every wait bounded by ``timeout`` seconds.

    With ``MINIO_HTTP_CLIENT`` set it goes the way storage requests go: through a copy of
    that pool manager (the same class and settings; a ``ProxyManager`` keeps its proxy)
    with the probe's timeout and no retries. The user's pool manager is left unchanged.
    """
    limits: dict[str, Any] = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False}
    user_pool = connection.http_client
    if user_pool is None:
        return _build(
            connection, urllib3.PoolManager(**limits, cert_reqs="CERT_REQUIRED", ca_certs=connection.ca_certs)
        )
    pool = copy.copy(user_pool)
    # Initialised again, the copy has pools of its own: a pool keeps the limits it was made with.
    urllib3.PoolManager.__init__(pool, headers=user_pool.headers, **{**user_pool.connection_pool_kw, **limits})
    return _build(connection, pool)

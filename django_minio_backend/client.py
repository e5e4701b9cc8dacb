"""Building ``minio.Minio`` clients: one per distinct connection, built lazily, shared by threads.

Building a client does no network I/O: the region is always known (``MINIO_REGION``,
default ``us-east-1``), so minio never has to ask the server for it.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any

import urllib3
from minio import Minio
from minio.credentials.credentials import Credentials
from minio.credentials.providers import Provider
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import ReadTimeoutError

from .conf import ConnectionSettings

if TYPE_CHECKING:
    from typing_extensions import Self

# Answers worth another try. urllib3 retries them only for idempotent methods (its default
# allowed_methods), so a POST is never sent twice.
RETRY_STATUSES = (500, 502, 503, 504)

_clients: dict[ConnectionSettings, Minio] = {}
_clients_lock = threading.Lock()


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
    """minio's credentials, with a ``repr()`` that hides the secret key."""

    def __repr__(self) -> str:
        return f"Credentials(access_key={self.access_key!r}, secret_key='********')"


class _StaticCredentials(Provider):
    """Credentials that never show the secret in a traceback's local variables.

    minio keeps the credentials it signs with in a local variable of every request;
    error reports that list local variables (Django's debug page, ``AdminEmailHandler``
    with HTML, error trackers) would show minio's own ``Credentials`` with the secret.
    """

    def __init__(self, access_key: str, secret_key: str):
        self._credentials = _Credentials(access_key, secret_key)

    def retrieve(self) -> Credentials:
        return self._credentials


def _build(connection: ConnectionSettings, pool: urllib3.PoolManager) -> Minio:
    return Minio(
        connection.endpoint,
        credentials=_StaticCredentials(connection.access_key, connection.secret_key),
        secure=connection.use_https,
        region=connection.region,
        http_client=pool,
    )


def get_client(connection: ConnectionSettings) -> Minio:
    """The shared client for these connection settings, built on first use."""
    client = _clients.get(connection)
    if client is None:
        with _clients_lock:
            client = _clients.get(connection)
            if client is None:
                client = _clients[connection] = _build(connection, build_pool(connection))
    return client


def get_url_client(connection: ConnectionSettings, external_endpoint: str, external_use_https: bool) -> Minio:
    """The client that signs URLs: for the external endpoint when one is set, so signatures
    are valid on the host the browser talks to. It never sends a request itself."""
    if not external_endpoint:
        return get_client(connection)
    return get_client(replace(connection, endpoint=external_endpoint, use_https=external_use_https))


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

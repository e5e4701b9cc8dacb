"""Is the server there? One bounded request that works on any S3 server."""

from __future__ import annotations

import urllib3.exceptions
from minio.error import MinioException, S3Error

from .client import build_probe_client
from .conf import ConnectionSettings
from .credentials import CredentialsUnavailableError
from .utils import MinioServerStatus


def server_status(connection: ConnectionSettings, timeout: float) -> MinioServerStatus:
    """Ask the server whether it answers and accepts our credentials.

    One ListBuckets request, no retries, every wait bounded by ``timeout`` seconds.
    Never raises for network or server errors, nor when a credentials provider gives no
    credentials; the details say what was found.
    """
    client = build_probe_client(connection, timeout)
    where = f"S3 server at {connection.endpoint}"
    try:
        client.list_buckets()
    except S3Error as exc:
        if exc.code == "AccessDenied":
            return MinioServerStatus(True, f"{where} answered; credentials accepted (listing buckets is not allowed)")
        return MinioServerStatus(False, f"{where} refused the request: {exc.code}: {exc.message}")
    except CredentialsUnavailableError as exc:
        return MinioServerStatus(False, f"{where} was not asked: {exc}")
    except (MinioException, urllib3.exceptions.HTTPError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return MinioServerStatus(False, f"{where} is unreachable: {type(reason).__name__}: {reason}")
    return MinioServerStatus(True, f"{where} answered; credentials accepted")

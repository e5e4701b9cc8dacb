"""A server that refuses, never answers, or never completes the handshake: every call fails
clearly within the configured timeouts and bounded retries, and nothing hangs."""

from __future__ import annotations

import concurrent.futures
import io
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from django.core.files.base import ContentFile

from django_minio_backend import MinioBackend, MinioBackendError

from ..s3 import Endpoint, closed_port, silent_port
from .conftest import FAST, SMALL_PARTS, MiB, storage_at
from .faults import connections_to, full_port, full_text


def _write_mode(storage: MinioBackend) -> None:
    with storage.open("w.txt", "wb") as handle:
        handle.write(b"x")


def _ranged_read(storage: MinioBackend) -> bytes:
    handle = storage.open("a.txt")
    handle.seek(10)
    return handle.read(5)


OPERATIONS: dict[str, Callable[[MinioBackend], Any]] = {
    "exists": lambda s: s.exists("a.txt"),
    "size": lambda s: s.size("a.txt"),
    "get_modified_time": lambda s: s.get_modified_time("a.txt"),
    "open+read": lambda s: s.open("a.txt").read(),
    "open+seek+read(5)": _ranged_read,
    "save (small)": lambda s: s.save("a.txt", ContentFile(b"x")),
    "save (multipart)": lambda s: s.save("big.bin", io.BytesIO(bytes(6 * MiB))),
    "open(wb)+close": _write_mode,
    "delete": lambda s: s.delete("a.txt"),
    "listdir": lambda s: s.listdir(""),
}


@contextmanager
def _refused() -> Iterator[int]:
    yield closed_port()


@contextmanager
def _silent() -> Iterator[int]:
    with silent_port() as listener:
        yield listener.getsockname()[1]


FAULTS: dict[str, Callable[[], AbstractContextManager[int]]] = {
    "refused": _refused,  # nothing listens: connection refused
    "silent": _silent,  # accepts, never answers: read timeout
    "no-handshake": full_port,  # accept queue full, SYNs dropped: connect timeout
}


def storage_on(port: int, endpoint: Endpoint, **options: Any) -> MinioBackend:
    return storage_at(f"127.0.0.1:{port}", endpoint, **options)


def timed(operation: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds taken, the exception raised or else the value returned)."""
    started = time.monotonic()
    try:
        outcome = operation()
    except Exception as exc:  # reported and asserted by the caller
        outcome = exc
    return time.monotonic() - started, outcome


@pytest.mark.parametrize("fault", FAULTS)
def test_every_method_fails_clearly_and_nothing_hangs(fault: str, s3_endpoint: Endpoint):
    with FAULTS[fault]() as port:
        storage = storage_on(port, s3_endpoint, **FAST, **SMALL_PARTS)
        # All at once, on one storage: one stuck call cannot hide behind another.
        with concurrent.futures.ThreadPoolExecutor(len(OPERATIONS)) as pool:
            futures = {name: pool.submit(timed, lambda op=op: op(storage)) for name, op in OPERATIONS.items()}
            results = {name: future.result(timeout=60) for name, future in futures.items()}
        results["is_minio_available"] = timed(lambda: storage.is_minio_available(timeout=1.0))
    print(f"\n{fault}: connect timeout {FAST['MINIO_CONNECT_TIMEOUT']}s, read timeout {FAST['MINIO_READ_TIMEOUT']}s")
    for name, (elapsed, outcome) in results.items():
        print(f"  {name:20} {elapsed:5.2f}s  {outcome!r:.110}")
    status = results.pop("is_minio_available")[1]
    endpoint = storage.settings.connection.endpoint
    for name, (_elapsed, exc) in results.items():
        assert isinstance(exc, MinioBackendError), f"{name}: {exc!r}"
        assert "'some-bucket" in str(exc) and endpoint in str(exc), f"{name}: {exc}"
        assert "some-bucket//" not in str(exc)
        assert s3_endpoint.secret_key not in full_text(exc)
    assert not status
    assert "unreachable" in status.details and endpoint in status.details


def test_url_needs_no_server(s3_endpoint: Endpoint):
    assert "X-Amz-Signature=" in storage_on(closed_port(), s3_endpoint).url("a.txt")


def test_a_silent_server_gets_one_attempt_per_call(s3_endpoint: Endpoint):
    """Read timeouts are not retried: each retry would wait a whole read timeout again."""
    with silent_port() as listener:
        storage = storage_on(listener.getsockname()[1], s3_endpoint, **FAST)
        with pytest.raises(MinioBackendError, match="Read timed out"):
            storage.exists("a.txt")
        assert connections_to(listener) == 1


@pytest.mark.default_timeouts
@pytest.mark.parametrize("fault", FAULTS)
def test_default_settings_fail_within_bounded_attempts(fault: str, s3_endpoint: Endpoint):
    """With the default timeouts and retries every fault ends in an error, and a silent
    server is asked once (read timeouts are not retried). The time it took is printed:
    the silent and handshake-less cases wait whole default timeouts (30 s, about 20 s)."""
    with FAULTS[fault]() as port:
        elapsed, exc = timed(lambda: storage_on(port, s3_endpoint).exists("a.txt"))
    print(f"\n{fault}, default settings: exists() failed after {elapsed:.2f}s: {exc}")
    assert isinstance(exc, MinioBackendError)


def test_concurrent_first_saves_share_one_probe_of_a_silent_server(s3_endpoint: Endpoint):
    """The first save asks the server once whether it honours If-None-Match; saves that
    arrive meanwhile wait for that answer instead of each asking again in turn."""
    with silent_port() as listener:
        storage = storage_on(listener.getsockname()[1], s3_endpoint, **FAST)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(timed, lambda i=i: storage.save(f"{i}.txt", ContentFile(b"x"))) for i in range(8)]
            results = [future.result(timeout=60) for future in futures]
        connections = connections_to(listener)
    print("\n" + "\n".join(f"  save {i}: {elapsed:.2f}s" for i, (elapsed, _) in enumerate(results)))
    assert all(isinstance(outcome, MinioBackendError) for _, outcome in results)
    assert connections == 1

"""Helpers any benchmark here can use: a local server with buckets, request counting,
peak memory, generated content, workers in fresh processes, and result tables.

Method, stated once:
- HTTP requests are counted at ``urllib3.connectionpool.HTTPConnectionPool.urlopen``,
  which minio-py and botocore (so boto3 and django-storages) both send every request
  through; a retried request counts again.
- Peak RSS is the high-water mark (``VmHWM``) of a process that does only one operation;
  the growth is that peak minus the RSS just before the operation (after imports and a
  warm-up, with the mark reset). Not ``ru_maxrss``: Linux carries it over from the parent
  through fork and exec, so a child would report its parent's peak.
- Times are medians over rounds; a round's time per call is its total over its count of calls.
- Every library runs from compiled bytecode, as installed from a wheel (``compile_sources``),
  even where ``PYTHONDONTWRITEBYTECODE`` is set.
- A library with an environment of its own (another Python, or a package that has this
  project's import name) runs its workers with that environment's interpreter, in a folder
  where only ``benchmarks`` is importable beside its site-packages.
"""

from __future__ import annotations

import compileall
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import urllib3.connectionpool

if TYPE_CHECKING:  # imported where used: a worker measuring an import must not have it loaded already
    from minio import Minio

MiB = 1024 * 1024
ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "BENCH_"


# The server and its buckets


@dataclass
class Server:
    """Where the benchmark server is; passed to workers through the environment."""

    endpoint: str
    access_key: str
    secret_key: str = field(repr=False)
    bucket: str = "bench"

    def client(self) -> Minio:
        from minio import Minio

        return Minio(self.endpoint, self.access_key, self.secret_key, secure=False, region="us-east-1")

    def environ(self) -> dict[str, str]:
        return {
            ENV_PREFIX + "ENDPOINT": self.endpoint,
            ENV_PREFIX + "ACCESS_KEY": self.access_key,
            ENV_PREFIX + "SECRET_KEY": self.secret_key,
            ENV_PREFIX + "BUCKET": self.bucket,
        }

    @classmethod
    def from_environ(cls) -> Server:
        get = os.environ.__getitem__
        return cls(get("BENCH_ENDPOINT"), get("BENCH_ACCESS_KEY"), get("BENCH_SECRET_KEY"), get("BENCH_BUCKET"))


@contextmanager
def local_server(bucket: str = "bench") -> Iterator[Server]:
    """A fresh SeaweedFS on loopback with one empty bucket, stopped and removed afterwards."""
    from django_minio_backend.localserver import LocalS3Server

    with LocalS3Server() as s3:
        server = Server(s3.endpoint, s3.access_key, s3.secret_key, bucket)
        server.client().make_bucket(bucket, location="us-east-1")
        yield server


def empty_bucket(client: Minio, bucket: str, prefix: str = "") -> None:
    for item in client.list_objects(bucket, prefix=prefix or None, recursive=True):
        client.remove_object(bucket, str(item.object_name))


# Measuring


class RequestCounter:
    """Counts HTTP requests sent through any urllib3 connection pool in this process."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()
        original = urllib3.connectionpool.HTTPConnectionPool.urlopen
        counter = self

        def counting_urlopen(pool: Any, *args: Any, **kwargs: Any) -> Any:
            with counter._lock:
                counter.count += 1
            return original(pool, *args, **kwargs)

        urllib3.connectionpool.HTTPConnectionPool.urlopen = counting_urlopen  # type: ignore[method-assign,assignment]


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise LookupError(field)


def rss_mib() -> float:
    """The current resident set size of this process (Linux)."""
    return _status_mib("VmRSS")


def peak_rss_mib() -> float:
    """The highest resident set size of this process since it started or ``reset_peak()``."""
    return _status_mib("VmHWM")


def reset_peak() -> float:
    """Reset the high-water mark to the current RSS (Linux 4.0+), and return that RSS."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return rss_mib()


class PatternStream(io.RawIOBase):
    """``size`` bytes of a repeating random 1 MiB block, made on demand, never held whole; seekable."""

    BLOCK = os.urandom(MiB)

    def __init__(self, size: int):
        self.size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        start = self._pos % MiB
        count = max(0, min(len(buffer), self.size - self._pos, MiB - start))
        memoryview(buffer).cast("B")[:count] = self.BLOCK[start : start + count]
        self._pos += count
        return count


def generated_file(size: int) -> io.BufferedReader:
    """A seekable binary file of ``size`` generated bytes whose reads return what they ask for."""
    return io.BufferedReader(PatternStream(size), buffer_size=64 * 1024)


# Workers: one process per measurement


def compile_sources() -> None:
    """Write the bytecode of this project's package, as a wheel install would."""
    compileall.compile_dir(ROOT / "django_minio_backend", quiet=1)


@contextmanager
def benchmarks_only() -> Iterator[Path]:
    """A folder where ``benchmarks`` is importable and this project's package is not."""
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        (Path(folder) / "benchmarks").symlink_to(ROOT / "benchmarks")
        yield Path(folder)


def run_worker(
    module: str, args: list[str], server: Server, python: str | None = None, timeout: float = 900
) -> dict[str, Any]:
    """Run ``python -m module *args`` in a fresh process; it prints one JSON object last.

    ``python`` is another environment's interpreter: the worker then sees ``benchmarks`` only,
    not this project's package, so that environment's packages are the ones imported."""
    with ExitStack() as stack:
        folder = ROOT if python is None else stack.enter_context(benchmarks_only())
        env = dict(os.environ, **server.environ(), PYTHONPATH=str(folder))
        result = subprocess.run(  # noqa: S603 - our own module, with our own arguments
            [python or sys.executable, "-m", module, *args],
            cwd=folder, env=env, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1]}
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def report(values: dict[str, Any]) -> None:
    """What a worker prints last, for ``run_worker``."""
    print(json.dumps(values), flush=True)


def configure_django(**settings: Any) -> None:
    """Minimal Django settings for a worker process."""
    import django
    from django.conf import settings as django_settings

    django_settings.configure(USE_TZ=True, SECRET_KEY="benchmarks-only", **settings)  # noqa: S106
    django.setup()


# Tables


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def format_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"

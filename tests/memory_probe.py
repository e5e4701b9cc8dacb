"""Run alone in a process: save then read a large generated file; print peak RSS growth in MiB.

Usage: python -m tests.memory_probe SIZE_MIB  (MINIO_* connection in the environment)
"""

from __future__ import annotations

import hashlib
import io
import os
import resource
import sys

import django
from django.conf import settings


class Generated(io.RawIOBase):
    """``size`` bytes of a repeating pattern, produced on demand, never held whole."""

    def __init__(self, size: int):
        self._left = size
        self._block = os.urandom(1024 * 1024)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self._left, len(self._block))
        buffer[:count] = self._block[:count]
        self._left -= count
        return count


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    size = int(sys.argv[1]) * 1024 * 1024
    settings.configure(
        USE_TZ=True,
        MINIO_ENDPOINT=os.environ["MINIO_ENDPOINT"],
        MINIO_ACCESS_KEY=os.environ["MINIO_ACCESS_KEY"],
        MINIO_SECRET_KEY=os.environ["MINIO_SECRET_KEY"],
        MINIO_USE_HTTPS=os.environ.get("MINIO_USE_HTTPS") == "1",
    )
    django.setup()
    from django.core.files.base import File

    from django_minio_backend import MinioBackend

    storage = MinioBackend(os.environ["MINIO_BUCKET"])
    storage.exists("warm-up")  # build the client before measuring
    baseline = peak_mib()
    name = storage.save("memory-probe.bin", File(io.BufferedReader(Generated(size)), "memory-probe.bin"))
    after_save = peak_mib()
    digest = hashlib.sha256()
    read = 0
    with storage.open(name) as handle:
        for chunk in handle.chunks():
            digest.update(chunk)
            read += len(chunk)
    after_read = peak_mib()
    print(f"{after_save - baseline:.1f} {after_read - baseline:.1f} {read}")


if __name__ == "__main__":
    main()

"""Run alone in a process: save, or read back, a large generated file; print the peak RSS growth.

Usage: python -m tests.memory_probe save|chunks|read-1m SIZE_MIB  (MINIO_* connection in the environment)
Prints "GROWTH_MIB BYTES" (BYTES: how many were read; 0 for save).

The peak is the kernel's high-water mark (VmHWM), reset just before the operation. Not
``ru_maxrss``: Linux carries it over from the parent process, so it would show pytest's peak.
Each operation runs in its own process, so memory freed by one cannot hide the other's.
"""

from __future__ import annotations

import io
import os
import sys

import django
from django.conf import settings

NAME = "memory-probe.bin"


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


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def reset_peak() -> float:
    """Reset the high-water mark to the current RSS; return that RSS in MiB."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return _status_mib("VmRSS")


def main() -> None:
    operation, size = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
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

    storage = MinioBackend(os.environ["MINIO_BUCKET"], allow_overwrite=True)
    storage.exists("warm-up")  # build the client before measuring
    read = 0
    baseline = reset_peak()
    if operation == "save":
        storage.save(NAME, File(io.BufferedReader(Generated(size)), NAME))
    elif operation == "chunks":
        with storage.open(NAME) as handle:
            for chunk in handle.chunks():
                read += len(chunk)
    else:  # read-1m
        with storage.open(NAME) as handle:
            while piece := handle.read(1024 * 1024):
                read += len(piece)
    print(f"{_status_mib('VmHWM') - baseline:.1f} {read}")


if __name__ == "__main__":
    main()

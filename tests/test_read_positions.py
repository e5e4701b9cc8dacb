"""Exact positions: an open file answers read, seek, tell and size as ``io.BytesIO`` does.

A fuzz test with a fixed seed runs random operations on objects of awkward sizes (empty,
one byte, around the read buffer and the streaming threshold, across multipart part
boundaries) and compares every answer with ``io.BytesIO`` over the same bytes.
"""

from __future__ import annotations

import io
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile

from django_minio_backend import MinioBackend
from django_minio_backend.files import READ_BUFFER, STREAM_READ

MiB = 1024 * 1024
PART = 5 * MiB  # the smallest part S3 allows, so a 10 MiB object has part boundaries to cross
SIZES = [0, 1, READ_BUFFER - 1, READ_BUFFER, READ_BUFFER + 1, 3 * READ_BUFFER + 7, STREAM_READ + 1, 2 * PART + 3]
RUNS, OPERATIONS_PER_RUN = 10, 24  # 240 operations on each object, 1,920 in all


@pytest.fixture
def small_parts_storage(bucket: str) -> MinioBackend:
    return MinioBackend(bucket, MINIO_MULTIPART_THRESHOLD=PART, MINIO_MULTIPART_PART_SIZE=PART)


@dataclass(frozen=True)
class Operation:
    """One call that works on both an open file and a ``BytesIO``; ``seek`` is its (offset, whence)."""

    label: str
    call: Callable[[Any], Any]
    seek: tuple[int, int] | None = None

    def refused(self, position: int, size: int) -> bool:
        """Whether it seeks before the start (which ``BytesIO`` clamps to 0 and a file refuses)."""
        if self.seek is None:
            return False
        offset, whence = self.seek
        return offset + (0, position, size)[whence] < 0


def _size(f: Any) -> int:
    return len(f.getbuffer()) if isinstance(f, io.BytesIO) else int(f.size)


def _readinto(n: int) -> Callable[[Any], Any]:
    def call(f: Any) -> tuple[int, bytes]:
        buffer = bytearray(n)
        return f.readinto(buffer), bytes(buffer)

    return call


def _random_operation(rng: random.Random, size: int) -> Operation:
    kind = rng.choice(["read", "read", "read", "readinto", "readline", "seek", "seek", "tell", "size"])
    if kind in ("read", "readinto", "readline"):
        sizes = [-1, 0, 1, rng.randint(1, 100), rng.randint(1, 3 * READ_BUFFER), rng.randint(1, 2 * STREAM_READ)]
        n = rng.choice(sizes)
        if kind == "readinto":
            return Operation(f"readinto({max(n, 0)})", _readinto(max(n, 0)))
        return Operation(f"{kind}({n})", lambda f: getattr(f, kind)(n))
    if kind == "seek":
        whence = rng.choice([io.SEEK_SET, io.SEEK_CUR, io.SEEK_END])
        offset = rng.randint(-size - 2, size + 2 * READ_BUFFER) if whence else rng.randint(0, size + 100_000)
        return Operation(f"seek({offset}, {whence})", lambda f: f.seek(offset, whence), (offset, whence))
    if kind == "tell":
        return Operation("tell()", lambda f: f.tell())
    return Operation("size", _size)


@pytest.mark.parametrize("size", SIZES)
def test_random_operations_answer_as_bytesio_does(small_parts_storage: MinioBackend, size: int):
    """Short runs, each on a newly opened file: the first requests (nothing known yet) matter most."""
    rng = random.Random(8193 + size)
    data = rng.randbytes(size)
    name = small_parts_storage.save(f"fuzz-{size}.bin", ContentFile(data))
    for _ in range(RUNS):
        expected = io.BytesIO(data)
        history: list[str] = []
        with small_parts_storage.open(name) as handle:
            for _ in range(OPERATIONS_PER_RUN):
                operation = _random_operation(rng, size)
                history.append(operation.label)
                if operation.refused(expected.tell(), size):
                    with pytest.raises(ValueError, match="negative seek position"):
                        operation.call(handle)
                else:
                    assert operation.call(handle) == operation.call(expected), history
                assert handle.tell() == expected.tell(), history
            assert b"".join(handle.chunks(chunk_size=READ_BUFFER + 1)) == data
            assert handle.tell() == handle.size == size


def test_peek_and_read1_on_the_stream(storage: MinioBackend):
    data = os.urandom(3 * READ_BUFFER)
    name = storage.save("peek.bin", ContentFile(data))
    with storage.open(name) as handle:
        stream = handle.file
        handle.seek(100)
        peeked = stream.peek(1)
        assert peeked and data[100:].startswith(peeked) and handle.tell() == 100
        assert stream.read1(50) == data[100:150]
        assert stream.read1(0) == b""
        handle.seek(len(data) + 5)
        assert stream.peek() == b"" and stream.read1(10) == b"" and handle.tell() == len(data) + 5


def test_a_read_past_the_end_leaves_the_size_alone(storage: MinioBackend):
    data = os.urandom(8193)
    name = storage.save("short.bin", ContentFile(data))
    with storage.open(name) as handle:
        handle.seek(100_000)
        assert handle.read(10) == b""
        assert handle.tell() == 100_000
        assert handle.seek(0, io.SEEK_END) == 8193
        assert handle.size == 8193
        assert handle.seek(-3, io.SEEK_END) == 8190 and handle.read() == data[-3:]


def test_lines_of_a_text_file(storage: MinioBackend):
    text = "".join(f"line {i}: {'é' * (i % 7)}\n" for i in range(3000))
    name = storage.save("lines.txt", ContentFile(text.encode()))
    with storage.open(name, "r") as handle:
        assert handle.readline() == "line 0: \n"
        assert handle.read() == text[len("line 0: \n") :]
    with storage.open(name, "rb") as handle:
        assert list(handle.file) == text.encode().splitlines(keepends=True)


def test_a_closed_file_refuses_reads_and_seeks(storage: MinioBackend):
    name = storage.save("closed.bin", ContentFile(b"closed"))
    handle = storage.open(name)
    handle.close()
    for operation in (handle.file.read, handle.file.tell, lambda: handle.file.seek(0)):
        with pytest.raises(ValueError, match="closed file"):
            operation()

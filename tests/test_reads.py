"""Reading: lazy open, ranged reads that fetch only what is asked, sequential reads and
Django's responses streamed by one GET, bytes exactly as stored."""

from __future__ import annotations

import gzip
import io
import os

from django.core.files.base import ContentFile
from django.core.files.images import get_image_dimensions
from django.http import FileResponse, StreamingHttpResponse
from minio import Minio

from django_minio_backend import MinioBackend
from django_minio_backend.files import STREAM_READ

from .s3 import CountingPoolManager

MiB = 1024 * 1024


def noisy_png(width: int, height: int) -> bytes:
    """A real PNG of random pixels: it barely compresses, so it is large."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_open_sends_no_request_until_read(counted_storage: MinioBackend, counter: CountingPoolManager):
    counted_storage.save("lazy.txt", ContentFile(b"lazy"))
    counter.reset()
    handle = counted_storage.open("lazy.txt")
    assert counter.requests == []
    assert handle.read() == b"lazy"
    assert counter.methods() == ["GET"]


def test_seek_and_read_fetches_only_a_small_range(counted_storage: MinioBackend, counter: CountingPoolManager):
    data = os.urandom(8 * MiB)
    counted_storage.save("big.bin", ContentFile(data))
    counter.reset()
    with counted_storage.open("big.bin") as handle:
        handle.seek(5 * MiB)
        assert handle.read(100) == data[5 * MiB : 5 * MiB + 100]
    assert counter.methods() == ["GET"]
    request = counter.requests[0]
    assert request.headers["Range"].startswith(f"bytes={5 * MiB}-")
    assert request.response_length is not None and request.response_length <= 64 * 1024


def test_reading_from_the_end_and_size_of_an_open_file(counted_storage: MinioBackend, counter):
    data = os.urandom(100_000)
    counted_storage.save("tail.bin", ContentFile(data))
    with counted_storage.open("tail.bin") as handle:
        handle.seek(-10, io.SEEK_END)
        assert handle.read() == data[-10:]
        assert handle.size == 100_000


def _stored(storage: MinioBackend, counter: CountingPoolManager, name: str, size: int = 40 * MiB) -> bytes:
    """Store ``size`` random bytes under ``name``, then forget the requests that took."""
    data = os.urandom(size)
    storage.save(name, ContentFile(data))
    counter.reset()
    return data


def test_chunks_stream_a_large_object_in_one_request(counted_storage: MinioBackend, counter):
    data = _stored(counted_storage, counter, "stream.bin")
    with counted_storage.open("stream.bin") as handle:
        assert b"".join(handle.chunks(chunk_size=64 * 1024)) == data
        assert handle.tell() == len(data)
        assert handle.size == len(data)
    assert counter.methods() == ["GET"]
    assert counter.requests[0].response_length == len(data)


def _read_in_pieces(handle, size: int) -> bytes:
    received = bytearray()
    while piece := handle.read(size):
        received += piece
    return bytes(received)


def test_large_sequential_reads_stream_in_one_request(counted_storage: MinioBackend, counter):
    data = _stored(counted_storage, counter, "sequential.bin")
    with counted_storage.open("sequential.bin") as handle:
        assert _read_in_pieces(handle, 1024 * 1024) == data
    assert counter.methods() == ["GET"]
    assert counter.requests[0].response_length == len(data)


def test_small_sequential_reads_double_their_window_then_stream(counted_storage: MinioBackend, counter):
    data = _stored(counted_storage, counter, "sequential.bin")
    with counted_storage.open("sequential.bin") as handle:
        assert _read_in_pieces(handle, 64 * 1024) == data
    lengths = [r.response_length for r in counter.requests]
    assert counter.methods() == ["GET"] * 3
    assert lengths == [64 * 1024, 128 * 1024, len(data) - 192 * 1024]  # then STREAM_READ: to the end
    assert 2 * lengths[1] == STREAM_READ


def test_file_response_streams_a_large_object_with_its_exact_length(counted_storage: MinioBackend, counter):
    data = _stored(counted_storage, counter, "served.bin")
    with counted_storage.open("served.bin") as handle:
        response = FileResponse(handle)
        assert response["Content-Length"] == str(len(data))
        assert b"".join(response.streaming_content) == data
    assert counter.methods()[0] == "HEAD"  # the length, before any byte
    gets = counter.requests[1:]
    assert len(gets) <= 7 and all(r.method == "GET" for r in gets)
    assert sum(r.response_length or 0 for r in gets) == len(data)  # no byte fetched twice


def test_streaming_response_over_chunks_is_one_request(counted_storage: MinioBackend, counter):
    data = _stored(counted_storage, counter, "streamed.bin")
    with counted_storage.open("streamed.bin") as handle:
        assert b"".join(StreamingHttpResponse(handle.chunks()).streaming_content) == data
    assert counter.methods() == ["GET"]


def test_an_object_stored_with_a_content_encoding_reads_as_stored(storage: MinioBackend, s3_client: Minio, bucket):
    """A gzip-encoded object (precompressed static files) reads as its stored bytes, not inflated:
    sizes and positions are those of the stored bytes."""
    stored = gzip.compress(b"body { color: red }\n" * 5000)
    s3_client.put_object(bucket, "site.css", io.BytesIO(stored), len(stored), metadata={"Content-Encoding": "gzip"})
    with storage.open("site.css") as handle:
        assert handle.read() == stored and handle.size == len(stored)
        handle.seek(10)
        assert handle.read(20) == stored[10:30]
        assert b"".join(handle.chunks()) == stored


def test_chunks_start_from_the_beginning_after_a_read(storage: MinioBackend):
    storage.save("twice.txt", ContentFile(b"0123456789"))
    with storage.open("twice.txt") as handle:
        assert handle.read(4) == b"0123"
        assert b"".join(handle.chunks(chunk_size=3)) == b"0123456789"
        assert handle.read() == b""
        handle.seek(5)
        assert handle.read() == b"56789"


def test_image_dimensions_read_only_the_header(counted_storage: MinioBackend, counter):
    image = noisy_png(1600, 1200)
    assert len(image) > 5 * MiB
    counted_storage.save("photo.png", ContentFile(image))
    counter.reset()
    with counted_storage.open("photo.png") as handle:
        assert get_image_dimensions(handle) == (1600, 1200)
    fetched = sum(r.response_length or 0 for r in counter.requests)
    assert fetched < 256 * 1024, fetched


def test_reopen_rewinds(storage: MinioBackend):
    storage.save("again.txt", ContentFile(b"again"))
    handle = storage.open("again.txt")
    assert handle.read() == b"again"
    handle.close()
    handle.open()
    assert handle.read() == b"again"


def test_reading_past_the_end_returns_nothing(storage: MinioBackend):
    storage.save("short.txt", ContentFile(b"short"))
    with storage.open("short.txt") as handle:
        handle.seek(1000)
        assert handle.read(10) == b""
        handle.seek(2)
        assert handle.read(100) == b"ort"

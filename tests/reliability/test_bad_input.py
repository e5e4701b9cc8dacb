"""Bad input: every name either round-trips exactly (or as its documented normal form), or is
refused with SuspiciousFileOperation before any request (tests/test_storage.py lists those); a
source that fails mid-read leaves nothing behind."""

from __future__ import annotations

import io
import os
import unicodedata

import pytest
from django.core.files.base import ContentFile, File
from minio import Minio

from django_minio_backend import MinioBackend, s3api

from ..s3 import CountingPoolManager, stored_keys
from ..test_storage import NonSeekable
from .conftest import SMALL_PARTS, MiB

ODD_NAMES = [
    "tab\there.txt",
    "new\nline.txt",
    "carriage\rreturn.txt",
    "ctl\x01\x7f.txt",
    "trailing space ",
    " leading.txt",
    "x/ /y.txt",
    "emoji😀.txt",
    "pct%2Fslash%00.txt",
    "q?x=1&y=2#frag",
    '~tilde/*star/<>:"|.txt',
    "\u202eevil.txt.exe",  # right-to-left override
    "\ufeffbom.txt",
    "...",
    "a/....txt",
    "dir/.hidden",
    ("d" * 200 + "/") * 5 + "x" * 19,  # exactly S3's 1024-byte limit
]


@pytest.mark.parametrize("name", ODD_NAMES, ids=repr)
def test_odd_names_round_trip_exactly(storage: MinioBackend, s3_client: Minio, name: str):
    data = name.encode()
    assert storage.save(name, ContentFile(data)) == name
    assert storage.exists(name) and storage.size(name) == len(data)
    assert storage.open(name).read() == data
    assert stored_keys(s3_client, storage.bucket) == [name]
    storage.delete(name)
    assert not storage.exists(name)


@pytest.mark.parametrize(
    ("name", "key"), [("a/./b.txt", "a/b.txt"), ("./c.txt", "c.txt"), ("a//b.txt", "a/b.txt"), ("a\\.\\b", "a/b")]
)
def test_dot_and_empty_segments_are_dropped(storage: MinioBackend, s3_client: Minio, name: str, key: str):
    """HTTP clients normalise ``/./`` in URLs and some servers ``//``: such keys cannot be stored as written."""
    assert storage.save(name, ContentFile(b"x")) == key
    assert storage.open(name).read() == storage.open(key).read() == b"x"
    assert stored_keys(s3_client, storage.bucket) == [key]
    directory, _, file_name = key.rpartition("/")
    assert storage.listdir(directory) == storage.listdir(f"./{directory}//") == ([], [file_name])


def test_nfc_and_nfd_spellings_are_two_objects(storage: MinioBackend):
    nfc, nfd = unicodedata.normalize("NFC", "café.txt"), unicodedata.normalize("NFD", "café.txt")
    assert nfc != nfd
    assert storage.save(nfc, ContentFile(b"composed")) == nfc
    assert storage.save(nfd, ContentFile(b"decomposed")) == nfd
    assert storage.open(nfc).read() == b"composed" and storage.open(nfd).read() == b"decomposed"
    assert sorted(storage.listdir("")[1]) == sorted([nfc, nfd])


def test_zero_bytes_from_a_pipe(storage: MinioBackend):
    name = storage.save("empty.bin", File(NonSeekable(b""), "empty.bin"))
    assert storage.size(name) == 0 and storage.open(name).read() == b""


def test_large_save_from_a_pipe_to_a_taken_name(bucket: str):
    storage = MinioBackend(bucket, **SMALL_PARTS)
    storage.save("big.bin", ContentFile(b"original"))
    data = os.urandom(6 * MiB)
    name = storage.save("big.bin", File(NonSeekable(data, chunk=MiB), "big.bin"))
    assert name != "big.bin"
    assert storage.open("big.bin").read() == b"original" and storage.open(name).read() == data


class FailingSource(io.RawIOBase):
    """Yields ``good`` bytes, then raises like a dropped client connection would."""

    def __init__(self, good: int):
        super().__init__()
        self._left = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._left <= 0:
            raise ConnectionResetError("upload source broke mid-read")
        count = min(len(buffer), self._left, MiB)
        buffer[:count] = b"x" * count
        self._left -= count
        return count


@pytest.mark.parametrize(("good", "requests"), [(1000, 0), (12 * MiB, None)], ids=["small", "multipart"])
def test_a_source_failing_mid_read_leaves_nothing_behind(bucket: str, s3_client: Minio, good: int, requests):
    counter = CountingPoolManager()
    storage = MinioBackend(bucket, MINIO_HTTP_CLIENT=counter, **SMALL_PARTS)
    with pytest.raises(ConnectionResetError, match="mid-read"):  # the source's own error, unchanged
        storage.save("partial.bin", File(FailingSource(good), "partial.bin"))
    if requests is not None:
        assert len(counter.requests) == requests  # small content is read whole before any request
    else:
        assert counter.methods()[-1] == "DELETE"  # the multipart upload was aborted
    assert stored_keys(s3_client, bucket) == []
    assert list(s3api.list_multipart_uploads(s3_client, bucket)) == []

"""The Django Storage contract against the real server."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import threading

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from minio import Minio

from django_minio_backend import MinioBackend

from .reliability.conftest import SMALL_PARTS, MiB
from .s3 import CountingPoolManager


class NonSeekable(io.RawIOBase):
    """A stream of unknown size that cannot seek, like a pipe or a socket."""

    def __init__(self, data: bytes, chunk: int = 4096):
        self._data = io.BytesIO(data)
        self._chunk = chunk

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:
        data = self._data.read(min(len(buffer), self._chunk))
        buffer[: len(data)] = data
        return len(data)


def test_save_open_read_round_trip(storage: MinioBackend, s3_client: Minio):
    name = storage.save("docs/report.pdf", ContentFile(b"%PDF-1.7 content"))
    assert name == "docs/report.pdf"
    with storage.open(name) as handle:
        assert handle.read() == b"%PDF-1.7 content"
    stat = s3_client.stat_object(storage.bucket, name)
    assert stat.content_type == "application/pdf"


def test_str_content_is_saved_as_utf8(storage: MinioBackend):
    name = storage.save("text.txt", ContentFile("grüße ✓"))
    assert storage.open(name).read() == "grüße ✓".encode()


def test_upload_content_type_wins_then_guess_then_octet_stream(storage: MinioBackend, s3_client: Minio):
    upload = SimpleUploadedFile("photo.bin", b"\x89PNG", content_type="image/png")
    first = storage.save("photo.bin", upload)
    second = storage.save("style.css", ContentFile(b"body{}"))
    third = storage.save("blob.unknownext", ContentFile(b"?"))
    types = [s3_client.stat_object(storage.bucket, n).content_type for n in (first, second, third)]
    assert types == ["image/png", "text/css", "application/octet-stream"]


@pytest.mark.parametrize(
    ("name", "declared", "stored"),
    [
        ("avatar.png", "text/html", "image/png"),
        ("notes", "text/html", "application/octet-stream"),
        ("cv.pdf", "image/svg+xml", "application/pdf"),
        ("photo.jpg", "application/rss+xml", "image/jpeg"),
        ("data.csv", "application/javascript", "text/csv"),
        ("page.html", "text/html; charset=utf-8", "text/html; charset=utf-8"),
        ("logo.svg", "image/svg+xml", "image/svg+xml"),
    ],
)
def test_a_declared_type_that_runs_scripts_needs_a_name_that_agrees(
    storage: MinioBackend, s3_client: Minio, name: str, declared: str, stored: str
):
    saved = storage.save(name, SimpleUploadedFile(name, b"<script>alert(1)</script>", content_type=declared))
    assert s3_client.stat_object(storage.bucket, saved).content_type == stored


def test_non_seekable_content_of_unknown_size(storage: MinioBackend):
    data = os.urandom(300_000)
    name = storage.save("stream.bin", File(NonSeekable(data), "stream.bin"))
    assert storage.open(name).read() == data


def test_plain_file_object_without_chunks(storage: MinioBackend):
    name = storage.save("plain.bin", io.BytesIO(b"plain"))
    assert storage.open(name).read() == b"plain"


@pytest.mark.parametrize("seekable", [True, False])
def test_multipart_upload_above_threshold(bucket: str, seekable: bool):
    counter = CountingPoolManager()
    storage = MinioBackend(bucket, MINIO_HTTP_CLIENT=counter, **SMALL_PARTS)
    data = os.urandom(12 * MiB + 123)
    source = io.BytesIO(data) if seekable else NonSeekable(data, chunk=1 * MiB)
    name = storage.save("big.bin", File(source, "big.bin"))
    uploads = [r for r in counter.requests if r.method == "PUT" and "partNumber=" in r.url]
    assert len(uploads) == 3  # 5 + 5 + 2 MiB
    assert hashlib.sha256(storage.open(name).read()).digest() == hashlib.sha256(data).digest()


def test_small_save_is_one_request_after_the_one_time_probe(counted_storage: MinioBackend, counter):
    counted_storage.save("warm-up.txt", ContentFile(b"x"))  # probes conditional-write support once
    counter.reset()
    counted_storage.save("one.txt", ContentFile(b"1"))
    assert counter.methods() == ["PUT"]
    assert counter.requests[0].headers.get("If-None-Match") == "*"


def test_second_save_of_a_name_gets_an_alternative_name(storage: MinioBackend):
    first = storage.save("dir/same.tar.gz", ContentFile(b"first"))
    second = storage.save("dir/same.tar.gz", ContentFile(b"second"))
    assert first == "dir/same.tar.gz"
    assert second != first and second.startswith("dir/same_") and second.endswith(".tar.gz")
    assert storage.open(first).read() == b"first"
    assert storage.open(second).read() == b"second"


def test_alternative_names_respect_max_length(storage: MinioBackend):
    storage.save("abcdefghij.txt", ContentFile(b"1"))
    second = storage.save("abcdefghij.txt", ContentFile(b"2"), max_length=14)
    assert len(second) <= 14 and second != "abcdefghij.txt"
    assert storage.open(second).read() == b"2"


def test_large_save_to_a_taken_name_gets_an_alternative(bucket: str):
    storage = MinioBackend(bucket, **SMALL_PARTS)
    storage.save("big.bin", ContentFile(b"small original"))
    data = os.urandom(6 * MiB)
    name = storage.save("big.bin", ContentFile(data))
    assert name != "big.bin"
    assert storage.open("big.bin").read() == b"small original"
    assert storage.open(name).read() == data


@pytest.mark.parametrize("flag", ["replace_existing", "allow_overwrite"])
def test_overwrite_flags_replace_in_place_with_a_single_put(bucket: str, flag: str):
    counter = CountingPoolManager()
    storage = MinioBackend(bucket, MINIO_HTTP_CLIENT=counter, **{flag: True})
    storage.save("same.txt", ContentFile(b"old"))
    counter.reset()
    assert storage.save("same.txt", ContentFile(b"new")) == "same.txt"
    assert counter.methods() == ["PUT"]
    assert "If-None-Match" not in counter.requests[0].headers
    assert storage.open("same.txt").read() == b"new"


def test_concurrent_saves_of_one_name_never_overwrite(storage: MinioBackend):
    results: list[str] = []
    errors: list[BaseException] = []

    def save(index: int) -> None:
        try:
            results.append(storage.save("race.txt", ContentFile(f"writer {index}".encode())))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 12
    contents = {storage.open(name).read() for name in results}
    assert contents == {f"writer {i}".encode() for i in range(12)}


def test_exists_size_delete(storage: MinioBackend):
    name = storage.save("sized.bin", ContentFile(b"12345"))
    assert storage.exists(name)
    assert storage.size(name) == 5
    storage.delete(name)
    assert not storage.exists(name)
    storage.delete(name)  # deleting a missing object is not an error


def test_open_missing_raises_file_not_found(storage: MinioBackend):
    handle = storage.open("missing.txt")  # lazy: no request yet
    with pytest.raises(FileNotFoundError, match=r"missing\.txt"):
        handle.read()
    with pytest.raises(FileNotFoundError):
        storage.size("missing.txt")
    with pytest.raises(FileNotFoundError):
        storage.get_modified_time("missing.txt")


def test_listdir_is_one_level_deep(storage: MinioBackend):
    for name in ("a.txt", "b.txt", "sub/c.txt", "sub/deeper/d.txt", "other/e.txt"):
        storage.save(name, ContentFile(b"x"))
    directories, files = storage.listdir("")
    assert sorted(directories) == ["other", "sub"] and sorted(files) == ["a.txt", "b.txt"]
    assert storage.listdir("sub") == (["deeper"], ["c.txt"])
    assert storage.listdir("sub/") == (["deeper"], ["c.txt"])
    assert storage.listdir("//sub/./") == storage.listdir("/sub") == (["deeper"], ["c.txt"])  # empty segments go
    assert storage.listdir("nothing-here") == ([], [])


def test_modified_time_is_aware_utc_with_use_tz(storage: MinioBackend):
    before = timezone.now().replace(microsecond=0) - datetime.timedelta(seconds=2)
    name = storage.save("when.txt", ContentFile(b"x"))
    modified = storage.get_modified_time(name)
    assert modified.tzinfo is not None and modified.utcoffset() == datetime.timedelta(0)
    assert before <= modified <= timezone.now() + datetime.timedelta(seconds=2)


def test_modified_time_is_naive_local_without_use_tz(storage: MinioBackend):
    name = storage.save("when.txt", ContentFile(b"x"))
    aware = storage.get_modified_time(name)
    with override_settings(USE_TZ=False, TIME_ZONE="Asia/Kolkata"):
        naive = storage.get_modified_time(name)
    assert naive.tzinfo is None
    assert naive - aware.replace(tzinfo=None) == datetime.timedelta(hours=5, minutes=30)


def test_path_is_not_implemented(storage: MinioBackend):
    with pytest.raises(NotImplementedError):
        storage.path("a.txt")


def test_write_mode_uploads_on_close(storage: MinioBackend):
    with storage.open("written.txt", "wb") as handle:
        handle.write(b"hello ")
        handle.write(b"world")
    assert storage.open("written.txt").read() == b"hello world"
    with storage.open("written.txt", "w") as handle:  # replaces, like open(..., "w")
        handle.write("ünïcode")
    assert storage.open("written.txt").read() == "ünïcode".encode()
    assert storage.open("written.txt", "r").read() == "ünïcode"


def test_exclusive_write_mode_refuses_an_existing_object(storage: MinioBackend):
    storage.save("taken.txt", ContentFile(b"original"))
    handle = storage.open("taken.txt", "xb")
    handle.write(b"intruder")
    with pytest.raises(FileExistsError):
        handle.close()
    assert storage.open("taken.txt").read() == b"original"


def test_failed_with_block_uploads_nothing(storage: MinioBackend):
    with pytest.raises(RuntimeError), storage.open("half.txt", "wb") as handle:
        handle.write(b"half")
        raise RuntimeError("interrupted")
    assert not storage.exists("half.txt")


def test_unsupported_mode_is_a_clear_error(storage: MinioBackend):
    with pytest.raises(ValueError, match="mode 'a'"):
        storage.open("x.txt", "a")


@pytest.mark.parametrize(
    "name",
    [
        "with space.txt",
        "hash#tag.txt",
        "question?.txt",
        "percent%20.txt",
        "plus+sign.txt",
        "amp&er.txt",
        "ünïcödé.txt",
        "e\u0301-nfd.txt",
        "日本語/ファイル.txt",
        "semi;colon=eq.txt",
    ],
)
def test_unusual_names_round_trip_exactly(storage: MinioBackend, name: str):
    stored = storage.save(name, ContentFile(name.encode()))
    assert stored == name
    assert storage.exists(name)
    assert storage.open(name).read() == name.encode()
    _directory, files = storage.listdir(os.path.dirname(name))
    assert os.path.basename(name) in files


@pytest.mark.parametrize(
    "name",
    [
        *["", ".", "..", "/etc/passwd", "../escape.txt", "a/../../b.txt", "dir/", "a\x00b.txt", "x" * 1025],
        *["..\\evil.txt", "a\\..\\..\\b.txt", "\\\\server\\share.txt", "sur\ud800rogate.txt", "é" * 513, "/", "a/./"],
        *["dir\\", "a/.", "a\\.", "a//"],
    ],
)
def test_dangerous_names_are_refused_before_any_request(bucket: str, name: str):
    counter = CountingPoolManager()
    storage = MinioBackend(bucket, MINIO_HTTP_CLIENT=counter)
    for call in (
        lambda: storage.save(name, ContentFile(b"x")),
        lambda: storage.open(name).read(),
        lambda: storage.open(name, "wb"),
        *([] if name == "" else [lambda: storage.exists(name)]),  # the root exists (test_storage_contract.py)
        lambda: storage.delete(name),
        lambda: storage.size(name),
        lambda: storage.url(name),
    ):
        with pytest.raises(SuspiciousFileOperation):
            call()
    with pytest.raises(SuspiciousFileOperation):
        storage.listdir("../up")
    assert counter.requests == []


def test_backslashes_become_slashes(storage: MinioBackend):
    assert storage.save("win\\path.txt", ContentFile(b"x")) == "win/path.txt"
    assert storage.open("win/path.txt").read() == b"x"


def test_zero_byte_file(storage: MinioBackend):
    name = storage.save("empty.txt", ContentFile(b""))
    assert storage.size(name) == 0
    assert storage.open(name).read() == b""
    assert list(storage.open(name).chunks()) == []

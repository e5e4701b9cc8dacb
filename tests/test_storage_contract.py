"""Django's Storage contract to the letter: save() is Django's flow, and the hooks it documents
(``get_available_name``, ``get_alternative_name``, ``_save``) are honoured by subclasses.

The first tests are Django's own storage-contract tests (tests/file_storage in Django's
repository), written again for MinioBackend against the real server.
"""

from __future__ import annotations

import copy
import io
import os
import pathlib
import pickle
import posixpath
import threading

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from minio import Minio

from django_minio_backend import MinioBackend, MinioBackendStatic, MinioManifestStaticStorage
from django_minio_backend.names import S3_MAX_KEY_BYTES
from django_minio_backend.storage import MAX_ALTERNATIVES

from .s3 import CountingPoolManager, stored_keys


class NumberingStorage(MinioBackend):
    """Django's own example of a custom ``get_available_name()``: numbers, not random suffixes."""

    def get_available_name(self, name, max_length=None):
        root, extension = os.path.splitext(name)
        number = 2
        while self.exists(name):
            name = f"{root}.{number}{extension}"
            number += 1
        return name


class OverwriteStorage(MinioBackend):
    """The recipe 2.x-4.x users copy: delete what is there, then save under the same name."""

    def get_available_name(self, name, max_length=None):
        if self.exists(name):
            self.delete(name)
        return name


def stored(client: Minio, bucket: str) -> list[str]:
    return sorted(stored_keys(client, bucket))


def test_a_custom_get_available_name_decides_the_name(bucket: str):
    storage = NumberingStorage(bucket)
    assert storage.save("custom_storage", ContentFile(b"custom contents")) == "custom_storage"
    assert storage.save("custom_storage", ContentFile(b"more contents")) == "custom_storage.2"
    assert storage.save("custom_storage", ContentFile(b"third")) == "custom_storage.3"
    assert storage.open("custom_storage.2").read() == b"more contents"


def test_the_overwrite_recipe_replaces_the_object_under_the_same_name(bucket: str, s3_client: Minio):
    storage = OverwriteStorage(bucket)
    assert storage.save("avatar.png", ContentFile(b"old")) == "avatar.png"
    assert storage.save("avatar.png", ContentFile(b"new")) == "avatar.png"
    assert storage.open("avatar.png").read() == b"new"
    assert stored(s3_client, bucket) == ["avatar.png"]


@pytest.mark.parametrize("unsafe", ["/etc/passwd", "../escape.txt", "a/../../b.txt", "dir/", ""])
def test_the_name_get_available_name_returns_is_validated(bucket: str, s3_client: Minio, unsafe: str):
    class Unsafe(MinioBackend):
        def get_available_name(self, name, max_length=None):
            return unsafe

    with pytest.raises(SuspiciousFileOperation):
        Unsafe(bucket).save("fine.txt", ContentFile(b"x"))
    assert stored(s3_client, bucket) == []


def test_the_name_save_returns_is_validated_after_the_internal_save(bucket: str):
    class LeakyInternalSave(MinioBackend):
        def _save(self, name, content):
            super()._save(name, content)
            return "../outside.txt"

    with pytest.raises(SuspiciousFileOperation):
        LeakyInternalSave(bucket).save("inside.txt", ContentFile(b"x"))


def test_a_subclass_internal_save_is_what_save_calls(bucket: str):
    calls: list[str] = []

    class Recording(MinioBackend):
        def _save(self, name, content):
            calls.append(name)
            return super()._save(name, content)

    storage = Recording(bucket)
    assert storage.save("a/b.txt", ContentFile(b"x")) == "a/b.txt"
    assert calls == ["a/b.txt"]


def test_pathlib_names_work_in_every_method(storage: MinioBackend):
    path = pathlib.PurePosixPath("docs") / "test.file"
    assert storage.exists(path) is False
    name = storage.save(path, ContentFile(b"custom contents"))
    assert name == "docs/test.file"
    assert storage.exists(path)
    assert storage.size(path) == 15
    assert storage.get_modified_time(path) is not None
    assert storage.url(path) == storage.url(name)
    with storage.open(pathlib.Path(name)) as handle:
        assert handle.read() == b"custom contents"
    assert storage.listdir(pathlib.PurePosixPath("docs")) == ([], ["test.file"])
    storage.delete(path)
    assert storage.exists(path) is False


@pytest.mark.parametrize("name", [None, b"name.txt", 42])
def test_a_name_that_is_not_a_string_or_path_is_a_type_error(bucket: str, s3_client: Minio, name: object):
    storage = MinioBackend(bucket)
    with pytest.raises(TypeError):
        storage.save(name, ContentFile(b"x"))  # type: ignore[arg-type]
    for call in (storage.exists, storage.size, storage.open, storage.delete, storage.url, storage.get_modified_time):
        with pytest.raises(TypeError):
            call(name)  # type: ignore[arg-type]
    assert stored(s3_client, bucket) == []


@pytest.mark.parametrize("alternative", ["../x", "/abs", "a/../../x", "sub/"])
def test_alternative_names_are_validated(bucket: str, s3_client: Minio, alternative: str):
    class BadAlternatives(MinioBackend):
        def get_alternative_name(self, file_root, file_ext):
            return alternative

    storage = BadAlternatives(bucket)
    assert storage.save("dir/taken.txt", ContentFile(b"first")) == "dir/taken.txt"
    with pytest.raises(SuspiciousFileOperation):
        storage.save("dir/taken.txt", ContentFile(b"second"))
    assert stored(s3_client, bucket) == ["dir/taken.txt"]
    assert storage.open("dir/taken.txt").read() == b"first"


def test_a_taken_name_of_the_full_key_length_gets_an_alternative_within_it(storage: MinioBackend):
    # Segments of at most 255 bytes, which some servers (SeaweedFS) require; 1024 bytes in all.
    directory = "/".join(["d" * 199] * 4)
    name = f"{directory}/{'é' * 108}{'f' * 4}.bin"
    assert len(name.encode()) == S3_MAX_KEY_BYTES
    assert storage.save(name, ContentFile(b"first")) == name
    second = storage.save(name, ContentFile(b"second"))
    assert second != name
    assert len(second.encode()) <= S3_MAX_KEY_BYTES
    assert posixpath.dirname(second) == directory and second.endswith(".bin")
    assert storage.open(second).read() == b"second"
    assert storage.open(name).read() == b"first"


def test_alternative_names_fit_max_length(storage: MinioBackend):
    name = "uploads/" + "r" * 16 + ".txt"
    first = storage.save(name, ContentFile(b"1"), max_length=len(name))
    second = storage.save(name, ContentFile(b"2"), max_length=len(name))
    assert first == name
    assert second != name and len(second) <= len(name)
    assert second.startswith("uploads/r") and second.endswith(".txt")
    short = "uploads/ab.txt"
    storage.save(short, ContentFile(b"3"), max_length=len(short))
    with pytest.raises(SuspiciousFileOperation):  # no room for an alternative of a 2-character root
        storage.save(short, ContentFile(b"4"), max_length=len(short))


def test_a_name_too_long_for_max_length_is_shortened_as_django_does(storage: MinioBackend):
    assert storage.save("dir/" + "x" * 30 + ".txt", ContentFile(b"x"), max_length=20) == "dir/" + "x" * 12 + ".txt"


def test_max_length_of_one_save_does_not_leak_into_the_next(storage: MinioBackend):
    storage.save("same-name-long.txt", ContentFile(b"1"), max_length=18)
    again = storage.save("same-name-long.txt", ContentFile(b"2"))
    assert len(again) > 18  # no max_length this time: the whole root is kept


def test_max_length_is_per_thread(bucket: str):
    storage = MinioBackend(bucket)
    storage.save("t/shared-name.txt", ContentFile(b"0"))
    names: dict[int, str] = {}

    def save(index: int, max_length: int | None) -> None:
        names[index] = storage.save("t/shared-name.txt", ContentFile(b"x"), max_length=max_length)

    threads = [threading.Thread(target=save, args=(i, 17 if i % 2 else None)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(name) <= 17 for index, name in names.items() if index % 2)
    assert all(name.startswith("t/shared-name_") for index, name in names.items() if not index % 2)


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda storage: pickle.loads(pickle.dumps(storage))])
def test_a_storage_copies_and_pickles_into_a_working_storage(bucket: str, duplicate):
    original = MinioBackend(bucket, allow_overwrite=True)
    original.save("before.txt", ContentFile(b"used"))  # settings, client and connection now built
    clone = duplicate(original)
    assert clone is not original and clone.bucket == bucket and clone.allow_overwrite
    assert clone.save("after.txt", ContentFile(b"copied")) == "after.txt"
    assert clone.open("before.txt").read() == b"used"
    assert original.open("after.txt").read() == b"copied"
    assert clone.deconstruct() == original.deconstruct()


def test_a_copy_reads_settings_again_after_a_change(bucket: str):
    from django.test import override_settings

    original = MinioBackend(bucket)
    assert original.settings.url_expiry.days == 7
    clone = copy.deepcopy(original)
    with override_settings(MINIO_URL_EXPIRY_HOURS=__import__("datetime").timedelta(hours=2)):
        assert clone.settings.url_expiry.total_seconds() == 7200
        assert original.settings.url_expiry.total_seconds() == 7200


def test_a_deep_copy_shares_a_given_pool_manager_and_copies_the_rest(bucket: str):
    counter = CountingPoolManager()
    original = MinioBackend(bucket, MINIO_HTTP_CLIENT=counter, MINIO_PRIVATE_BUCKETS=[bucket])
    clone = copy.deepcopy(original)
    assert clone.options["MINIO_HTTP_CLIENT"] is counter
    assert clone.options["MINIO_PRIVATE_BUCKETS"] == [bucket]
    assert clone.options["MINIO_PRIVATE_BUCKETS"] is not original.options["MINIO_PRIVATE_BUCKETS"]
    assert clone.exists("x.txt") is False
    assert counter.methods() == ["HEAD", "HEAD"]  # the copy's requests: the object, then its bucket


def test_a_copy_of_a_static_storage_has_no_batch_of_its_own(public_bucket: str):
    storage = MinioBackendStatic(public_bucket)
    with storage.batch():
        storage.save("a.css", ContentFile(b"a{}"))
        clone = copy.deepcopy(storage)
        assert clone._batches == {}
        assert clone.exists("b.css") is False
    assert storage.open("a.css").read() == b"a{}"


def test_str_and_bytes_content_through_every_write_path(storage: MinioBackend):
    storage.create("created.txt", io.BytesIO(b"created"))
    with storage.open("written.txt", "w") as handle:
        handle.write("written ✓")
    assert storage.open("created.txt").read() == b"created"
    assert storage.open("written.txt").read() == "written ✓".encode()
    with pytest.raises(FileExistsError):
        storage.create("created.txt", io.BytesIO(b"again"))


def test_get_available_name_called_by_itself_gives_a_free_name(storage: MinioBackend):
    """Outside save() the hook does what Django documents: the name it returns is free."""
    storage.save("report.txt", ContentFile(b"original"))
    name = storage.get_available_name("report.txt")
    assert name != "report.txt" and name.startswith("report_") and name.endswith(".txt")
    assert storage.exists(name) is False
    assert storage.get_available_name("fresh.txt") == "fresh.txt"
    overwriting = MinioBackend(storage.bucket, allow_overwrite=True)
    assert overwriting.get_available_name("report.txt") == "report.txt"


def test_the_root_exists_and_other_directory_names_are_refused(bucket: str):
    storage = MinioBackend(bucket)
    assert storage.exists("") is True  # as FileSystemStorage; Django's collectstatic --clear asks
    for name in ("/", "dir/", "."):
        with pytest.raises(SuspiciousFileOperation):
            storage.exists(name)


def test_a_repeating_alternative_name_gives_up_instead_of_uploading_forever(bucket: str):
    counter = CountingPoolManager()

    class Copies(MinioBackend):
        def get_alternative_name(self, file_root, file_ext):
            return f"{file_root}_copy{file_ext}"

    storage = Copies(bucket, MINIO_HTTP_CLIENT=counter)
    storage.save("a.txt", ContentFile(b"1"))
    assert storage.save("a.txt", ContentFile(b"2")) == "a_copy.txt"
    counter.reset()
    with pytest.raises(FileExistsError, match="alternative names were all taken"):
        storage.save("a.txt", ContentFile(b"3"))
    assert counter.methods().count("PUT") == 1 + MAX_ALTERNATIVES  # bounded: the name, then each alternative


def test_bytes_directory_names_are_a_type_error(storage: MinioBackend):
    with pytest.raises(TypeError):
        storage.listdir(b"docs")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        storage.stored_names(b"docs")  # type: ignore[arg-type]


def test_a_deep_copy_of_a_manifest_storage_is_its_own(public_bucket: str):
    original = MinioManifestStaticStorage(public_bucket)
    clone = copy.deepcopy(original)
    assert clone.manifest_storage is clone
    assert clone._hashed_names is not original._hashed_names
    clone._hashed_names.add("x.123.css")
    assert "x.123.css" not in original._hashed_names

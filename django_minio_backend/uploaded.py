"""Content that is already in the bucket: a direct upload, handed to ``save()`` to be named.

``save(name, UploadedObject(...))`` stores no bytes: the storage moves the object to a free
name like ``name`` (``MinioBackend.adopt``), so a ``FileField`` assigned one names it by its
``upload_to`` when the model is saved, and the bytes never pass through Django.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from django.core.files.base import File


class UploadedObject(File):  # type: ignore[type-arg]  # holds no Python file
    """The object stored as ``stored_name`` (a storage's name, within its location) in ``bucket``,
    ``size`` bytes, to be saved under a name like ``name`` (default: its file name). With ``etag``
    (the version that was checked), only that version is saved. Reading it is an error: its
    bytes stay on the server."""

    def __init__(self, bucket: str, stored_name: str, size: int, name: str | None = None, *, etag: str | None = None):
        super().__init__(None, name or posixpath.basename(stored_name))
        self.bucket = bucket
        self.stored_name = stored_name
        self.size = size
        self.etag = etag

    def open(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"{self.bucket}/{self.stored_name} is on the server; save() it to a storage of that bucket")

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self.open()  # type: ignore[no-any-return]

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<UploadedObject {self.bucket}/{self.stored_name}>"

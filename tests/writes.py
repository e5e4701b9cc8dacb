"""Every way a storage writes an object, for tests of what each write stores."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from django_minio_backend import MinioBackend
from django_minio_backend.filecopy import copy_file

Write = Callable[[MinioBackend, str, bytes, Path], str]


def _saved(storage: MinioBackend, name: str, data: bytes, tmp_path: Path) -> str:
    return storage.save(name, ContentFile(data))


def _written(storage: MinioBackend, name: str, data: bytes, tmp_path: Path) -> str:
    with storage.open(name, "wb") as file:
        file.write(data)
    return name


def _created(storage: MinioBackend, name: str, data: bytes, tmp_path: Path) -> str:
    storage.create(name, io.BytesIO(data))
    return name


def _migrated(storage: MinioBackend, name: str, data: bytes, tmp_path: Path) -> str:
    (tmp_path / name).write_bytes(data)
    result = copy_file(FileSystemStorage(tmp_path), storage, name)  # minio_migrate_files' copy, verified
    assert result.status == "copied", result.reason
    return name


# name -> write(storage, name, data, tmp_path), which returns the name stored
WRITES: dict[str, Write] = {"save": _saved, "write-mode": _written, "create": _created, "migrate": _migrated}

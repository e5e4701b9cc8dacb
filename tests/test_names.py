"""Object keys: accepted exactly when Django's own check accepts the name and it does not end in a separator."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.utils import validate_file_name

from django_minio_backend.names import object_key

PIECES = ["", "a", ".", "..", "...", "/", "\\", "a.b", " ", ".a", "a."]


def _django_accepts(name: str) -> bool:
    try:
        validate_file_name(name, allow_relative_path=True)
    except SuspiciousFileOperation:
        return False
    return True


@pytest.mark.parametrize("length", [1, 2, 3, 4])
def test_object_key_accepts_exactly_what_django_accepts(length: int):
    for parts in itertools.product(PIECES, repeat=length):
        name = "".join(parts)
        try:
            key = object_key(name)
        except SuspiciousFileOperation:
            assert not _django_accepts(name) or name.replace("\\", "/").endswith(("/", "/.")), name
        else:
            assert _django_accepts(name) and not name.replace("\\", "/").endswith(("/", "/.")), name
            segments = name.replace("\\", "/").split("/")
            assert key == "/".join(segment for segment in segments if segment not in ("", ".")), name

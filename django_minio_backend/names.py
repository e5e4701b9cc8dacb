"""Storage names: Django's validation, and S3's limits on object keys."""

from __future__ import annotations

import os
import pathlib
import posixpath
import re

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.utils import validate_file_name

S3_MAX_KEY_BYTES = 1024


def object_key(name: str | os.PathLike[str]) -> str:
    """Validate a file name and return its object key.

    Names are ``str`` or ``os.PathLike`` (``pathlib.Path``); anything else is a ``TypeError``.
    Backslashes become ``/``, and ``.`` segments and empty ones are dropped (``a/./b``
    and ``a//b`` are ``a/b``): HTTP clients and servers normalise them in URLs, so such
    a key could not be signed or read back as written. Raises ``SuspiciousFileOperation``
    for empty, absolute or ``..`` names, for names ending in a separator (``a/``, ``a/.``),
    and for names S3 cannot store (NUL bytes, lone surrogates, keys over 1024 bytes of UTF-8).
    """
    name = as_text(name)
    if not _plainly_valid(name):
        validate_file_name(name, allow_relative_path=True)
    key = name.replace("\\", "/")
    if "//" in key or "/." in key or key.startswith("./") or key.endswith("/"):
        key = _without_empty_segments(name, key)
    if "\x00" in key:
        raise SuspiciousFileOperation(f"File name {key!r} contains a NUL byte.")
    if key_bytes(key) > S3_MAX_KEY_BYTES:
        raise SuspiciousFileOperation(
            f"File name is longer than S3's {S3_MAX_KEY_BYTES}-byte key limit: {key[:60]!r}..."
        )
    return key


def fitted_key(name: str | os.PathLike[str], max_length: int | None, prefix: str = "") -> str:
    """``object_key(name)``, its file root shortened if needed to fit ``max_length`` (and S3's key
    limit after ``prefix``), as Django's ``get_available_name()`` does; ``SuspiciousFileOperation``
    if no root would be left."""
    key = object_key(name)
    excess = name_excess(key, max_length, prefix)
    if excess <= 0:
        return key
    directory, root, extension = split_name(key)
    if len(root) <= excess:
        raise SuspiciousFileOperation(f"Storage cannot fit {key[:60]!r} into max_length={max_length}.")
    return posixpath.join(directory, root[:-excess] + extension)


def name_excess(key: str, max_length: int | None, prefix: str = "") -> int:
    """By how many characters ``key`` is too long for ``max_length``, or for S3's 1024 bytes once
    stored after ``prefix`` (at most that many characters too: each takes at least one byte);
    zero or less if it fits."""
    over_length = len(key) - max_length if max_length else 0
    return max(over_length, key_bytes(prefix) + key_bytes(key) - S3_MAX_KEY_BYTES)


def key_bytes(key: str) -> int:
    """The length of ``key`` in UTF-8; ``SuspiciousFileOperation`` for a lone surrogate."""
    if key.isascii():
        return len(key)
    try:
        return len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise SuspiciousFileOperation(f"File name {key!r} is not valid Unicode (a lone surrogate).") from None


def split_name(key: str) -> tuple[str, str, str]:
    """``(directory, root, extensions)`` of an object key: ``"a/b.tar.gz"`` gives ``("a", "b", ".tar.gz")``."""
    directory, file_name = posixpath.split(key)
    extension = "".join(pathlib.PurePosixPath(file_name).suffixes)
    return directory, file_name.removesuffix(extension), extension


def _without_empty_segments(name: str, key: str) -> str:
    segments = key.split("/")
    if segments[-1] in ("", "."):
        raise SuspiciousFileOperation(f"File name {name!r} ends in a separator: it names a directory, not a file.")
    return "/".join(segment for segment in segments if segment not in ("", "."))


def _plainly_valid(name: str) -> bool:
    """A cheap test that implies Django's ``validate_file_name(name, allow_relative_path=True)``
    passes: no ``..`` anywhere, not absolute, and a file name that is neither empty nor ``.``.
    Names it cannot vouch for go through Django's own check."""
    return bool(name) and ".." not in name and name[0] not in "/\\" and name[-1] not in "/\\."


def as_text(name: str | os.PathLike[str]) -> str:
    """A name or path as ``str``: ``os.PathLike`` ones (``pathlib.Path``) are converted; anything
    else (``bytes``, ``None``, numbers) is a ``TypeError``."""
    if isinstance(name, str):
        return name
    path = os.fspath(name) if isinstance(name, os.PathLike) else None
    if not isinstance(path, str):
        raise TypeError(f"file names must be str or os.PathLike, got {type(name).__name__}")
    return path


def directory_prefix(path: str | os.PathLike[str]) -> str:
    """The listing prefix for a directory path: ``""`` for the root, else ``"a/b/"``
    (with ``.`` and empty segments dropped, as in ``object_key``)."""
    directory = as_text(path).replace("\\", "/")
    parts = [part for part in directory.split("/") if part not in ("", ".")]
    if ".." in parts or "\x00" in directory:
        raise SuspiciousFileOperation(f"Detected path traversal attempt in {path!r}")
    return "/".join(parts) + "/" if parts else ""


_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+")


def bucket_name_problem(name: object) -> str | None:
    """Why ``name`` is not a valid S3 bucket name (AWS's rules, which MinIO applies), or None."""
    if not isinstance(name, str) or not _BUCKET_NAME.fullmatch(name):
        return "3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit"
    if ".." in name or ".-" in name or "-." in name:
        return "no two adjacent periods, and no period next to a hyphen"
    if _IP_ADDRESS.fullmatch(name):
        return "not formatted as an IP address"
    if name.startswith("xn--") or name.endswith("-s3alias"):
        return "no 'xn--' prefix and no '-s3alias' suffix"
    return None


def location_problem(value: object) -> str | None:
    """Why ``value`` cannot be a key prefix (``MINIO_LOCATION``), or None.

    A location is relative segments joined by ``/`` (``"media"``, ``"site/static/"``): no
    leading ``/``, no backslash, no empty, ``.`` or ``..`` segment, no NUL, within S3's key limit.
    """
    if not isinstance(value, str):
        return f"must be a string, got {type(value).__name__}"
    if not value:
        return None
    segments = value.removesuffix("/").split("/")
    if value.startswith("/") or "\\" in value or "\x00" in value or any(s in ("", ".", "..") for s in segments):
        return "must be relative segments joined by '/', without '.', '..', empty segments or backslashes"
    if key_bytes(value) >= S3_MAX_KEY_BYTES:
        return f"must be shorter than S3's {S3_MAX_KEY_BYTES}-byte key limit"
    return None


def as_location(value: str) -> str:
    """A valid location (``location_problem`` is None) as the prefix of its keys: ``""``, or ending in ``/``."""
    return value.removesuffix("/") + "/" if value else ""


def relative_prefix(prefix: str) -> str:
    """``prefix`` (the start of names, such as ``"2024/"`` or ``"2024/rep"``) if it cannot reach
    outside the storage's location; ``SuspiciousFileOperation`` if absolute or with a ``..`` segment."""
    if prefix.startswith(("/", "\\")) or ".." in prefix.replace("\\", "/").split("/") or "\x00" in prefix:
        raise SuspiciousFileOperation(f"Detected path traversal attempt in {prefix!r}")
    return prefix

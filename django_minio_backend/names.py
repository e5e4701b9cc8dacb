"""Storage names: Django's validation, and S3's limits on object keys."""

from __future__ import annotations

import pathlib
import re

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.utils import validate_file_name

S3_MAX_KEY_BYTES = 1024


def object_key(name: str | None) -> str:
    """Validate a file name and return its object key.

    Backslashes become ``/``, and ``.`` segments and empty ones are dropped (``a/./b``
    and ``a//b`` are ``a/b``): HTTP clients and servers normalise them in URLs, so such
    a key could not be signed or read back as written. Raises ``SuspiciousFileOperation``
    for empty, absolute or ``..`` names, for names ending in a separator (``a/``, ``a/.``),
    and for names S3 cannot store (NUL bytes, lone surrogates, keys over 1024 bytes of UTF-8).
    """
    if not isinstance(name, str):
        raise TypeError(f"file names must be str, got {type(name).__name__}")
    if not _plainly_valid(name):
        validate_file_name(name, allow_relative_path=True)
    key = name.replace("\\", "/")
    if "//" in key or "/." in key or key.startswith("./") or key.endswith("/"):
        key = _without_empty_segments(name, key)
    if "\x00" in key:
        raise SuspiciousFileOperation(f"File name {key!r} contains a NUL byte.")
    try:
        size = len(key) if key.isascii() else len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise SuspiciousFileOperation(f"File name {key!r} is not valid Unicode (a lone surrogate).") from None
    if size > S3_MAX_KEY_BYTES:
        raise SuspiciousFileOperation(
            f"File name is longer than S3's {S3_MAX_KEY_BYTES}-byte key limit: {key[:60]!r}..."
        )
    return key


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


def directory_prefix(path: str) -> str:
    """The listing prefix for a directory path: ``""`` for the root, else ``"a/b/"``
    (with ``.`` and empty segments dropped, as in ``object_key``)."""
    directory = str(path or "").replace("\\", "/")
    parts = [part for part in pathlib.PurePosixPath(directory).parts if part != "/"]
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

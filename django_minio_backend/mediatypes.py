"""Content types of stored objects: the type browsers require for web assets, whatever the system's tables say.

Python's ``mimetypes`` reads the operating system's tables, which differ between machines
and Python versions (``.mjs``, ``.woff2`` and ``.map`` are often unknown, ``.js`` is
sometimes ``application/x-javascript``). Browsers refuse a module script, a WebAssembly
stream or a stylesheet under ``nosniff`` served with the wrong type, so the types of web
assets are fixed here; other names fall back to ``mimetypes``.
"""

from __future__ import annotations

import mimetypes
import posixpath
from typing import Any

DEFAULT_TYPE = "application/octet-stream"

# By lower-case extension. JavaScript is text/javascript (RFC 9239).
WEB_TYPES: dict[str, str] = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".cjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".html": "text/html",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
}

# A compressed file (``app.js.gz``) is served as what it is, since no Content-Encoding is stored.
ENCODED_TYPES: dict[str, str] = {
    "gzip": "application/gzip",
    "br": "application/x-brotli",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
}


# Types a browser runs scripts in (besides every "+xml" type, which it renders as XML). An
# upload's declared type is the sender's claim: one of these is kept only when the name says
# the same, so "avatar.png" sent as text/html is not stored as a page that runs on the
# storage's origin.
ACTIVE_TYPES = frozenset(
    {
        "text/html",
        "text/xml",
        "application/xml",
        "text/xsl",
        "text/javascript",
        "application/javascript",
        "application/ecmascript",
        "text/ecmascript",
    }
)


def content_type(key: str, content: Any = None) -> str:
    """The type to store ``key`` with: the ``content_type`` that ``content`` declares (an upload's),
    else the type of the name's extension, else ``application/octet-stream``. A declared type
    that browsers run scripts in counts only when the extension gives that type too."""
    by_name = _type_of_name(key)
    declared = str(getattr(content, "content_type", None) or "")
    base = declared.split(";")[0].strip().lower()
    active = base in ACTIVE_TYPES or base.endswith("+xml")
    if declared and (not active or base == by_name):
        return declared
    return by_name


def _type_of_name(key: str) -> str:
    extension = posixpath.splitext(key)[1].lower()
    if extension in WEB_TYPES:
        return WEB_TYPES[extension]
    guessed, encoding = mimetypes.guess_type(key, strict=False)
    if encoding:
        return ENCODED_TYPES.get(encoding, DEFAULT_TYPE)
    return guessed or DEFAULT_TYPE

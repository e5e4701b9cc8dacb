"""Content types of stored objects: the type browsers require for web assets, whatever the system's tables say.

Python's ``mimetypes`` reads the operating system's tables, which differ between machines
and Python versions (``.mjs``, ``.woff2`` and ``.map`` are often unknown, ``.js`` is
sometimes ``application/x-javascript``). Browsers refuse a module script, a WebAssembly
stream or a stylesheet under ``nosniff`` served with the wrong type, so the types of web
assets are fixed here; other names fall back to ``mimetypes``.

An upload's declared type is the sender's claim, read here as browsers read a Content-Type
header (the WHATWG MIME Sniffing and Fetch rules: comma lists, where the last valid type wins,
parameters, case, whitespace), so what is judged is what a browser will do.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
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


# Essences of the types a browser runs script in when it opens, frames or embeds a document
# (besides every "+xml" type, which it renders as XML, whose XHTML <script> runs): HTML, XML,
# XSL, every JavaScript MIME type (WHATWG MIME Sniffing), and the types browsers sniff, which
# become HTML when the content looks like it. A multipart/x-mixed-replace document shows its
# parts by their own types, HTML included.
SCRIPT_TYPES = frozenset(
    {
        "text/html",
        "text/xml",
        "application/xml",
        "text/xsl",
        "multipart/x-mixed-replace",
        "unknown/unknown",
        "application/unknown",
        "application/x-unknown-content-type",
        "application/ecmascript",
        "application/javascript",
        "application/x-ecmascript",
        "application/x-javascript",
        "text/ecmascript",
        "text/javascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
    }
)

# WHATWG: HTTP whitespace, HTTP tab or space, and HTTP token code points.
_HTTP_WHITESPACE = "\t\n\r "
_TAB_OR_SPACE = "\t "
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# One value of a header's comma-separated list: anything but '"' and ',', or a quoted string
# (backslash escapes, possibly unterminated), as "get, decode, and split" collects them.
_LIST_VALUE = re.compile(r'(?:[^",]+|"(?:[^"\\]|\\.)*(?:"|\\?\Z))*', re.DOTALL)
_PRINTABLE = re.compile(r"[\t\x20-\x7e]*")


def split_header_value(value: str) -> list[str]:
    """The values of a header's comma-separated list as browsers split them (Fetch's "get, decode,
    and split"): commas inside quoted strings do not separate, tabs and spaces around each go."""
    values, position = [], 0
    while True:
        match = _LIST_VALUE.match(value, position)
        assert match is not None  # the pattern matches the empty string
        values.append(match.group().strip(_TAB_OR_SPACE))
        position = match.end() + 1  # past the comma
        if match.end() >= len(value):
            return values


def mime_essence(value: str) -> str | None:
    """The lower-case ``type/subtype`` a browser parses from one value (WHATWG "parse a MIME
    type"); None when it is no valid MIME type, or ``*/*``, which browsers skip too.
    Parameters never make a type invalid."""
    type_, slash, rest = value.strip(_HTTP_WHITESPACE).partition("/")
    subtype = rest.partition(";")[0].rstrip(_HTTP_WHITESPACE)
    if not (slash and _TOKEN.fullmatch(type_) and _TOKEN.fullmatch(subtype)) or type_ == subtype == "*":
        return None
    return f"{type_}/{subtype}".lower()


def extract_mime_type(header: str) -> str | None:
    """The essence of the type a browser takes from a Content-Type header (Fetch's "extract a
    MIME type"): that of the last valid value of the list, or None."""
    essences = [mime_essence(value) for value in split_header_value(header)]
    return next((essence for essence in reversed(essences) if essence), None)


def runs_script(media_type: str) -> bool:
    """Whether a browser may run script in a document served with this Content-Type (with none
    that is valid, it sniffs the content)."""
    return _runs_script(extract_mime_type(media_type))


def _runs_script(essence: str | None) -> bool:
    return essence is None or essence in SCRIPT_TYPES or essence.endswith("+xml")


def content_type(key: str, content: Any = None) -> str:
    """The type to store ``key`` with: the ``content_type`` that ``content`` declares (an upload's),
    else the type of the name's extension, else ``application/octet-stream``.

    A declaration counts only when it is exactly one valid ``type/subtype`` (parameters allowed,
    printable ASCII): ``image/png, text/html``, of which browsers take the last, does not. One
    that browsers run script in counts only when the name's type is the same, so the stored
    type runs script only if the name's type does.
    """
    by_name = _type_of_name(key)
    declared = str(getattr(content, "content_type", None) or "").strip(_HTTP_WHITESPACE)
    one_value = len(split_header_value(declared)) == 1 and _PRINTABLE.fullmatch(declared)
    essence = mime_essence(declared) if one_value else None
    if essence is None or (_runs_script(essence) and essence != mime_essence(by_name)):
        return by_name
    return declared


def _type_of_name(key: str) -> str:
    extension = posixpath.splitext(key)[1].lower()
    if extension in WEB_TYPES:
        return WEB_TYPES[extension]
    guessed, encoding = mimetypes.guess_type(key, strict=False)
    if encoding:
        return ENCODED_TYPES.get(encoding, DEFAULT_TYPE)
    return guessed or DEFAULT_TYPE

"""Content to upload, read in bounded blocks, and the checksums sent with it."""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Iterator
from typing import IO, Any

S3_MAX_PARTS = 10_000


def md5_etag(data: bytes) -> str:
    """The ETag S3 gives an object stored with one PUT: the hex MD5 of its bytes."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def content_md5(data: bytes) -> str:
    """The ``Content-MD5`` header of a request body.

    The server refuses a body that does not match it (``BadDigest``), so a transfer
    corrupted on the way is never stored. The signed ``x-amz-content-sha256`` that
    minio sends over HTTP is not enough: not every server checks it against the body.
    """
    return base64.b64encode(bytes.fromhex(md5_etag(data))).decode()


def multipart_etag(part_etags: list[str]) -> str | None:
    """The ETag S3 gives a completed upload of these parts: the MD5 of their MD5s, ``-``, their count;
    None when the parts' ETags are not MD5s (encrypted parts, say)."""
    try:
        digests = b"".join(bytes.fromhex(etag.strip('"')) for etag in part_etags)
    except ValueError:
        return None
    return f"{md5_etag(digests)}-{len(part_etags)}"


class Payload:
    """Content to upload, read in bounded blocks from the start.

    ``head`` holds at most ``threshold + 1`` bytes: if the content is no longer
    than ``threshold`` it is all there (``is_small``); otherwise ``parts()``
    yields it in parts of at least ``part_size`` bytes. ``str`` data is encoded
    as UTF-8.
    """

    def __init__(self, content: IO[Any], threshold: int, part_size: int):
        self._content = content
        self._threshold = threshold
        self.part_size = self._fit_part_size(content, part_size)
        self._rewindable = self._rewind()
        self.head = self._read_block(threshold + 1)
        self.is_small = len(self.head) <= threshold
        self._parts_begun = False

    @staticmethod
    def _fit_part_size(content: IO[Any], part_size: int) -> int:
        """Grow the part size so a file of known size fits into S3's 10,000 parts."""
        try:
            size = int(getattr(content, "size", 0) or 0)
        except (AttributeError, OSError, TypeError, ValueError):
            size = 0
        return max(part_size, math.ceil(size / S3_MAX_PARTS))

    def _rewind(self) -> bool:
        try:
            if hasattr(self._content, "seekable") and not self._content.seekable():
                return False
            self._content.seek(0)
        except (AttributeError, OSError, ValueError):
            return False
        return True

    def restart(self) -> bool:
        """Be ready to send the content again from its first byte; False if it cannot be
        (``parts()`` has begun on content that cannot be re-read)."""
        if not self._parts_begun:
            return True
        if not self._rewindable or not self._rewind():
            return False
        self.head = self._read_block(self._threshold + 1)
        self.is_small = len(self.head) <= self._threshold
        self._parts_begun = False
        return True

    def _read_block(self, size: int) -> bytes:
        """``size`` bytes, fewer only at the end of the content. What one ``read()`` returns
        is used as is (files and buffered streams return all that is asked): no copy."""
        chunks: list[bytes] = []
        missing = size
        while missing > 0:
            chunk = self._content.read(missing)
            if not chunk:
                break
            chunks.append(chunk.encode() if isinstance(chunk, str) else bytes(chunk))
            missing -= len(chunks[-1])
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def parts(self) -> Iterator[bytes]:
        """The content in parts; all but the last at least ``part_size`` bytes."""
        self._parts_begun = True
        block = self.head
        if len(block) < self.part_size:
            block += self._read_block(self.part_size - len(block))
        self.head = b""  # held by the first part now; restart() reads it again
        count = 0
        while block:
            count += 1
            if count > S3_MAX_PARTS:
                raise ValueError(
                    f"content needs more than {S3_MAX_PARTS} parts of {self.part_size} bytes; "
                    "raise MINIO_MULTIPART_PART_SIZE"
                )
            yield block
            block = b""  # let go of the part just yielded before reading the next one
            block = self._read_block(self.part_size)

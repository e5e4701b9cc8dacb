"""The file object: lazy ranged reads, and writes uploaded on close.

Opening sends no request. The first read at a position fetches about the bytes
asked for with one ranged GET; reads that continue where the last one ended
fetch windows that double up to ``MAX_WINDOW``, so streaming a large object costs
a handful of requests and constant memory, while ``seek()`` + ``read(n)`` costs
one small request. ``chunks()`` streams the whole object with one GET.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.core.files.base import File
from urllib3 import BaseHTTPResponse

MAX_WINDOW = 32 * 1024 * 1024
READ_BUFFER = io.DEFAULT_BUFFER_SIZE  # small reads fetch about this much
_CONTENT_RANGE = re.compile(r"bytes \d+-\d+/(\d+)")

# fetch(offset, length) returns a streaming response, or None when offset is past the end;
# length None means "to the end".
Fetch = Callable[[int, int | None], BaseHTTPResponse | None]


class ObjectReader(io.RawIOBase):
    """A seekable raw stream over an object, read with HTTP range requests."""

    def __init__(self, fetch: Fetch, stat_size: Callable[[], int]):
        super().__init__()
        self._fetch = fetch
        self._stat_size = stat_size
        self._size: int | None = None
        self._pos = 0
        self._response: BaseHTTPResponse | None = None
        self._response_pos = 0  # where the next byte of the open response belongs
        self._window = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    @property
    def size(self) -> int:
        if self._size is None:
            self._size = self._stat_size()
        return self._size

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._pos + offset
        elif whence == io.SEEK_END:
            position = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence!r}")
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        self._pos = position
        return position

    def _open(self, length: int | None) -> bool:
        """Start a GET at the current position; False if it is past the end."""
        sequential = self._response is not None and self._response_pos == self._pos
        self._drop_response()
        if length is not None:
            self._window = min(max(length, 2 * self._window if sequential else 0), MAX_WINDOW)
            length = self._window
        response = self._fetch(self._pos, length)
        if response is None:
            self._size = self._pos if self._size is None else self._size
            return False
        self._learn_size(response)
        self._response = response
        self._response_pos = self._pos
        return True

    def _learn_size(self, response: BaseHTTPResponse) -> None:
        if self._size is not None:
            return
        match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
        if match:
            self._size = int(match.group(1))
        elif response.status == 200 and self._pos == 0 and response.headers.get("Content-Length"):
            self._size = int(response.headers["Content-Length"])

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if not len(view) or (self._size is not None and self._pos >= self._size):
            return 0
        if (self._response is None or self._response_pos != self._pos) and not self._open(len(view)):
            return 0
        assert self._response is not None
        count = self._response.readinto(view)
        if count == 0:  # this window is used up: continue with the next one
            if not self._open(len(view)):
                return 0
            count = self._response.readinto(view)
        self._pos += count
        self._response_pos = self._pos
        return count

    def readall(self) -> bytes:
        """The rest of the object in one GET."""
        if self._size is not None and self._pos >= self._size:
            return b""
        self._drop_response()
        response = self._fetch(self._pos, None)
        if response is None:
            return b""
        try:
            data = response.read()
        finally:
            response.release_conn()
        self._pos += len(data)
        return data

    def stream(self, chunk_size: int) -> Iterator[bytes]:
        """The rest of the object in pieces of ``chunk_size`` bytes, streamed by one GET."""
        self._drop_response()
        response = self._fetch(self._pos, None)
        if response is None:
            return
        self._learn_size(response)
        try:
            for piece in response.stream(chunk_size):
                self._pos += len(piece)
                yield piece
        finally:
            response.close()
            response.release_conn()

    def _drop_response(self) -> None:
        if self._response is not None:
            self._response.close()
            self._response.release_conn()
            self._response = None

    def close(self) -> None:
        self._drop_response()
        super().close()


class MinioFile(File):  # type: ignore[type-arg]
    """A file in a bucket, returned by ``MinioBackend.open()``.

    Modes: ``rb``/``r`` read (lazily); ``wb``/``w`` replace the object on close;
    ``xb``/``x`` create it on close, raising ``FileExistsError`` if it exists.
    If the ``with`` block raises, nothing is uploaded.

    ``open_reader()`` makes the raw stream of a read mode; ``store(content)`` uploads the
    written content on close, creating or replacing the object as the mode says.
    """

    READ_MODES = frozenset({"r", "rb", "br", "rt"})
    WRITE_MODES = frozenset({"w", "wb", "bw", "wt", "x", "xb", "bx", "xt"})

    def __init__(
        self,
        key: str,
        mode: str,
        *,
        open_reader: Callable[[], ObjectReader],
        store: Callable[[File], object],  # type: ignore[type-arg]
    ):
        if mode not in self.READ_MODES | self.WRITE_MODES:
            raise ValueError(f"MinioBackend cannot open files in mode {mode!r}")
        self.name = self._key = key
        self.mode = mode
        self._open_reader = open_reader
        self._store = store
        self._reader: ObjectReader | None = None
        self._open_streams()

    def _open_streams(self) -> None:
        self._binary: Any
        if self.mode in self.READ_MODES:
            self._reader = self._open_reader()
            self._binary = io.BufferedReader(self._reader, buffer_size=READ_BUFFER)
        else:
            self._binary = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._stream: IO[Any] = self._binary if "b" in self.mode else io.TextIOWrapper(self._binary, encoding="utf-8")
        self.file = self._stream

    @property
    def size(self) -> int:
        if self._reader is not None:
            return self._reader.size
        self._stream.flush()
        position = self._binary.tell()
        size = int(self._binary.seek(0, io.SEEK_END))
        self._binary.seek(position)
        return size

    def chunks(self, chunk_size: int | None = None) -> Iterator[Any]:
        """From the start, in pieces of ``chunk_size`` bytes; in binary read mode streamed by one GET."""
        if self._reader is None or "b" not in self.mode:
            yield from super().chunks(chunk_size)
            return
        reader = self._reader
        reader.seek(0)
        try:
            yield from reader.stream(chunk_size or self.DEFAULT_CHUNK_SIZE)
        finally:
            # Move the buffered stream to where the raw one is. Seeking from the end
            # always reaches the raw stream and drops the buffer's stale bytes.
            self._binary.seek(reader.tell() - reader.size, io.SEEK_END)

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> MinioFile:
        """Reopen (rewind) the file, as Django's ``FieldFile.open()`` expects."""
        if mode is not None and mode != self.mode:
            raise ValueError(f"cannot reopen a {self.mode!r} MinioFile as {mode!r}; call storage.open()")
        if self.closed:
            self._open_streams()
        else:
            self._stream.seek(0)
        return self

    def close(self) -> None:
        """Close; in a write mode, upload the content first (errors propagate)."""
        if self.closed:
            return
        try:
            if self._reader is None:
                self._stream.flush()
                self._binary.seek(0)
                self._store(File(self._binary, self._key))
        finally:
            self._stream.close()

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        if exc_type is not None and self._reader is None:
            self._stream.close()  # discard: a failed block must not leave a half-written object
            return
        self.close()

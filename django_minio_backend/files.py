"""The file object: reads of one version of an object at the server's speed, writes uploaded on close.

Opening sends no request. An ``ObjectReader`` then reads one version of its object: the
first answer (a GET, or the HEAD that ``size`` sends before any read) pins that version's
ETag and size, and every later GET sends ``If-Match`` with the ETag, so an object replaced
mid-read raises ``ObjectChangedError`` instead of mixing two versions' bytes.

What a read fetches:

- a small read where nothing is streaming: a window of at least ``READ_BUFFER`` bytes, so
  ``seek()`` + ``read(n)`` is one request of about ``n`` bytes; windows double while reads
  go on where the last one ended;
- a read of ``STREAM_READ`` bytes or more, a run of windows that reaches that size,
  ``read()`` and ``chunks()``: one GET to the end of the object, read for as long as reads go
  on where the last one ended. Only a seek away from it needs a new request.

Positions are exact: ``seek()`` past the end is allowed and reads there return ``b""``;
``size`` is the pinned version's, whatever was read.
"""

from __future__ import annotations

import io
import operator
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.core.files.base import File

from .objects import ObjectBody, ObjectInfo

READ_BUFFER = io.DEFAULT_BUFFER_SIZE  # the least a GET asks for; small reads are served from this much
STREAM_READ = 256 * 1024  # a read (or a run of windows) this large streams the rest with one GET
STREAM_BUFFER = 64 * 1024  # small reads from a GET to the end are served from this much

# fetch(offset, length, version): a streaming GET of length bytes from offset (None: to the
# end), of that version only when one is given; None past the end.
Fetch = Callable[[int, int | None, ObjectInfo | None], ObjectBody | None]


class ObjectReader(io.BufferedIOBase):
    """A seekable binary stream over one version of an object (see the module docstring).

    ``stat()`` answers the object's size and ETag, for ``size`` before anything is read.
    """

    def __init__(self, fetch: Fetch, stat: Callable[[], ObjectInfo]):
        super().__init__()
        self._fetch = fetch
        self._stat = stat
        self._version: ObjectInfo | None = None
        self._pos = 0
        self._body: ObjectBody | None = None  # the last GET's answer
        self._window = 0  # the length the last GET asked for; 0 for "to the end"
        self._buffer = b""  # the last small block received, from offset _buffer_pos
        self._buffer_pos = 0

    def readable(self) -> bool:
        self._check_open()
        return True

    def seekable(self) -> bool:
        self._check_open()
        return True

    @property
    def size(self) -> int:
        """The pinned version's size (a HEAD pins the version if nothing was read yet)."""
        if self._version is None:
            self._version = self._stat()
        return self._version.size

    def tell(self) -> int:
        self._check_open()
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move to ``offset`` from the start, the current position or the end; past the end is
        allowed, before the start is a ``ValueError``. Sends a request only to learn the size."""
        self._check_open()
        offset = operator.index(offset)
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

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        start = self._pos - self._buffer_pos
        if start >= 0 and start + size <= len(self._buffer) and not self.closed:  # the common small read
            self._pos += size
            return self._buffer[start : start + size]
        self._check_open()
        pieces = []
        while size > 0 and (piece := self._read_some(size)):
            pieces.append(piece)
            size -= len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def read1(self, size: int = -1) -> bytes:
        return self._read_some(size if size >= 0 else READ_BUFFER)

    def readall(self) -> bytes:
        """The rest of the object, from one GET to the end."""
        pieces = list(self.stream(None))
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def peek(self, size: int = 0) -> bytes:
        """Bytes from the current position on, without moving it; ``b""`` only at the end."""
        self._check_open()
        if not self._buffered():
            self._fill()
        return self._buffer[self._pos - self._buffer_pos :]

    def stream(self, chunk_size: int | None) -> Iterator[bytes]:
        """The rest of the object in pieces of at most ``chunk_size`` bytes, from one GET to the end."""
        while piece := self._read_some(chunk_size, stream=True):
            yield piece

    def _read_some(self, size: int | None, *, stream: bool = False) -> bytes:
        """Up to ``size`` bytes (None: as many as one GET gives), in one step; ``b""`` at the end."""
        self._check_open()
        if size == 0:
            return b""
        if not self._buffered():
            if stream or size is None or size >= READ_BUFFER:
                data = self._receive(size, stream=stream)
                self._pos += len(data)
                return data
            self._fill()
        start = self._pos - self._buffer_pos
        piece = self._buffer[start : start + size] if size is not None else self._buffer[start:]
        self._pos += len(piece)
        return piece

    def _buffered(self) -> bool:
        return 0 <= self._pos - self._buffer_pos < len(self._buffer)

    def _fill(self) -> None:
        streaming = self._body is not None and self._window == 0 and self._body.position == self._pos
        self._buffer, self._buffer_pos = (
            self._receive(STREAM_BUFFER if streaming else READ_BUFFER, stream=False),
            self._pos,
        )

    def _receive(self, size: int | None, *, stream: bool) -> bytes:
        """Up to ``size`` bytes from the current position (None: the rest of one GET), without moving it."""
        if self._version is not None and self._pos >= self._version.size:
            return b""
        body = self._body
        if body is None or body.position != self._pos or body.position >= body.end:
            body = self._request(size, stream=stream)
            if body is None:
                return b""
        return body.read(size)

    def _request(self, size: int | None, *, stream: bool) -> ObjectBody | None:
        """A GET from the current position: a window that doubles while reads go on where the
        last GET's bytes ended, or to the end of the object. None past the end."""
        goes_on = self._body is not None and self._body.position == self._pos
        window = max(2 * self._window if goes_on else 0, size or 0, READ_BUFFER)
        to_end = stream or size is None or window >= STREAM_READ
        self._drop_body()
        body = self._fetch(self._pos, None if to_end else window, self._version)
        if body is not None and self._version is None:
            self._version = body.info
        self._body, self._window = body, 0 if to_end else window
        return body

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def close(self) -> None:
        self._drop_body()
        self._buffer = b""
        super().close()


class MinioFile(File):  # type: ignore[type-arg]
    """A file in a bucket, returned by ``MinioBackend.open()``.

    Modes: ``rb``/``r`` read (lazily); ``wb``/``w`` replace the object on close;
    ``xb``/``x`` create it on close, raising ``FileExistsError`` if it exists.
    If the ``with`` block raises, nothing is uploaded.

    ``open_reader()`` makes the stream of a read mode; ``store(content)`` uploads the
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
            self._binary = self._reader = self._open_reader()
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
        self._reader.seek(0)
        yield from self._reader.stream(chunk_size or self.DEFAULT_CHUNK_SIZE)

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

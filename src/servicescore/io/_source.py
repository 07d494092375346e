"""Opening an input as numbered text lines that never raise (private).

Paths and binary streams are read as bytes: gzip data (``1f 8b``) is
decompressed transparently, each line is decoded on its own, and a line that
does not decode is remembered with the byte offset of the first bad byte
instead of aborting the read. Text streams are taken as they are.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import zlib
from collections.abc import Iterator
from typing import IO, cast

from ..exceptions import FormatError

__all__ = ["Lines", "Source", "open_lines"]

Source = str | os.PathLike[str] | IO[str] | IO[bytes]

_GZIP_MAGIC = b"\x1f\x8b"
_STREAM_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError)


class _Prefixed(io.RawIOBase):
    """A read-only binary stream: *head* then the rest of *stream*."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class Lines:
    """Numbered text lines of one input; iterating never raises.

    Attributes:
        name: The file's base name (or the stream's name) for error messages.
        bad: For each line that could not be decoded, its 1-based number and
            the reason (with the byte offset of the first bad byte).
        fatal: The error that ended the input early (corrupt gzip data, an
            unreadable stream), or ``None``.
        count: How many lines were produced so far.
    """

    def __init__(self, name: str, chunks: Iterator[str | bytes], encoding: str) -> None:
        self.name = name
        self.bad: dict[int, str] = {}
        self.fatal: FormatError | None = None
        self.count = 0
        self._chunks = chunks
        self._encoding = encoding
        self._offset = 0
        self._pushed: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self._pushed:
            return self._pushed.pop()
        if self.fatal is not None:
            raise StopIteration
        try:
            raw = next(self._chunks)
        except StopIteration:
            raise
        except _STREAM_ERRORS as exc:
            self.fatal = FormatError(
                f"cannot read past byte offset {self._offset} ({type(exc).__name__}: {exc})",
                path=self.name,
                line=self.count + 1,
            )
            raise StopIteration from None
        self.count += 1
        if isinstance(raw, bytes):
            text = self._decode(raw)
            self._offset += len(raw)
        else:
            text = raw
        if self.count == 1 and text.startswith("\ufeff"):
            text = text[1:]
        return text

    def push(self, line: str) -> None:
        """Give *line* back so the next iteration yields it again."""
        self._pushed.append(line)

    def _decode(self, raw: bytes) -> str:
        try:
            return raw.decode(self._encoding)
        except UnicodeDecodeError as exc:
            offset = self._offset + exc.start
            self.bad[self.count] = (
                f"cannot decode byte 0x{raw[exc.start]:02x} at byte offset {offset} as {self._encoding}"
            )
            return raw.decode(self._encoding, errors="replace")


def open_lines(source: Source, encoding: str) -> tuple[Lines, IO[str] | IO[bytes] | None]:
    """Return the lines of *source* and the handle to close (``None`` if not ours).

    Raises:
        LookupError: If *encoding* is not a known codec.
        OSError: If a path cannot be opened.
    """
    codecs.lookup(encoding)
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        handle: IO[bytes] = open(path, "rb")  # noqa: SIM115 - closed by the caller
        return Lines(os.path.basename(path), _byte_lines(handle, encoding), encoding), handle
    name = os.path.basename(str(getattr(source, "name", "<stream>")))
    if isinstance(source, io.TextIOBase):
        return Lines(name, iter(cast("IO[str]", source)), encoding), None
    return Lines(name, _byte_lines(cast("IO[bytes]", source), encoding), encoding), None


def _byte_lines(stream: IO[bytes], encoding: str) -> Iterator[str | bytes]:
    head = stream.read(2)
    raw: IO[bytes] = cast("IO[bytes]", io.BufferedReader(_Prefixed(head, stream)))
    if head == _GZIP_MAGIC:
        raw = cast("IO[bytes]", gzip.GzipFile(fileobj=raw, mode="rb"))
    if "\n".encode(encoding) != b"\n":
        # Not ASCII-compatible (UTF-16, UTF-32): split after decoding the whole input.
        yield from raw.read().decode(encoding).splitlines(keepends=True)
        return
    yield from raw

"""Transcripts from a pandas DataFrame with one row per turn (private).

The frame is read exactly as its CSV form would be: it is written out as CSV
text a chunk of rows at a time (never all at once) and parsed by the CSV and
twcs readers, so the column mapping, metadata, grouping and errors are those
of :func:`servicescore.io.read`. pandas itself is never imported here.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Mapping
from typing import IO, Any, Literal, cast

from .._model import Transcript
from ..exceptions import FormatError
from ._jsonl import OnError, read

__all__ = ["frame_source", "from_pandas", "is_frame"]

#: Rows written to CSV text at a time: a few MB of text for typical turns.
CHUNK_ROWS = 10_000
#: What errors call the frame where a reader names the file.
NAME = "DataFrame"


def is_frame(value: object) -> bool:
    """Whether *value* is a pandas DataFrame (without importing pandas: if it is not loaded, none exists)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(value, pandas.DataFrame)


class _CsvText(io.TextIOBase):
    """A read-only text stream of a frame's CSV form, written one chunk of rows at a time."""

    name = NAME

    def __init__(self, frame: Any) -> None:
        super().__init__()
        self._pieces = _pieces(frame)
        self._buffer = ""
        self._at = 0

    def readable(self) -> bool:
        return True

    def _more(self) -> bool:
        piece = next(self._pieces, None)
        if piece is None:
            return False
        self._buffer = self._buffer[self._at :] + piece
        self._at = 0
        return True

    def read(self, size: int | None = -1, /) -> str:
        if size is None or size < 0:
            while self._more():
                pass
            size = len(self._buffer) - self._at
        while len(self._buffer) - self._at < size and self._more():
            pass
        text = self._buffer[self._at : self._at + size]
        self._at += len(text)
        return text

    def readline(self, size: int | None = -1, /) -> str:  # type: ignore[override]  # typeshed: bytes
        end = self._buffer.find("\n", self._at)
        while end < 0 and self._more():
            end = self._buffer.find("\n", self._at)
        stop = len(self._buffer) if end < 0 else end + 1
        if size is not None and size >= 0:
            stop = min(stop, self._at + size)
        line = self._buffer[self._at : stop]
        self._at = stop
        return line


def _pieces(frame: Any) -> Iterator[str]:
    """The frame as CSV text (header first), chunk by chunk.

    Float columns holding only whole numbers (pandas reads an integer column
    with gaps as float) are written as integers, as they were in the file:
    ``119237``, not ``119237.0``. Missing values are written as empty cells.
    """
    whole = [name for name in frame.columns if frame[name].dtype.kind == "f" and _whole(frame[name].dropna())]
    for start in range(0, max(len(frame), 1), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        if whole:
            chunk = chunk.astype(dict.fromkeys(whole, "Int64"))
        # "\r\n" (RFC 4180): a text holding either character alone is quoted too.
        yield chunk.to_csv(index=False, header=start == 0, lineterminator="\r\n")


def _whole(values: Any) -> bool:
    """Whether every value is a whole number an integer holds exactly (below 2**53)."""
    return bool(((values % 1 == 0) & (values.abs() < 2**53)).all())


def frame_source(frame: Any) -> tuple[IO[str], Literal["csv", "twcs"]]:
    """A text stream of *frame*'s CSV form, and its format (``twcs`` by its columns, else ``csv``).

    Raises:
        TypeError: If *frame* is not a pandas DataFrame.
    """
    if not is_frame(frame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    names = {str(name) for name in frame.columns}
    kind: Literal["csv", "twcs"] = "twcs" if {"tweet_id", "in_response_to_tweet_id"} <= names else "csv"
    return cast("IO[str]", _CsvText(frame)), kind


def from_pandas(
    frame: Any,
    format: Literal["csv", "twcs"] | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    on_error: OnError = "raise",
    errors: list[FormatError] | None = None,
) -> Iterator[Transcript]:
    """Stream transcripts from a pandas DataFrame with one row per turn, as :func:`read` reads a CSV.

    Columns: ``id``, ``role``, ``text`` (required), ``time``, ``end``,
    ``speaker``, ``channel``; any other column becomes transcript metadata
    (as text, as in a CSV file); consecutive rows with the same ``id`` form
    one transcript. A frame with the columns of Kaggle's "Customer Support on
    Twitter" (``tweet_id``, ``in_response_to_tweet_id``, ...) is read as
    ``twcs``, threads rebuilt from the replies. Missing values (``NaN``,
    ``None``) are empty cells. ``score_many(frame)`` reads a frame so.

    Args:
        frame: The DataFrame (pandas is not imported by servicescore; pass one
            you made).
        format: ``"csv"`` or ``"twcs"``; inferred from the columns when ``None``.
        columns: The frame's column name for each canonical field, e.g.
            ``{"id": "call_id", "role": "speaker_type", "text": "utterance"}``.
        on_error: As for :func:`read`.
        errors: The list that receives errors when ``on_error="collect"``.

    Yields:
        Each valid transcript, in row order (twcs: by each thread's first tweet).

    Raises:
        TypeError: If *frame* is not a pandas DataFrame.
        FormatError: Naming ``DataFrame``, the line of the frame's CSV form
            (the header is line 1, so row position *i* is line *i* + 2 while
            no text spans lines), the field and the reason.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"id": ["c1", "c1"], "role": ["customer", "agent"],
    ...                       "text": ["My bill is wrong.", "Sorry, I've fixed it."],
    ...                       "time": [0.0, 42.0], "team": ["billing", "billing"]})
    >>> [(t.id, len(t.turns), t.turns[1].time, t.meta["team"]) for t in from_pandas(frame)]
    [('c1', 2, 42.0, 'billing')]
    """
    source, kind = frame_source(frame)
    return read(source, format or kind, on_error=on_error, errors=errors, columns=columns)

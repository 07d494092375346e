"""Canonical JSON Lines / JSON reading and writing (private)."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, Literal, NamedTuple, cast

from .._model import Transcript
from ..exceptions import FormatError, TranscriptError
from ._source import Lines, Source, open_lines
from ._tables import csv_records, twcs_records
from ._vendors import convert_vendor, vendor_kind

__all__ = ["RawLine", "parse_raw", "read", "read_raw", "write_jsonl"]

OnError = Literal["raise", "skip", "collect"]

#: Non-blank lines looked at before the format of an input is decided.
_PEEK_LINES = 5
#: Errors a malformed record can raise inside the standard library or the
#: model beyond the checked cases; turned into a FormatError, never escaping.
_UNEXPECTED = (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError)
_FORMATS = ("jsonl", "json", "csv", "twcs")


def read(
    source: Source,
    format: Literal["jsonl", "json", "csv", "twcs"] | None = None,
    *,
    on_error: OnError = "raise",
    errors: list[FormatError] | None = None,
    columns: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
) -> Iterator[Transcript]:
    """Stream transcripts from *source*.

    A bad record never stops the read under ``"skip"`` or ``"collect"``: every
    line (JSON Lines), array item (JSON) or row group (CSV) becomes either a
    transcript or one :class:`~servicescore.exceptions.FormatError`.

    Args:
        source: A path or an open text/binary file. Gzip data (``.gz``) is
            decompressed transparently when read from a path or binary file.
        format: ``"jsonl"``, ``"json"``, ``"csv"`` (one row per turn, columns
            ``id``, ``role``, ``text``, optional ``time``, ``end``, ``speaker``,
            ``channel``, others become metadata) or ``"twcs"`` (Kaggle's
            "Customer Support on Twitter" CSV, threads rebuilt from
            ``in_response_to_tweet_id``). Inferred from the first few non-blank
            lines when ``None``: ``[`` starts JSON, a line holding one JSON
            object makes JSON Lines (even when the first line is broken), ``{``
            alone JSON, a header with ``tweet_id`` and
            ``in_response_to_tweet_id`` twcs, a header with ``id``, ``role``
            and ``text`` CSV; anything else is one error saying the format
            could not be told.
        on_error: ``"raise"`` stops at the first bad record with a
            :class:`~servicescore.exceptions.FormatError`; ``"skip"`` drops bad
            records; ``"collect"`` drops them and appends each error to *errors*.
        errors: The list that receives errors when ``on_error="collect"``.
        columns: For CSV, the file's column name for each canonical field,
            e.g. ``{"id": "call_id", "role": "speaker_type", "text": "utterance"}``.
        encoding: Text encoding of paths and binary files (``"utf-8"`` by
            default, a leading byte-order mark is dropped); a line that does
            not decode is an error naming its byte offset.

    Yields:
        Each valid transcript, in file order.

    Raises:
        FormatError: Naming the file, line, field and reason.
        ValueError: For an unknown *format*, *on_error* or *encoding*.
    """
    if on_error not in ("raise", "skip", "collect"):
        raise ValueError(f"on_error must be 'raise', 'skip' or 'collect', got {on_error!r}")
    if on_error == "collect" and errors is None:
        raise ValueError("on_error='collect' needs an 'errors' list to collect into")
    if format is not None and format not in _FORMATS:
        raise ValueError(f"unknown format {format!r} (expected 'jsonl', 'json', 'csv' or 'twcs')")
    try:
        lines, handle = open_lines(source, encoding)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None
    try:
        for item in _records(lines, format, columns or {}):
            result = item if isinstance(item, FormatError) else _transcript(item, lines.name)
            if isinstance(result, FormatError):
                _handle(result, on_error, errors)
            else:
                yield result
    finally:
        if handle is not None:
            handle.close()


def _transcript(item: tuple[int | None, int, Any], name: str) -> Transcript | FormatError:
    """The transcript of a record read from line (or record) *item*, or the error saying why not."""
    line, index, record = item
    try:
        return Transcript.from_dict(record)
    except TranscriptError as exc:
        return FormatError(exc.message, path=name, line=line, field=exc.field, record=index)
    except _UNEXPECTED as exc:
        return _unexpected(exc, name, line, index)


class RawLine(NamedTuple):
    """One non-blank line of a JSON Lines input, read but not yet parsed (see :func:`read_raw`).

    Attributes:
        text: The line, stripped.
        name: The input's name, for error messages.
        number: The 1-based line number.
        record: The 0-based index of the record among the input's records.
        bad: Why the line could not be decoded, or ``None``.
    """

    text: str
    name: str
    number: int
    record: int
    bad: str | None


def read_raw(
    source: Source, format: Literal["jsonl", "json", "csv", "twcs"] | None = None
) -> Iterator[RawLine | Transcript | FormatError]:
    """The records of *source*, in file order, what :func:`read` with ``on_error="collect"`` sees.

    A JSON Lines input (given or inferred) yields each non-blank line as a
    :class:`RawLine`, which :func:`parse_raw` turns into exactly the
    transcript or error :func:`read` gives for it, so that lines can be
    parsed in other processes; other formats yield the transcripts and the
    errors themselves. A read that ends early yields its error last.
    """
    if format is not None and format not in _FORMATS:
        raise ValueError(f"unknown format {format!r} (expected 'jsonl', 'json', 'csv' or 'twcs')")
    lines, handle = open_lines(source, "utf-8")
    try:
        if format is None:
            inferred = _infer(lines, {})
            if isinstance(inferred, FormatError):
                yield inferred
                return
            format = cast("Literal['jsonl', 'json', 'csv', 'twcs']", inferred)
        if format != "jsonl":
            for item in _records(lines, format, {}):
                yield item if isinstance(item, FormatError) else _transcript(item, lines.name)
            return
        index = 0
        bad = lines.bad
        name = lines.name
        for number, raw in enumerate(lines, start=1):
            text = raw.strip()
            if text:
                yield RawLine(text, name, number, index, bad.get(number))
                index += 1
        if lines.fatal is not None:
            yield lines.fatal
    finally:
        if handle is not None:
            handle.close()


def parse_raw(line: RawLine) -> Transcript | FormatError:
    """The transcript of a line :func:`read_raw` gave, or the error :func:`read` reports for it."""
    if line.bad is not None:
        return FormatError(line.bad, path=line.name, line=line.number, record=line.record)
    item = _jsonl_record(line.text, line.name, line.number, line.record)
    return item if isinstance(item, FormatError) else _transcript(item, line.name)


def _unexpected(exc: BaseException, name: str, line: int | None, index: int) -> FormatError:
    return FormatError(
        f"unreadable record ({type(exc).__name__}: {exc})"[:500], path=name, line=line, record=index
    )


def _handle(error: FormatError, on_error: OnError, errors: list[FormatError] | None) -> None:
    if on_error == "raise":
        raise error
    if on_error == "collect" and errors is not None:
        errors.append(error)


def _records(
    lines: Lines, format: str | None, columns: Mapping[str, str]
) -> Iterator[tuple[int | None, int, Any] | FormatError]:
    if format is None:
        inferred = _infer(lines, columns)
        if isinstance(inferred, FormatError):
            yield inferred
            return
        format = inferred
    if format == "twcs":
        yield from twcs_records(lines)
    elif format == "csv":
        yield from csv_records(lines, columns)
    elif format == "json":
        yield from _json_records(lines)
    else:
        yield from _jsonl_records(lines)
    if lines.fatal is not None:
        yield lines.fatal


def _infer(lines: Lines, columns: Mapping[str, str]) -> str | FormatError:
    head: list[str] = []
    for line in lines:
        head.append(line)
        if sum(1 for h in head if h.strip()) >= _PEEK_LINES:
            break
    for line in reversed(head):
        lines.push(line)
    filled = [h for h in head if h.strip()]
    if not filled:
        return "jsonl"
    first = filled[0].lstrip()
    if first.startswith("["):
        return "json"
    if any(_is_object_line(h) for h in filled):
        return "jsonl"
    if first.startswith("{"):
        return "json"  # one object spread over several lines
    try:
        names = set(next(csv.reader([filled[0]]), []))
    except csv.Error:
        names = set()
    if {"tweet_id", "in_response_to_tweet_id"} <= names:
        return "twcs"
    if {columns.get(c, c) for c in ("id", "role", "text")} & names:
        return "csv"  # reading it names any missing column
    return FormatError(
        f"cannot tell the format from the first {len(filled)} non-blank line(s): no JSON object, "
        "JSON array, twcs header or CSV header naming id, role or text "
        f"(formats considered: {', '.join(_FORMATS)}; pass format=... to choose)",
        path=lines.name,
        line=1,
    )


def _is_object_line(line: str) -> bool:
    """Whether *line* holds exactly one JSON object starting at its first column."""
    text = line.rstrip()
    if not (text.startswith("{") and text.endswith("}")):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON ({exc.msg})"
    if isinstance(exc, RecursionError):
        return "invalid JSON (nested too deeply)"
    return f"invalid JSON ({exc})"


def _json_records(lines: Lines) -> Iterator[tuple[int | None, int, Any] | FormatError]:
    text = "".join(lines)
    if lines.bad:
        number = min(lines.bad)
        yield FormatError(lines.bad[number], path=lines.name, line=number)
        return
    if lines.fatal is not None or not text.strip():
        return
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        line = exc.lineno if isinstance(exc, json.JSONDecodeError) else None
        yield FormatError(_json_error(exc), path=lines.name, line=line)
        return
    items = data if isinstance(data, list) else [data]
    for index, record in enumerate(items):
        if not isinstance(record, dict):
            yield FormatError(
                f"record must be an object, got {type(record).__name__}",
                path=lines.name,
                field=f"[{index}]",
                record=index,
            )
        else:
            yield _canonical(record, lines.name, None, index, len(items))


def _jsonl_records(lines: Lines) -> Iterator[tuple[int | None, int, Any] | FormatError]:
    index = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if number in lines.bad:
            yield FormatError(lines.bad[number], path=lines.name, line=number, record=index)
        else:
            yield _jsonl_record(line, lines.name, number, index)
        index += 1


def _jsonl_record(line: str, name: str, number: int, index: int) -> tuple[int | None, int, Any] | FormatError:
    """The record on one stripped, non-blank JSON Lines line, or the error saying why there is none."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return FormatError(_json_error(exc), path=name, line=number, record=index)
    if isinstance(record, dict):
        return _canonical(record, name, number, index, None)
    return FormatError(
        f"record must be an object, got {type(record).__name__}", path=name, line=number, record=index
    )


def _canonical(
    record: dict[str, Any], name: str, line: int | None, index: int, count: int | None
) -> tuple[int | None, int, Any] | FormatError:
    kind = vendor_kind(record)
    if kind is None:
        return (line, index, record)
    stem = os.path.splitext(name)[0] or "record"
    default_id = stem if count == 1 else f"{stem}-{index}"
    try:
        return (
            line,
            index,
            convert_vendor(record, kind, default_id, {"path": name, "line": line, "record": index}),
        )
    except FormatError as exc:
        return exc
    except _UNEXPECTED as exc:
        return _unexpected(exc, name, line, index)


def write_jsonl(transcripts: Iterable[Transcript], destination: Source) -> int:
    """Write *transcripts* as canonical JSON Lines; return how many were written."""
    if isinstance(destination, str | os.PathLike):
        with open(destination, "w", encoding="utf-8", newline="\n") as handle:
            return _write(transcripts, handle)
    return _write(transcripts, destination)  # type: ignore[arg-type]


def _write(transcripts: Iterable[Transcript], handle: IO[str]) -> int:
    count = 0
    for transcript in transcripts:
        handle.write(json.dumps(transcript.to_dict(), ensure_ascii=False) + "\n")
        count += 1
    return count

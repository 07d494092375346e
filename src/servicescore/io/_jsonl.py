"""Canonical JSON Lines / JSON reading and writing (private)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, Literal, cast

from .._model import Transcript
from ..exceptions import FormatError, TranscriptError
from ._tables import csv_records, twcs_records
from ._vendors import convert_vendor, vendor_kind

__all__ = ["read", "write_jsonl"]

OnError = Literal["raise", "skip", "collect"]
Source = str | os.PathLike[str] | IO[str] | IO[bytes]


def read(
    source: Source,
    format: Literal["jsonl", "json", "csv", "twcs"] | None = None,
    *,
    on_error: OnError = "raise",
    errors: list[FormatError] | None = None,
    columns: Mapping[str, str] | None = None,
) -> Iterator[Transcript]:
    """Stream transcripts from *source*.

    Args:
        source: A path or an open text/binary file.
        format: ``"jsonl"``, ``"json"``, ``"csv"`` (one row per turn, columns
            ``id``, ``role``, ``text``, optional ``time``, ``end``, ``speaker``,
            ``channel``, others become metadata) or ``"twcs"`` (Kaggle's
            "Customer Support on Twitter" CSV, threads rebuilt from
            ``in_response_to_tweet_id``). Inferred from the content when
            ``None``: ``[`` starts JSON, ``{`` JSON Lines, a header with
            ``tweet_id`` and ``in_response_to_tweet_id`` twcs, any other CSV.
        on_error: ``"raise"`` stops at the first bad record with a
            :class:`~servicescore.exceptions.FormatError`; ``"skip"`` drops bad
            records; ``"collect"`` drops them and appends each error to *errors*.
        errors: The list that receives errors when ``on_error="collect"``.
        columns: For CSV, the file's column name for each canonical field,
            e.g. ``{"id": "call_id", "role": "speaker_type", "text": "utterance"}``.

    Yields:
        Each valid transcript, in file order.

    Raises:
        FormatError: Naming the file, line, field and reason.
    """
    if on_error not in ("raise", "skip", "collect"):
        raise ValueError(f"on_error must be 'raise', 'skip' or 'collect', got {on_error!r}")
    if on_error == "collect" and errors is None:
        raise ValueError("on_error='collect' needs an 'errors' list to collect into")
    name, handle, owned = _open(source)
    try:
        records = _records(handle, name, format, columns or {})
        for item in records:
            if isinstance(item, FormatError):
                _handle(item, on_error, errors)
                continue
            line, index, record = item
            try:
                yield Transcript.from_dict(record)
            except TranscriptError as exc:
                _handle(
                    FormatError(exc.message, path=name, line=line, field=exc.field, record=index),
                    on_error,
                    errors,
                )
    finally:
        if owned:
            handle.close()


def _handle(error: FormatError, on_error: OnError, errors: list[FormatError] | None) -> None:
    if on_error == "raise":
        raise error
    if on_error == "collect" and errors is not None:
        errors.append(error)


def _open(source: Source) -> tuple[str, IO[str], bool]:
    if isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        return os.path.basename(name), open(name, encoding="utf-8-sig", newline=""), True
    name = str(getattr(source, "name", "<stream>"))
    if isinstance(source, io.TextIOBase):
        return os.path.basename(name), cast("IO[str]", source), False
    return (
        os.path.basename(name),
        io.TextIOWrapper(cast("IO[bytes]", source), encoding="utf-8-sig", newline=""),
        False,
    )


def _records(
    handle: IO[str], name: str, format: str | None, columns: Mapping[str, str]
) -> Iterator[tuple[int | None, int, Any] | FormatError]:
    first = handle.read(1)
    if first == "\ufeff":
        first = handle.read(1)
    skipped_lines = 0
    while first and first.isspace():
        skipped_lines += first == "\n"
        first = handle.read(1)
    lines = _lines(handle, first)
    if format is None:
        format = {"[": "json", "": "jsonl"}.get(first)
    if format is None and first == "{":
        head = next(lines, "")
        lines = itertools.chain([head], lines)
        try:
            json.loads(head)
        except json.JSONDecodeError:
            format = "json"  # one object spread over several lines
        else:
            format = "jsonl"
    if format is None or format in ("csv", "twcs"):
        header = next(lines, "")
        if format is None:
            names = set(next(csv.reader([header]), []))
            format = "twcs" if {"tweet_id", "in_response_to_tweet_id"} <= names else "csv"
        rows = itertools.chain([header], lines)
        if format == "twcs":
            yield from twcs_records(rows, name)
        else:
            yield from csv_records(rows, name, columns)
        return
    if format == "json":
        try:
            data = json.loads("".join(lines))
        except json.JSONDecodeError as exc:
            yield FormatError(f"invalid JSON ({exc.msg})", path=name, line=exc.lineno)
            return
        items = data if isinstance(data, list) else [data]
        for index, record in enumerate(items):
            if not isinstance(record, dict):
                yield FormatError(
                    f"record must be an object, got {type(record).__name__}",
                    path=name,
                    field=f"[{index}]",
                    record=index,
                )
            else:
                yield _canonical(record, name, None, index, len(items))
        return
    if format != "jsonl":
        raise ValueError(f"unknown format {format!r} (expected 'jsonl', 'json', 'csv' or 'twcs')")
    index = 0
    for number, raw in enumerate(lines, start=1 + skipped_lines):
        line = raw.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield FormatError(f"invalid JSON ({exc.msg})", path=name, line=number, record=index)
        else:
            if isinstance(record, dict):
                yield _canonical(record, name, number, index, None)
            else:
                yield FormatError(
                    f"record must be an object, got {type(record).__name__}",
                    path=name,
                    line=number,
                    record=index,
                )
        index += 1


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


def _lines(handle: IO[str], first: str) -> Iterator[str]:
    if not first:
        return
    head = handle.readline()
    yield first + head
    yield from handle


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

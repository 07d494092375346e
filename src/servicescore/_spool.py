"""The ``score`` command's rows: read, scored and rendered where they are scored, spooled in order.

The command line reads a JSON Lines file as raw lines and hands them out in
chunks; each chunk is parsed, scored, rendered as the text of its CSV (or
JSON Lines) rows and summed up for the terminal summary by one
:class:`RowJob` call, in a worker process when there are several. Only that
compact outcome comes back: the calling process appends the text to a
temporary file and merges the summaries, so it is never the bottleneck, and
``--workers 2`` writes the bytes ``--workers 1`` writes.

A row's text depends on the table's columns, which are only known at the end
(a metadata key or a score detail first seen in a later chunk, a column that
turns out not to be numeric). A chunk is rendered with its own columns and
keeps its rows' values too; at the end each chunk whose columns are the
table's is copied as it is, and any other is rendered again from its values,
so the file is always what :meth:`ScoreTable.to_csv` would write.
"""

from __future__ import annotations

import contextlib
import csv
import importlib
import io as _io
import json
import math
import os
import pickle
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple, Protocol, TypeAlias

import attrs
import numpy as np

from ._batch import _describe, _Failure, _portable, _Work
from ._model import Transcript
from ._output import atomic_text_file, csv_cells
from ._suite import Scorecard, Suite
from ._table import BASE_COLUMNS, IMPACT_COLUMNS, _is_number, scorecard_row
from ._table import _cell as _table_cell
from ._terminal import TerminalSummary
from .exceptions import FormatError
from .io._jsonl import RawLine, parse_raw

__all__ = ["ChunkOutcome", "RowChunk", "RowJob", "RowSpool", "rejection_fields", "shipped"]

#: What the rows are written as: CSV or JSON Lines text, Parquet (from the values), or nothing.
Output: TypeAlias = Literal["csv", "jsonl", "parquet"] | None


class _Writer(Protocol):
    def write(self, text: str, /) -> object: ...


class RowChunk(NamedTuple):
    """The rows of a chunk's scorecards: their columns, their rendered text and their values.

    Attributes:
        size: The number of rows.
        meta: The ``meta.*`` columns, in first-seen order.
        scores: The score and detail columns, in first-seen order.
        impact: Whether a row has the brand-impact columns.
        not_numeric: The columns holding a value that is not a number (and ``id``, ``channel``).
        int_numeric: The numeric columns holding an integer, whose cells read differently
            (``3`` or ``3.0``) depending on whether the whole column is numeric.
        text: The rows as CSV or JSON Lines text with these columns (``None`` for Parquet).
        values: The row dictionaries, pickled.
    """

    size: int
    meta: tuple[str, ...]
    scores: tuple[str, ...]
    impact: bool
    not_numeric: frozenset[str]
    int_numeric: frozenset[str]
    text: str | None
    values: bytes

    def names(self) -> tuple[str, ...]:
        """The columns the text was rendered with."""
        return _names(self.meta, self.scores, self.impact)


class ChunkOutcome(NamedTuple):
    """What :class:`RowJob` makes of a chunk.

    Attributes:
        failures: The index of each failed item among the chunk's work, to its
            failure (with the rejected file's fields as its ``record``).
        rows: The rows of the others, in order (``None`` when no output is written).
        summary: Their terminal summary.
    """

    failures: dict[int, _Failure]
    rows: RowChunk | None
    summary: TerminalSummary


def _names(meta: Sequence[str], scores: Sequence[str], impact: bool) -> tuple[str, ...]:
    return (*BASE_COLUMNS, *meta, *scores, *(IMPACT_COLUMNS if impact else ()))


def rejection_fields(id: str | None, reason: str, record: object) -> dict[str, object]:
    """A line of the rejected file, but its position: id, reason, where, and the record when it is JSON."""
    line: dict[str, object] = {"id": id, "reason": reason}
    if isinstance(record, FormatError):
        line.update(path=record.path, line=record.line, field=record.field)
        record = None
    elif isinstance(record, Transcript):
        record = record.to_dict()
    try:
        json.dumps(record)
    except (TypeError, ValueError):
        record = None
    line["record"] = record
    return line


def shipped(failure: _Failure, portable: bool = False) -> _Failure:
    """*failure* with the rejected file's fields as its record (and an error that pickles, if *portable*)."""
    error = _portable(failure.error) if portable else failure.error
    return _Failure(
        failure.id, failure.reason, rejection_fields(failure.id, failure.reason, failure.record), error
    )


@attrs.frozen
class RowJob:
    """A chunk's work for the ``score`` command: read, score, render its rows and sum them up.

    Attributes:
        output: What the rows are rendered as (see :data:`Output`).
        escape_formulas: Whether CSV cells that a spreadsheet would run get a ``'``.
        names: The suite's score names, for the summary.
        by: The summary's grouping (``None``, ``"channel"`` or a metadata key).
        width: The terminal's width, for the summary.
    """

    output: Output
    escape_formulas: bool
    names: tuple[str, ...]
    by: str | None
    width: int

    def __call__(self, suite: Suite, work: _Work, portable: bool) -> ChunkOutcome:
        """Read, score and render *work*; failures as :func:`shipped` makes them."""
        cards: list[Scorecard] = []
        failures: dict[int, _Failure] = {}
        for index, item in enumerate(work):
            transcript = parse_raw(item) if isinstance(item, RawLine) else item
            if isinstance(transcript, FormatError):
                failure = _Failure(None, str(transcript), transcript, transcript)
                failures[index] = shipped(failure, portable)
                continue
            try:
                cards.append(suite(transcript))
            except Exception as exc:  # every failure is reported, none lost
                failure = _Failure(transcript.id, _describe(exc), transcript, exc)
                failures[index] = shipped(failure, portable)
        summary = TerminalSummary(self.names, self.by, self.width)
        for card in cards:
            summary.add(card)
        rows = None if self.output is None else self._rows(cards)
        return ChunkOutcome(failures, rows, summary)

    def _rows(self, cards: list[Scorecard]) -> RowChunk:
        rows = [scorecard_row(card) for card in cards]
        meta: dict[str, None] = {}
        scores: dict[str, None] = {}
        not_numeric = {"id", "channel"}
        for row in rows:
            for name, value in row.items():
                if name.startswith("meta."):
                    meta.setdefault(name)
                elif name not in BASE_COLUMNS and name not in IMPACT_COLUMNS:
                    scores.setdefault(name)
                if not _is_number(value):
                    not_numeric.add(name)
        impact = any(card.impact is not None for card in cards)
        names = _names(tuple(meta), tuple(scores), impact)
        numeric = _numeric(names, not_numeric)
        int_numeric = {
            name
            for row in rows
            for name, value in row.items()
            if name in numeric and not isinstance(value, float | np.floating)
        }
        text = None
        if self.output in ("csv", "jsonl"):
            text = _render(rows, names, numeric, self.output, self.escape_formulas)
        values = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        return RowChunk(
            len(rows),
            tuple(meta),
            tuple(scores),
            impact,
            frozenset(not_numeric),
            frozenset(int_numeric),
            text,
            values,
        )


def _numeric(names: Sequence[str], not_numeric: set[str] | frozenset[str]) -> set[str]:
    """The numeric columns: neither metadata nor holding a value that is not a number."""
    return {name for name in names if not name.startswith("meta.") and name not in not_numeric}


def _cells(row: Mapping[str, object], names: Sequence[str], numeric: set[str]) -> dict[str, object]:
    """*row* as the table's cells, in column order (``nan`` for a score the row lacks)."""
    cells = {}
    for name in names:
        value = row.get(name, None if name.startswith("meta.") else math.nan)
        cells[name] = _table_cell(float(value) if name in numeric else value)  # type: ignore[arg-type]
    return cells


def _render(
    rows: Sequence[Mapping[str, object]],
    names: Sequence[str],
    numeric: set[str],
    output: Literal["csv", "jsonl"],
    escape_formulas: bool,
) -> str:
    """The text of *rows* with these columns, as ``ScoreTable.to_csv()`` / ``to_jsonl()`` write rows."""
    buffer = _io.StringIO()
    if output == "csv":
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow(csv_cells(_cells(row, names, numeric).values(), escape_formulas=escape_formulas))
    else:
        for row in rows:
            buffer.write(json.dumps(_cells(row, names, numeric), ensure_ascii=False, default=str) + "\n")
    return buffer.getvalue()


class _Spooled(NamedTuple):
    """Where a chunk's text and values are in the temporary files, and what it was rendered with."""

    size: int
    names: tuple[str, ...]
    int_numeric: frozenset[str]
    text: tuple[int, int]
    values: tuple[int, int]


class RowSpool:
    """The rows of every chunk, in order, in temporary files, until they are written out.

    The columns (and which of them are numeric) are tracked in the order
    :meth:`ScoreTable.from_scorecards` uses, so the file written at the end
    is the one ``ScoreTable.to_csv()`` / ``to_jsonl()`` / Parquet would give,
    in bounded memory.

    Args:
        output: What the chunks were rendered as.
        escape_formulas: As the chunks were rendered.
    """

    def __init__(self, output: Output, escape_formulas: bool = True) -> None:
        self._output = output
        self._escape = escape_formulas
        self._text = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._values = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._chunks: list[_Spooled] = []
        self._count = 0
        self._meta: dict[str, None] = {}
        self._scores: dict[str, None] = {}
        self._impact = False
        self._not_numeric: set[str] = {"id", "channel"}

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        """Delete the temporary files."""
        self._text.close()
        self._values.close()

    def add(self, chunk: RowChunk) -> None:
        """Append a chunk's rows."""
        if not chunk.size:
            return
        for name in chunk.meta:
            self._meta.setdefault(name)
        for name in chunk.scores:
            self._scores.setdefault(name)
        self._impact = self._impact or chunk.impact
        self._not_numeric.update(chunk.not_numeric)
        text = b"" if chunk.text is None else chunk.text.encode("utf-8", "surrogatepass")
        spans = []
        for file, data in ((self._text, text), (self._values, chunk.values)):
            spans.append((file.tell(), len(data)))
            file.write(data)
        self._chunks.append(_Spooled(chunk.size, chunk.names(), chunk.int_numeric, spans[0], spans[1]))
        self._count += chunk.size

    def _names(self) -> tuple[tuple[str, ...], set[str]]:
        names = _names(tuple(self._meta), tuple(self._scores), self._impact)
        return names, _numeric(names, self._not_numeric)

    def _rows(self, chunk: _Spooled) -> list[dict[str, object]]:
        offset, size = chunk.values
        self._values.seek(offset)
        rows: list[dict[str, object]] = pickle.loads(self._values.read(size))  # our own temporary file
        return rows

    def write_file(self, path: Path) -> None:
        """Write *path* (CSV, JSON Lines or Parquet, by its suffix), replacing it only when complete."""
        if path.suffix == ".parquet":
            self._write_parquet(path)
            return
        with atomic_text_file(path) as handle:
            self.write(handle)

    def write(self, handle: _Writer) -> None:
        """Write the header (CSV) and every row to *handle*; CSV cells escaped as in ``to_csv``."""
        if self._output not in ("csv", "jsonl"):
            raise ValueError(f"the rows were not rendered as text (output {self._output!r})")
        output: Literal["csv", "jsonl"] = self._output
        names, numeric = self._names()
        if output == "csv":
            csv.writer(handle).writerow(csv_cells(names, escape_formulas=self._escape))
        self._text.flush()
        for chunk in self._chunks:
            if chunk.names == names and not chunk.int_numeric & self._not_numeric:
                offset, size = chunk.text
                self._text.seek(offset)
                handle.write(self._text.read(size).decode("utf-8", "surrogatepass"))
            else:  # rendered with other columns than the table's: again, with the table's
                handle.write(_render(self._rows(chunk), names, numeric, output, self._escape))

    def _write_parquet(self, path: Path, batch: int = 10_000) -> None:
        """Parquet in row groups of *batch* rows: numbers as float64 (null when missing), the rest as text."""
        pa = importlib.import_module("pyarrow")  # its presence was checked before scoring
        pq = importlib.import_module("pyarrow.parquet")

        names, numeric = self._names()
        schema = pa.schema([(name, pa.float64() if name in numeric else pa.string()) for name in names])
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with pq.ParquetWriter(temporary, schema) as writer:
                chunk: list[dict[str, object]] = []
                for cells in self._all_cells(names, numeric):
                    chunk.append({n: v if n in numeric else _text_or_none(v) for n, v in cells.items()})
                    if len(chunk) == batch:
                        writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                        chunk = []
                if chunk or not self._count:
                    writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)

    def _all_cells(self, names: Sequence[str], numeric: set[str]) -> Iterator[dict[str, object]]:
        self._values.flush()
        for chunk in self._chunks:
            for row in self._rows(chunk):
                yield _cells(row, names, numeric)


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)

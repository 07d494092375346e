"""ScoreTable: the scores of many transcripts as numpy columns, and what could not be scored."""

from __future__ import annotations

import csv
import functools
import io as _io
import json
import math
import os
import pathlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import attrs
import numpy as np

from ._output import atomic_text_file, csv_cells

if TYPE_CHECKING:
    from ._aggregate import Grouping, GroupKey, Period
    from ._model import Transcript
    from ._suite import Scorecard, Suite

__all__ = ["Rejected", "ScoreTable"]

#: Columns every table starts with, before metadata and scores.
BASE_COLUMNS = ("id", "channel", "turns", "start")
#: Brand-impact columns, last, when the suite has a BrandImpact.
IMPACT_COLUMNS = ("experience", "reach", "impact")


@attrs.frozen
class Rejected:
    """An input that could not be scored, and why.

    Attributes:
        position: Its 0-based position in the input stream.
        id: The transcript id, when it could be read.
        reason: What went wrong (the error message).
        record: The input itself (a transcript, a record, or the reader's error).
    """

    position: int
    id: str | None
    reason: str
    record: object = attrs.field(eq=False, repr=False)


def import_pandas(caller: str) -> Any:
    """Import pandas, an optional dependency, or say how to install it.

    Raises:
        MissingResourceError: If pandas is not installed.
    """
    try:
        import pandas
    except ImportError:
        from .exceptions import MissingResourceError

        raise MissingResourceError(f"{caller} needs pandas: pip install 'servicescore[pandas]'") from None
    return pandas


def scorecard_row(card: Scorecard) -> dict[str, object]:
    """One table row for *card*: base columns, ``meta.<key>``, scores with details, impact.

    The single definition of a row, shared by :meth:`ScoreTable.from_scorecards`
    and the command line's streaming writer.
    """
    transcript = card.transcript
    times = [t.time for t in transcript.turns if t.time is not None]
    row: dict[str, object] = {
        "id": transcript.id,
        "channel": transcript.channel.value,
        "turns": float(len(transcript.turns)),
        "start": times[0] if times else math.nan,
    }
    for key, value in transcript.meta.items():
        row[f"meta.{key}"] = value
    for name, score in card.items():
        row[name] = math.nan if score.value is None else score.value
        for key, value in score.details.items():
            row[f"{name}.{key}"] = value
    if card.impact is not None:
        impact = card.impact
        row["experience"] = math.nan if impact.experience is None else impact.experience
        row["reach"] = impact.reach
        row["impact"] = math.nan if impact.impact is None else impact.impact
    return row


def _cell(value: object) -> object:
    """A plain Python value for records, CSV and JSON (``nan`` -> ``None``)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _array(values: list[Any], numeric: bool) -> np.ndarray:
    if numeric:
        return np.asarray(values, dtype=np.float64)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _all_numbers(kinds: Iterable[type]) -> bool:
    """Whether :func:`_is_number` holds for every value of these types (decided once per type)."""
    return all(
        issubclass(kind, int | float | np.integer | np.floating) and not issubclass(kind, bool)
        for kind in kinds
    )


def _missing(name: str) -> object:
    """The value of column *name* in a row that lacks it: ``None`` for metadata, else ``nan``."""
    return None if name.startswith("meta.") else math.nan


class RowBlock(NamedTuple):
    """Consecutive table rows as columns: what a worker process sends back for a chunk.

    Attributes:
        size: The number of rows.
        impact: Whether a row has every brand-impact column.
        columns: Column name (in first-seen order) to its *size* values,
            missing ones filled as :meth:`ScoreTable.from_rows` fills them.
    """

    size: int
    impact: bool
    columns: dict[str, list[Any]]


class TableBuilder:
    """The columns of a :class:`ScoreTable`, built row by row or block by block.

    What :meth:`ScoreTable.from_rows` does, incrementally: each row's values
    are appended to per-column lists as the row comes (a column first seen at
    row *n* starts with *n* missing values), and the arrays are made once, at
    the end. Blocks of rows built elsewhere (:meth:`block`, in a worker
    process) are appended whole, and the types of their values noted as they
    come, so that little is left to do at the end.
    """

    __slots__ = ("_columns", "_count", "_impact", "_kinds", "_typed")

    def __init__(self) -> None:
        self._columns: dict[str, list[Any]] = {}
        self._count = 0
        self._impact = False
        # The types of the first _typed[name] values of each column.
        self._kinds: dict[str, set[type]] = {}
        self._typed: dict[str, int] = {}

    def add(self, row: Mapping[str, object]) -> None:
        """Append one row."""
        columns = self._columns
        count = self._count
        for name, value in row.items():
            column = columns.get(name)
            if column is None:
                column = columns[name] = [_missing(name)] * count
            column.append(value)
        self._count = count + 1
        if len(row) != len(columns):
            self._pad()
        if not self._impact and all(name in row for name in IMPACT_COLUMNS):
            self._impact = True

    def extend(self, block: RowBlock) -> None:
        """Append the rows of *block*."""
        columns = self._columns
        count = self._count
        for name, values in block.columns.items():
            column = columns.get(name)
            if column is None:
                column = columns[name] = [_missing(name)] * count
            column.extend(values)
        self._count = count + block.size
        if len(block.columns) != len(columns):
            self._pad()
        self._impact = self._impact or block.impact
        self._note_kinds()

    def _note_kinds(self) -> None:
        kinds, typed = self._kinds, self._typed
        for name, column in self._columns.items():
            done = typed.get(name, 0)
            if done < len(column):
                kinds.setdefault(name, set()).update(map(type, column[done:]))
                typed[name] = len(column)

    def _pad(self) -> None:
        count = self._count
        for name, column in self._columns.items():
            if len(column) < count:
                column.extend([_missing(name)] * (count - len(column)))

    def block(self) -> RowBlock:
        """The rows so far, as a :class:`RowBlock`."""
        return RowBlock(self._count, self._impact, self._columns)

    def table(self, errors: Iterable[Rejected] = ()) -> ScoreTable:
        """The table of the rows so far, with *errors*."""
        columns = self._columns
        meta = [name for name in columns if name.startswith("meta.")]
        scores = [
            name
            for name in columns
            if not name.startswith("meta.") and name not in BASE_COLUMNS and name not in IMPACT_COLUMNS
        ]
        names = [*BASE_COLUMNS, *meta, *scores, *(IMPACT_COLUMNS if self._impact else ())]
        self._note_kinds()
        arrays = {}
        for name in names:
            values = columns.get(name)
            kinds = self._kinds.get(name, set())
            if values is None:
                values = [_missing(name)] * self._count
                kinds = set(map(type, values[:1]))
            numeric = name not in ("id", "channel") and not name.startswith("meta.") and _all_numbers(kinds)
            arrays[name] = _array(values, numeric)
        return ScoreTable(arrays, errors)


def _freeze_columns(columns: Mapping[str, np.ndarray]) -> Mapping[str, np.ndarray]:
    return MappingProxyType(dict(columns))


def _to_errors(errors: Iterable[Rejected]) -> tuple[Rejected, ...]:
    return tuple(errors)


@attrs.frozen(eq=False)
class ScoreTable:
    """Scores of many transcripts, one row each, as named numpy columns.

    Columns, in order: ``id``, ``channel``, ``turns``, ``start`` (time of the
    first turn, ``nan`` if untimed); each metadata key as ``meta.<key>``; each
    score's value under its name (``nan`` where it does not apply) followed by
    its details as ``<name>.<key>``; and, when the suite weighs brand impact,
    ``experience``, ``reach`` and ``impact``. Numeric columns are ``float64``;
    others hold Python objects. :attr:`errors` lists every input that could
    not be scored, so rows plus errors account for every input.

    Attributes:
        columns: Column name to array, all of one length.
        errors: The rejected inputs, in input order.
    """

    columns: Mapping[str, np.ndarray] = attrs.field(converter=_freeze_columns)
    errors: tuple[Rejected, ...] = attrs.field(default=(), converter=_to_errors)

    def __attrs_post_init__(self) -> None:
        lengths = {len(array) for array in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns must have one length (got {sorted(lengths)})")
        for array in self.columns.values():
            array.flags.writeable = False

    def __getstate__(self) -> dict[str, Any]:
        """Plain containers for pickling."""
        return {"columns": dict(self.columns), "errors": self.errors}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore from :meth:`__getstate__`."""
        object.__setattr__(self, "columns", MappingProxyType(state["columns"]))
        object.__setattr__(self, "errors", state["errors"])

    @classmethod
    def from_scorecards(cls, cards: Iterable[Scorecard], errors: Iterable[Rejected] = ()) -> ScoreTable:
        """Build a table from scorecards (in order) and the inputs rejected on the way."""
        return cls.from_rows((scorecard_row(card) for card in cards), errors)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, object]], errors: Iterable[Rejected] = ()) -> ScoreTable:
        """Build a table from row dictionaries, one per scored transcript, in order.

        Columns come in the documented order (base, ``meta.*`` in first-seen
        order, scores and details in first-seen order, impact); a column is
        numeric when every value in it is a number.
        """
        builder = TableBuilder()
        for row in rows:
            builder.add(row)
        table = builder.table(errors)
        return table if cls is ScoreTable else cls(table.columns, table.errors)

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(self.columns)

    def __len__(self) -> int:
        """The number of rows (scored transcripts)."""
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def __getitem__(self, name: str) -> np.ndarray:
        """The column *name* (read-only).

        Raises:
            KeyError: If there is no such column; the message lists the columns.
        """
        try:
            return self.columns[name]
        except KeyError:
            raise KeyError(f"no column {name!r} (columns: {', '.join(self.columns)})") from None

    def __iter__(self) -> Iterator[dict[str, object]]:
        """The rows, as dictionaries of plain values."""
        for i in range(len(self)):
            yield {name: _cell(array[i]) for name, array in self.columns.items()}

    def to_records(self) -> list[dict[str, object]]:
        """Every row as a dictionary of plain Python values (``nan`` becomes ``None``)."""
        return list(self)

    def equals(self, other: ScoreTable) -> bool:
        """Whether both tables hold the same columns (``nan`` equal to ``nan``) and errors."""
        if self.names != other.names or self.errors != other.errors:
            return False
        for name, array in self.columns.items():
            theirs = other.columns[name]
            if array.dtype.kind == "f" and theirs.dtype.kind == "f":
                if not np.array_equal(array, theirs, equal_nan=True):
                    return False
            elif list(map(_cell, array)) != list(map(_cell, theirs)):
                return False
        return True

    def to_csv(
        self, target: str | Path | IO[str] | None = None, *, escape_formulas: bool = True
    ) -> str | None:
        """Write the rows as CSV to *target* (path or text file); return the text if *target* is ``None``.

        A path is replaced only once the whole file is written. Text cells
        that a spreadsheet would run as a formula (starting with ``=``,
        ``+``, ``-``, ``@``, tab or carriage return, such as an id
        ``=HYPERLINK(...)``) get a leading ``'``, as OWASP recommends;
        pass ``escape_formulas=False`` for pipelines that need raw values.
        """
        return self._write(target, functools.partial(self._write_csv, escape_formulas=escape_formulas))

    def to_jsonl(self, target: str | Path | IO[str] | None = None) -> str | None:
        """Write one JSON object per row to *target*; return the text if *target* is ``None``."""
        return self._write(target, self._write_jsonl)

    def to_pandas(self) -> Any:
        """The table as a :class:`pandas.DataFrame` (pandas must be installed).

        Raises:
            MissingResourceError: If pandas is not installed.
        """
        pd = import_pandas("ScoreTable.to_pandas()")
        return pd.DataFrame({name: np.array(array) for name, array in self.columns.items()})

    def _write(self, target: str | Path | IO[str] | None, writer: Any) -> str | None:
        if target is None:
            buffer = _io.StringIO()
            writer(buffer)
            return buffer.getvalue()
        if isinstance(target, str | Path):
            with atomic_text_file(target) as handle:
                writer(handle)
            return None
        writer(target)
        return None

    def _write_csv(self, handle: IO[str], *, escape_formulas: bool) -> None:
        writer = csv.writer(handle)
        writer.writerow(csv_cells(self.names, escape_formulas=escape_formulas))
        for row in self:
            writer.writerow(csv_cells(row.values(), escape_formulas=escape_formulas))

    def _write_jsonl(self, handle: IO[str]) -> None:
        for row in self:
            handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")

    def __repr__(self) -> str:
        """One line: rows, columns (the first few named) and rejected inputs."""
        names = list(self.names)
        shown = ", ".join(names[:6]) + (f", ... ({len(names) - 6} more)" if len(names) > 6 else "")
        return (
            f"<ScoreTable: {len(self):,} rows x {len(names)} columns [{shown}]; {len(self.errors):,} errors>"
        )

    def _repr_html_(self) -> str:
        """The first rows as an HTML table, like pandas, for Jupyter."""
        from ._html import table_html

        return table_html(self)

    def report(
        self,
        path: str | os.PathLike[str],
        *,
        by: str | None = None,
        transcripts: Iterable[Transcript | Mapping[str, Any] | str | os.PathLike[str]]
        | str
        | os.PathLike[str]
        | None = None,
        suite: Suite | None = None,
        title: str | None = None,
        resamples: int = 1000,
    ) -> pathlib.Path:
        """Write a self-contained HTML report of the table to *path*; return the path.

        One file that opens offline (inline styles and SVG charts, no script,
        no external resource): the distribution of every score, a
        leaderboard by *by* with 95% intervals, trends per day or week, the
        channel mix, the public threads most at brand risk and the worst
        interactions. Scores lie in [0, 1] (high empathy and resolution are
        good, high pushiness and latency bad); experience lies in [-1, 1].
        Needs matplotlib: ``pip install 'servicescore[report]'``. See
        :func:`servicescore.report.write_report` for the arguments.

        Raises:
            MissingResourceError: If matplotlib is not installed.
            KeyError: If *by* names neither a column nor a metadata key.
            ValueError: If the table has no rows.
        """
        from .report import write_report

        return write_report(
            self, path, by=by, transcripts=transcripts, suite=suite, title=title, resamples=resamples
        )

    def column_names(self, prefix: str) -> Sequence[str]:
        """The names of the columns starting with *prefix* (``"meta."``, ``"empathy."``)."""
        return [name for name in self.columns if name.startswith(prefix)]

    def group_by(self, key: GroupKey, *, every: Period | None = None) -> Grouping:
        """Group the rows by a metadata key, a column, a function of the row, and/or time.

        Args:
            key: A metadata key (``"agent"`` reads column ``meta.agent``; the full
                name works too), ``"channel"`` or any other column (a column wins
                over a metadata key of the same name: use ``"meta.channel"``),
                a callable taking a row dictionary (as iteration yields) and
                returning its group label, or ``None`` with *every* for a pure
                time series. Labels that cannot be hashed (lists, dicts) become
                their JSON text; ``nan`` and missing metadata become ``None``.
            every: ``"day"`` or ``"week"`` to split groups further by the period
                of the ``start`` column, in UTC: the day, or the ISO week
                (Monday to Sunday); a period is labelled by the ISO date of its
                first day, and rows without a start fall in period ``None``.

        Returns:
            A :class:`~servicescore.Grouping`; call ``.summary()`` on it.

        Raises:
            KeyError: If *key* names neither a column nor a metadata key.
            ValueError: If *key* and *every* are both ``None`` or *every* is unknown.

        >>> table = ScoreTable({"meta.team": np.array(["cards", "loans", "cards"], dtype=object),
        ...                     "start": np.array([1_772_618_100.0, 1_773_100_000.0, np.nan])})
        >>> table.group_by("team").keys
        ('cards', 'loans')
        >>> table.group_by(None, every="week").keys
        ('2026-03-02', '2026-03-09', None)
        """
        from ._aggregate import group_by

        return group_by(self, key, every=every)

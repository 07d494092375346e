"""Scoring beyond one machine: one partition function for Dask, Spark and the like.

A cluster splits the input into partitions, scores each one where it lies and
sends the results back. :func:`score_partition` is that per-partition step: a
pure function of the partition's inputs that returns plain dictionaries, one
per input, which pickle and travel cheaply. :func:`table_from_partitions` puts
the partitions' results back together into exactly the
:class:`~servicescore.ScoreTable` that :func:`~servicescore.score_many` gives
over the same inputs in one process: the same rows and columns in the same
order, the same dtypes, the same errors with the same positions and reasons.

:func:`score_bag` and :func:`score_files` do both steps on Dask (imported only
when they are called). For Spark, call :func:`score_partition` from
``rdd.mapPartitionsWithIndex`` (see the how-to "Score on a cluster").

Positions:
    Every input yields exactly one element (a row or a rejection) except blank
    lines, which are not inputs (as in :func:`servicescore.io.read`). So the
    position of an input, its 0-based index among all inputs, is the index of
    its element in the partitions' concatenation, and
    :func:`table_from_partitions` numbers the errors that way: partitions need
    not know where they start for the table to be right.

    The ``start`` of a partition is the index of its first item in the whole
    input (the number of items, blank lines included, in the partitions before
    it). It makes each element's ``"position"`` global, so elements can be
    used on their own (written out by the workers), and, for JSON lines, gives
    the line numbers in reasons (``calls.jsonl:8: ...``), which must match a
    local read of the file. :func:`score_bag` and :func:`score_files` count
    each partition's items first to know the starts.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

from ._batch import _emit, _Failure, _score_each, _Slot, _slot, _to_score
from ._model import Transcript
from ._suite import Suite, default_suite
from ._table import (
    Rejected,
    ScoreTable,
    scorecard_row,
)
from .exceptions import FormatError, TranscriptError
from .io._jsonl import _canonical

__all__ = ["score_bag", "score_files", "score_partition", "table_from_partitions"]

#: Inputs scored at a time inside a partition: the partition's transcripts
#: are converted and scored a chunk at a time, so only its rows are held.
_CHUNK_SIZE = 256


def score_partition(
    items: Iterable[str | Mapping[str, Any] | Transcript],
    suite: Suite | None = None,
    *,
    start: int = 0,
    source: str | None = None,
    on_error: Literal["raise", "skip", "collect"] = "collect",
) -> list[dict[str, Any]]:
    """Score one partition of a distributed input into plain dictionaries, one per input.

    Pure and picklable: give it to ``bag.map_partitions`` (Dask) or
    ``rdd.mapPartitionsWithIndex`` (Spark), then rebuild the table from the
    results with :func:`table_from_partitions`.

    Args:
        items: The partition's inputs, in order: :class:`~servicescore.Transcript`
            objects, canonical record mappings, or lines of JSON Lines text
            (one record per line, as ``dask.bag.read_text`` or Spark's
            ``textFile`` give them; a trailing newline is ignored). A line is
            read exactly as :func:`servicescore.io.read` reads a line of a
            JSON Lines file, vendor records included; a blank line is not an
            input and yields nothing. A string is never a path here, and a
            path object is rejected.
        suite: The :class:`~servicescore.Suite`;
            :func:`~servicescore.default_suite` when ``None``, built where
            the partition is scored (so nothing has to be shipped).
        start: The index of the partition's first item in the whole input:
            the number of items (lines, blank ones included) in the
            partitions before it. Element positions are ``start`` plus the
            item's index in the partition, and a line's number in reasons is
            its position plus one.
        source: The name reasons give to the lines' file (``calls.jsonl``), as
            :func:`servicescore.io.read` names a file by its base name;
            ``<input>`` when ``None``.
        on_error: As for :func:`~servicescore.score_many`, but ``"collect"``
            by default: a cluster job should not die on its millionth record.
            ``"raise"`` raises the first error, with a note naming its
            position.

    Returns:
        One dictionary per input, in input order. ``{"position": p, "row": row}``
        for a scored input (*row* maps each column of a
        :class:`~servicescore.ScoreTable` to the input's plain value, as
        iterating a table gives it but with ``nan`` for scores that do not
        apply), or ``{"position": p, "rejected": {"id": ..., "reason": ...,
        "record": ...}}`` for one that could not be scored (the fields of
        :class:`~servicescore.Rejected`; *record* is ``None`` with
        ``on_error="skip"``).

    Raises:
        ValueError: If *start* or *on_error* is invalid.
        Exception: With ``on_error="raise"``, the first input's error.

    >>> lines = [
    ...     '{"id": "a", "channel": "chat", "turns": [{"role": "customer", "text": "Still broken."}]}',
    ...     "{oops",
    ... ]
    >>> row, rejection = score_partition(lines, start=7, source="calls.jsonl")
    >>> row["position"], row["row"]["id"], row["row"]["channel"]
    (7, 'a', 'chat')
    >>> rejection["position"], rejection["rejected"]["reason"]
    (8, 'calls.jsonl:9: invalid JSON (Expecting property name enclosed in double quotes)')
    """
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        raise ValueError(f"start must be a non-negative integer, got {start!r}")
    if on_error not in ("raise", "skip", "collect"):
        raise ValueError(f"on_error must be 'raise', 'skip' or 'collect', got {on_error!r}")
    suite = suite or default_suite()
    elements: list[dict[str, Any]] = []
    for chunk in _chunks(_slots(items, start, source)):
        for position, result in _emit(chunk, _score_each(suite, _to_score(chunk)), on_error):
            if isinstance(result, Rejected):
                rejected = {"id": result.id, "reason": result.reason, "record": result.record}
                elements.append({"position": position, "rejected": rejected})
            else:
                elements.append({"position": position, "row": scorecard_row(result)})
    return elements


def _slots(items: Iterable[object], start: int, source: str | None) -> Iterator[_Slot]:
    """Each non-blank item's position and its transcript, or why it cannot be scored."""
    for position, item in enumerate(items, start):
        if isinstance(item, str):
            text = item.strip()
            if position == 0:
                text = text.removeprefix("\ufeff").strip()  # a byte order mark opens the file
            if text:
                yield _slot(position, _read_line(text, position, source))
        elif isinstance(item, os.PathLike):
            error = TypeError(f"paths are not read in a partition: read the file into lines (got {item!r})")
            yield position, _Failure(None, str(error), item, error)
        else:
            yield _slot(position, item)  # the reason for anything else is score_many's


def _read_line(text: str, position: int, source: str | None) -> Transcript | FormatError:
    """Line *position* + 1 of *source*, read as :func:`servicescore.io.read` reads a JSON Lines line."""
    line = position + 1
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return FormatError(f"invalid JSON ({exc.msg})", path=source, line=line, record=position)
    if not isinstance(record, dict):
        reason = f"record must be an object, got {type(record).__name__}"
        return FormatError(reason, path=source, line=line, record=position)
    canonical = _canonical(record, source or "", line, position, None)
    if isinstance(canonical, FormatError):
        return canonical
    try:
        return Transcript.from_dict(canonical[2])
    except TranscriptError as exc:
        return FormatError(exc.message, path=source, line=line, field=exc.field, record=position)


def _chunks(slots: Iterator[_Slot]) -> Iterator[list[_Slot]]:
    chunk: list[_Slot] = []
    for slot in slots:
        chunk.append(slot)
        if len(chunk) == _CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def table_from_partitions(parts: Iterable[Iterable[Mapping[str, Any]]]) -> ScoreTable:
    """The :class:`~servicescore.ScoreTable` of the partitions' elements, in order.

    The table is the one :func:`~servicescore.score_many` gives over the
    concatenated inputs (see *Positions* above): rows in order, columns named
    and ordered as there (metadata keys and score details in order of first
    appearance), numeric columns ``float64``, ``nan`` for missing values, and
    each rejection in :attr:`~servicescore.ScoreTable.errors` at its index
    among all elements.

    Args:
        parts: The results of :func:`score_partition`, one list per
            partition, in input order. A flat list of all elements in order
            (what ``bag.compute()`` or ``rdd.collect()`` returns) is one part:
            pass ``[elements]``.

    Raises:
        TypeError: If an element is not a mapping.
        ValueError: If an element is neither a row nor a rejection.

    >>> parts = [score_partition([{"id": "a", "channel": "chat", "turns": []}]),
    ...          score_partition([{"id": "b", "turns": 5}], start=1)]
    >>> table = table_from_partitions(parts)
    >>> list(table["id"]), [(e.position, e.id, e.reason) for e in table.errors]
    (['a'], [(1, 'b', 'turns: must be a list of turns, got int')])
    """
    rows: list[Mapping[str, object]] = []
    errors: list[Rejected] = []
    position = 0
    for part in parts:
        for element in part:
            if not isinstance(element, Mapping):
                raise TypeError(
                    f"element {position} must be a mapping from score_partition, got {type(element).__name__}"
                    " (to pass one flat list of elements, wrap it: [elements])"
                )
            if "row" in element:
                rows.append(element["row"])
            elif "rejected" in element:
                rejected = element["rejected"]
                errors.append(Rejected(position, rejected["id"], rejected["reason"], rejected["record"]))
            else:
                keys = ", ".join(map(str, element))
                raise ValueError(f"element {position} is neither a row nor a rejection (keys: {keys})")
            position += 1
    return ScoreTable.from_rows(rows, errors)


def score_bag(
    bag: Any,
    suite: Suite | None = None,
    *,
    source: str | None = None,
    on_error: Literal["raise", "skip", "collect"] = "collect",
) -> ScoreTable:
    """Score a ``dask.bag.Bag`` of inputs with :func:`score_partition`, returning the table.

    The bag's items are what :func:`score_partition` takes: JSON lines
    (``dask.bag.read_text``), record mappings or transcripts. Each partition
    is scored where it lies, on the current Dask scheduler: the active
    ``distributed.Client`` if there is one (the way to use several
    processes or machines), else Dask's default for delayed work (threads).

    The bag is computed twice: once to count each partition's items, so that
    each knows its ``start`` (this only reads the input), then to score. If
    the bag is costly to compute, ``persist()`` it first.

    Args:
        bag: A ``dask.bag.Bag``; partitions in input order.
        suite: The suite (pickled once into the graph);
            :func:`~servicescore.default_suite` when ``None``, built on the
            workers.
        source: The file name reasons give to lines (see
            :func:`score_partition`); for one file, its base name makes the
            table equal to ``score_many(path, format="jsonl")``.
        on_error: As for :func:`score_partition`.

    Returns:
        The table :func:`~servicescore.score_many` gives over the bag's items
        in order.

    Raises:
        ValueError: If *on_error* is invalid.
        ImportError: If Dask is not installed (``pip install
            'servicescore[dask]'``).
        Exception: With ``on_error="raise"``, the first input's error.
    """
    _check_on_error(on_error)
    return _score_groups([(source, list(bag.to_delayed()))], suite, on_error)


def score_files(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    suite: Suite | None = None,
    *,
    blocksize: int | str | None = None,
    on_error: Literal["raise", "skip", "collect"] = "collect",
) -> ScoreTable:
    """Score JSON Lines files with Dask, returning what ``score_many(paths, format="jsonl")`` gives.

    Each file is read with ``dask.bag.read_text`` (so paths may be any URL
    fsspec knows, such as ``s3://bucket/calls.jsonl``, readable by every
    worker), in one partition per file or per *blocksize* bytes, and scored
    as by :func:`score_bag` with the file's base name as *source*: positions
    run across the files in order, line numbers within each file.

    Args:
        paths: One path or several, in order.
        suite: As for :func:`score_bag`.
        blocksize: Split files into partitions of about this many bytes
            (``"64 MiB"``); one partition per file when ``None``.
        on_error: As for :func:`score_partition`.

    Raises:
        ValueError: If *on_error* is invalid.
        ImportError: If Dask is not installed (``pip install
            'servicescore[dask]'``).
        Exception: With ``on_error="raise"``, the first input's error.
    """
    _check_on_error(on_error)
    bags = _dask("dask.bag")
    names = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    groups = []
    for path in names:
        name = os.fspath(path)
        bag = bags.read_text(name, blocksize=blocksize, encoding="utf-8")
        groups.append((os.path.basename(name), list(bag.to_delayed())))
    return _score_groups(groups, suite, on_error)


def _dask(name: str) -> Any:
    """The Dask module *name*, imported on first use (Dask is optional and slow to import)."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(f"{exc}: the Dask integration needs pip install 'servicescore[dask]'") from exc


def _check_on_error(on_error: str) -> None:
    if on_error not in ("raise", "skip", "collect"):
        raise ValueError(f"on_error must be 'raise', 'skip' or 'collect', got {on_error!r}")


def _count(items: Iterable[object]) -> int:
    return sum(1 for _ in items)


def _score_groups(
    groups: Sequence[tuple[str | None, Sequence[Any]]],
    suite: Suite | None,
    on_error: Literal["raise", "skip", "collect"],
) -> ScoreTable:
    """Score partitions (Dask delayed objects) grouped by source, each group numbered from 0."""
    dask = _dask("dask")

    counts = dask.compute([[dask.delayed(_count)(part) for part in parts] for _, parts in groups])[0]
    shipped = suite if suite is None else dask.delayed(suite, traverse=False)
    tasks = []
    for (source, parts), part_counts in zip(groups, counts, strict=True):
        start = 0
        for part, count in zip(parts, part_counts, strict=True):
            tasks.append(
                dask.delayed(score_partition, pure=True)(
                    part, shipped, start=start, source=source, on_error=on_error
                )
            )
            start += count
    return table_from_partitions(dask.compute(*tasks))

"""Readers for row-per-turn tables: generic CSV and Kaggle's twcs (private).

Both yield canonical records (see :meth:`servicescore.Transcript.from_dict`)
tagged with the line they start on, or a :class:`FormatError`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from ..exceptions import FormatError
from ._source import Lines

__all__ = ["TWCS_COLUMNS", "csv_records", "twcs_records"]

TWCS_COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")
_CSV_REQUIRED = ("id", "role", "text")
_TWCS_TIME = "%a %b %d %H:%M:%S %z %Y"  # e.g. "Tue Oct 31 22:10:47 +0000 2017" (Kaggle twcs)

Item = tuple[int, int, dict[str, Any]] | FormatError
_CANONICAL = frozenset({"id", "role", "text", "time", "end", "speaker", "channel"})
Rows = Iterator[tuple[int, list[str] | None, str | None]]


def _rows(lines: Lines) -> Rows:
    """Yield ``(first line, cells, reason)`` per CSV row; *reason* is ``None`` if it is good.

    A row is refused when one of its lines did not decode (the reason names
    the byte offset) or the CSV module refuses it (e.g. a cell over
    :func:`csv.field_size_limit` characters); reading goes on after it.
    """
    reader = csv.reader(lines)
    last = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = f"malformed CSV ({exc})"
            if "field limit" in str(exc):
                reason += "; raise csv.field_size_limit() to read longer cells"
            yield (last + 1, None, reason)  # no cells
            last = reader.line_num
            continue
        start, last = last + 1, reader.line_num
        bad = next((lines.bad[n] for n in range(start, last + 1) if n in lines.bad), None)
        yield (start, cells, bad)


def _header(rows: Rows, name: str) -> list[str] | FormatError | None:
    for line, cells, reason in rows:
        if reason is not None or cells is None:
            return FormatError(f"unreadable header ({reason})", path=name, line=line)
        if cells:
            return cells
    return None


def _short_row(cells: list[str], header: list[str], name: str, line: int) -> FormatError | None:
    if len(cells) == len(header):
        return None
    if len(cells) < len(header):
        return FormatError(
            f"row has {len(cells)} of the header's {len(header)} columns",
            path=name,
            line=line,
            field=header[len(cells)],
        )
    return FormatError(
        f"row has {len(cells)} columns, the header {len(header)} (quote cells holding commas)",
        path=name,
        line=line,
    )


def csv_records(lines: Lines, columns: Mapping[str, str]) -> Iterator[Item]:
    """Group consecutive rows with the same ``id`` into one record.

    Columns: ``id``, ``role``, ``text`` (required), ``time``, ``end``,
    ``speaker``, ``channel``; any other column becomes transcript metadata.
    A bad row makes its whole record (the run of rows with its ``id``) one
    error, so each record is either read in full or reported.
    """
    name = lines.name
    rows = _rows(lines)
    header = _header(rows, name)
    if header is None:
        return
    if isinstance(header, FormatError):
        yield header
        return
    renamed = {column: field for field, column in columns.items()}
    fields = [renamed.get(column, column) for column in header]
    missing = [columns.get(c, c) for c in _CSV_REQUIRED if c not in fields]
    if missing:
        yield FormatError(f"missing column(s) {', '.join(missing)}", path=name, line=1)
        return
    id_at = fields.index("id")
    current: dict[str, Any] | None = None
    failure: FormatError | None = None
    failure_id: str | None = None
    start_line = 0
    index = 0

    def flush() -> Item | None:
        if current is None and failure is None:
            return None
        if failure is not None:
            return FormatError(
                failure.reason, path=name, line=failure.line, field=failure.field, record=index
            )
        assert current is not None
        return (start_line, index, current)

    for line, cells, reason in rows:
        if cells == []:
            continue
        error = FormatError(reason, path=name, line=line) if reason is not None else None
        if error is None and cells is not None:
            error = _short_row(cells, fields, name, line)
        row_id = cells[id_at] if cells is not None and len(cells) > id_at else None
        open_id = current["id"] if current is not None else failure_id if failure is not None else None
        same = row_id is not None and row_id == open_id
        if not same:
            item = flush()
            if item is not None:
                yield item
                index += 1
            current, failure, failure_id, start_line = None, None, row_id, line
        if error is not None:
            if failure is None:
                failure, current = error, None
            continue
        if failure is not None:
            continue
        assert cells is not None
        row = dict(zip(fields, cells, strict=True))
        if current is None:
            current = {
                "id": row["id"],
                "channel": row.get("channel") or "chat",
                "turns": [],
                "metadata": {k: v for k, v in row.items() if k not in _CANONICAL and v},
            }
        current["turns"].append(_turn(row))
    item = flush()
    if item is not None:
        yield item


def _turn(row: dict[str, str]) -> dict[str, Any]:
    turn: dict[str, Any] = {"role": row["role"], "text": row["text"]}
    for key in ("time", "end"):
        value = row.get(key)
        if value:
            try:
                turn[key] = float(value)
            except ValueError:
                turn[key] = value  # ISO 8601 strings are parsed by the model
    if row.get("speaker"):
        turn["speaker"] = row["speaker"]
    return turn


def twcs_records(lines: Lines) -> Iterator[Item]:
    """Rebuild threads from the "Customer Support on Twitter" CSV.

    Threads follow ``in_response_to_tweet_id``; a tweet whose parent is absent
    starts a thread. The whole file is read before threads are emitted (replies
    may precede their parents), ordered by their first tweet. A bad row (a
    tweet) is one error; its thread is read without it.
    """
    name = lines.name
    rows = _rows(lines)
    header = _header(rows, name)
    if header is None:
        return
    if isinstance(header, FormatError):
        yield header
        return
    missing = [c for c in TWCS_COLUMNS if c not in header]
    if missing:
        yield FormatError(f"missing column(s) {', '.join(missing)}", path=name, line=1)
        return
    tweets: dict[str, tuple[int, float, dict[str, str]]] = {}
    for line, cells, reason in rows:
        if cells == []:
            continue
        if reason is not None or cells is None:
            yield FormatError(reason or "unreadable row", path=name, line=line)
            continue
        short = _short_row(cells, header, name, line)
        if short is not None:
            yield short
            continue
        row = dict(zip(header, cells, strict=True))
        try:
            moment = dt.datetime.strptime(row["created_at"], _TWCS_TIME).timestamp()
        except (TypeError, ValueError, OverflowError):
            yield FormatError(
                f"invalid time {row['created_at'][:80]!r} (expected like 'Tue Oct 31 22:10:47 +0000 2017')",
                path=name,
                line=line,
                field="created_at",
            )
            continue
        if row["inbound"] not in ("True", "False"):
            yield FormatError(
                f"expected True or False, got {row['inbound'][:80]!r}", path=name, line=line, field="inbound"
            )
            continue
        tweets[row["tweet_id"]] = (line, moment, row)
    roots: dict[str, str] = {}

    def root_of(tweet_id: str) -> str:
        seen = []
        while tweet_id not in roots:
            parent = tweets[tweet_id][2]["in_response_to_tweet_id"].split(".")[0]
            seen.append(tweet_id)
            if not parent or parent not in tweets or parent in seen:
                roots[tweet_id] = tweet_id
                break
            tweet_id = parent
        found = roots[tweet_id]
        for item in seen:
            roots[item] = found
        return found

    threads: dict[str, list[tuple[float, int, dict[str, str]]]] = {}
    for tweet_id, (line, moment, row) in tweets.items():
        threads.setdefault(root_of(tweet_id), []).append((moment, line, row))
    ordered = sorted(threads.items(), key=lambda kv: min((m, ln) for m, ln, _ in kv[1]))
    for index, (root, members) in enumerate(ordered):
        members.sort(key=lambda m: (m[0], m[1]))
        company = next((r["author_id"] for _, _, r in members if r["inbound"] == "False"), None)
        record: dict[str, Any] = {
            "id": root,
            "channel": "social",
            "turns": [
                {
                    "role": "customer" if r["inbound"] == "True" else "agent",
                    "text": r["text"],
                    "time": moment,
                    "speaker": r["author_id"],
                    "meta": {"tweet_id": r["tweet_id"]},
                }
                for moment, _, r in members
            ],
            "metadata": {"company": company} if company else {},
        }
        yield (min(ln for _, ln, _ in members), index, record)

"""Readers for row-per-turn tables: generic CSV and Kaggle's twcs (private).

Both yield canonical records (see :meth:`servicescore.Transcript.from_dict`)
tagged with the line they start on, or a :class:`FormatError`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..exceptions import FormatError

__all__ = ["TWCS_COLUMNS", "csv_records", "twcs_records"]

TWCS_COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id")
_CSV_REQUIRED = ("id", "role", "text")
_TWCS_TIME = "%a %b %d %H:%M:%S %z %Y"  # e.g. "Tue Oct 31 22:10:47 +0000 2017" (Kaggle twcs)

Item = tuple[int, int, dict[str, Any]] | FormatError


def csv_records(lines: Iterable[str], name: str, columns: Mapping[str, str]) -> Iterator[Item]:
    """Group consecutive rows with the same ``id`` into one record.

    Columns: ``id``, ``role``, ``text`` (required), ``time``, ``end``,
    ``speaker``, ``channel``; any other column becomes transcript metadata.
    """
    reader = csv.DictReader(lines)
    if reader.fieldnames is None:
        return
    renamed = {column: field for field, column in columns.items()}
    reader.fieldnames = [renamed.get(column, column) for column in reader.fieldnames]
    missing = [columns.get(c, c) for c in _CSV_REQUIRED if c not in reader.fieldnames]
    if missing:
        yield FormatError(f"missing column(s) {', '.join(missing)}", path=name, line=1)
        return
    current: dict[str, Any] | None = None
    start_line = 0
    index = 0
    for row in reader:
        line = reader.line_num
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
        if current is None or current["id"] != row["id"]:
            if current is not None:
                yield (start_line, index, current)
                index += 1
            meta = {
                k: v
                for k, v in row.items()
                if k not in {"id", "role", "text", "time", "end", "speaker", "channel"} and v
            }
            current = {
                "id": row["id"],
                "channel": row.get("channel") or "chat",
                "turns": [],
                "metadata": meta,
            }
            start_line = line
        current["turns"].append(turn)
    if current is not None:
        yield (start_line, index, current)


def twcs_records(lines: Iterable[str], name: str) -> Iterator[Item]:
    """Rebuild threads from the "Customer Support on Twitter" CSV.

    Threads follow ``in_response_to_tweet_id``; a tweet whose parent is absent
    starts a thread. The whole file is read before threads are emitted (replies
    may precede their parents), ordered by their first tweet.
    """
    reader = csv.DictReader(lines)
    if reader.fieldnames is None:
        return
    missing = [c for c in TWCS_COLUMNS if c not in reader.fieldnames]
    if missing:
        yield FormatError(f"missing column(s) {', '.join(missing)}", path=name, line=1)
        return
    tweets: dict[str, tuple[int, float, dict[str, str]]] = {}
    for row in reader:
        line = reader.line_num
        try:
            moment = dt.datetime.strptime(row["created_at"], _TWCS_TIME).timestamp()
        except (TypeError, ValueError):
            yield FormatError(
                f"invalid time {row['created_at']!r} (expected like 'Tue Oct 31 22:10:47 +0000 2017')",
                path=name,
                line=line,
                field="created_at",
            )
            continue
        if row["inbound"] not in ("True", "False"):
            yield FormatError(
                f"expected True or False, got {row['inbound']!r}", path=name, line=line, field="inbound"
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

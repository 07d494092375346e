"""The ``servicescore`` command line."""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import pickle
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import IO

import numpy as np

from . import io
from ._aggregate import DEFAULT_RESAMPLES
from ._analysis import Analyzer
from ._batch import score_stream
from ._model import Transcript
from ._score import Evidence, Score, Scorer
from ._suite import Scorecard, default_suite
from ._table import BASE_COLUMNS, IMPACT_COLUMNS, Rejected, ScoreTable, _is_number, scorecard_row
from ._table import _cell as _table_cell
from .exceptions import FormatError, ServiceScoreError, TranscriptError
from .learn import ModelFormatError
from .scorers import EmpathyScorer, LatencyScorer, PushinessScorer, ResolutionScorer

__all__ = ["main"]


def _scorers() -> tuple[Scorer, ...]:
    return (EmpathyScorer(), ResolutionScorer(), PushinessScorer(), LatencyScorer())


def _sample() -> Iterator[Transcript]:
    resource = resources.files("servicescore") / "data" / "sample.jsonl"
    with resource.open("r", encoding="utf-8") as handle:
        yield from io.read(handle, "jsonl")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="servicescore", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser("score", help="score transcripts from files")
    score.add_argument("files", nargs="*", help="input files (format inferred from content)")
    score.add_argument(
        "--format",
        choices=("jsonl", "json", "csv", "twcs"),
        default=None,
        help="input format; vendor JSON (Contact Lens, Transcribe, CCAI) is read as json",
    )
    score.add_argument("--sample", action="store_true", help="score the bundled sample")
    score.add_argument(
        "--model", default=None, help="a resolution model file from fit_scorer (default: shipped)"
    )
    score.add_argument(
        "-o", "--output", help="write all rows to this .csv or .jsonl file (default: CSV on stdout)"
    )
    score.add_argument(
        "--by",
        metavar="KEY",
        help="summarise per group: a metadata key (agent, team, company, ...) or 'channel'",
    )
    score.add_argument(
        "--workers", type=_positive, default=1, metavar="N", help="score in N processes (default 1)"
    )
    score.add_argument(
        "--on-error",
        choices=("raise", "skip", "collect"),
        default="raise",
        help="on a bad record: stop (raise, the default), leave it out (skip), or leave it out and "
        "write it to the rejected file (collect)",
    )
    score.add_argument(
        "--rejected",
        metavar="PATH",
        help="where --on-error collect writes the rejected records "
        "(default: OUTPUT's name with .rejected.jsonl, or servicescore.rejected.jsonl)",
    )
    score.add_argument(
        "--resamples",
        type=_positive,
        default=DEFAULT_RESAMPLES,
        metavar="N",
        help=f"bootstrap resamples for the summary's 95%% intervals (default {DEFAULT_RESAMPLES})",
    )
    score.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress line on stderr (default: when stderr is a terminal)",
    )
    explain = commands.add_parser("explain", help="show one transcript's turns with the evidence marked")
    explain.add_argument("file", nargs="?", help="input file (or --sample)")
    explain.add_argument("--id", required=True, help="the transcript's id")
    explain.add_argument("--format", choices=("jsonl", "json", "csv", "twcs"), default=None)
    explain.add_argument("--sample", action="store_true", help="look in the bundled sample")
    return parser


def _marked(text: str, evidence: Sequence[Evidence]) -> str:
    """*text* with each evidence span wrapped in ``[[...]]`` (nested or overlapping spans merged)."""
    # Whole-turn facts (waits, unmet needs) are listed below the turn, not marked.
    spans = sorted((e.start, e.end) for e in evidence if e.end > e.start and e.end - e.start < len(text))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, position = [], 0
    for start, end in merged:
        out.append(f"{text[position:start]}[[{text[start:end]}]]")
        position = end
    return "".join(out) + text[position:]


def _explain(transcript: Transcript, scorers: Sequence[Scorer]) -> list[str]:
    analysis = Analyzer()(transcript)
    scores: list[Score] = [scorer(analysis) for scorer in scorers]
    lines = [f"{transcript.id} ({transcript.channel.value}, {len(transcript.turns)} turns)"]
    for score in scores:
        value = "n/a" if score.value is None else f"{score.value:.2f}"
        reason = f" ({score.reason})" if score.reason else ""
        label = score.details.get("label")
        lines.append(f"  {score.name:<11} {value}{f' {label}' if isinstance(label, str) else ''}{reason}")
    for index, turn in enumerate(transcript.turns):
        evidence = [(s.name, e) for s in scores for e in s.evidence if e.turn == index]
        lines.append("")
        lines.append(f"[{index}] {turn.role.value}: {_marked(turn.text, [e for _, e in evidence])}")
        for name, item in evidence:
            lines.append(f"      {name} {item.weight:+.2f} {item.category}: {item.cue}")
    return lines


def _find(transcripts: Iterator[Transcript], wanted: str) -> Transcript | None:
    return next((t for t in transcripts if t.id == wanted), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with *argv*; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "explain":
            return _run_explain(args)
        return _run_score(args)
    except (FormatError, ServiceScoreError, ModelFormatError, OSError) as exc:
        print(f"servicescore: error: {exc}", file=sys.stderr)
        return 1


def _run_explain(args: argparse.Namespace) -> int:
    if not args.file and not args.sample:
        print("servicescore explain: give FILE or --sample", file=sys.stderr)
        return 2
    source = _sample() if args.sample else io.read(args.file, args.format)
    transcript = _find(source, args.id)
    if transcript is None:
        print(f"servicescore explain: no transcript with id {args.id!r}", file=sys.stderr)
        return 1
    print("\n".join(_explain(transcript, _scorers())))
    return 0


def _run_score(args: argparse.Namespace) -> int:
    if not args.files and not args.sample:
        print("servicescore score: give FILE... or --sample", file=sys.stderr)
        return 2
    output = Path(args.output) if args.output else None
    # Without -o, stdout carries the CSV only; messages go to stderr.
    info = sys.stdout if output is not None else sys.stderr
    rejected_path = Path(args.rejected) if args.rejected else _side_file(output)
    inputs: Iterable[Transcript | str] = itertools.chain(_sample() if args.sample else (), args.files)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    suite = default_suite(args.model)
    rows = _RowSpool()
    summary = _Summary(args.by, suite.names)
    rejected = 0
    side: IO[str] | None = None
    try:
        for _, result in score_stream(
            inputs, suite, workers=args.workers, on_error=args.on_error, progress=progress, format=args.format
        ):
            if isinstance(result, Rejected):
                rejected += 1
                if args.on_error == "collect":
                    if side is None:
                        side = open(rejected_path, "w", encoding="utf-8")  # noqa: SIM115 - closed below
                    side.write(json.dumps(_rejection(result), ensure_ascii=False) + "\n")
                continue
            rows.add(result)
            summary.add(result)
    except (FormatError, TranscriptError) as exc:
        print(f"servicescore: error: {exc}", file=sys.stderr)
        print(
            "servicescore: --on-error collect scores the rest and lists the rejected records", file=sys.stderr
        )
        return 1
    else:
        if output is None:
            rows.write(sys.stdout, "csv")
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                rows.write(handle, "jsonl" if output.suffix == ".jsonl" else "csv")
            print(f"wrote {len(rows)} rows to {output}", file=info)
    finally:
        rows.close()
        if side is not None:
            side.close()
    print("\n".join(summary.lines(args.resamples)), file=info)
    if rejected and args.on_error == "collect":
        print(f"{rejected} rejected, written to {rejected_path}", file=info)
    elif rejected:
        print(f"{rejected} rejected (skipped)", file=info)
    return 0


def _side_file(output: Path | None) -> Path:
    """``scores.csv`` -> ``scores.rejected.jsonl``, next to the output."""
    if output is None:
        return Path("servicescore.rejected.jsonl")
    return output.with_name(f"{output.stem}.rejected.jsonl")


def _rejection(rejected: Rejected) -> dict[str, object]:
    """One line of the rejected file: position, id, reason, where, and the record when it is JSON."""
    line: dict[str, object] = {"position": rejected.position, "id": rejected.id, "reason": rejected.reason}
    record = rejected.record
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


class _RowSpool:
    """Rows of a :class:`ScoreTable`, written out without holding them in memory.

    Each row is pickled to a temporary file as it comes, while the columns
    (and which of them are numeric) are tracked in the order
    :meth:`ScoreTable.from_scorecards` uses, so the file written at the end is
    the one ``ScoreTable.to_csv()`` / ``to_jsonl()`` would give, in bounded
    memory.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._count = 0
        self._meta: dict[str, None] = {}
        self._scores: dict[str, None] = {}
        self._impact = False
        self._not_numeric: set[str] = {"id", "channel"}

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()

    def add(self, card: Scorecard) -> None:
        row = scorecard_row(card)
        for name in row:
            if name.startswith("meta."):
                self._meta.setdefault(name)
            elif name not in BASE_COLUMNS and name not in IMPACT_COLUMNS:
                self._scores.setdefault(name)
        self._impact = self._impact or card.impact is not None
        self._not_numeric.update(name for name, value in row.items() if not _is_number(value))
        pickle.dump(row, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def write(self, handle: IO[str], format: str) -> None:
        """Write the header (CSV) and every row to *handle*."""
        names = [*BASE_COLUMNS, *self._meta, *self._scores, *(IMPACT_COLUMNS if self._impact else ())]
        numeric = {name for name in names if name not in self._meta and name not in self._not_numeric}
        writer = csv.writer(handle) if format == "csv" else None
        if writer is not None:
            writer.writerow(names)
        self._file.seek(0)
        for _ in range(self._count):
            row = pickle.load(self._file)  # our own temporary file
            cells = {}
            for name in names:
                value = row.get(name, None if name in self._meta else math.nan)
                cells[name] = _table_cell(float(value) if name in numeric else value)
            if writer is not None:
                writer.writerow(["" if value is None else value for value in cells.values()])
            else:
                handle.write(json.dumps(cells, ensure_ascii=False, default=str) + "\n")


class _Summary:
    """The columns the terminal summary needs, kept compact (8 bytes a value), then summarised.

    The summary is ``ScoreTable.group_by(...).summary()`` over a slim table of
    these columns: the count, the at-risk share, and the mean with its
    bootstrap interval of each score, of ``experience`` and of ``impact``,
    per group of *by* (``channel`` or a metadata key), and for all rows.
    """

    def __init__(self, by: str | None, names: Sequence[str]) -> None:
        self._by = by
        self._key = None if by is None or by == "channel" else by.removeprefix("meta.")
        self._labels: list[object] = []
        self._values = {name: array("d") for name in (*names, "experience", "reach", "impact")}

    def add(self, card: Scorecard) -> None:
        if self._by == "channel":
            self._labels.append(card.transcript.channel.value)
        elif self._key is not None:
            self._labels.append(card.transcript.meta.get(self._key))
        impact = card.impact
        for name, values in self._values.items():
            if name in card:
                value = card[name].value
            elif impact is not None and name in ("experience", "reach", "impact"):
                value = getattr(impact, name)
            else:
                value = None
            values.append(math.nan if value is None else value)

    def lines(self, resamples: int) -> list[str]:
        """The summary per group (when grouped), then for all rows."""
        count = len(self._values["reach"])
        columns: dict[str, np.ndarray] = {
            name: np.frombuffer(values, dtype=np.float64) for name, values in self._values.items()
        }
        shown = [name for name in columns if name != "reach" and not np.isnan(columns[name]).all()]
        total = np.empty(count, dtype=object)
        total[:] = "all"
        tables = [{"rows": total}]
        if self._by is not None:
            labels = np.empty(count, dtype=object)
            labels[:] = self._labels
            tables.insert(0, {"channel" if self._key is None else f"meta.{self._key}": labels})
        lines = []
        for extra in tables:
            table = ScoreTable({**extra, **columns})
            summary = table.group_by(next(iter(extra))).summary(shown, resamples=resamples)
            lines.extend([*summary.format().splitlines(), ""])
        return lines[:-1]

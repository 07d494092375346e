"""The ``servicescore`` command line."""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Iterator, Sequence
from importlib import resources

from . import io
from ._analysis import Analyzer
from ._model import Transcript
from ._score import Evidence, Score, Scorer
from .exceptions import FormatError, ServiceScoreError
from .scorers import EmpathyScorer, LatencyScorer, PushinessScorer, ResolutionScorer

__all__ = ["main"]

#: The details of each scorer that the ``score`` command writes as columns.
_DETAIL_COLUMNS = {
    "empathy": ("emotional_reactions", "interpretations", "explorations", "need"),
    "resolution": ("label",),
    "pushiness": ("offers", "offers_after_refusal", "offers_before_resolution"),
    "latency": ("first_response_s", "p90_wait_s", "unanswered"),
}


def _scorers() -> tuple[Scorer, ...]:
    return (EmpathyScorer(), ResolutionScorer(), PushinessScorer(), LatencyScorer())


def _columns(scorers: Sequence[Scorer]) -> list[str]:
    columns = ["id", "channel", "turns"]
    for scorer in scorers:
        columns.append(scorer.name)
        columns.extend(f"{scorer.name}_{key}" for key in _DETAIL_COLUMNS.get(scorer.name, ()))
    return columns


def _cell(value: float | str | None) -> float | str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return round(value, 4) if isinstance(value, float) else value


def _row(transcript: Transcript, scorers: Sequence[Scorer]) -> dict[str, object]:
    analysis = Analyzer()(transcript)
    row: dict[str, object] = {
        "id": transcript.id,
        "channel": transcript.channel.value,
        "turns": len(transcript.turns),
    }
    for scorer in scorers:
        score = scorer(analysis)
        row[scorer.name] = _cell(score.value)
        for key in _DETAIL_COLUMNS.get(scorer.name, ()):
            row[f"{scorer.name}_{key}"] = _cell(score.details.get(key))
    return row


def _sample() -> Iterator[Transcript]:
    resource = resources.files("servicescore") / "data" / "sample.jsonl"
    with resource.open("r", encoding="utf-8") as handle:
        yield from io.read(handle, "jsonl")


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
    score.add_argument("-o", "--output", help="write rows to a .csv or .jsonl file")
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
    except (FormatError, ServiceScoreError, OSError) as exc:
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
    scorers = _scorers()
    columns = _columns(scorers)
    rows: list[dict[str, object]] = []
    if args.sample:
        rows.extend(_row(t, scorers) for t in _sample())
    for path in args.files:
        rows.extend(_row(t, scorers) for t in io.read(path, args.format))
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            if args.output.endswith(".jsonl"):
                for row in rows:
                    handle.write(json.dumps(row) + "\n")
            else:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                writer.writerows(rows)
        print(f"wrote {len(rows)} rows to {args.output}")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return 0

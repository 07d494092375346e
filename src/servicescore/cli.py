"""The ``servicescore`` command line."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator, Sequence
from importlib import resources

from . import io
from ._model import Role, Transcript
from .exceptions import FormatError, ServiceScoreError

__all__ = ["main"]

_COLUMNS = ("id", "channel", "turns", "customer_turns", "agent_turns", "duration_s")


def _summary(transcript: Transcript) -> dict[str, object]:
    times = [t.time for t in transcript.turns if t.time is not None]
    return {
        "id": transcript.id,
        "channel": transcript.channel.value,
        "turns": len(transcript.turns),
        "customer_turns": sum(t.role is Role.CUSTOMER for t in transcript.turns),
        "agent_turns": sum(t.role is Role.AGENT for t in transcript.turns),
        "duration_s": round(times[-1] - times[0], 3) if len(times) > 1 else "",
    }


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with *argv*; return the exit status."""
    args = _parser().parse_args(argv)
    if not args.files and not args.sample:
        print("servicescore score: give FILE... or --sample", file=sys.stderr)
        return 2
    rows: list[dict[str, object]] = []
    try:
        if args.sample:
            rows.extend(_summary(t) for t in _sample())
        for path in args.files:
            rows.extend(_summary(t) for t in io.read(path, args.format))
    except (FormatError, ServiceScoreError, OSError) as exc:
        print(f"servicescore: error: {exc}", file=sys.stderr)
        return 1
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            if args.output.endswith(".jsonl"):
                for row in rows:
                    handle.write(json.dumps(row) + "\n")
            else:
                writer = csv.DictWriter(handle, fieldnames=_COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
        print(f"wrote {len(rows)} rows to {args.output}")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return 0

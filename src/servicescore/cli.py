"""The ``servicescore`` command line."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import IO, Protocol, cast

from . import io
from ._aggregate import DEFAULT_RESAMPLES
from ._analysis import Analyzer
from ._batch import _Failure, score_chunks, score_many
from ._model import Transcript
from ._output import atomic_text_file, terminal_text
from ._score import Evidence, Score, Scorer
from ._spool import Output, RowJob, RowSpool, shipped
from ._suite import default_suite
from ._terminal import TerminalSummary, plural
from ._version import __version__
from .exceptions import FormatError, ServiceScoreError, TranscriptError
from .io._jsonl import RawLine, read_raw
from .learn import ModelFormatError
from .scorers import EmpathyScorer, LatencyScorer, PushinessScorer, ResolutionScorer

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "main"]

#: Exit statuses: success; bad data or a failed read/write; a usage error (bad arguments, a path
#: that must not be written); stdout closed early by its reader (128 + SIGPIPE, as shells report).
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_BROKEN_PIPE = 0, 1, 2, 141


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
    parser.add_argument("--version", action="version", version=f"servicescore {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser("score", help="score transcripts from files")
    score.add_argument(
        "files", nargs="*", metavar="FILE", help="input files, '-' for stdin (format inferred from content)"
    )
    score.add_argument(
        "--format",
        choices=("jsonl", "json", "csv", "twcs"),
        default=None,
        help="input format; vendor JSON (Contact Lens, Transcribe, CCAI) is read as json",
    )
    score.add_argument("--sample", action="store_true", help="score the bundled sample")
    score.add_argument(
        "--model",
        metavar="PATH",
        default=None,
        help="a resolution model file saved by fit_scorer (default: the shipped model)",
    )
    score.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write every row to FILE: .csv, .jsonl, or .parquet (with pyarrow); '-' for CSV on stdout "
        "(default: only the summary)",
    )
    score.add_argument("-q", "--quiet", action="store_true", help="print no summary, only errors")
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
        "--escape-formulas",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="put ' before CSV cells from the data that a spreadsheet would run as a formula "
        "(=, +, -, @; default on)",
    )
    score.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress line on stderr (default: when stderr is a terminal)",
    )
    report = commands.add_parser("report", help="write a self-contained HTML report with charts")
    report.add_argument("files", nargs="*", metavar="FILE", help="input files, '-' for stdin")
    report.add_argument("-o", "--output", required=True, metavar="FILE", help="the .html file to write")
    report.add_argument("--by", metavar="KEY", help="leaderboard groups: a metadata key or 'channel'")
    report.add_argument("--format", choices=("jsonl", "json", "csv", "twcs"), default=None)
    report.add_argument("--sample", action="store_true", help="report on the bundled sample")
    report.add_argument("--title", help="the report's title")
    report.add_argument(
        "--workers", type=_positive, default=1, metavar="N", help="score in N processes (default 1)"
    )
    report.add_argument(
        "--on-error",
        choices=("raise", "skip"),
        default="raise",
        help="on a bad record: stop (raise, the default) or leave it out (skip; the report counts them)",
    )
    report.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
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
    """Run the CLI with *argv*; return the exit status (see the CLI reference for each)."""
    args = _parser().parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        # Text that UTF-8 cannot hold (lone surrogates from JSON escapes) is shown escaped, never a crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        if args.command == "explain":
            return _run_explain(args)
        if args.command == "report":
            return _run_report(args)
        return _run_score(args)
    except BrokenPipeError:
        # The reader stopped early (``| head``): stop quietly, as command-line tools do.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except (FormatError, ServiceScoreError, ModelFormatError, OSError) as exc:
        print(terminal_text(f"servicescore: error: {exc}"), file=sys.stderr)
        return EXIT_ERROR


def _run_explain(args: argparse.Namespace) -> int:
    if not args.file and not args.sample:
        print("servicescore explain: give FILE or --sample", file=sys.stderr)
        return EXIT_USAGE
    if args.file and args.file != "-" and not os.path.exists(args.file):
        print(terminal_text(f"servicescore explain: no such file: {args.file}"), file=sys.stderr)
        return EXIT_USAGE
    source = _sample() if args.sample else io.read(_stdin_or(args.file), args.format)
    transcript = _find(source, args.id)
    if transcript is None:
        print(terminal_text(f"servicescore explain: no transcript with id {args.id!r}"), file=sys.stderr)
        return EXIT_ERROR
    print("\n".join(map(terminal_text, _explain(transcript, _scorers()))))
    return EXIT_OK


def _stdin_or(name: str) -> str | IO[bytes]:
    return sys.stdin.buffer if name == "-" else name


def _inputs(args: argparse.Namespace) -> Iterator[Transcript | FormatError | str]:
    """The sample's transcripts, then each file: a path, or stdin's transcripts and errors for ``-``."""
    if args.sample:
        yield from _sample()
    for name in args.files:
        if name != "-":
            yield name
            continue
        errors: list[FormatError] = []
        for transcript in io.read(sys.stdin.buffer, args.format, on_error="collect", errors=errors):
            yield from errors  # each error before the transcripts after it, in stream order
            errors.clear()
            yield transcript
        yield from errors


def _score_inputs(args: argparse.Namespace) -> Iterator[Transcript | RawLine | FormatError]:
    """The sample's transcripts, then each file's (stdin's for ``-``) records: JSON Lines as raw lines."""
    if args.sample:
        yield from _sample()
    for name in args.files:
        yield from read_raw(_stdin_or(name), args.format)


def _output_kind(output: Path | None, to_stdout: bool) -> Output:
    if to_stdout:
        return "csv"
    if output is None:
        return None
    return "parquet" if output.suffix == ".parquet" else "jsonl" if output.suffix == ".jsonl" else "csv"


def _run_score(args: argparse.Namespace) -> int:
    if not args.files and not args.sample:
        print("servicescore score: give FILE... (or - for stdin) or --sample", file=sys.stderr)
        return EXIT_USAGE
    to_stdout = args.output == "-"
    output = Path(args.output) if args.output and not to_stdout else None
    rejected_path = Path(args.rejected) if args.rejected else _side_file(output)
    written = {"--output": output, "--rejected": rejected_path if args.on_error == "collect" else None}
    problem = _path_problem(args.files, {flag: path for flag, path in written.items() if path is not None})
    problem = problem or _output_problem(output)
    if problem:
        print(terminal_text(f"servicescore score: {problem}"), file=sys.stderr)
        return EXIT_USAGE
    # With data on stdout, messages go to stderr.
    info = sys.stderr if to_stdout else sys.stdout
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    suite = default_suite(args.model)
    kind = _output_kind(output, to_stdout)
    rows = RowSpool(kind, args.escape_formulas)
    width = shutil.get_terminal_size((80, 24)).columns
    summary = TerminalSummary(suite.names, args.by, width)
    # Each chunk is read, scored, rendered and summed up where it is scored (see _spool).
    job = RowJob(kind, args.escape_formulas, tuple(suite.names), args.by, width)
    rejected = 0
    side: IO[str] | None = None
    files = contextlib.ExitStack()
    try:
        chunks = score_chunks(_score_inputs(args), suite, job, workers=args.workers, progress=progress)
        for chunk, outcome in chunks:
            failures = outcome.failures
            index = 0
            for position, item in chunk:
                if isinstance(item, _Failure):  # found while reading, here
                    failure: _Failure | None = shipped(item)
                else:
                    failure = failures.get(index)
                    index += 1
                if failure is None:
                    continue
                if args.on_error == "raise":
                    failure.error.add_note(f"while scoring input {position} of the batch")
                    raise failure.error
                rejected += 1
                if args.on_error == "collect":
                    if side is None:
                        side = files.enter_context(atomic_text_file(rejected_path))
                    line = {"position": position, **cast("dict[str, object]", failure.record)}
                    side.write(json.dumps(line, ensure_ascii=False) + "\n")
            if outcome.rows is not None:
                rows.add(outcome.rows)
            summary.merge(outcome.summary)
    except (FormatError, TranscriptError) as exc:
        files.close()
        print(terminal_text(f"servicescore: error: {exc}"), file=sys.stderr)
        print(
            "servicescore: --on-error collect scores the rest and lists the rejected records", file=sys.stderr
        )
        return EXIT_ERROR
    else:
        if to_stdout:
            stdout: _Writer = _TerminalSafe(sys.stdout) if sys.stdout.isatty() else sys.stdout
            rows.write(stdout)
            sys.stdout.flush()
        elif output is not None:
            rows.write_file(output)
        files.close()  # the rejected file is complete: put it in place
    finally:
        rows.close()
        files.__exit__(*sys.exc_info())  # on an error or interrupt: drop the unfinished files
    if not summary.key_seen:
        print(
            terminal_text(f"servicescore: warning: no record has metadata {args.by!r}: one group '(none)'"),
            file=sys.stderr,
        )
    if args.quiet:
        return EXIT_OK
    done = None
    if output is not None:
        done = f"Full table: {plural(len(rows), 'row')} written to {output}"
    elif to_stdout:
        done = f"Full table: {plural(len(rows), 'row')} written to stdout"
    print("\n".join(summary.lines(args.resamples, rejected=rejected, written=done)), file=info)
    if rejected and args.on_error == "collect":
        print(terminal_text(f"{plural(rejected, 'record')} rejected, written to {rejected_path}"), file=info)
    elif rejected:
        print(f"{plural(rejected, 'record')} rejected (skipped)", file=info)
    return EXIT_OK


def _run_report(args: argparse.Namespace) -> int:
    if not args.files and not args.sample:
        print("servicescore report: give FILE... (or - for stdin) or --sample", file=sys.stderr)
        return EXIT_USAGE
    output = Path(args.output)
    problem = _path_problem(args.files, {"--output": output}) or _output_problem(output, (".html", ".htm"))
    if problem:
        print(terminal_text(f"servicescore report: {problem}"), file=sys.stderr)
        return EXIT_USAGE
    from .report import render_report  # needs the report extra: a clear error without it

    # The report looks the worst interactions up again, so the inputs must be readable twice.
    inputs: list[Transcript | FormatError | str] = list(_inputs(args)) if "-" in args.files else []
    if not inputs:
        inputs = [*(_sample() if args.sample else ()), *args.files]
    suite = default_suite()
    progress = sys.stderr.isatty() and not args.quiet
    try:
        table = score_many(
            cast("list[Transcript | str]", inputs),
            suite,
            workers=args.workers,
            on_error=args.on_error,
            progress=progress,
            format=args.format,
        )
    except (FormatError, TranscriptError) as exc:
        print(terminal_text(f"servicescore: error: {exc}"), file=sys.stderr)
        print("servicescore: --on-error skip reports on the rest", file=sys.stderr)
        return EXIT_ERROR
    if not len(table):
        print("servicescore report: no transcript could be scored", file=sys.stderr)
        return EXIT_ERROR
    try:
        text = render_report(
            table,
            by=args.by,
            transcripts=cast("list[Transcript | str]", inputs),
            suite=suite,
            title=args.title,
        )
    except KeyError as exc:
        print(terminal_text(f"servicescore report: --by {args.by}: {exc.args[0]}"), file=sys.stderr)
        return EXIT_USAGE
    with atomic_text_file(output) as handle:
        handle.write(text)
    if not args.quiet:
        rejected = f" ({plural(len(table.errors), 'record')} rejected)" if table.errors else ""
        print(terminal_text(f"wrote a report on {plural(len(table), 'interaction')}{rejected} to {output}"))
    return EXIT_OK


def _output_problem(
    output: Path | None, suffixes: Sequence[str] = (".csv", ".jsonl", ".parquet")
) -> str | None:
    """Why *output* cannot be written: an unknown suffix, parquet without pyarrow, a missing folder."""
    if output is None:
        return None
    if output.suffix not in suffixes:
        return f"--output {output}: unknown format {output.suffix!r} (use {', '.join(suffixes)})"
    if output.suffix == ".parquet" and importlib.util.find_spec("pyarrow") is None:
        return f"--output {output}: writing .parquet needs pyarrow (pip install pyarrow)"
    folder = output.parent
    if not folder.is_dir():
        return f"--output {output}: no such folder {folder}"
    if output.is_dir():
        return f"--output {output}: is a folder"
    return None


def _path_problem(inputs: Sequence[str], outputs: dict[str, Path]) -> str | None:
    """Why the run must not start: a missing input, or an output that is an input or another output."""
    files = [name for name in inputs if name != "-"]
    for name in files:
        if not os.path.exists(name):
            return f"no such file: {name}"
    seen: list[tuple[str, Path]] = [("input", Path(name)) for name in files]
    for flag, path in outputs.items():
        for what, other in seen:
            if _same_file(path, other):
                return f"{flag} {path} is the same file as {what} {other}: refusing to overwrite it"
        seen.append((flag, path))
    return None


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (the same path, a link to it, or a hard link)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return False


class _Writer(Protocol):
    def write(self, text: str, /) -> object: ...


class _TerminalSafe:
    """A text stream for a terminal: control characters from the data are shown as escapes."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        lines = text.replace("\r\n", "\n").split("\n")
        return self._stream.write("\n".join(map(terminal_text, lines)))


def _side_file(output: Path | None) -> Path:
    """``scores.csv`` -> ``scores.rejected.jsonl``, next to the output."""
    if output is None:
        return Path("servicescore.rejected.jsonl")
    return output.with_name(f"{output.stem}.rejected.jsonl")

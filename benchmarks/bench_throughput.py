"""Throughput and linear cost of the default suite, as ratios to vaderSentiment in the same run.

Usage::

    python benchmarks/bench_throughput.py /work/shared/data/ibm-twitter-cdp/dialogs.jsonl
    python benchmarks/bench_throughput.py DIALOGS --write-golden /tmp/golden_ibm.jsonl
    python benchmarks/bench_throughput.py DIALOGS --golden /tmp/golden_ibm.jsonl

Prints, best of ``--repeats`` interleaved runs:

- one-time costs in this process (nltk import, sentiment tables, lexicon
  matchers), measured before anything else has loaded them;
- turns per second of ``default_suite()`` (four scorers and brand impact)
  against the reference, ``vaderSentiment``'s ``polarity_scores`` applied once
  to every turn's text, on the given dialogs and on the bundled sample. The
  headline figure clears servicescore's text-keyed caches (tokens, sentiment
  of identical texts) before every run, so no run profits from having seen
  the same texts before; the vocabulary-keyed memos (stems, matcher steps),
  which a long run keeps warm, stay warm. A second figure keeps every cache
  warm (a corpus scored twice);
- time per turn on 200-turn transcripts against 10-turn ones, both built by
  concatenating the same real turns (target: within 1.3x);
- time for a single 1 MB turn against a 100 KB one (10.0x is linear).

``--golden FILE`` checks that every score on the dialogs equals the records
in FILE (written by ``--write-golden`` or ``make_golden.py --input``) and
exits with status 1 if any differs.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_T0 = time.perf_counter()
import servicescore  # noqa: E402

_IMPORT_SECONDS = time.perf_counter() - _T0

from tests.test_golden import canonical, card_record  # noqa: E402

from servicescore import Role, Suite, Transcript, Turn, default_suite, io  # noqa: E402
from servicescore.cli import _sample  # noqa: E402


def clear_text_caches() -> None:
    """Forget the analyses and sentiments of texts seen before (caches keyed by text)."""
    from servicescore import _analysis

    clear = getattr(_analysis, "_clear_text_caches", None)
    if clear is not None:
        clear()
    else:  # before the caches had one switch
        _analysis._default_text_facts.cache_clear()
        _analysis._DEFAULT_ANALYZER.sentence_sentiment.cache_clear()  # type: ignore[attr-defined]
    gc.collect()


def one_time_costs() -> dict[str, float]:
    """Seconds of each one-time cost, measured in this (fresh) process in dependency order."""
    from servicescore import _nlp, _sentiment
    from servicescore._lexicon import Lexicon

    costs = {"import servicescore": _IMPORT_SECONDS}
    start = time.perf_counter()
    _nlp.vader_constants()
    _nlp.stem("testing")
    costs["nltk import (stemmer, VADER constants)"] = time.perf_counter() - start
    start = time.perf_counter()
    _sentiment._tables()
    costs["sentiment tables (vader lexicon files)"] = time.perf_counter() - start
    for name in ("empathy", "resolution", "pushiness"):
        start = time.perf_counter()
        lexicon = Lexicon.load(name)
        lexicon.match(())
        costs[f"load + build {name} lexicon matcher"] = time.perf_counter() - start
    start = time.perf_counter()
    suite = default_suite()
    suite(next(iter(_sample())))
    costs["default_suite() + first transcript (rest)"] = time.perf_counter() - start
    start = time.perf_counter()
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    SentimentIntensityAnalyzer().polarity_scores("ok")
    costs["reference: import + SentimentIntensityAnalyzer()"] = time.perf_counter() - start
    return costs


def nltk_import_seconds() -> float:
    """Seconds to ``import nltk`` in a fresh interpreter (best of 3)."""
    best = float("inf")
    for _ in range(3):
        code = "import time; t = time.perf_counter(); import nltk; print(time.perf_counter() - t)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        best = min(best, float(out.stdout))
    return best


def timed(run: Callable[[], object], before: Callable[[], None] | None = None) -> float:
    if before is not None:
        before()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def best_of(
    runs: dict[str, tuple[Callable[[], object], Callable[[], None] | None]], repeats: int
) -> dict[str, float]:
    """Best seconds of each run; runs interleave so that load from other processes hits all alike."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, (run, before) in runs.items():
            best[name] = min(best[name], timed(run, before))
    return best


def score_all(suite: Suite, transcripts: list[Transcript]) -> Callable[[], None]:
    def run() -> None:
        for transcript in transcripts:
            suite(transcript)

    return run


def reference_all(texts: list[str]) -> Callable[[], None]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def run() -> None:
        for text in texts:
            analyzer.polarity_scores(text)

    return run


def throughput(label: str, suite: Suite, transcripts: list[Transcript], repeats: int) -> None:
    texts = [turn.text for t in transcripts for turn in t.turns]
    turns = len(texts)
    seconds = best_of(
        {
            "reference": (reference_all(texts), None),
            "suite, fresh texts": (score_all(suite, transcripts), clear_text_caches),
            "suite, warm caches": (score_all(suite, transcripts), None),
        },
        repeats,
    )
    base = seconds["reference"]
    chars = sum(map(len, texts)) / max(turns, 1)
    print(f"\n{label}: {len(transcripts)} transcripts, {turns} turns, {chars:.0f} chars/turn")
    for name, elapsed in seconds.items():
        print(f"  {name:22} {turns / elapsed:9,.0f} turns/s   ratio to reference {base / elapsed:5.2f}")


def concatenated(transcripts: list[Transcript], size: int, total: int) -> list[Transcript]:
    """Transcripts of *size* turns each, *total* turns in all, from the real turns in order."""
    pool = [turn for t in transcripts for turn in t.turns]
    result = []
    for k in range(total // size):
        turns = [pool[(k * size + i) % len(pool)] for i in range(size)]
        timed_turns = [Turn(turn.role, turn.text, time=60.0 * i) for i, turn in enumerate(turns)]
        result.append(Transcript(f"c{size}-{k}", timed_turns, channel=transcripts[0].channel))
    return result


def linear_cost(suite: Suite, transcripts: list[Transcript], repeats: int) -> None:
    total = 2000
    short = concatenated(transcripts, 10, total)
    long = concatenated(transcripts, 200, total)
    seconds = best_of(
        {
            "10-turn": (score_all(suite, short), clear_text_caches),
            "200-turn": (score_all(suite, long), clear_text_caches),
        },
        repeats,
    )
    per_short = seconds["10-turn"] / total * 1e6
    per_long = seconds["200-turn"] / total * 1e6
    print(f"\nlength: {total} real turns as {len(short)} x 10 and as {len(long)} x 200 turns (fresh texts)")
    print(f"  10-turn transcripts   {per_short:8.1f} us/turn")
    print(
        f"  200-turn transcripts  {per_long:8.1f} us/turn   ratio {per_long / per_short:4.2f} (target <= 1.3)"
    )

    texts = [turn.text for t in transcripts for turn in t.turns]

    def big_text(size: int) -> str:
        parts: list[str] = []
        length, k = 0, 0
        while length < size:
            parts.append(texts[k % len(texts)])
            length += len(parts[-1]) + 1
            k += 1
        return "\n".join(parts)[:size]

    for role in (Role.CUSTOMER, Role.AGENT):
        other = Role.AGENT if role is Role.CUSTOMER else Role.CUSTOMER
        cases = {}
        for size in (100_000, 1_000_000):
            turns = [Turn(other, "Hi, my order never came.", time=0.0), Turn(role, big_text(size), time=60.0)]
            cases[f"{size // 1000} KB"] = [Transcript(f"big-{size}", turns, channel=transcripts[0].channel)]
        seconds = best_of(
            {name: (score_all(suite, ts), clear_text_caches) for name, ts in cases.items()},
            max(2, repeats // 2),
        )
        ratio = seconds["1000 KB"] / seconds["100 KB"]
        print(
            f"  one {role.value} turn: 100 KB {seconds['100 KB']:6.2f} s, 1 MB {seconds['1000 KB']:6.2f} s,"
            f" ratio {ratio:5.1f} (10.0 = linear)"
        )


def golden_lines(suite: Suite, transcripts: list[Transcript]) -> Iterator[str]:
    for transcript in transcripts:
        yield canonical(card_record(suite(transcript)))


def check_golden(suite: Suite, transcripts: list[Transcript], path: Path) -> bool:
    clear_text_caches()
    expected = [canonical(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line]
    actual = list(golden_lines(suite, transcripts))
    differ = [t.id for t, a, b in zip(transcripts, actual, expected, strict=False) if a != b]
    if len(actual) != len(expected):
        print(f"golden: {len(expected)} records in {path}, {len(actual)} transcripts scored")
        return False
    print(f"golden: {len(actual) - len(differ)} of {len(actual)} transcripts identical to {path}")
    for transcript_id in differ[:10]:
        print(f"  differs: {transcript_id}")
    return not differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="canonical JSONL file of transcripts (the IBM dialogs)")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of each case (best is kept)")
    parser.add_argument("--golden", type=Path, help="check the scores on PATH against this JSONL")
    parser.add_argument("--write-golden", type=Path, help="write the scores on PATH to this JSONL and stop")
    parser.add_argument("--skip-linear", action="store_true", help="only measure throughput")
    args = parser.parse_args()

    costs = one_time_costs()
    transcripts = list(io.read(args.path))
    suite = default_suite()
    if args.write_golden is not None:
        with args.write_golden.open("w", encoding="utf-8") as out:
            for line in golden_lines(suite, transcripts):
                out.write(line + "\n")
        print(f"wrote {args.write_golden}")
        return
    if args.golden is not None and not check_golden(suite, transcripts, args.golden):
        sys.exit(1)

    print(f"Python {sys.version.split()[0]}, servicescore {servicescore.__version__}")
    print("one-time costs (this process, first use):")
    print(f"  {'import nltk (fresh interpreter)':50} {nltk_import_seconds() * 1000:8.1f} ms")
    for name, seconds in costs.items():
        print(f"  {name:50} {seconds * 1000:8.1f} ms")
    throughput(f"IBM dialogs ({args.path.name})", suite, transcripts, args.repeats)
    throughput("bundled sample", suite, list(_sample()), args.repeats)
    if not args.skip_linear:
        linear_cost(suite, transcripts, max(3, args.repeats // 2))


if __name__ == "__main__":
    main()

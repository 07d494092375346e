"""Scale figures of issue 5: memory, cores and import time, each as a ratio against a reference.

Usage::

    python benchmarks/bench_scale.py ../shared/data/ibm-twitter-cdp/dialogs.jsonl [--turns 1000000]
        [--copies 30] [--repeats 2] [--wait-idle 0] [--skip memory,cores,import]

- **memory**: writes a JSON Lines file of about ``--turns`` turns (the IBM
  dialogs repeated with fresh ids) to a temporary folder, runs
  ``servicescore score big.jsonl -o out.csv`` in a child process and reports
  its peak RSS against the 300 MB budget (ratio = budget / peak).
- **cores**: ``score_many`` over ``--copies`` copies of the dialogs (30:
  70,500 turns, a batch large enough to matter), each copy's texts varied so
  that copies are not served from servicescore's text caches, with ``workers=1`` and
  ``workers=2`` in this process, interleaved ``--repeats`` times, best of each
  (ratio = speed-up; target 1.7 on 2 cores). Each run also shows how many
  cores other processes kept busy meanwhile (Linux), so a run that shared the
  machine says so, and the CPU seconds it took (workers included). On a
  shared machine, ``--wait-idle 300`` waits before each run (up to 300 s) for
  the other processes to leave the CPUs idle.
- **import**: ``import servicescore`` against ``import nltk``, each in fresh
  child processes, best of several (ratio = servicescore / nltk; target at
  most 1.2).

Every figure is measured in this run; nothing is stored.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _machine

MEMORY_BUDGET_MB = 300.0


def _write_big(records: list[dict[str, object]], turns: int, target: Path) -> int:
    written = 0
    with target.open("w", encoding="utf-8") as out:
        copy = 0
        while written < turns:
            for record in records:
                out.write(json.dumps({**record, "id": f"{record['id']}-{copy}"}) + "\n")
                written += len(record["turns"])  # type: ignore[arg-type]
                if written >= turns:
                    break
            copy += 1
    return written


def memory(source: Path, turns: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.jsonl"
        written = _write_big(_machine.records(source), turns, big)
        size = big.stat().st_size / 1e6
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "servicescore", "score", str(big), "-o", str(Path(folder) / "out.csv")],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if done.returncode:
            print(f"memory: the run failed: {done.stderr.strip()[-500:]}")
            return
        print(
            f"memory: {written:,} turns ({size:.0f} MB JSON Lines) scored to CSV in {elapsed:.0f} s; "
            f"peak RSS {peak:.0f} MB, budget {MEMORY_BUDGET_MB:.0f} MB, "
            f"ratio budget/peak {MEMORY_BUDGET_MB / peak:.2f} (target >= 1)"
        )


#: Bits of the copy number spread over a text's words (see :func:`_vary`).
_VARY_BITS = 6


def _vary(text: str, copy: int) -> str:
    """*text* made unique to *copy*: word ``j`` has its first letter's case swapped when bit ``j % 6`` is set.

    servicescore caches the analysis of texts (and sentences) it sees twice, so
    plain copies would be scored from the cache, by one process far more than
    by two. Swapping the case of initials keeps the words, their number and
    the length of the text, so every copy costs about what the original does,
    while every sentence of six words or more differs between copies 0 to 63
    (shorter ones, such as "Thanks!", repeat as scripted lines do).
    """
    if copy == 0:
        return text
    words = text.split(" ")
    for j, word in enumerate(words):
        if word and copy >> (j % _VARY_BITS) & 1:
            words[j] = word[0].swapcase() + word[1:]
    return " ".join(words)


def _copies(records: list[dict[str, object]], copies: int) -> list[dict[str, object]]:
    """*copies* copies of *records*, with fresh ids and texts varied per copy (:func:`_vary`)."""
    return [
        {
            **record,
            "id": f"{record['id']}-{copy}",
            "turns": [{**turn, "text": _vary(turn["text"], copy)} for turn in record["turns"]],  # type: ignore[attr-defined]
        }
        for copy in range(copies)
        for record in records
    ]


def _own_cpu() -> float:
    """CPU seconds of this process and its waited-for children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cores(source: Path, copies: int, repeats: int = 2, wait_idle: float = 0.0) -> None:
    from servicescore import Transcript, _analysis, default_suite, score_many

    clear_caches = getattr(_analysis, "_clear_text_caches", lambda: None)

    transcripts = [Transcript.from_dict(record) for record in _copies(_machine.records(source), copies)]
    texts = {turn.text for t in transcripts for turn in t.turns}
    suite = default_suite()
    suite(transcripts[0])  # warm up the lexicons in this process
    # Per run: wall seconds, the cores other processes kept busy meanwhile, and
    # the CPU seconds of this process and its workers.
    runs: dict[int, list[tuple[float, float, float]]] = {1: [], 2: []}
    for workers in (1, 2) * repeats:  # interleaved, best of each: the machine is shared
        clear_caches()  # no run profits from the texts of the one before
        _machine.wait_idle(wait_idle)
        busy, own = _machine.busy(), _own_cpu()
        started = time.perf_counter()
        table = score_many(transcripts, suite, workers=workers)
        elapsed = time.perf_counter() - started
        cpu = _own_cpu() - own
        others = (_machine.busy() - busy - cpu) / elapsed
        runs[workers].append((elapsed, others, cpu))
        assert len(table) == len(transcripts)
    turns = sum(len(t.turns) for t in transcripts)
    best = {workers: min(times)[0] for workers, times in runs.items()}
    listed = "; ".join(
        f"workers={w}: " + ", ".join(f"{t:.1f} s ({o:.2f}, {c:.1f})" for t, o, c in times)
        for w, times in runs.items()
    )
    print(
        f"cores: {len(transcripts):,} transcripts ({turns:,} turns, {len(texts):,} distinct texts) "
        f"on {os.cpu_count()} CPUs: workers=1 {best[1]:.1f} s, workers=2 {best[2]:.1f} s, "
        f"speed-up {best[1] / best[2]:.2f} (target >= 1.7)\n"
        f"  runs, in order (others' cores busy meanwhile, CPU seconds of this run): {listed}"
    )


def _import_time(module: str, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        best = min(best, float(done.stdout))
    return best


def imports(repeats: int = 7) -> None:
    nltk = _import_time("nltk", repeats)
    ours = _import_time("servicescore", repeats)
    print(
        f"import: servicescore {ours * 1000:.0f} ms, nltk {nltk * 1000:.0f} ms, "
        f"ratio {ours / nltk:.2f} (target <= 1.2; nltk is loaded lazily, on first analysis)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dialogs", type=Path, help="IBM Twitter dialogs.jsonl (canonical JSON Lines)")
    parser.add_argument("--turns", type=int, default=1_000_000, help="turns for the memory run")
    parser.add_argument(
        "--copies", type=int, default=30, help="copies of the dialogs for the cores run (30: 70,500 turns)"
    )
    parser.add_argument("--repeats", type=int, default=2, help="interleaved runs of each worker count")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each cores run, wait up to this long for other processes to leave the CPUs idle",
    )
    parser.add_argument("--skip", default="", help="comma-separated: memory, cores, import")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    if "import" not in skip:
        imports()
    if "cores" not in skip:
        cores(args.dialogs, args.copies, args.repeats, args.wait_idle)
    if "memory" not in skip:
        memory(args.dialogs, args.turns)
    return 0


if __name__ == "__main__":
    sys.exit(main())

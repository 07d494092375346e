"""Scale figures of issue 5: memory, cores and import time, each as a ratio against a reference.

Usage::

    python benchmarks/bench_scale.py ../shared/data/ibm-twitter-cdp/dialogs.jsonl [--turns 1000000]
        [--skip memory,cores,import]

- **memory**: writes a JSON Lines file of about ``--turns`` turns (the IBM
  dialogs repeated with fresh ids) to a temporary folder, runs
  ``servicescore score big.jsonl -o out.csv`` in a child process and reports
  its peak RSS against the 300 MB budget (ratio = budget / peak).
- **cores**: ``score_many`` over the same dialogs repeated to a batch large
  enough to matter, with ``workers=1`` and ``workers=2`` in this process
  (ratio = speed-up; target 1.7 on 2 cores).
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

MEMORY_BUDGET_MB = 300.0


def _records(source: Path) -> list[dict[str, object]]:
    with source.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


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
        written = _write_big(_records(source), turns, big)
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


def cores(source: Path, copies: int) -> None:
    from servicescore import Transcript, default_suite, score_many

    records = _records(source)
    transcripts = [
        Transcript.from_dict({**r, "id": f"{r['id']}-{i}"}) for i in range(copies) for r in records
    ]
    suite = default_suite()
    suite(transcripts[0])  # warm up the lexicons in this process
    timings = {}
    for workers in (1, 2, 1, 2):
        started = time.perf_counter()
        table = score_many(transcripts, suite, workers=workers)
        elapsed = time.perf_counter() - started
        timings[workers] = min(timings.get(workers, elapsed), elapsed)
        assert len(table) == len(transcripts)
    turns = sum(len(t.turns) for t in transcripts)
    print(
        f"cores: {len(transcripts):,} transcripts ({turns:,} turns) on {os.cpu_count()} CPUs: "
        f"workers=1 {timings[1]:.1f} s, workers=2 {timings[2]:.1f} s, "
        f"speed-up {timings[1] / timings[2]:.2f} (target >= 1.7)"
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
    parser.add_argument("--copies", type=int, default=8, help="copies of the dialogs for the cores run")
    parser.add_argument("--skip", default="", help="comma-separated: memory, cores, import")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    if "import" not in skip:
        imports()
    if "cores" not in skip:
        cores(args.dialogs, args.copies)
    if "memory" not in skip:
        memory(args.dialogs, args.turns)
    return 0


if __name__ == "__main__":
    sys.exit(main())

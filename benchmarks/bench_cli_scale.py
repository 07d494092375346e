"""Cores figure of issue 13: ``servicescore score --workers 2`` against ``--workers 1``, as a speed-up.

Usage::

    python benchmarks/bench_cli_scale.py /work/shared/data/ibm-twitter-cdp/dialogs.jsonl
        [--turns 200000] [--repeats 3] [--seed 13] [--big PATH] [--wait-idle SECONDS]

Writes a JSON Lines file of about ``--turns`` turns, the IBM dialogs
resampled with replacement (seeded by ``--seed``, so every run scores the
same file), each drawn dialog with a fresh id, to a temporary folder (or to
``--big PATH``, kept after the run; never put it in the repository). Then
runs ``python -m servicescore score BIG -o out.csv --workers N -q`` in a
child process for ``N = 1`` and ``N = 2``, interleaved ``--repeats`` times,
and prints each run's wall seconds, the best of each worker count and the
speed-up ``best(1) / best(2)`` (target: at least 1.7 on 2 cores). The CSV
files of every run must be byte-identical; if one differs the script says
so and exits with status 1.

The machine may be shared: each run also shows how many cores other
processes kept busy meanwhile (Linux), so a run that shared the machine says
so, and the CPU seconds it took (workers included). ``--wait-idle 300``
waits before each run (up to 300 s) for the other processes to leave the
CPUs idle. Every figure is measured in this run; nothing is stored.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _machine

TARGET = 1.7


def write_big(records: list[dict[str, object]], turns: int, target: Path, seed: int) -> tuple[int, int]:
    """Write about *turns* turns of dialogs drawn from *records* to *target*; return (dialogs, turns)."""
    rng = random.Random(seed)
    written = dialogs = 0
    with target.open("w", encoding="utf-8") as out:
        while written < turns:
            record = rng.choice(records)
            out.write(json.dumps({**record, "id": f"{record['id']}-{dialogs}"}, ensure_ascii=False) + "\n")
            written += len(record["turns"])  # type: ignore[arg-type]
            dialogs += 1
    return dialogs, written


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_cli(big: Path, out: Path, workers: int) -> tuple[float, float, float]:
    """Run the CLI once; return its wall seconds, others' busy cores meanwhile, and its CPU seconds."""
    command = [sys.executable, "-m", "servicescore", "score", str(big), "-o", str(out)]
    command += ["--workers", str(workers), "-q"]
    busy, cpu = _machine.busy(), _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    cpu = _children_cpu() - cpu
    if done.returncode:
        raise SystemExit(f"the run with --workers {workers} failed: {done.stderr.strip()[-1000:]}")
    return elapsed, (_machine.busy() - busy - cpu) / elapsed, cpu


def bench(big: Path, folder: Path, repeats: int, wait_idle: float = 0.0) -> int:
    runs: dict[int, list[tuple[float, float, float]]] = {1: [], 2: []}
    reference: Path | None = None
    for index, workers in enumerate((1, 2) * repeats):  # interleaved, best of each: the machine is shared
        out = folder / f"out-{index}-w{workers}.csv"
        _machine.wait_idle(wait_idle)
        runs[workers].append(run_cli(big, out, workers))
        if reference is None:
            reference = out
        elif not filecmp.cmp(reference, out, shallow=False):
            print(f"outputs differ: {reference.name} and {out.name} (--workers {workers})")
            return 1
        else:
            out.unlink()
    best = {workers: min(times)[0] for workers, times in runs.items()}
    listed = "; ".join(
        f"workers={w}: " + ", ".join(f"{t:.1f} s ({o:.2f}, {c:.1f})" for t, o, c in times)
        for w, times in runs.items()
    )
    speedup = best[1] / best[2]
    print(
        f"cli cores: on {os.cpu_count()} CPUs: --workers 1 {best[1]:.1f} s, --workers 2 {best[2]:.1f} s, "
        f"speed-up {speedup:.2f} (target >= {TARGET}); outputs byte-identical\n"
        f"  runs, in order (others' cores busy meanwhile, CPU seconds of the run): {listed}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dialogs", type=Path, help="IBM Twitter dialogs.jsonl (canonical JSON Lines)")
    parser.add_argument("--turns", type=int, default=200_000, help="turns in the resampled file")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs of each worker count")
    parser.add_argument("--seed", type=int, default=13, help="seed of the resampling")
    parser.add_argument("--big", type=Path, help="write the resampled file here (kept) instead of a temp dir")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each run, wait up to this long for other processes to leave the CPUs idle",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        big = args.big or folder / "big.jsonl"
        dialogs, turns = write_big(_machine.records(args.dialogs), args.turns, big, args.seed)
        print(
            f"input: {dialogs:,} dialogs, {turns:,} turns ({big.stat().st_size / 1e6:.0f} MB), "
            f"resampled from {args.dialogs.name} with seed {args.seed}"
        )
        return bench(big, folder, args.repeats, args.wait_idle)


if __name__ == "__main__":
    sys.exit(main())

"""Fuzz every reader with mutated real inputs and count escaping exceptions.

Usage::

    python benchmarks/fuzz_readers.py [--inputs 100000] [--workers 2] [--seed 0]

For each reader format (jsonl, json, csv, twcs, Contact Lens, Transcribe,
CCAI) builds ``--inputs`` inputs by mutating a real file (see
``tests/fuzzing.py``) and reads each twice from memory:

* with ``on_error="raise"``: counts exceptions other than the library's own
  (:class:`~servicescore.exceptions.ServiceScoreError`);
* with ``on_error="collect"``: counts any exception at all, and inputs whose
  rows + errors differ from the number of records in the input (JSON Lines:
  non-blank lines; JSON: array items) where that number is defined.

Also reads each input with the format inferred and counts any exception.
Targets: 0 for every count. Prints one line per format and, for the first few
escapes, the format, the seed and the exception, so each can be replayed.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzzing import FORMATS, expected_records, mutate, seeds

from servicescore.exceptions import FormatError, ServiceScoreError
from servicescore.io import read

_SEEDS = seeds()


def _run(job: tuple[str, int, int, int]) -> dict[str, Any]:
    kind, seed, start, stop = job
    fmt: Any = FORMATS[kind]
    counts = {"raise": 0, "collect": 0, "inferred": 0, "count": 0}
    examples: list[str] = []
    for number in range(start, stop):
        rng = random.Random(f"{seed}-{kind}-{number}")
        data = mutate(_SEEDS[kind], rng, kind)
        try:
            for _ in read(io.BytesIO(data), fmt, on_error="raise"):
                pass
        except ServiceScoreError:
            pass
        except Exception as exc:
            counts["raise"] += 1
            examples.append(f"raise {kind} #{number}: {type(exc).__name__}: {exc}"[:300])
        for key, which in (("collect", fmt), ("inferred", None)):
            errors: list[FormatError] = []
            try:
                rows = sum(1 for _ in read(io.BytesIO(data), which, on_error="collect", errors=errors))
            except Exception as exc:
                counts[key] += 1
                examples.append(f"{key} {kind} #{number}: {type(exc).__name__}: {exc}"[:300])
                continue
            expected = expected_records(data, kind)
            if which is not None and expected is not None and rows + len(errors) != expected:
                counts["count"] += 1
                examples.append(f"count {kind} #{number}: {rows}+{len(errors)} != {expected}")
    return {"kind": kind, "counts": counts, "examples": examples[:5], "n": stop - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="mutated inputs per format")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    chunk = 2_000
    jobs = [
        (kind, args.seed, start, min(start + chunk, args.inputs))
        for kind in FORMATS
        for start in range(0, args.inputs, chunk)
    ]
    began = time.perf_counter()
    totals = {kind: {"raise": 0, "collect": 0, "inferred": 0, "count": 0, "n": 0} for kind in FORMATS}
    examples: list[str] = []
    with multiprocessing.Pool(args.workers) as pool:
        for result in pool.imap_unordered(_run, jobs):
            total = totals[result["kind"]]
            total["n"] += result["n"]
            for key, value in result["counts"].items():
                total[key] += value
            examples.extend(result["examples"])
    print(f"{'format':<14}{'inputs':>9}{'raise':>8}{'collect':>9}{'inferred':>10}{'count':>7}")
    for kind, total in totals.items():
        print(
            f"{kind:<14}{total['n']:>9}{total['raise']:>8}{total['collect']:>9}"
            f"{total['inferred']:>10}{total['count']:>7}"
        )
    print(f"elapsed {time.perf_counter() - began:.0f} s with {args.workers} worker(s)")
    for line in examples[:20]:
        print(line)


if __name__ == "__main__":
    main()

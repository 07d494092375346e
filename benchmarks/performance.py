"""Every performance figure of issue 5, each as a ratio against a reference measured in the same run.

Usage::

    python benchmarks/performance.py ../shared/data/ibm-twitter-cdp/dialogs.jsonl [--turns 1000000] [--quick]

Runs, one after the other, in fresh processes so that one measurement does
not warm the next:

1. ``bench_throughput.py``: default-suite turns/s against vaderSentiment's
   ``polarity_scores`` (target ratio >= 1.0), 200- vs 10-turn transcripts
   (<= 1.3) and a 1 MB vs a 100 KB turn (10.0 is linear);
2. ``bench_scale.py``: ``import servicescore`` against ``import nltk``
   (<= 1.2), ``workers=2`` against ``workers=1`` (>= 1.7) and the peak RSS of
   ``servicescore score`` over ``--turns`` turns against 300 MB;
3. ``bench_live.py``: per-turn cost of ``LiveSession`` at 200 vs 10 turns.

``--quick`` uses fewer repeats and 100,000 turns for the memory run.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dialogs", type=Path, help="IBM Twitter dialogs.jsonl")
    parser.add_argument("--turns", type=int, default=1_000_000, help="turns for the memory run")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 100,000 turns for memory")
    args = parser.parse_args(argv)
    repeats = "3" if args.quick else "7"
    turns = str(100_000 if args.quick else args.turns)
    print(
        f"machine: {platform.platform()}, Python {platform.python_version()}, {platform.processor() or '?'}"
    )
    runs = [
        ["bench_throughput.py", str(args.dialogs), "--repeats", repeats],
        ["bench_scale.py", str(args.dialogs), "--turns", turns],
        ["bench_live.py", "--repeats", "3" if args.quick else "5"],
    ]
    failed = 0
    for command in runs:
        print(f"\n## {command[0]}\n", flush=True)
        failed += (
            subprocess.run([sys.executable, str(HERE / command[0]), *command[1:]], check=False).returncode
            != 0
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

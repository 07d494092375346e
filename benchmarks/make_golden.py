"""Write the golden scores of the bundled sample (or of any JSONL file).

Usage::

    python benchmarks/make_golden.py                     # tests/fixtures/golden_sample_scores.json
    python benchmarks/make_golden.py --input dialogs.jsonl --output /tmp/golden_ibm.jsonl

With no ``--input`` it scores the bundled sample with the default suite and
writes the JSON list that ``tests/test_golden.py`` compares against. With
``--input`` it writes one record per line (JSON Lines), as
``benchmarks/bench_throughput.py --golden`` reads. Regenerate the sample file
only when a change of results is intended, and say why in the change.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_golden import GOLDEN, card_record  # noqa: E402

from servicescore import default_suite, io  # noqa: E402
from servicescore.cli import _sample  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, help="JSONL transcripts (default: the bundled sample)")
    parser.add_argument("--output", type=Path, help=f"where to write (default: {GOLDEN})")
    args = parser.parse_args()
    suite = default_suite()
    if args.input is None:
        output = args.output or GOLDEN
        cards = [card_record(suite(t)) for t in _sample()]
        output.write_text(json.dumps(cards, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        if args.output is None:
            parser.error("--output is required with --input")
        output = args.output
        with output.open("w", encoding="utf-8") as out:
            for transcript in io.read(args.input):
                out.write(json.dumps(card_record(suite(transcript)), ensure_ascii=False) + "\n")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()

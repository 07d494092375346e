"""Run every validation of the four scorers against the shared, human-labelled data.

Usage::

    python benchmarks/validate.py ../shared/data

Runs each ``validate_*.py`` script beside this file on its data set (paths
under the given folder; nothing is copied into the project) and prints their
Markdown tables. Exits non-zero when a floor from the issue does not hold
(EPITOME test macro-F1 ER >= 0.60, IP >= 0.50, EX >= 0.60; PersuasionForGood
held-out offer-detection F1 >= 0.70) or a data set is missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def runs(data: Path) -> list[tuple[str, list[str]]]:
    esconv = data / "raw" / "esconv-failed" / "FailedESConv.json"
    ibm = data / "ibm-twitter-cdp" / "dialogs.jsonl"
    return [
        ("Empathy: EPITOME", ["validate_empathy.py", "epitome", str(data / "epitome")]),
        ("Empathy: ESConv seeker ratings", ["validate_empathy.py", "esconv", str(esconv)]),
        ("Resolution", ["validate_resolution.py", "--esconv", str(esconv), "--ibm", str(ibm)]),
        (
            "Pushiness: PersuasionForGood",
            ["validate_pushiness.py", str(data / "persuasionforgood" / "annotated_sentences.csv")],
        ),
        ("Latency: IBM Twitter customer care", ["validate_latency.py", str(ibm)]),
        ("Calibration: ESConv and PersuasionForGood outcomes", ["validate_calibration.py", str(data)]),
        ("Fitting API: STC-3 dev, fit on 500, score 508", ["validate_fit.py", str(data / "stc3")]),
    ]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    data = Path(argv[0])
    failed = []
    for title, command in runs(data):
        print(f"## {title}\n", flush=True)
        done = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:]], check=False)
        print(flush=True)
        if done.returncode:
            failed.append(title)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Throughput of servicescore's sentiment against the vaderSentiment reference.

Usage::

    python benchmarks/bench_sentiment.py /work/shared/data/ibm-twitter-cdp/dialogs.jsonl

Reads canonical JSONL (one transcript per line, ``turns[].text``), scores
every turn text with the reference ``SentimentIntensityAnalyzer().polarity_scores``,
with :func:`servicescore._sentiment.vader_compound` and with
``ServiceSentiment()``, in the same process, and prints turns per second (best
of several repeats), the speed ratios and how many compounds differ from the
reference.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from servicescore._sentiment import ServiceSentiment, vader_compound


def load_texts(path: Path) -> list[str]:
    texts: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                texts.extend(turn["text"] for turn in json.loads(line)["turns"])
    return texts


def seconds(score: Callable[[str], object], texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        score(text)
    return time.perf_counter() - start


def best_rates(
    scorers: dict[str, Callable[[str], object]], texts: list[str], repeats: int
) -> dict[str, float]:
    """Turns per second of each scorer, best of *repeats*; runs interleave so load hits all alike."""
    best = dict.fromkeys(scorers, float("inf"))
    for _ in range(repeats):
        for name, score in scorers.items():
            best[name] = min(best[name], seconds(score, texts))
    return {name: len(texts) / elapsed for name, elapsed in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="canonical JSONL file of transcripts")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per scorer (best is kept)")
    args = parser.parse_args()

    texts = load_texts(args.path)
    reference = SentimentIntensityAnalyzer()
    service = ServiceSentiment()
    expected = [reference.polarity_scores(text)["compound"] for text in texts]
    ported = [vader_compound(text) for text in texts]  # also loads the tables before timing
    service(texts[0])
    differ = sum(a != b for a, b in zip(expected, ported, strict=True))
    max_diff = max((abs(a - b) for a, b in zip(expected, ported, strict=True)), default=0.0)
    chars = sum(map(len, texts)) / max(len(texts), 1)

    def reference_compound(text: str) -> float:
        return float(reference.polarity_scores(text)["compound"])

    scorers: dict[str, Callable[[str], object]] = {
        "vaderSentiment 3.3.2 (reference)": reference_compound,
        "servicescore vader_compound": vader_compound,
        "servicescore ServiceSentiment()": service,
    }
    rates = best_rates(scorers, texts, args.repeats)
    base = rates["vaderSentiment 3.3.2 (reference)"]
    print(f"{len(texts)} turns, {chars:.0f} chars/turn, best of {args.repeats}")
    for name, rate in rates.items():
        print(f"{name:36} {rate:10,.0f} turns/s  {rate / base:5.2f}x")
    print(
        f"compound differs from the reference on {differ} of {len(texts)} turns (max |diff| {max_diff:.4f})"
    )


if __name__ == "__main__":
    main()

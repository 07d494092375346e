"""Validate LatencyScorer on IBM's Twitter customer-care dialogs.

Usage::

    python benchmarks/validate_latency.py /path/to/ibm-twitter-cdp/dialogs.jsonl

Prints a Markdown table: per company (metadata key ``company``) the number of
dialogs, the median and 90th percentile of the first human response, the share
of first responses within one hour (the Twitter expectation of Lithium 2013)
and the share of all agent replies within one hour; then the same overall.
The data path is an argument; nothing is copied into the repository.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections import defaultdict

from servicescore import Channel
from servicescore.io import read
from servicescore.scorers._latency import LatencyScorer

HOUR = 3600.0


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _fmt_minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def _row(name: str, dialogs: int, first: list[float], within: int, replies: int, values: list[float]) -> str:
    if not first:
        return f"| {name} | {dialogs} | 0 | - | - | - | - | - |"
    return (
        f"| {name} | {dialogs} | {len(first)} | {_fmt_minutes(statistics.median(first))} "
        f"| {_fmt_minutes(_quantile(first, 0.9))} "
        f"| {100 * sum(s <= HOUR for s in first) / len(first):.0f}% "
        f"| {100 * within / replies:.0f}% "
        f"| {statistics.median(values):.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="canonical JSONL file, e.g. ibm-twitter-cdp/dialogs.jsonl")
    args = parser.parse_args()

    # One hour for every channel (the IBM dialogs are all public Twitter
    # threads, whose default expectation is one hour anyway), so
    # ``waits_over_expectation`` counts replies slower than one hour.
    scorer = LatencyScorer(expectations=dict.fromkeys(Channel, HOUR))
    dialogs: dict[str, int] = defaultdict(int)
    first: dict[str, list[float]] = defaultdict(list)
    values: dict[str, list[float]] = defaultdict(list)
    replies: dict[str, int] = defaultdict(int)
    within: dict[str, int] = defaultdict(int)
    reasons: dict[str, int] = defaultdict(int)
    for transcript in read(args.path):
        company = str(transcript.meta.get("company", "(unknown)"))
        dialogs[company] += 1
        score = scorer(transcript)
        if score.value is None:
            reasons[score.reason or ""] += 1
            continue
        values[company].append(score.value)
        if not math.isnan(score.details["first_response_s"]):
            first[company].append(float(score.details["first_response_s"]))
        # Every wait ends with an agent reply; count replies within the hour.
        waits = int(score.details["waits"])
        replies[company] += waits
        within[company] += waits - int(score.details["waits_over_expectation"])

    print(
        "| company | dialogs | first responses | median (min) | p90 (min) | first ≤ 1 h "
        "| all replies ≤ 1 h | median value |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    order = sorted(dialogs, key=lambda name: (-dialogs[name], name))
    for company in order:
        print(
            _row(
                company,
                dialogs[company],
                first[company],
                within[company],
                replies[company] or 1,
                values[company],
            )
        )
    print(
        _row(
            "**all**",
            sum(dialogs.values()),
            [s for name in order for s in first[name]],
            sum(within.values()),
            sum(replies.values()) or 1,
            [v for name in order for v in values[name]],
        )
    )
    for reason, count in sorted(reasons.items()):
        print(f"\n{count} dialogs without a value: {reason}")


if __name__ == "__main__":
    main()

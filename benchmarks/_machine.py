"""Helpers the scale benchmarks share: reading a JSON Lines corpus and waiting for an idle machine."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path


def records(source: Path) -> list[dict[str, object]]:
    """Every record of a JSON Lines file (blank lines skipped)."""
    with source.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def busy() -> float:
    """CPU seconds every process on the machine has used since boot (Linux; ``nan`` elsewhere)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(field) for field in stat.readline().split()[1:9]]
    except OSError:
        return float("nan")
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def wait_idle(limit: float, window: float = 3.0) -> None:
    """Wait, at most *limit* seconds, for a *window* in which other processes use under a tenth of a core."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = busy()
        time.sleep(window)
        if not (busy() - before) / window >= 0.1:  # nan (no /proc/stat): do not wait
            return

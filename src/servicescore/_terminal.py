"""What ``servicescore score`` prints for a person: a summary that fits an 80-column terminal.

It is built while the scorecards stream past, in bounded memory: the values
of each score (8 bytes each, for the distributions and the group table), and
only the few interactions it will show (the public threads most at risk, by
reach, and the worst experiences with their strongest evidence).
"""

from __future__ import annotations

import functools
import heapq
import math
from array import array
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from ._aggregate import AtRisk
from ._output import terminal_text
from ._score import Score
from ._suite import Scorecard
from ._table import ScoreTable

__all__ = ["TerminalSummary", "plural"]

#: Sparkline blocks, lowest to highest bar.
_BLOCKS = " ▁▂▃▄▅▆▇█"
_BINS = 10
_SHOWN = 5  # interactions listed under "at risk" and "worst"
_GROUPS_SHOWN = 12


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``"1 row"``, ``"2 rows"``, ``"1,025 rows"``.

    >>> plural(1, "row"), plural(1025, "row"), plural(2, "reply", "replies")
    ('1 row', '1,025 rows', '2 replies')
    """
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def _clip(text: str, width: int) -> str:
    """Text from the data on one line: spaces collapsed, controls escaped, cut to *width*."""
    return _fit(terminal_text(" ".join(text.split())), width)


def _fit(line: str, width: int) -> str:
    return line if len(line) <= width else line[: max(0, width - 1)] + "…"


def _histogram(values: np.ndarray, low: float, high: float) -> str:
    """*values* in ``[low, high]`` as a 10-character bar chart, tallest bin full."""
    values = values[~np.isnan(values)]
    if not len(values):
        return ""
    counts, _ = np.histogram(np.clip(values, low, high), bins=_BINS, range=(low, high))
    top = counts.max()
    return "".join(_BLOCKS[0 if c == 0 else max(1, round(8 * c / top))] for c in counts)


def _number(value: float, width: int = 5) -> str:
    text = "-" if math.isnan(value) else f"{value:.2f}".replace("-0.00", "0.00")
    return f"{text:>{width}}"


def _strongest(score: Score, card: Scorecard, width: int) -> str | None:
    """The score's evidence with the largest weight, as ``turn N: "words"``, or ``None``."""
    spans = [e for e in score.evidence if e.end > e.start]
    if not spans:
        return None
    item = max(spans, key=lambda e: abs(e.weight))
    text = card.transcript.turns[item.turn].text[item.start : item.end]
    return f'turn {item.turn}: "{_clip(text, width)}"'


def _same(shown: _Shown) -> _Shown:
    return shown


class _Shown:
    """One interaction to list, rendered once when it is kept."""

    def __init__(self, card: Scorecard, names: Sequence[str], width: int) -> None:
        impact = card.impact
        self.id = card.transcript.id
        self.channel = card.transcript.channel.value
        self.reach = math.nan if impact is None else impact.reach
        self.experience = math.nan if impact is None or impact.experience is None else impact.experience
        self.impact = math.nan if impact is None or impact.impact is None else impact.impact
        self.evidence: list[str] = []
        for name in names:
            score = card[name]
            if score.value is None:
                continue
            label = score.details.get("label")
            head = f"{name} {score.value:.2f}{f' {label}' if isinstance(label, str) else ''}"
            strongest = _strongest(score, card, max(10, width - len(head) - 16))
            if strongest:
                self.evidence.append(f"{head}  {strongest}")


def _push(heap: list[tuple[float, int, _Shown]], key: tuple[float, int], shown: Callable[[], _Shown]) -> None:
    """Put *key* in *heap* if it is among the :data:`_SHOWN` highest keys; *shown* is called only then."""
    if len(heap) < _SHOWN:
        heapq.heappush(heap, (*key, shown()))
    elif key > heap[0][:2]:
        heapq.heapreplace(heap, (*key, shown()))


class TerminalSummary:
    """The ``score`` command's summary, built while scorecards stream past.

    Args:
        names: The suite's score names, in order.
        by: ``None``, ``"channel"`` or a metadata key (``agent``, ``meta.agent``).
        width: The terminal's width; lines never exceed it (nor 100 columns).
    """

    def __init__(self, names: Sequence[str], by: str | None = None, width: int = 80) -> None:
        self._names = list(names)
        self._by = by
        self._key = None if by is None or by == "channel" else by.removeprefix("meta.")
        self.key_seen = self._key is None
        self._width = max(60, min(width, 100))
        self._labels: list[object] = []
        self._channels: Counter[str] = Counter()
        self._values = {name: array("d") for name in (*self._names, "experience", "reach", "impact")}
        self._at_risk = AtRisk()
        self._risky = 0
        self._public = 0
        self._most_reach: list[tuple[float, int, _Shown]] = []
        self._worst: list[tuple[float, int, _Shown]] = []
        self._seen = 0

    def add(self, card: Scorecard) -> None:
        """Count one scorecard."""
        channel = card.transcript.channel.value
        self._channels[channel] += 1
        if self._by == "channel":
            self._labels.append(channel)
        elif self._key is not None:
            label = card.transcript.meta.get(self._key)
            self.key_seen = self.key_seen or label is not None
            self._labels.append(terminal_text(label) if isinstance(label, str) else label)
        impact = card.impact
        for name, values in self._values.items():
            if name in card:
                value = card[name].value
            elif impact is not None and name in ("experience", "reach", "impact"):
                value = getattr(impact, name)
            else:
                value = None
            values.append(math.nan if value is None else value)
        self._seen += 1
        reach, experience = self._values["reach"][-1], self._values["experience"][-1]
        self._public += reach > 1
        if math.isnan(experience):
            return
        if bool(self._at_risk(np.array([reach]), np.array([experience]))[0]):
            self._risky += 1
            self._keep(self._most_reach, reach, card)
        self._keep(self._worst, -experience, card)

    def _keep(self, heap: list[tuple[float, int, _Shown]], rank: float, card: Scorecard) -> None:
        """Keep *card* among the :data:`_SHOWN` of highest *rank* (ties: the earliest)."""
        _push(heap, (rank, -self._seen), lambda: _Shown(card, self._names, self._width))

    def merge(self, other: TerminalSummary) -> None:
        """Count the scorecards *other* counted, as if they were added here after those added so far.

        A worker process sums up the scorecards of each chunk it scores in a
        summary of its own (with the same names, *by* and width); merged in
        input order, those give exactly the summary of adding every
        scorecard here, without sending the scorecards over.
        """
        offset = self._seen
        self._channels.update(other._channels)
        self._labels.extend(other._labels)
        for name, values in self._values.items():
            values.extend(other._values[name])
        self.key_seen = self.key_seen or other.key_seen
        self._risky += other._risky
        self._public += other._public
        # Ties go to the earliest: other's n-th scorecard is this summary's (offset + n)-th.
        for mine, theirs in ((self._most_reach, other._most_reach), (self._worst, other._worst)):
            for rank, seen, shown in theirs:
                _push(mine, (rank, seen - offset), functools.partial(_same, shown))
        self._seen += other._seen

    def lines(self, resamples: int, *, rejected: int = 0, written: str | None = None) -> list[str]:
        """The summary: counts, distributions, groups, at-risk threads, worst interactions, the table."""
        count = self._seen
        mix = ", ".join(f"{name} {n:,}" for name, n in self._channels.most_common())
        lines = [f"{plural(count, 'transcript')} scored, {rejected:,} rejected"]
        if mix:
            lines.append(_fit(f"channels: {mix}", self._width))
        lines.append("")
        columns = {name: np.frombuffer(values, dtype=np.float64) for name, values in self._values.items()}
        table = ScoreTable({"all": np.full(count, "all", dtype=object), **columns})
        shown = [name for name in columns if name != "reach" and not np.isnan(columns[name]).all()]
        if count:
            overall = table.group_by("all").summary(shown, resamples=resamples, at_risk=None).rows[0]
            lines.append(f"{'score':<12}{'mean':>5}  {'95% interval':<16}{'n':>6}  distribution")
            for name in shown:
                stats = overall.stats[name]
                interval = "" if math.isnan(stats.low) else f"[{stats.low:.2f}, {stats.high:.2f}]"
                row = f"{_clip(name, 11):<12}{_number(stats.mean)}  {interval:<16}{stats.n:>6,}"
                if name != "impact":
                    low = -1.0 if name == "experience" else 0.0
                    row += f"  {low:>2g} {_histogram(columns[name], low, 1.0)} 1"
                lines.append(row)
            lines.append("")
        if self._by is not None and count:
            lines += self._group_lines(columns, resamples)
        lines += self._risk_lines()
        lines += self._worst_lines()
        if written is None:
            lines.append("Full table not written: -o scores.csv writes it (-o - for CSV on stdout).")
        else:
            lines.append(terminal_text(written))  # a path is never cut
        return lines

    def _group_lines(self, columns: dict[str, np.ndarray], resamples: int) -> list[str]:
        key = "channel" if self._key is None else f"meta.{self._key}"
        labels = np.empty(len(self._labels), dtype=object)
        labels[:] = ["(none)" if label is None else label for label in self._labels]
        table = ScoreTable({key: labels, **columns})
        scores = [name for name in (*self._names, "experience") if not np.isnan(columns[name]).all()]
        summary = table.group_by(key).summary(scores, resamples=resamples)
        rows = sorted(summary.rows, key=lambda row: -np.nan_to_num(row.stats["experience"].mean, nan=-9))
        label_width = min(16, max(len(key), *(len(str(row.key)) for row in rows)))
        # Experience first (the leaderboard's order), then each score while the line fits.
        fixed = label_width + 2 + 6 + 2 + 7
        cells = [("experience", 10)]
        used = fixed + 12
        for name in self._names:
            if name in scores and used + 2 + max(5, len(name)) <= self._width:
                cells.append((name, max(5, len(name))))
                used += 2 + max(5, len(name))
        header = f"{_clip(key, label_width):<{label_width}}  {'n':>6}  {'at risk':>7}"
        header += "".join(f"  {name:>{width}}" for name, width in cells)
        out = [f"By {key}, best experience first", header]
        for row in rows[:_GROUPS_SHOWN]:
            risk = "-" if math.isnan(row.at_risk) else f"{100 * row.at_risk:.0f}%"
            line = f"{_clip(str(row.key), label_width):<{label_width}}  {row.count:>6,}  {risk:>7}"
            line += "".join(f"  {_number(row.stats[name].mean, width)}" for name, width in cells)
            out.append(line)
        if len(rows) > _GROUPS_SHOWN:
            out.append(f"… and {plural(len(rows) - _GROUPS_SHOWN, 'more group')} (all of them: -o)")
        return [*out, ""]

    def _risk_lines(self) -> list[str]:
        if not self._public:
            return []
        share = f"{100 * self._risky / self._seen:.0f}%"
        out = [
            f"At risk: {self._risky:,} of {self._seen:,} ({share}) · public, impact below -1.5, by reach"
        ]
        if self._most_reach:
            longest = max(len(terminal_text(item.id)) for _, _, item in self._most_reach)
            id_width = max(2, min(longest, self._width - 8 - 2 - 11 - 2 - 10 - 2 - 7 - 2))
            out.append(
                f"  {'id':<{id_width}}  {'channel':<8}  {'reach':>11}  {'experience':>10}  {'impact':>7}"
            )
            for _, _, item in sorted(self._most_reach, key=lambda entry: entry[:2], reverse=True):
                out.append(
                    f"  {_clip(item.id, id_width):<{id_width}}  {item.channel:<8}  {item.reach:>11,.0f}"
                    f"  {item.experience:>10.2f}  {item.impact:>7.2f}"
                )
        return [*out, ""]

    def _worst_lines(self) -> list[str]:
        if not self._worst:
            return []
        out = ["Worst experiences, with each score's strongest evidence"]
        for _, _, item in sorted(self._worst, key=lambda entry: entry[:2], reverse=True):
            out.append(
                _fit(f"  {_clip(item.id, 40)} ({item.channel}) experience {item.experience:.2f}", self._width)
            )
            out += [_fit(f"    {line}", self._width) for line in item.evidence]
        return [*out, ""]

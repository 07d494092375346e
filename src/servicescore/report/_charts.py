"""The report's charts, drawn with matplotlib's SVG backend (no GUI, no pyplot state) as inline SVG text."""

from __future__ import annotations

import html
import io
import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import MissingResourceError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .._aggregate import Summary

__all__ = ["bars", "distributions", "forest", "trends"]

#: One colour per score, in a colour-blind-safe order (Okabe & Ito, 2008).
PALETTE = ("#0072B2", "#009E73", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
_INK = "#3e4c59"
_GRID = "#e4e7eb"
#: matplotlib's rcParams are process-wide: the SVG settings are set only while
#: this lock is held, so two reports drawn at once in threads never mix them.
_SAVING = threading.Lock()
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ID = re.compile(r'\b(id)="([^"]+)"')
_REF = re.compile(r'(xlink:href="#|href="#|url\(#)')
_SVG_TAG = re.compile(r'<svg[^>]*?\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')


def _figure(width: float, height: float) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingResourceError(
            "the HTML report draws its charts with matplotlib: pip install 'servicescore[report]'"
        ) from None
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _style(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(_GRID)
    axes.tick_params(colors=_INK, labelsize=8, length=0)
    axes.grid(True, color=_GRID, linewidth=0.6)
    axes.set_axisbelow(True)


def _svg(figure: Figure, name: str) -> str:
    """*figure* as an ``<svg>`` element that scales with the page; text as paths, so no font is needed."""
    import matplotlib

    buffer = io.StringIO()
    with _SAVING, matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": f"servicescore-{name}"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, facecolor="white")
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    match = _SVG_TAG.search(text)
    if match is not None:
        width = match.group(1)
        text = (
            text[: match.start()] + f'<svg role="img" aria-label="{html.escape(name)}" '
            f'style="width:100%;max-width:{width}pt;height:auto"' + text[match.end() :]
        )
    text = _METADATA.sub("", text)
    # One page holds several charts: give each its own ids, so no reference crosses charts.
    prefix = re.sub(r"[^\w-]", "_", name) + "-"
    text = _ID.sub(lambda m: f'{m.group(1)}="{prefix}{m.group(2)}"', text)
    return _REF.sub(lambda m: f"{m.group(1)}{prefix}", text)


def distributions(columns: dict[str, np.ndarray]) -> str:
    """One histogram per score (``nan`` left out, counted in the title)."""
    count = len(columns)
    across = 3 if count > 4 else max(count, 1)
    down = -(-count // across)
    figure = _figure(3.0 * across, 2.0 * down)
    grid = figure.subplots(down, across, squeeze=False)
    for index, (name, values) in enumerate(columns.items()):
        axes: Axes = grid[index // across][index % across]
        _style(axes)
        finite = values[np.isfinite(values)]
        low = -1.0 if finite.size and finite.min() < 0 else 0.0
        high = 1.0 if not finite.size or finite.max() <= 1 else float(finite.max())
        axes.hist(finite, bins=20, range=(low, high), color=PALETTE[index % len(PALETTE)], alpha=0.85)
        missing = values.size - finite.size
        title = name + (f"  ({missing:,} n/a)" if missing else "")
        axes.set_title(title, fontsize=9, color=_INK, loc="left")
        if finite.size:
            axes.axvline(float(finite.mean()), color=_INK, linewidth=1, linestyle="--")
    for index in range(count, down * across):
        grid[index // across][index % across].set_visible(False)
    return _svg(figure, "distributions")


def forest(summary: Summary, column: str, labels: Sequence[str]) -> str:
    """Each group's mean of *column* with its interval, best at the top."""
    rows = list(summary.rows)
    figure = _figure(6.4, 0.6 + 0.28 * len(rows))
    axes = figure.add_subplot()
    _style(axes)
    positions = np.arange(len(rows))[::-1]
    means = np.array([row[column].mean for row in rows])
    lows = np.array([row[column].low for row in rows])
    highs = np.array([row[column].high for row in rows])
    error = np.vstack([np.nan_to_num(means - lows), np.nan_to_num(highs - means)])
    axes.errorbar(means, positions, xerr=error, fmt="o", color=PALETTE[0], ecolor="#9fb3c8", capsize=2, ms=4)
    axes.set_yticks(positions, labels=list(labels))
    axes.set_xlabel(f"{column}: mean and 95% interval", fontsize=8, color=_INK)
    axes.axvline(0.0 if column in ("experience", "impact") else 0.5, color=_GRID, linewidth=1)
    return _svg(figure, f"leaderboard-{column}")


def trends(periods: Sequence[str], lines: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> str:
    """Each score's mean per period with its interval as a band."""
    import datetime as dt

    figure = _figure(9.0, 2.8)
    axes = figure.add_subplot()
    _style(axes)
    days = np.array([dt.date.fromisoformat(label) for label in periods], dtype="datetime64[D]")
    for index, (name, (mean, low, high)) in enumerate(lines.items()):
        colour = PALETTE[index % len(PALETTE)]
        axes.plot(days, mean, marker="o", ms=2.5, linewidth=1.2, color=colour, label=name)
        axes.fill_between(days, low, high, color=colour, alpha=0.12, linewidth=0)
    axes.legend(
        fontsize=8, frameon=False, ncols=min(len(lines), 6), loc="upper left", bbox_to_anchor=(0, 1.18)
    )
    figure.autofmt_xdate()
    return _svg(figure, "trends")


def bars(labels: Sequence[str], counts: Sequence[int], colours: Sequence[Any] | None = None) -> str:
    """A horizontal bar per label with its count."""
    figure = _figure(6.4, 0.6 + 0.3 * len(labels))
    axes = figure.add_subplot()
    _style(axes)
    positions = np.arange(len(labels))[::-1]
    axes.barh(positions, counts, color=colours or PALETTE[0], height=0.6)
    axes.set_yticks(positions, labels=list(labels))
    for position, count in zip(positions, counts, strict=True):
        axes.annotate(
            f"{count:,}",
            (count, position),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=_INK,
        )
    axes.set_xlabel("interactions", fontsize=8, color=_INK)
    return _svg(figure, "channels")

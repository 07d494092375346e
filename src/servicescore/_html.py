"""HTML views of scorecards, tables and summaries: for notebooks and the HTML report.

Every piece of data is escaped with :func:`html.escape` before it is placed
in markup; nothing here loads a resource from outside the page.
"""

from __future__ import annotations

import datetime as _dt
import html
import itertools
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ._impact import DEFAULT_WEIGHTS

if TYPE_CHECKING:
    from ._aggregate import ColumnStats, Summary
    from ._score import Evidence, Score
    from ._suite import Scorecard
    from ._table import ScoreTable

__all__ = ["CSS", "marked_html", "scorecard_html", "summary_html", "table_html"]

#: Rows a notebook shows of a table, as pandas shows the first rows.
TABLE_ROWS = 10

#: Styles of the views, scoped under ``.ss`` so a notebook's own styles are left alone.
CSS = """
.ss{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 color:#1f2933;line-height:1.45;font-size:14px}
.ss table.ss-t{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
.ss table.ss-t th,.ss table.ss-t td{padding:3px 9px;border-bottom:1px solid #e4e7eb;text-align:right;
 white-space:nowrap}
.ss table.ss-t th{background:#f5f7fa;font-weight:600;color:#3e4c59}
.ss table.ss-t td.k,.ss table.ss-t th.k{text-align:left}
.ss .ss-note{color:#7b8794;font-size:12px;margin:4px 0}
.ss .ss-ci{color:#7b8794}
.ss .ss-card{border:1px solid #e4e7eb;border-radius:8px;padding:12px 14px;margin:10px 0;background:#fff}
.ss .ss-head{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:baseline;margin-bottom:8px}
.ss .ss-id{font-weight:600;font-size:15px}
.ss .ss-pill{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;background:#f0f4f8}
.ss .ss-good{background:#e3f9e5;color:#0e5814}
.ss .ss-bad{background:#ffe3e3;color:#8a041a}
.ss .ss-turn{display:grid;grid-template-columns:78px 1fr;gap:2px 10px;padding:4px 0;
 border-top:1px dashed #eef1f4}
.ss .ss-role{font-size:12px;color:#52606d;text-transform:uppercase;letter-spacing:.03em;padding-top:2px}
.ss .ss-role.agent{color:#2457a6}
.ss .ss-text{white-space:pre-wrap;overflow-wrap:anywhere}
.ss mark{border-radius:3px;padding:0 2px}
.ss mark.pos{background:#c1eac5}
.ss mark.neg{background:#ffc9c9}
.ss mark.mix{background:#fff3c4}
.ss .ss-ev{grid-column:2;font-size:12px;color:#52606d}
.ss .ss-ev span{margin-right:10px}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def direction(name: str) -> int:
    """+1 when a higher *name* score is better for the customer, -1 when worse (pushiness, latency)."""
    return -1 if DEFAULT_WEIGHTS.get(name, 1.0) < 0 else 1


def _tone(name: str, weight: float) -> str:
    """``"pos"`` for evidence good for the customer, ``"neg"`` for bad (weight times direction)."""
    signed = weight * direction(name)
    return "pos" if signed > 0 else "neg" if signed < 0 else "mix"


def marked_html(text: str, evidence: Sequence[tuple[str, Evidence]]) -> str:
    """*text*, escaped, with each ``(score name, evidence)`` span in a ``<mark>``.

    Overlapping spans are cut at every boundary; a piece covered by evidence
    good and bad for the customer is marked ``mix``. Each mark's title lists
    the cues. Whole-turn facts (empty spans, or the whole text) are not marked.
    """
    spans = [
        (e.start, min(e.end, len(text)), name, e)
        for name, e in evidence
        if e.end > e.start and e.start < len(text) and not (e.start == 0 and e.end >= len(text))
    ]
    if not spans:
        return _e(text)
    cuts = sorted({0, len(text), *(s for s, *_ in spans), *(e for _, e, *_ in spans)})
    out = []
    for begin, end in itertools.pairwise(cuts):
        piece = _e(text[begin:end])
        covering = [(name, e) for s, f, name, e in spans if s <= begin and end <= f]
        if not covering:
            out.append(piece)
            continue
        tones = {_tone(name, e.weight) for name, e in covering}
        tone = tones.pop() if len(tones) == 1 else "mix"
        title = "; ".join(f"{name} {e.weight:+.2f} {e.category}: {e.cue}" for name, e in covering)
        out.append(f'<mark class="{tone}" title="{_e(title)}">{piece}</mark>')
    return "".join(out)


def _value(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _pill(name: str, score: Score) -> str:
    value = score.value
    kind = ""
    if value is not None:
        good = value if direction(name) > 0 else 1.0 - value
        kind = " ss-good" if good >= 0.6 else " ss-bad" if good <= 0.4 else ""
    label = score.details.get("label")
    extra = f" {label}" if isinstance(label, str) else ""
    title = f' title="{_e(score.reason)}"' if score.reason else ""
    return f'<span class="ss-pill{kind}"{title}>{_e(name)} <b>{_value(value)}</b>{_e(extra)}</span>'


def _when(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds > 1e8:  # epoch seconds, not an offset into a call
        return _dt.datetime.fromtimestamp(seconds, _dt.UTC).strftime("%Y-%m-%d %H:%M")
    return f"{seconds:,.0f} s"


def scorecard_html(card: Scorecard, *, standalone: bool = False) -> str:
    """A card: id, channel, each score (coloured good or bad for the customer), impact, and the turns.

    Each turn shows its role and time, the text with evidence marked (hover
    for the cue and weight), and the whole-turn facts below it. With
    *standalone*, the styles come along (for a notebook cell).
    """
    transcript = card.transcript
    head = [
        f'<span class="ss-id">{_e(transcript.id)}</span>',
        f'<span class="ss-note">{_e(transcript.channel.value)}, {len(transcript.turns)} turns</span>',
        *(_pill(name, score) for name, score in card.items()),
    ]
    if card.impact is not None:
        impact = card.impact
        head.append(
            f'<span class="ss-pill">experience <b>{_value(impact.experience)}</b> · reach '
            f"{impact.reach:,.0f} · impact <b>{_value(impact.impact)}</b></span>"
        )
    turns = []
    for index, turn in enumerate(transcript.turns):
        evidence = [(name, e) for name, score in card.items() for e in score.evidence if e.turn == index]
        facts = [
            f'<span class="{_tone(name, e.weight)}">{_e(name)} {e.weight:+.2f} {_e(e.category)}: '
            f"{_e(e.cue)}</span>"
            for name, e in evidence
        ]
        role = turn.role.value
        when = _when(turn.time)
        turns.append(
            f'<div class="ss-turn"><div class="ss-role {_e(role)}">{_e(role)}'
            f"{f'<br><span class=ss-note>{_e(when)}</span>' if when else ''}</div>"
            f'<div class="ss-text">{marked_html(turn.text, evidence)}</div>'
            + (f'<div class="ss-ev">{"".join(facts)}</div>' if facts else "")
            + "</div>"
        )
    body = f'<div class="ss-card"><div class="ss-head">{"".join(head)}</div>{"".join(turns)}</div>'
    return _wrap(body) if standalone else body


def _wrap(body: str) -> str:
    return f'<div class="ss"><style>{CSS}</style>{body}</div>'


def _cell(value: object) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '<td class="ss-ci">-</td>'
    if isinstance(value, float):
        return f"<td>{value:.4g}</td>" if abs(value) < 1e6 else f"<td>{value:.6g}</td>"
    if isinstance(value, int | bool):
        return f"<td>{value}</td>"
    text = str(value)
    if len(text) > 40:
        text = text[:39] + "…"
    return f'<td class="k">{_e(text)}</td>'


def table_html(table: ScoreTable, rows: int = TABLE_ROWS) -> str:
    """The first *rows* rows of *table*: its base, metadata and value columns (details counted, not shown)."""
    from ._aggregate import _score_columns
    from ._table import BASE_COLUMNS

    shown = [
        name
        for name in table.names
        if name in BASE_COLUMNS
        or name.startswith("meta.")
        or name in _score_columns(table)
        or name == "reach"
    ]
    hidden = len(table.names) - len(shown)
    head = "".join(f'<th class="k">{_e(name)}</th>' for name in shown)
    body = "".join(
        "<tr>" + "".join(_cell(table.columns[name][i]) for name in shown) + "</tr>"
        for i in range(min(rows, len(table)))
    )
    note = f"{len(table):,} rows × {len(table.names)} columns"
    if len(table) > rows:
        note += f", first {rows} shown"
    if hidden:
        note += f"; {hidden} detail columns not shown (table[name] reads any)"
    if table.errors:
        note += f"; {len(table.errors):,} inputs rejected (table.errors)"
    return _wrap(f'<table class="ss-t"><tr>{head}</tr>{body}</table><p class="ss-note">{_e(note)}</p>')


def _stats_cell(stats: ColumnStats, digits: int = 2) -> str:
    if stats.n == 0 or math.isnan(stats.mean):
        return '<td class="ss-ci">-</td>'
    interval = (
        ""
        if math.isnan(stats.low) or math.isnan(stats.high)
        else f' <span class="ss-ci">[{stats.low:.{digits}f}, {stats.high:.{digits}f}]</span>'
    )
    return f"<td>{stats.mean:.{digits}f}{interval}</td>"


def _key_cells(summary: Summary, key: object) -> list[str]:
    keys = list(key) if isinstance(key, tuple) and summary.name is not None and summary.every else [key]
    return [f'<td class="k">{_e("(none)" if item is None else item)}</td>' for item in keys]


def summary_html(summary: Summary, columns: Iterable[str] | None = None, *, styled: bool = True) -> str:
    """*summary* as a table: key, count, at-risk share, and ``mean [low, high]`` per column."""
    shown = summary.columns if columns is None else tuple(columns)
    keys = [] if summary.name is None else [summary.name]
    if summary.every is not None:
        keys.append("period")
    head = "".join(f'<th class="k">{_e(name)}</th>' for name in keys)
    head += "<th>count</th><th>at risk</th>" + "".join(f"<th>{_e(name)}</th>" for name in shown)
    body = []
    for row in summary.rows:
        risk = "-" if math.isnan(row.at_risk) else f"{100 * row.at_risk:.0f}%"
        cells = [*_key_cells(summary, row.key), f"<td>{row.count:,}</td>", f"<td>{risk}</td>"]
        cells += [_stats_cell(row[name]) for name in shown]
        body.append(f"<tr>{''.join(cells)}</tr>")
    note = (
        f"mean [{100 * summary.confidence:g}% bootstrap interval of the mean, "
        f"{summary.resamples:,} resamples]"
    )
    table = f'<table class="ss-t"><tr>{head}</tr>{"".join(body)}</table><p class="ss-note">{_e(note)}</p>'
    return _wrap(table) if styled else table

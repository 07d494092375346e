"""A self-contained HTML report of a :class:`~servicescore.ScoreTable`.

One file that opens offline: the styles are inline, the charts are inline SVG
drawn with matplotlib (``pip install 'servicescore[report]'``), and the page
loads no script, font or image. Every piece of data is HTML-escaped.

Sections: headline figures; the distribution of every score; a leaderboard
per group with 95% bootstrap intervals (``group_by(by).summary()``); trends
per day or week where turns have times; the channel mix; the public threads
most at brand risk (:class:`~servicescore.AtRisk`, by reach times negative experience); and the worst
interactions, with their evidence highlighted in the transcript.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import pathlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np

from .._aggregate import AtRisk, _score_columns
from .._html import CSS, _e, scorecard_html, summary_html
from . import _charts

if TYPE_CHECKING:
    from .._batch import Inputs
    from .._model import Transcript
    from .._suite import Scorecard, Suite
    from .._table import ScoreTable

__all__ = ["render_report", "write_report"]

#: Worst interactions shown with their transcripts.
WORST = 8
#: At-risk public threads listed.
AT_RISK = 10
#: Groups drawn in a leaderboard chart (the largest groups).
GROUPS = 25
#: Above this many days between the first and last interaction, trends are weekly.
DAILY_SPAN = 62

_PAGE_CSS = """
body{margin:0;background:#f5f7fa}
main{max-width:1080px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:14px 0 8px}
section{background:#fff;border-radius:10px;padding:4px 18px 14px;margin-top:18px;
 box-shadow:0 1px 2px rgba(31,41,51,.08)}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.tile{background:#fff;border-radius:10px;padding:10px 14px;min-width:130px;
 box-shadow:0 1px 2px rgba(31,41,51,.08)}
.tile b{display:block;font-size:22px;font-variant-numeric:tabular-nums}
.tile span{font-size:12px;color:#7b8794}
.scroll{overflow-x:auto}
"""


def _floats(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _key(table: ScoreTable, by: str | None) -> str:
    """The column to group the leaderboard by: *by* (a column or metadata key), else the channel."""
    if by is None:
        return "channel"
    if by in table.columns:
        return by
    if f"meta.{by}" in table.columns:
        return f"meta.{by}"
    table.group_by(by)  # the KeyError naming the metadata keys
    raise AssertionError("unreachable")  # pragma: no cover


def _find(inputs: Inputs | None, wanted: set[str], suite: Suite | None) -> dict[str, Scorecard]:
    """The scorecards (with evidence) of the transcripts in *inputs* whose id is in *wanted*."""
    from .._batch import _expand, _slot
    from .._model import Transcript
    from .._suite import default_suite

    found: dict[str, Scorecard] = {}
    if inputs is None or not wanted:
        return found
    scorer = suite or default_suite()
    for position, item in enumerate(_expand(inputs, None)):
        transcript = _slot(position, item)[1]
        if isinstance(transcript, Transcript) and transcript.id in wanted and transcript.id not in found:
            found[transcript.id] = scorer(transcript)
            if len(found) == len(wanted):
                break
    return found


def _tiles(table: ScoreTable, columns: tuple[str, ...], resamples: int) -> str:
    from .._aggregate import Grouping

    everything = Grouping(table, name=None, every=None, keys=("all",), indices=(np.arange(len(table)),))
    summary = everything.summary(columns, resamples=resamples)
    row = summary.rows[0]
    tiles = [f'<div class="tile"><b>{len(table):,}</b><span>interactions</span></div>']
    for name in columns:
        stats = row[name]
        interval = "" if math.isnan(stats.low) else f"[{stats.low:.2f}, {stats.high:.2f}]"
        tiles.append(
            f'<div class="tile"><b>{stats.format().split(" ")[0]}</b><span>{_e(name)} {interval}</span></div>'
        )
    if not math.isnan(row.at_risk):
        tiles.append(
            f'<div class="tile"><b>{row.at_risk_count:,}</b><span>public threads at risk</span></div>'
        )
    return f'<div class="tiles">{"".join(tiles)}</div>'


def _leaderboard(table: ScoreTable, key: str, columns: tuple[str, ...], resamples: int) -> str:
    summary = table.group_by(key).summary(columns, resamples=resamples)
    rank = "experience" if "experience" in columns else columns[0]
    ranked = summary.sort_by(rank)
    biggest = {id(row) for row in sorted(ranked.rows, key=lambda row: -row.count)[:GROUPS]}
    shown = attrs.evolve(ranked, rows=tuple(row for row in ranked.rows if id(row) in biggest))
    labels = [f"{'(none)' if row.key is None else row.key} ({row.count:,})" for row in shown.rows]
    note = (
        ""
        if len(shown) == len(summary)
        else f"<p class='ss-note'>The {GROUPS} largest of {len(summary):,} groups.</p>"
    )
    return (
        f"<h2>Leaderboard by {_e(key.removeprefix('meta.'))}</h2>"
        f"<p class='ss-note'>Sorted by mean {_e(rank)}; the bars are 95% bootstrap intervals of the mean.</p>"
        f"{_charts.forest(shown, rank, labels)}{note}"
        f"<div class='scroll'>{summary_html(shown, styled=False)}</div>"
    )


def _trends(table: ScoreTable, columns: tuple[str, ...], resamples: int) -> str:
    start = _floats(table["start"]) if "start" in table.columns else np.array([])
    start = start[np.isfinite(start)]
    if start.size == 0:
        return "<h2>Trends</h2><p class='ss-note'>No turn carries a time, so there is no trend to draw.</p>"
    span = (start.max() - start.min()) / 86_400
    every: Literal["day", "week"] = "day" if span <= DAILY_SPAN else "week"
    summary = table.group_by(None, every=every).summary(columns, resamples=resamples)
    rows = [row for row in summary.rows if row.key is not None]
    if len(rows) < 2:
        return f"<h2>Trends</h2><p class='ss-note'>All timed interactions fall in one {every}.</p>"
    periods = [str(row.key) for row in rows]
    lines = {
        name: tuple(np.array([getattr(row[name], stat) for row in rows]) for stat in ("mean", "low", "high"))
        for name in columns
        if name != "impact"
    }
    return (
        f"<h2>Trends per {every}</h2><p class='ss-note'>Mean per {every} (UTC) with its 95% interval as a "
        f"band; {len(rows):,} {every}s from {_e(periods[0])} to {_e(periods[-1])}.</p>"
        f"{_charts.trends(periods, lines)}"  # type: ignore[arg-type]
    )


def _channels(table: ScoreTable) -> str:
    labels, counts = np.unique(np.asarray(table["channel"], dtype=str), return_counts=True)
    order = np.argsort(-counts, kind="stable")
    labels, counts = labels[order].tolist(), counts[order].tolist()
    return f"<h2>Channel mix</h2>{_charts.bars(labels, counts)}"


def _risk(table: ScoreTable) -> list[str]:
    """The ids of the threads at risk (:class:`AtRisk`), by reach times -experience, highest first."""
    if not {"reach", "experience"} <= set(table.columns):
        return []
    reach, experience = _floats(table["reach"]), _floats(table["experience"])
    exposure = np.where(AtRisk()(reach, experience), reach * -experience, np.nan)
    order = [int(i) for i in np.argsort(-np.nan_to_num(exposure, nan=-1.0), kind="stable") if exposure[i] > 0]
    return [str(table["id"][i]) for i in order[:AT_RISK]]


def _risk_section(table: ScoreTable, ids: list[str], cards: dict[str, Scorecard], key: str) -> str:
    head = "<h2>Public threads most at brand risk</h2>"
    if not ids:
        return head + "<p class='ss-note'>No public thread at risk.</p>"
    index = {str(value): i for i, value in reversed(list(enumerate(table["id"].tolist())))}
    group = key if key != "channel" else None
    rows = []
    for thread in ids:
        i = index[thread]
        reach, experience = float(table["reach"][i]), float(table["experience"][i])
        card = cards.get(thread)
        opening = (
            next((t.text for t in card.transcript.turns if t.role.value == "customer"), "") if card else ""
        )
        if len(opening) > 140:
            opening = opening[:139] + "…"
        label = f"<td class='k'>{_e(table[group][i])}</td>" if group else ""
        rows.append(
            f"<tr><td class='k'>{_e(thread)}</td>{label}<td>{reach:,.0f}</td><td>{experience:.2f}</td>"
            f"<td>{reach * -experience:,.0f}</td>"
            f"<td class='k' style='white-space:normal'>{_e(opening)}</td></tr>"
        )
    extra = f"<th class='k'>{_e(group.removeprefix('meta.'))}</th>" if group else ""
    return (
        head + "<p class='ss-note'>Public threads at risk (impact, experience × (1 + log10 reach), below "
        "−1.5), ranked by reach × −experience: how many people saw how bad it went.</p>"
        "<div class='scroll'><table class='ss-t'>"
        f"<tr><th class='k'>id</th>{extra}<th>reach</th><th>experience</th><th>exposure</th>"
        f"<th class='k'>customer's first words</th></tr>{''.join(rows)}</table></div>"
    )


def _worst(table: ScoreTable) -> list[str]:
    """The ids of the interactions with the lowest experience, lowest first."""
    rank = "experience" if "experience" in table.columns else None
    if rank is None:
        return []
    values = _floats(table[rank])
    order = [
        int(i) for i in np.argsort(np.nan_to_num(values, nan=np.inf), kind="stable") if np.isfinite(values[i])
    ]
    return [str(table["id"][i]) for i in order[:WORST]]


def _worst_section(ids: list[str], cards: dict[str, Scorecard]) -> str:
    head = "<h2>Worst interactions</h2>"
    if not ids:
        return head + "<p class='ss-note'>No interaction has an experience score.</p>"
    if not cards:
        return head + (
            "<p class='ss-note'>Lowest experience: " + ", ".join(map(_e, ids)) + ". Pass the inputs "
            "(<code>transcripts=</code>) to see their transcripts with the evidence.</p>"
        )
    note = (
        "<p class='ss-note'>Lowest experience first. Highlights: green helped the customer, red hurt, "
        "yellow both; hover a highlight for its cue and weight.</p>"
    )
    return head + note + "".join(scorecard_html(cards[i]) for i in ids if i in cards)


def render_report(
    table: ScoreTable,
    *,
    by: str | None = None,
    transcripts: Iterable[Transcript | Mapping[str, Any] | str | os.PathLike[str]]
    | str
    | os.PathLike[str]
    | None = None,
    suite: Suite | None = None,
    title: str | None = None,
    resamples: int = 1000,
) -> str:
    """The report of *table* as one HTML document (see :func:`write_report` for the arguments)."""
    if len(table) == 0:
        raise ValueError("the table has no rows to report on")
    key = _key(table, by)
    columns = _score_columns(table)
    risky = _risk(table)
    worst = _worst(table)
    cards = _find(transcripts, set(risky) | set(worst), suite)
    values = {name: _floats(table[name]) for name in columns}
    start = _floats(table["start"]) if "start" in table.columns else np.array([])
    start = start[np.isfinite(start)]
    when = ""
    if start.size:
        first, last = (dt.datetime.fromtimestamp(float(x), dt.UTC).date() for x in (start.min(), start.max()))
        when = f", {first} to {last}"
    rejected = f"; {len(table.errors):,} inputs could not be scored" if table.errors else ""
    heading = title or "Service quality report"
    body = [
        f"<h1>{_e(heading)}</h1><p class='ss-note'>{len(table):,} interactions{_e(when)}{_e(rejected)}. "
        "Scores lie in [0, 1]: high empathy and resolution are good, high pushiness and latency bad; "
        "experience lies in [-1, 1] and impact is experience amplified by reach.</p>",
        _tiles(table, columns, resamples),
        f"<section><h2>Distributions</h2>{_charts.distributions(values)}</section>",
        f"<section>{_leaderboard(table, key, columns, resamples)}</section>",
        f"<section>{_trends(table, columns, resamples)}</section>",
        f"<section>{_channels(table)}</section>",
        f"<section>{_risk_section(table, risky, cards, key)}</section>",
        f"<section>{_worst_section(worst, cards)}</section>",
    ]
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; "
        'img-src data:">'
        f"<title>{_e(heading)}</title><style>{CSS}{_PAGE_CSS}</style></head>"
        f"<body><main class='ss'>{''.join(body)}</main></body></html>\n"
    )


def write_report(
    table: ScoreTable,
    path: str | os.PathLike[str],
    *,
    by: str | None = None,
    transcripts: Iterable[Transcript | Mapping[str, Any] | str | os.PathLike[str]]
    | str
    | os.PathLike[str]
    | None = None,
    suite: Suite | None = None,
    title: str | None = None,
    resamples: int = 1000,
) -> pathlib.Path:
    """Write a self-contained HTML report of *table* to *path*; return the path.

    The file opens offline in any browser: styles inline, charts as inline
    SVG (text drawn as paths, so no font is needed), no script, no external
    resource (a Content-Security-Policy forbids loading any).

    Args:
        table: The scores, as :func:`~servicescore.score_many` returns them.
        path: The HTML file to write (UTF-8).
        by: Group the leaderboard by this metadata key or column (default:
            the channel).
        transcripts: The inputs the table was scored from (transcripts,
            records or paths, as :func:`~servicescore.score_many` takes them).
            The worst interactions and the at-risk threads are looked up in
            them by id and re-scored with *suite*, to show their transcripts
            with the evidence highlighted; without them the report lists ids.
        suite: The suite the table was scored with (default:
            :func:`~servicescore.default_suite`).
        title: The page's title.
        resamples: Bootstrap resamples per interval (1,000 keeps a report
            of a million rows within seconds; the figures vary in the third decimal).

    Raises:
        MissingResourceError: If matplotlib is not installed.
        KeyError: If *by* names neither a column nor a metadata key.
        ValueError: If the table has no rows.
    """
    text = render_report(table, by=by, transcripts=transcripts, suite=suite, title=title, resamples=resamples)
    target = pathlib.Path(path)
    target.write_text(text, encoding="utf-8")
    return target

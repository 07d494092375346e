"""Tests for the self-contained HTML report (servicescore.report, ScoreTable.report)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from servicescore import Channel, MissingResourceError, Role, ScoreTable, Transcript, Turn, score_many
from servicescore.cli import _sample

from .test_display import parse

pytest.importorskip("matplotlib", reason="the report needs matplotlib (the [report] extra)")

from servicescore.report import render_report

SAMPLE = Path(__file__).parents[1] / "src" / "servicescore" / "data" / "sample.jsonl"
#: Attributes through which a page can load something.
LOADING = frozenset({"src", "href", "xlink:href", "srcset", "action", "poster", "data", "background"})


def loaded(page: str) -> list[str]:
    """Every resource the page's elements point at outside the page itself."""
    return [
        value
        for _, attrs in parse(page).tags
        for name, value in attrs.items()
        if name in LOADING and value is not None and not value.startswith("#")
    ]


@pytest.fixture(scope="module")
def table() -> ScoreTable:
    return score_many(_sample())


@pytest.fixture(scope="module")
def page(table: ScoreTable) -> str:
    return render_report(table, transcripts=SAMPLE, by="agent", resamples=100)


class TestContent:
    """Every section is there, with the figures of the table."""

    def test_sections(self, page: str) -> None:
        """Headline, distributions, leaderboard, trends, channels, at-risk threads and worst interactions."""
        for heading in (
            "Distributions",
            "Leaderboard by agent",
            "Trends per",
            "Channel mix",
            "Public threads most at brand risk",
            "Worst interactions",
        ):
            assert f"<h2>{heading}" in page
        assert "72 interactions" in page
        assert page.count("<svg") >= 4

    def test_well_formed(self, page: str) -> None:
        """The page parses with every element closed."""
        parse(page)

    def test_worst_interactions_with_evidence(self, table: ScoreTable, page: str) -> None:
        """The lowest-experience interaction is shown as a card with highlighted evidence."""
        worst = str(table["id"][int(table["experience"].argmin())])
        assert f'<span class="ss-id">{worst}</span>' in page
        assert "<mark" in page

    def test_without_transcripts_lists_ids(self, table: ScoreTable) -> None:
        """Without the inputs the worst interactions are named, not shown."""
        page = render_report(table, resamples=50)
        assert "Pass the inputs" in page
        assert 'class="ss-card"' not in page

    def test_no_times(self) -> None:
        """Without times there is no trend chart, and the page says so."""
        transcripts = [
            Transcript(
                f"t{i}", [Turn(Role.CUSTOMER, "my bill is wrong"), Turn(Role.AGENT, "Sorry, fixed it.")]
            )
            for i in range(3)
        ]
        page = render_report(score_many(transcripts), resamples=50)
        assert "No turn carries a time" in page


class TestSelfContained:
    """The file opens offline: nothing is loaded from anywhere."""

    def test_no_external_reference(self, page: str) -> None:
        """No src/href outside the page, no @import or url() outside it, no script."""
        assert loaded(page) == []
        assert "@import" not in page
        assert re.findall(r"url\((?!#)", page) == []
        assert "<script" not in page.lower()
        assert "default-src 'none'" in page

    def test_chart_ids_unique(self, page: str) -> None:
        """Each chart's ids are its own, and every internal reference resolves."""
        ids = re.findall(r'\bid="([^"]+)"', page)
        assert len(ids) == len(set(ids))
        refs = set(re.findall(r'href="#([^"]+)"', page)) | set(re.findall(r"url\(#([^)]+)\)", page))
        assert refs <= set(ids)

    def test_escaped(self) -> None:
        """Markup in the data is shown as text."""
        evil = "<img src=http://example.com/x>"
        transcripts = [
            Transcript(
                evil + str(i),
                [
                    Turn(Role.CUSTOMER, f"{evil} this is terrible"),
                    Turn(Role.AGENT, "buy now, limited offer!"),
                ],
                Channel.SOCIAL,
                {"agent": evil, "followers": 5000},
            )
            for i in range(2)
        ]
        page = render_report(score_many(transcripts), transcripts=transcripts, by="agent", resamples=50)
        assert "<img" not in page
        assert loaded(page) == []


class TestApi:
    """ScoreTable.report writes the file; errors are clear."""

    def test_writes_file(self, table: ScoreTable, tmp_path: Path) -> None:
        """The path is returned and holds a UTF-8 HTML document."""
        path = table.report(tmp_path / "r.html", title="Q3 <review>")
        assert path == tmp_path / "r.html"
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>")
        assert "<title>Q3 &lt;review&gt;</title>" in text

    def test_unknown_key(self, table: ScoreTable, tmp_path: Path) -> None:
        """A --by key that is neither a column nor metadata is a KeyError naming it."""
        with pytest.raises(KeyError, match="nope"):
            table.report(tmp_path / "r.html", by="nope")
        assert not (tmp_path / "r.html").exists()

    def test_empty(self, tmp_path: Path) -> None:
        """An empty table has nothing to report."""
        with pytest.raises(ValueError, match="no rows"):
            score_many([]).report(tmp_path / "r.html")

    def test_deterministic(self, table: ScoreTable) -> None:
        """The same table gives the same page, byte for byte."""
        assert render_report(table, resamples=50) == render_report(table, resamples=50)


class TestOptional:
    """matplotlib is imported only when a report is drawn."""

    def test_import_does_not_load_matplotlib(self) -> None:
        """Importing servicescore and scoring leave matplotlib unloaded."""
        code = "import sys, servicescore; servicescore.score_many([]); print('matplotlib' in sys.modules)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "False"

    def test_missing_matplotlib(
        self, table: ScoreTable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without matplotlib the error says which extra to install."""
        for name in [name for name in sys.modules if name == "matplotlib" or name.startswith("matplotlib.")]:
            monkeypatch.delitem(sys.modules, name)
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        with pytest.raises(MissingResourceError, match=r"servicescore\[report\]"):
            table.report(tmp_path / "r.html")

"""Tests for io.from_pandas and score_many(DataFrame): a frame reads as its CSV file does."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import Transcript, io, score_many
from servicescore.cli import _sample
from servicescore.exceptions import FormatError

from .strategies import transcripts

pd = pytest.importorskip("pandas", reason="from_pandas needs pandas")

TWCS = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw" / "twcs-sample" / "sample.csv"


@pytest.fixture(scope="module")
def sample_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample as a one-row-per-turn CSV with metadata columns."""
    path = tmp_path_factory.mktemp("csv") / "turns.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "channel", "role", "text", "time", "speaker", "agent", "team"])
        for t in _sample():
            for turn in t.turns:
                out.writerow(
                    [t.id, t.channel.value, turn.role.value, turn.text, turn.time, turn.speaker or "",
                     t.meta.get("agent", ""), t.meta.get("team", "")]
                )  # fmt: skip
    return path


class TestSameAsCsv:
    """A DataFrame read from a CSV gives the transcripts and scores of the CSV itself."""

    @pytest.mark.skipif(not TWCS.exists(), reason="needs ../shared/data/raw/twcs-sample")
    def test_twcs_sample(self) -> None:
        """The twcs sample: threads rebuilt the same, scores equal."""
        frame = pd.read_csv(TWCS)
        assert frame["in_response_to_tweet_id"].dtype.kind == "f"  # pandas made the ids floats
        assert list(io.from_pandas(frame)) == list(io.read(TWCS))
        assert score_many(frame).equals(score_many(TWCS))

    def test_generic_csv(self, sample_csv: Path) -> None:
        """Turns, times, speakers and metadata as the CSV reader gives them."""
        frame = pd.read_csv(sample_csv)
        from_frame = list(io.from_pandas(frame))
        assert from_frame == list(io.read(sample_csv))
        assert len(from_frame) == 72
        assert score_many(frame).equals(score_many(sample_csv))

    def test_column_mapping(self, sample_csv: Path) -> None:
        """columns= maps the frame's names to the canonical fields, as for a CSV."""
        mapping = {"id": "call", "role": "who", "text": "utterance"}  # canonical field: frame column
        frame = pd.read_csv(sample_csv).rename(columns=mapping)
        assert {"call", "who", "utterance"} <= set(frame.columns)
        assert list(io.from_pandas(frame, columns=mapping)) == list(io.read(sample_csv))

    def test_in_a_list_and_chunked(self, sample_csv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A frame among other inputs is read where it stands; small chunks change nothing."""
        from servicescore.io import _pandas

        monkeypatch.setattr(_pandas, "CHUNK_ROWS", 7)
        frame = pd.read_csv(sample_csv)
        table = score_many([frame, sample_csv])
        assert len(table) == 144
        assert list(table["id"][:72]) == list(table["id"][72:])


class TestErrors:
    """Bad frames fail as bad CSV files do, naming the DataFrame, line and field."""

    def test_missing_column(self) -> None:
        """A frame without a text column names it."""
        frame = pd.DataFrame({"id": ["a"], "role": ["customer"]})
        with pytest.raises(FormatError, match=r"missing column.*text") as caught:
            list(io.from_pandas(frame))
        assert caught.value.path == "DataFrame" and caught.value.line == 1

    def test_bad_row_collected(self) -> None:
        """A bad role is reported at its line (row position + 2); the other transcripts come through."""
        frame = pd.DataFrame(
            {"id": ["a", "b", "c"], "role": ["customer", "wizard", "agent"], "text": ["hi", "hm", "hello"]}
        )
        errors: list[FormatError] = []
        found = list(io.from_pandas(frame, on_error="collect", errors=errors))
        assert [t.id for t in found] == ["a", "c"]
        (error,) = errors
        assert (error.path, error.line) == ("DataFrame", 3)
        assert "wizard" in str(error)
        table = score_many(frame, on_error="collect")
        assert len(table) == 2 and len(table.errors) == 1

    def test_not_a_frame(self) -> None:
        """Anything else is a TypeError naming its type."""
        with pytest.raises(TypeError, match="DataFrame, got list"):
            io.from_pandas([{"id": "a"}])


class TestProperties:
    """Any transcripts, one row per turn, come back from a frame unchanged."""

    @given(st.lists(transcripts(), max_size=4))
    def test_round_trip(self, items: list[Transcript]) -> None:
        """Ids, channels, roles, texts, times and speakers survive the frame."""
        items = [t for t in items if t.turns]
        rows = [
            {
                "id": f"{position}-{t.id}",
                "channel": t.channel.value,
                "role": turn.role.value,
                "text": turn.text,
                "time": math.nan if turn.time is None else turn.time,
                "end": math.nan if turn.end is None else turn.end,
                "speaker": turn.speaker,
            }
            for position, t in enumerate(items)
            for turn in t.turns
        ]
        frame = pd.DataFrame(rows, columns=["id", "channel", "role", "text", "time", "end", "speaker"])
        back = list(io.from_pandas(frame))
        assert [t.id for t in back] == [f"{i}-{t.id}" for i, t in enumerate(items)]
        for original, read in zip(items, back, strict=True):
            assert read.channel == original.channel
            assert [(u.role, u.text, u.time, u.end, u.speaker) for u in read.turns] == [
                (u.role, u.text, u.time, u.end, u.speaker) for u in original.turns
            ]

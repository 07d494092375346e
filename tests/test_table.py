"""Tests for ScoreTable: columns, exports, equality, pickling."""

from __future__ import annotations

import csv
import io
import json
import math
import pickle

import numpy as np
import pytest

from servicescore import Rejected, ScoreTable, default_suite
from servicescore.cli import _sample


@pytest.fixture(scope="module")
def table() -> ScoreTable:
    suite = default_suite()
    return ScoreTable.from_scorecards(
        (suite(t) for t in _sample()), [Rejected(72, "bad", "turns[0].role: unknown role", {"id": "bad"})]
    )


class TestColumns:
    """Column order, types and lookup."""

    def test_shape_and_order(self, table: ScoreTable) -> None:
        """One row per scorecard; base, metadata, scores with details, impact."""
        assert len(table) == 72
        names = table.names
        assert names[:4] == ("id", "channel", "turns", "start")
        assert names[-3:] == ("experience", "reach", "impact")
        assert names.index("meta.agent") < names.index("empathy") < names.index("empathy.need")
        assert table["empathy"].dtype == np.float64
        assert table["resolution.label"].dtype == object
        assert table["meta.agent"][0] == "a07"

    def test_not_applicable_is_nan_and_read_only(self, table: ScoreTable) -> None:
        """A score that does not apply is nan; columns cannot be changed."""
        assert np.isnan(table["empathy"]).sum() >= 1
        with pytest.raises(ValueError, match="read-only"):
            table["empathy"][0] = 1.0

    def test_unknown_column(self, table: ScoreTable) -> None:
        """A missing column's KeyError lists the columns."""
        with pytest.raises(KeyError, match="no column 'nope'"):
            table["nope"]

    def test_errors_kept(self, table: ScoreTable) -> None:
        """Rejected inputs travel with the table."""
        assert table.errors[0].position == 72


class TestExports:
    """Records, CSV, JSON Lines, pandas, pickling."""

    def test_records_use_none_for_nan(self, table: ScoreTable) -> None:
        """to_records gives plain values with None for nan."""
        records = table.to_records()
        assert len(records) == 72
        assert all(not isinstance(v, float) or not math.isnan(v) for r in records for v in r.values())

    def test_csv_and_jsonl(self, table: ScoreTable, tmp_path: object) -> None:
        """CSV and JSON Lines hold one row per transcript, with the same header."""
        text = table.to_csv()
        assert text is not None
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 72
        assert list(rows[0]) == list(table.names)
        lines = (table.to_jsonl() or "").splitlines()
        assert len(lines) == 72
        assert json.loads(lines[0])["id"] == table["id"][0]

    def test_pandas(self, table: ScoreTable) -> None:
        """to_pandas gives a DataFrame with the same columns."""
        pytest.importorskip("pandas")
        frame = table.to_pandas()
        assert frame.shape == (72, len(table.names))

    def test_equals_and_pickle(self, table: ScoreTable) -> None:
        """A pickled table equals the original, nan and all."""
        clone = pickle.loads(pickle.dumps(table))
        assert clone.equals(table)
        assert not ScoreTable.from_scorecards([]).equals(table)

    def test_empty(self) -> None:
        """An empty table has no rows and exports a header only."""
        empty = ScoreTable.from_scorecards([])
        assert len(empty) == 0
        assert (empty.to_csv() or "").strip() == "id,channel,turns,start"

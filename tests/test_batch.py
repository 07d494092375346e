import io
import json
import math
import pickle
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import (
    Analysis,
    FormatError,
    Rejected,
    Scorecard,
    ScoreTable,
    Suite,
    Transcript,
    TranscriptError,
    Turn,
    default_suite,
    make_suite,
    scorer,
)
from servicescore._batch import _ProgressLine, _start_method, score_many, score_stream
from servicescore._table import BASE_COLUMNS, IMPACT_COLUMNS, TableBuilder
from servicescore.cli import _sample
from servicescore.scorers import LatencyScorer

from .strategies import BROKEN_RECORDS, batch_inputs

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IBM = DATA / "ibm-twitter-cdp" / "dialogs.jsonl"
#: Lines that cannot be read, with where they go in the Done-when file (0-based line index).
BROKEN_LINES = {
    3: "{oops",
    501: '{"id": "b1", "channel": "chat", "turns": [{"role": "wizard", "text": "?"}]}',
    902: "[1, 2]",
    1028: '{"id": "b3", "turns": 5}',
}


def _turn_share(analysis: Analysis) -> float:
    """Agent share of the turns; raises on transcripts whose metadata holds ``"fail"``."""
    transcript = analysis.transcript
    if "fail" in transcript.meta:
        raise RuntimeError(f"told to fail on {transcript.id!r}")
    agent = sum(turn.role.value == "agent" for turn in transcript.turns)
    return agent / len(transcript.turns) if transcript.turns else 0.0


#: A module-level function, so the scorer pickles into worker processes.
turn_share = scorer(name="turn_share")(_turn_share)


#: A cheap suite for properties: no sentiment, no lexicons.
CHEAP = make_suite(turn_share, LatencyScorer())


def _transcript(i: int) -> Transcript:
    return Transcript(
        f"t{i}",
        [Turn("customer", f"Order {i} is late", time=0.0), Turn("agent", "Sorry, on it.", time=30.0 + i)],
        "chat",
        {"agent": f"a{i % 3}"},
    )


def mixed_file(tmp_path: Path) -> Path:
    """The IBM dialogs with four broken lines inserted at :data:`BROKEN_LINES`."""
    lines = IBM.read_text(encoding="utf-8").splitlines()
    for index in sorted(BROKEN_LINES):
        lines.insert(index, BROKEN_LINES[index])
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class TestScoreMany:
    """score_many: every input is a row or an error, in input order."""

    @given(batch_inputs(), st.sampled_from(["skip", "collect"]), st.integers(1, 4))
    def test_count_conservation(self, batch: list[tuple[object, bool]], on_error: str, chunk: int) -> None:
        """rows + errors == inputs; rows keep input order; errors carry their positions."""
        items = [item for item, _ in batch]
        table = score_many(iter(items), CHEAP, on_error=on_error, chunk_size=chunk)  # type: ignore[arg-type]
        assert len(table) + len(table.errors) == len(items)
        good = [i for i, (_, ok) in enumerate(batch) if ok]
        assert [e.position for e in table.errors] == [i for i, (_, ok) in enumerate(batch) if not ok]
        expected_ids = [
            item.id if isinstance(item, Transcript) else item["id"]  # type: ignore[index]
            for item, _ in (batch[i] for i in good)
        ]
        assert list(table["id"]) == expected_ids
        for error in table.errors:
            item = items[error.position]
            assert (error.record is item) if on_error == "collect" else error.record is None

    def test_default_suite(self) -> None:
        """suite=None scores with the default suite, brand impact included."""
        table = score_many([_transcript(0)])
        assert {"empathy", "resolution", "pushiness", "latency", "impact"} <= set(table.names)

    def test_rows_match_single_scoring(self) -> None:
        """The table is the one built from scoring each transcript alone."""
        transcripts = list(_sample())[:10]
        suite = default_suite()
        expected = ScoreTable.from_scorecards(suite(t) for t in transcripts)
        assert score_many(transcripts, suite, chunk_size=3).equals(expected)

    def test_collect_and_skip_differ_only_in_record(self) -> None:
        """'collect' keeps the record, 'skip' leaves it out; both list the error."""
        record = {"id": "r", "channel": "chat", "turns": [{"role": "wizard", "text": "?"}]}
        kept = score_many([_transcript(0), record], CHEAP, on_error="collect")
        dropped = score_many([_transcript(0), record], CHEAP, on_error="skip")
        assert kept.equals(dropped)
        assert kept.errors == (Rejected(1, "r", "turns[0].role: unknown role 'wizard' " + _ROLES, None),)
        assert kept.errors[0].record is record
        assert dropped.errors[0].record is None

    def test_raise_reraises_first_error_with_position(self) -> None:
        """on_error='raise' raises the first bad input's error, noting its position."""
        with pytest.raises(TranscriptError) as info:
            score_many([_transcript(0), {"id": "x", "turns": 5}, 42], CHEAP)
        assert "while scoring input 1 of the batch" in info.value.__notes__

    def test_raise_on_wrong_type(self) -> None:
        """An input that is no transcript, record or path is a TypeError."""
        with pytest.raises(TypeError, match="got int"):
            score_many([42], CHEAP)

    def test_failing_scorer_is_rejected_by_name(self) -> None:
        """A scorer that raises rejects that transcript; the reason names the scorer."""
        failing = Transcript("f", [Turn("customer", "hi")], meta={"fail": 1})
        table = score_many([_transcript(0), failing, _transcript(1)], CHEAP, on_error="collect")
        assert list(table["id"]) == ["t0", "t1"]
        (error,) = table.errors
        assert (error.position, error.id) == (1, "f")
        assert error.reason.startswith("RuntimeError: told to fail on 'f'")
        assert "scorer 'turn_share'" in error.reason
        assert error.record is failing

    def test_failing_scorer_raises(self) -> None:
        """With on_error='raise' the scorer's own exception propagates, with both notes."""
        failing = Transcript("f", [Turn("customer", "hi")], meta={"fail": 1})
        with pytest.raises(RuntimeError, match="told to fail") as info:
            score_many([failing], CHEAP)
        assert any("turn_share" in note for note in info.value.__notes__)
        assert "while scoring input 0 of the batch" in info.value.__notes__

    def test_streams_lazily(self) -> None:
        """The input is consumed chunk by chunk, not read ahead in full."""
        pulled = []

        def source() -> Iterator[Transcript]:
            for i in range(100):
                pulled.append(i)
                yield _transcript(i)

        stream = score_stream(source(), CHEAP, chunk_size=10)
        assert next(stream)[0] == 0
        assert len(pulled) <= 11
        stream.close()

    def test_empty(self) -> None:
        """No inputs, no rows, no errors."""
        table = score_many([], CHEAP)
        assert (len(table), table.errors) == (0, ())

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"workers": 0}, "workers"),
            ({"chunk_size": 0}, "chunk_size"),
            ({"on_error": "ignore"}, "on_error"),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, object], message: str) -> None:
        """Invalid arguments raise ValueError at the call, before any scoring."""
        with pytest.raises(ValueError, match=message):
            score_stream([], CHEAP, **kwargs)  # type: ignore[arg-type]


_ROLES = "(expected one of 'customer', 'agent', 'bot', 'system')"


class TestPaths:
    """Paths are read with io.read; what a reader rejects is an error with its line."""

    def test_path_and_list_of_paths(self, tmp_path: Path) -> None:
        """A path, or a list of them, is read in order; positions run across files."""
        one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
        one.write_text(json.dumps(_transcript(0).to_dict()) + "\n{oops\n")
        two.write_text(json.dumps(_transcript(1).to_dict()) + "\n[1]\n")
        single = score_many(one, CHEAP, on_error="collect")
        assert list(single["id"]) == ["t0"]
        assert [(e.position, e.reason[:12]) for e in single.errors] == [(1, "one.jsonl:2:")]
        table = score_many([one, str(two)], CHEAP, on_error="collect")
        assert list(table["id"]) == ["t0", "t1"]
        assert [(e.position, e.reason.split(" ")[0]) for e in table.errors] == [
            (1, "one.jsonl:2:"),
            (3, "two.jsonl:2:"),
        ]
        error = table.errors[0].record
        assert isinstance(error, FormatError)
        assert (error.path, error.line) == ("one.jsonl", 2)

    def test_reader_error_raises(self, tmp_path: Path) -> None:
        """With on_error='raise' a reader's FormatError propagates."""
        path = tmp_path / "bad.jsonl"
        path.write_text("{oops\n")
        with pytest.raises(FormatError, match=r"bad\.jsonl:1: invalid JSON"):
            score_many(path, CHEAP)

    def test_paths_mixed_with_transcripts(self, tmp_path: Path) -> None:
        """Paths inside an iterable are spliced in where they stand."""
        path = tmp_path / "one.jsonl"
        path.write_text(json.dumps(_transcript(1).to_dict()) + "\n")
        table = score_many([_transcript(0), path, _transcript(2)], CHEAP)
        assert list(table["id"]) == ["t0", "t1", "t2"]

    @pytest.mark.skipif(not IBM.exists(), reason="shared IBM dialogs not available")
    def test_done_when_ibm_with_broken_lines(self, tmp_path: Path) -> None:
        """Every good IBM dialog is scored and every broken line is an error at its position."""
        table = score_many(mixed_file(tmp_path), on_error="collect")
        assert len(table) == 1025
        assert [e.position for e in table.errors] == sorted(BROKEN_LINES)
        assert [e.reason.split(": ")[0] for e in table.errors] == [
            f"mixed.jsonl:{line + 1}" for line in sorted(BROKEN_LINES)
        ]
        assert table["id"][0].startswith("ibm-")


class TestProgress:
    """Progress reporting."""

    def test_callable_after_each_chunk(self) -> None:
        """The callable gets the inputs done after each chunk; the last call is the total."""
        calls: list[int] = []
        score_many(
            [_transcript(i) for i in range(7)] + [42],
            CHEAP,
            on_error="skip",
            progress=calls.append,
            chunk_size=3,
        )  # type: ignore[list-item]
        assert calls == [3, 6, 8]

    def test_callable_on_empty_input(self) -> None:
        """An empty batch still reports once, with 0."""
        calls: list[int] = []
        score_many([], CHEAP, progress=calls.append)
        assert calls == [0]

    def test_bar(self) -> None:
        """The bar counts up to the total, with it when it is known, and ends with a newline."""
        stream = io.StringIO()
        line = _ProgressLine(stream, interval=0.0, total=12)
        line(5)
        line(10)
        line.close(12)
        text = stream.getvalue()
        assert "servicescore:" in text and "5/12" in text
        assert "12/12" in text and text.endswith("\n")

    def test_bar_starts_no_thread(self) -> None:
        """A bar leaves no thread behind, so later runs with workers still fork."""
        before = threading.active_count()
        line = _ProgressLine(io.StringIO(), interval=0.0, total=3)
        line(3)
        line.close(3)
        assert threading.active_count() == before

    def test_bar_silent_on_short_runs(self) -> None:
        """Nothing is drawn before the interval elapses."""
        stream = io.StringIO()
        line = _ProgressLine(stream, interval=60.0)
        line(5)
        line.close(5)
        assert stream.getvalue() == ""

    def test_total_known_for_lists_only(self, tmp_path: Path) -> None:
        from servicescore._batch import _known_total

        assert _known_total([_transcript(0), {"id": "x"}]) == 2
        assert _known_total([_transcript(0), str(tmp_path / "a.jsonl")]) is None
        assert _known_total(iter([_transcript(0)])) is None
        assert _known_total("calls.jsonl") is None

    def test_true_writes_to_stderr_only(self, capsys: pytest.CaptureFixture[str]) -> None:
        """progress=True writes nothing to stdout."""
        score_many([_transcript(0)], CHEAP, progress=True)
        assert capsys.readouterr().out == ""


class TestPickle:
    """Suites travel to worker processes by pickle."""

    def test_default_suite_round_trips(self) -> None:
        """An unpickled default suite scores the sample exactly like the original."""
        suite = default_suite()
        copy = pickle.loads(pickle.dumps(suite))
        sample = list(_sample())[:20]
        assert score_many(sample, copy).equals(score_many(sample, suite))

    def test_scorecard_parts_round_trip(self) -> None:
        """Scores and impact survive pickling (what workers send back)."""
        card = default_suite()(_transcript(0))
        scores, impact = pickle.loads(pickle.dumps((card.scores, card.impact)))
        copy = Scorecard(card.transcript, scores, impact)
        assert ScoreTable.from_scorecards([copy]).equals(ScoreTable.from_scorecards([card]))


class TestWorkers:
    """workers=N gives exactly the workers=1 table (these tests start processes)."""

    def test_sample(self) -> None:
        """Two workers on the bundled sample, in chunks small enough to use them."""
        sample = list(_sample())
        one = score_many(sample)
        two = score_many(sample, workers=2, chunk_size=8)
        assert len(two) == 72
        assert two.equals(one)

    def test_spawned_workers(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Workers started with "spawn" (where forking is unsafe) give the same table."""
        monkeypatch.setattr("servicescore._batch._start_method", lambda: "spawn")
        sample = list(_sample())
        assert score_many(sample, workers=2, chunk_size=8).equals(score_many(sample))

    def test_spawned_workers_and_this_process_share_the_chunks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With spawned workers this process scores chunks no worker has started; order and errors hold."""
        from servicescore import _batch

        monkeypatch.setattr(_batch, "_start_method", lambda: "spawn")
        here: list[int] = []
        score_each = _batch._score_each

        def counted(suite: Suite, transcripts: Any) -> Any:
            here.append(1)
            return score_each(suite, transcripts)

        items: list[object] = [*_sample()]
        items.insert(30, {"id": "broken", "turns": 5})
        one = score_many(items, on_error="collect")
        monkeypatch.setattr(_batch, "_score_each", counted)
        two = score_many(items, workers=2, chunk_size=4, on_error="collect")
        assert two.equals(one)
        assert [(e.position, e.reason) for e in two.errors] == [(e.position, e.reason) for e in one.errors]
        assert here  # this process scored some chunks itself
        with pytest.raises(TranscriptError, match="turns"):
            score_many(items, workers=2, chunk_size=4)

    def test_stream_in_workers(self) -> None:
        """score_stream with workers yields the scorecards and rejections workers=1 yields."""
        items = [*_sample()][:40]
        items.insert(5, {"id": "x", "turns": 5})

        def scored(workers: int) -> list[tuple[int, object]]:
            pairs = score_stream(items, workers=workers, chunk_size=4, on_error="collect")
            return [(p, r if isinstance(r, Rejected) else r.transcript) for p, r in pairs]

        one, two = scored(1), scored(2)
        assert one == two
        assert all(result is items[position] for position, result in two if not isinstance(result, Rejected))
        cards = [r for _, r in score_stream(items, workers=2, chunk_size=4, on_error="skip")]
        expected = [r for _, r in score_stream(items, on_error="skip")]
        assert ScoreTable.from_scorecards(c for c in cards if isinstance(c, Scorecard)).equals(
            ScoreTable.from_scorecards(c for c in expected if isinstance(c, Scorecard))
        )

    def test_first_transcript_fails(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A scorer failing on the first transcript (it warms the suite before forking) is reported once."""
        monkeypatch.syspath_prepend(str(ROOT))
        failing = Transcript("f", [Turn("customer", "hi")], meta={"fail": 1})
        items = [failing, *(_transcript(i) for i in range(60))]
        two = score_many(items, CHEAP, workers=2, chunk_size=4, on_error="collect")
        assert two.equals(score_many(items, CHEAP, on_error="collect"))
        assert [(e.position, e.id) for e in two.errors] == [(0, "f")]
        with pytest.raises(RuntimeError, match="told to fail") as info:
            score_many(items, CHEAP, workers=2, chunk_size=4)
        assert "while scoring input 0 of the batch" in info.value.__notes__

    @pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
    def test_fork_only_without_other_threads(self) -> None:
        """Workers are forked when the calling thread is the only one, spawned otherwise."""
        assert _start_method() == "fork"
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        try:
            assert _start_method() == "spawn"
        finally:
            stop.set()
            thread.join()
        assert _start_method() == "fork"

    def test_synthetic_batch_with_errors(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A batch of good, broken and failing inputs: same rows, same errors, records kept."""
        monkeypatch.syspath_prepend(str(ROOT))  # workers unpickle turn_share from tests.test_batch
        items: list[object] = []
        for i in range(300):
            items.append(_transcript(i))
            if i % 37 == 0:
                items.append(BROKEN_RECORDS[i % len(BROKEN_RECORDS)])
            if i % 53 == 0:
                items.append(Transcript(f"f{i}", [Turn("customer", "hi")], meta={"fail": 1}))
        one = score_many(items, CHEAP, on_error="collect")
        two = score_many(items, CHEAP, workers=2, on_error="collect", chunk_size=16)
        assert two.equals(one)
        assert len(two) + len(two.errors) == len(items)
        failed = [e for e in two.errors if e.id and e.id.startswith("f")]
        assert failed and all("turn_share" in e.reason for e in failed)
        assert all(e.record is items[e.position] for e in two.errors)

    def test_small_batch_stays_in_process(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A batch that fits in the chunks in flight starts no process."""

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("a process pool was started")

        monkeypatch.setattr("servicescore._batch.ProcessPoolExecutor", refuse)
        items = [_transcript(i) for i in range(40)]
        assert score_many(items, CHEAP, workers=2, chunk_size=10).equals(score_many(items, CHEAP))


def test_no_output_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    """Scoring writes nothing by default."""
    score_many([_transcript(0), {"id": "x", "turns": 5}], CHEAP, on_error="skip")
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")
    assert sys.stderr is not None


def _reference_from_rows(rows: list[Mapping[str, object]]) -> ScoreTable:
    """ScoreTable.from_rows as first written (two passes over row dicts), the reference for TableBuilder."""
    meta: dict[str, None] = {}
    scores: dict[str, None] = {}
    impact = False
    for row in rows:
        for name in row:
            if name.startswith("meta."):
                meta.setdefault(name)
            elif name not in BASE_COLUMNS and name not in IMPACT_COLUMNS:
                scores.setdefault(name)
        impact = impact or all(name in row for name in IMPACT_COLUMNS)
    columns = {}
    for name in [*BASE_COLUMNS, *meta, *scores, *(IMPACT_COLUMNS if impact else ())]:
        values = [row.get(name, math.nan if name not in meta else None) for row in rows]
        numbers = all(isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in values)
        if name not in ("id", "channel") and name not in meta and numbers:
            columns[name] = np.asarray(values, dtype=np.float64)
        else:
            columns[name] = np.empty(len(values), dtype=object)
            columns[name][:] = values
    return ScoreTable(columns)


_ROW_NAMES = ["id", "channel", "turns", "start", "meta.a", "meta.b", "s", "s.x", "t", *IMPACT_COLUMNS]
_VALUES = st.one_of(
    st.floats(allow_nan=True),
    st.integers(-5, 5),
    st.booleans(),
    st.text(max_size=3),
    st.none(),
    st.just(np.float64(0.5)),
)
_ROWS = st.lists(
    st.lists(st.sampled_from(_ROW_NAMES), unique=True).flatmap(
        lambda names: st.fixed_dictionaries(dict.fromkeys(names, _VALUES))
    ),
    max_size=12,
)


class TestTableBuilder:
    """ScoreTable.from_rows and the column blocks workers send: the same table as the reference."""

    @given(_ROWS)
    def test_from_rows_matches_reference(self, rows: list[dict[str, object]]) -> None:
        """Same names, same dtypes, same values, whatever columns each row has."""
        table, expected = ScoreTable.from_rows(rows), _reference_from_rows(rows)
        assert table.equals(expected)
        assert [a.dtype for a in table.columns.values()] == [a.dtype for a in expected.columns.values()]

    @given(_ROWS, st.integers(1, 5))
    def test_blocks_match_rows(self, rows: list[dict[str, object]], size: int) -> None:
        """Rows built into blocks elsewhere and appended whole give the table of the rows."""
        builder = TableBuilder()
        for start in range(0, len(rows), size):
            part = TableBuilder()
            for row in rows[start : start + size]:
                part.add(row)
            builder.extend(pickle.loads(pickle.dumps(part.block())))
        table = builder.table()
        expected = ScoreTable.from_rows(rows)
        assert table.equals(expected)
        assert [a.dtype for a in table.columns.values()] == [a.dtype for a in expected.columns.values()]

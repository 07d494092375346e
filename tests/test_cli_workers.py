"""``servicescore score --workers N``: the bytes, rejections and order of ``--workers 1``.

The command reads JSON Lines files as raw lines and has each chunk parsed,
scored, rendered and summed up where it is scored (``servicescore._spool``);
these tests check that nothing a person can see depends on where that
happened: the output files, the rejected records with their positions and
lines, the summary.
"""

import gzip
import io
import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from servicescore import (
    Analysis,
    FormatError,
    Score,
    ScoreTable,
    Transcript,
    Turn,
    _batch,
    default_suite,
    make_suite,
)
from servicescore._batch import _read_path, score_chunks
from servicescore._spool import RowJob, RowSpool
from servicescore._terminal import TerminalSummary
from servicescore.cli import _sample, main
from servicescore.io._jsonl import RawLine, parse_raw, read_raw

from .test_batch import CHEAP, ROOT

FIXTURES = Path(__file__).parent / "fixtures"

#: Lines that cannot be scored, inserted among the sample's: (0-based index among the lines, line).
BROKEN = [
    (3, "{oops"),
    (10, '{"id": "b1", "channel": "chat", "turns": [{"role": "wizard", "text": "?"}]}'),
    (11, ""),
    (20, "[1, 2]"),
    (41, "   "),
    (55, '{"id": "b3", "turns": 5}'),
]


def _lines() -> list[str]:
    lines = [json.dumps(t.to_dict(), ensure_ascii=False) for t in _sample()]
    for index, line in BROKEN:
        lines.insert(index, line)
    return lines


@pytest.fixture
def calls(tmp_path: Path) -> Path:
    """The bundled sample as a JSON Lines file with broken and blank lines among its records."""
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Chunks of 4 inputs, so that the sample keeps two workers busy; lists each run's worker count."""
    monkeypatch.setattr(_batch, "DEFAULT_CHUNK_SIZE", 4)
    started: list[int] = []
    in_workers = _batch._in_workers

    def counting(*args: Any, **kwargs: Any) -> Any:
        started.append(args[1])
        return in_workers(*args, **kwargs)

    monkeypatch.setattr(_batch, "_in_workers", counting)
    return started


def _score(tmp_path: Path, source: Path, workers: int, suffix: str, *extra: str) -> tuple[bytes, bytes]:
    """The output file and the rejected file of one run."""
    out = tmp_path / f"w{workers}{suffix}"
    args = ["score", str(source), "-o", str(out), "--workers", str(workers), "-q", *extra]
    assert main(args) == 0
    side = out.with_name(f"{out.stem}.rejected.jsonl")
    return out.read_bytes(), side.read_bytes() if side.exists() else b""


class TestSameAsOneWorker:
    """Two workers write exactly what one writes."""

    @pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
    def test_outputs_and_rejections(
        self, suffix: str, calls: Path, tmp_path: Path, small_chunks: list[int]
    ) -> None:
        """Byte-identical output and rejected files, in every output format."""
        if suffix == ".parquet":
            pytest.importorskip("pyarrow")
        one = _score(tmp_path, calls, 1, suffix, "--on-error", "collect")
        two = _score(tmp_path, calls, 2, suffix, "--on-error", "collect")
        assert small_chunks == [2]  # the second run used its workers, the first none
        assert one == two
        assert one[1].count(b"\n") == 4

    def test_csv_is_the_score_table(self, calls: Path, tmp_path: Path, small_chunks: list[int]) -> None:
        """The rows are those of ScoreTable.to_csv(), in input order."""
        table = _batch.score_many(calls, on_error="skip")
        out, _ = _score(tmp_path, calls, 2, ".csv", "--on-error", "skip")
        assert out.decode("utf-8") == table.to_csv()
        assert [line.split(",")[0] for line in out.decode().splitlines()[1:]] == [t.id for t in _sample()]

    def test_rejected_positions_and_lines(self, calls: Path, tmp_path: Path, small_chunks: list[int]) -> None:
        """Each rejection names its position in the stream and its line in the file (blank lines skipped)."""
        _, side = _score(tmp_path, calls, 2, ".csv", "--on-error", "collect")
        rejected = [json.loads(line) for line in side.decode().splitlines()]
        assert [(r["position"], r["line"], r["path"]) for r in rejected] == [
            (3, 4, "calls.jsonl"),
            (10, 11, "calls.jsonl"),
            (19, 21, "calls.jsonl"),
            (53, 56, "calls.jsonl"),
        ]
        assert rejected[1]["reason"].startswith("calls.jsonl:11: turns[0].role: unknown role 'wizard'")
        assert rejected[0]["record"] is None

    def test_stdout(self, calls: Path, small_chunks: list[int], capsys: pytest.CaptureFixture[str]) -> None:
        """``-o -`` writes the same CSV, and the same summary, with either worker count."""
        printed = []
        for workers in (1, 2):
            args = ["score", str(calls), "-o", "-", "--on-error", "skip", "--by", "industry"]
            assert main([*args, "--resamples", "30", "--workers", str(workers)]) == 0
            printed.append(capsys.readouterr())
        assert printed[0] == printed[1]
        assert printed[0].out.count("\n") == 73
        assert "4 records rejected (skipped)" in printed[0].err

    def test_formulas_escaped_in_workers(self, tmp_path: Path, small_chunks: list[int]) -> None:
        """Cells from the data that would run as formulas get their ' where the rows are rendered."""
        records = [t.to_dict() for t in _sample()]
        records[30]["id"] = "=HYPERLINK(1)"
        source = tmp_path / "f.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        for flag, cell in (
            ("--escape-formulas", b"'=HYPERLINK(1)"),
            ("--no-escape-formulas", b"=HYPERLINK(1)"),
        ):
            one, two = (_score(tmp_path, source, w, ".csv", flag)[0] for w in (1, 2))
            assert one == two
            assert one.splitlines()[31].startswith(cell + b",")

    def test_gzip_and_several_files(self, calls: Path, tmp_path: Path, small_chunks: list[int]) -> None:
        """Several inputs (one gzipped, one not JSON Lines) are one stream, positions running on."""
        packed = tmp_path / "calls.jsonl.gz"
        packed.write_bytes(gzip.compress(calls.read_bytes()))
        vendor = FIXTURES / "contact_lens_chat.json"
        runs = []
        for workers in (1, 2):
            out = tmp_path / f"m{workers}.csv"
            args = ["score", "--sample", str(packed), str(vendor), str(calls), "-o", str(out)]
            assert main([*args, "--on-error", "collect", "-q", "--workers", str(workers)]) == 0
            runs.append((out.read_bytes(), out.with_name(f"m{workers}.rejected.jsonl").read_bytes()))
        assert runs[0] == runs[1]
        positions = [json.loads(line)["position"] for line in runs[0][1].decode().splitlines()]
        assert positions == [p + 72 for p in (3, 10, 19, 53)] + [p + 72 + 76 + 1 for p in (3, 10, 19, 53)]

    def test_spawned_workers(
        self, calls: Path, tmp_path: Path, small_chunks: list[int], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Spawned workers (macOS, Windows, threads running) read the lines and write the same rows."""
        monkeypatch.setattr(_batch, "_start_method", lambda: "spawn")
        one = _score(tmp_path, calls, 1, ".csv", "--on-error", "collect")
        assert _score(tmp_path, calls, 2, ".csv", "--on-error", "collect") == one

    def test_progress_counts_every_input(self, calls: Path, small_chunks: list[int]) -> None:
        """Progress is reported after each chunk and ends at the number of inputs, rejected ones included."""
        done: list[int] = []
        job = RowJob("csv", True, ("turn_share", "latency"), None, 80)
        inputs = list(read_raw(calls))
        chunks = list(score_chunks(inputs, CHEAP, job, workers=2, progress=done.append))
        assert small_chunks == [2]
        assert done == [min(4 * n, 76) for n in range(1, 20)]
        assert [position for chunk, _ in chunks for position, _ in chunk] == list(range(76))


class TestErrorsInWorkers:
    """--on-error raise and failing scorers, with the work done in workers."""

    def test_raise_names_the_line(
        self, calls: Path, tmp_path: Path, small_chunks: list[int], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The first bad record stops the run with its file and line; no output is written."""
        out = tmp_path / "s.csv"
        assert main(["score", str(calls), "-o", str(out), "--workers", "2"]) == 1
        assert "servicescore: error: calls.jsonl:4: invalid JSON" in capsys.readouterr().err
        assert not out.exists()

    def test_failing_scorer(
        self, calls: Path, tmp_path: Path, small_chunks: list[int], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A scorer that raises in a worker rejects its transcript, with the record, as one worker does."""
        monkeypatch.syspath_prepend(str(ROOT))  # spawned workers unpickle turn_share from tests.test_batch
        monkeypatch.setattr("servicescore.cli.default_suite", lambda model=None: CHEAP)
        lines = _lines()
        record = json.loads(lines[30])
        record["metadata"] = {**record.get("metadata", {}), "fail": 1}
        lines[30] = json.dumps(record)
        calls.write_text("\n".join(lines) + "\n", encoding="utf-8")
        one = _score(tmp_path, calls, 1, ".csv", "--on-error", "collect")
        two = _score(tmp_path, calls, 2, ".csv", "--on-error", "collect")
        assert one == two
        failed = [json.loads(line) for line in one[1].decode().splitlines() if '"fail"' in line]
        assert [(r["position"], r["id"]) for r in failed] == [(29, record["id"])]
        assert failed[0]["reason"].startswith(f"RuntimeError: told to fail on {record['id']!r}")
        assert failed[0]["record"]["metadata"]["fail"] == 1


@attrs.frozen
class _Counted:
    """A scorer whose detail ``n`` is the transcript's metadata ``n`` (an integer, or text)."""

    name: str = "counted"

    def __call__(self, item: Transcript | Analysis) -> Score:
        transcript = item.transcript if isinstance(item, Analysis) else item
        return Score(self.name, 0.5, details={"n": transcript.meta.get("n", len(transcript.turns))})


def _transcripts(odd: int | None) -> list[Transcript]:
    """30 transcripts with an integer detail; number *odd* has a text one and a metadata key of its own."""
    items = []
    for i in range(30):
        meta: dict[str, object] = {"agent": f"a{i % 4}", "n": i}
        if i == odd:
            meta = {"late": "x", "n": "many", "agent": "a9"}
        items.append(
            Transcript(
                f"t{i}", [Turn("customer", f"Order {i} is late"), Turn("agent", "On it.")], "chat", meta
            )
        )
    return items


@pytest.mark.parametrize("odd", [None, 0, 13, 29])
@pytest.mark.parametrize("output", ["csv", "jsonl"])
@pytest.mark.parametrize("size", [1, 7, 30])
def test_spool_is_the_score_table(odd: int | None, output: str, size: int) -> None:
    """Chunks rendered with their own columns make the table's file, however the columns change later."""
    suite = make_suite(_Counted())
    transcripts = _transcripts(odd)
    job = RowJob(output, True, tuple(suite.names), None, 80)  # type: ignore[arg-type]
    spool = RowSpool(output, True)  # type: ignore[arg-type]
    try:
        for start in range(0, len(transcripts), size):
            outcome = job(suite, list(transcripts[start : start + size]), False)
            assert outcome.rows is not None
            spool.add(outcome.rows)
        buffer = io.StringIO()
        spool.write(buffer)
    finally:
        spool.close()
    table = ScoreTable.from_scorecards(suite(t) for t in transcripts)
    assert buffer.getvalue() == (table.to_csv() if output == "csv" else table.to_jsonl())


@pytest.mark.parametrize("by", [None, "channel", "industry"])
def test_merged_summaries_are_the_summary(by: str | None) -> None:
    """Summaries of chunks, merged in order, print what one summary of every scorecard prints."""
    suite = default_suite()
    cards = [suite(t) for t in _sample()]
    whole = TerminalSummary(suite.names, by, 80)
    for card in cards:
        whole.add(card)
    merged = TerminalSummary(suite.names, by, 80)
    for start in range(0, len(cards), 5):
        part = TerminalSummary(suite.names, by, 80)
        for card in cards[start : start + 5]:
            part.add(card)
        merged.merge(part)
    assert merged.lines(40, rejected=2) == whole.lines(40, rejected=2)
    assert merged.key_seen == whole.key_seen


def _old_read(path: Path | Any) -> list[object]:
    """What io.read with on_error='collect' gives, transcripts and errors in file order."""
    return [_key(item) for item in _read_path(path, None)]


def _key(item: object) -> object:
    return str(item) if isinstance(item, FormatError) else item


def _raw_read(source: Path | Any) -> list[object]:
    return [_key(parse_raw(item) if isinstance(item, RawLine) else item) for item in read_raw(source)]


@pytest.mark.parametrize("packed", [False, True])
def test_raw_lines_read_as_the_reader_reads(tmp_path: Path, packed: bool) -> None:
    """read_raw then parse_raw: the transcripts and errors io.read gives, in order, with their lines."""
    lines = _lines()
    lines.insert(0, "\ufeff")  # a byte-order mark alone on the first line
    vendor = json.loads((FIXTURES / "contact_lens_chat.json").read_text())
    del vendor["ContactId"], vendor["CustomerMetadata"]  # so its id is the file's name and its index
    lines.insert(5, json.dumps(vendor))
    lines.insert(7, "\x1c\u3000")  # white space to str.strip
    data = "\n".join(lines).encode("utf-8").replace(b'"wizard"', b'"wiz\xffard"') + b'\n{"id": 3}'
    path = tmp_path / "calls.jsonl"
    path.write_bytes(gzip.compress(data) if packed else data)
    old = _old_read(path)
    assert _raw_read(path) == old
    assert any(isinstance(item, str) and "cannot decode byte 0xff" in item for item in old)
    assert any(
        isinstance(item, Transcript) and item.id.startswith("calls-") for item in old
    )  # vendor default id
    with path.open("rb") as stream:
        assert _raw_read(stream) == old


def test_other_formats_are_read_whole(tmp_path: Path) -> None:
    """JSON, CSV and files whose format cannot be told come as transcripts and errors, no raw lines."""
    csv_file = tmp_path / "turns.csv"
    csv_file.write_text("id,role,text\nc1,customer,hi\nc1,wizard,?\nc2,agent,hello\n")
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello\nworld\n")
    for path in (FIXTURES / "ccai_conversation.json", csv_file, unknown):
        raw = list(read_raw(path))
        assert not any(isinstance(item, RawLine) for item in raw)
        assert [_key(item) for item in raw] == _old_read(path)

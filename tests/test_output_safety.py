"""Output that is safe to open: inputs never overwritten, files replaced whole, no formulas, no escapes."""

import csv
import hashlib
import io
import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import BusinessHours, Transcript, Turn, default_suite, score_many
from servicescore import cli as cli_module
from servicescore._output import FORMULA_PREFIXES, atomic_text_file, escape_formula, terminal_text
from servicescore.cli import main

CONTROL = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))}


def _record(id: str, text: str = "My card was charged twice.", **meta: object) -> dict[str, object]:
    return {
        "id": id,
        "channel": "chat",
        "turns": [
            {"role": "customer", "text": text, "time": 1772618100},
            {"role": "agent", "text": "I'm sorry. I have refunded the second charge.", "time": 1772618160},
            {"role": "customer", "text": "Thanks, I see it now.", "time": 1772618220},
        ],
        "metadata": {"agent": "a1", **meta},
    }


def _write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_signed_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.startswith(("+", "-"))


def _first_row(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.DictReader(handle))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


class TestEscapeFormula:
    @given(st.text())
    def test_no_cell_starts_a_formula(self, text: str) -> None:
        cell = escape_formula(text)
        assert isinstance(cell, str)
        if cell.startswith(FORMULA_PREFIXES):
            assert _is_signed_number(cell)  # only a signed number may keep its sign
        assert cell in (text, "'" + text)

    @pytest.mark.parametrize(
        "text", ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-"]
    )
    def test_formulas_are_escaped(self, text: str) -> None:
        assert escape_formula(text) == "'" + text

    @pytest.mark.parametrize("value", ["-3.5", "+12", "-1e5", -3.5, 7, None, "anna", "'quoted"])
    def test_numbers_and_plain_text_are_kept(self, value: object) -> None:
        assert escape_formula(value) == value


class TestCsvOutputs:
    def _table(self) -> object:
        records = [_record('=HYPERLINK("http://evil.example","click")', team="@SUM(1+1)"), _record("ok")]
        return score_many([Transcript.from_dict(r) for r in records])

    def test_score_table_csv_escapes_data(self) -> None:
        table = self._table()
        rows = list(csv.reader(io.StringIO(table.to_csv())))  # type: ignore[attr-defined]
        header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
        assert first["id"] == '\'=HYPERLINK("http://evil.example","click")'
        assert first["meta.team"] == "'@SUM(1+1)"
        for row in rows[1:]:
            for name, cell in zip(header, row, strict=True):
                if cell.startswith(FORMULA_PREFIXES):
                    assert _is_signed_number(cell), (name, cell)

    def test_raw_values_on_request(self) -> None:
        text = self._table().to_csv(escape_formulas=False)  # type: ignore[attr-defined]
        assert '\n"=HYPERLINK(""http://evil.example"",""click"")"' in text

    def test_summary_csv_escapes_group_labels(self) -> None:
        table = self._table()
        text = table.group_by("meta.team").summary(resamples=50).to_csv()  # type: ignore[attr-defined]
        assert "'@SUM(1+1)" in text and "\n@SUM" not in text

    def test_cli_csv_escapes_and_opt_out(self, tmp_path: Path) -> None:
        source = _write_jsonl(tmp_path / "in.jsonl", [_record("=cmd|'/c calc'!A1")])
        out = tmp_path / "scores.csv"
        assert main(["score", str(source), "-o", str(out)]) == 0
        assert _first_row(out)["id"] == "'=cmd|'/c calc'!A1"
        assert main(["score", str(source), "-o", str(out), "--no-escape-formulas"]) == 0
        assert _first_row(out)["id"] == "=cmd|'/c calc'!A1"


class TestInputsAreNeverOverwritten:
    @pytest.fixture
    def source(self, tmp_path: Path) -> Path:
        return _write_jsonl(tmp_path / "in.jsonl", [_record(f"c{i}") for i in range(3)])

    @pytest.mark.parametrize(
        "extra",
        [
            ["-o", "{in}"],
            ["-o", "{dir}/scores.csv", "--on-error", "collect", "--rejected", "{in}"],
            ["-o", "{dir}/./in.jsonl"],
            ["-o", "{dir}/scores.csv", "--on-error", "collect", "--rejected", "{dir}/scores.csv"],
        ],
    )
    def test_refused_before_reading(
        self, source: Path, extra: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        before = _digest(source)
        args = [a.format(**{"in": source, "dir": source.parent}) for a in extra]
        assert main(["score", str(source), *args]) == 2
        assert "refusing to overwrite" in capsys.readouterr().err
        assert _digest(source) == before
        assert sorted(p.name for p in source.parent.iterdir()) == ["in.jsonl"]

    def test_input_named_like_the_side_file(self, source: Path, capsys: pytest.CaptureFixture[str]) -> None:
        side = source.with_name("scores.rejected.jsonl")
        source.rename(side)
        before = _digest(side)
        out = side.with_name("scores.csv")
        assert main(["score", str(side), "-o", str(out), "--on-error", "collect"]) == 2
        assert "--rejected" in capsys.readouterr().err
        assert _digest(side) == before and not out.exists()

    def test_link_to_an_input(self, source: Path) -> None:
        link = source.with_name("link.jsonl")
        link.symlink_to(source)
        hard = source.with_name("hard.jsonl")
        hard.hardlink_to(source)
        before = _digest(source)
        assert main(["score", str(source), "-o", str(link)]) == 2
        assert main(["score", str(source), "-o", str(hard)]) == 2
        assert _digest(source) == before

    def test_missing_input_is_named(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["score", str(tmp_path / "nope.jsonl")]) == 2
        assert "no such file" in capsys.readouterr().err


class TestOutputsAreReplacedWhole:
    def test_failed_run_keeps_the_previous_output(self, tmp_path: Path) -> None:
        source = tmp_path / "in.jsonl"
        source.write_text(json.dumps(_record("good")) + "\n{broken\n", encoding="utf-8")
        out = tmp_path / "scores.csv"
        out.write_text("previous\n")
        assert main(["score", str(source), "-o", str(out)]) == 1
        assert out.read_text() == "previous\n"
        assert _leftovers(tmp_path) == []

    def test_interrupted_run_keeps_previous_files(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        source = _write_jsonl(tmp_path / "in.jsonl", [_record(f"c{i}") for i in range(4)])
        out, side = tmp_path / "scores.csv", tmp_path / "scores.rejected.jsonl"
        out.write_text("previous\n")
        side.write_text("previous side\n")
        real = cli_module.score_chunks

        def interrupted(*args: object, **kwargs: object) -> Iterator[object]:
            for item in real(*args, **kwargs):  # type: ignore[arg-type]
                yield item  # the first chunk is scored, then the run is interrupted
                raise KeyboardInterrupt

        monkeypatch.setattr(cli_module, "score_chunks", interrupted)
        with pytest.raises(KeyboardInterrupt):
            main(["score", str(source), "-o", str(out), "--on-error", "collect"])
        assert out.read_text() == "previous\n"
        assert side.read_text() == "previous side\n"
        assert _leftovers(tmp_path) == []

    def test_atomic_file_on_error(self, tmp_path: Path) -> None:
        target = tmp_path / "t.txt"
        target.write_text("old")

        def fail() -> None:
            with atomic_text_file(target) as handle:
                handle.write("new")
                raise RuntimeError

        with pytest.raises(RuntimeError):
            fail()
        assert target.read_text() == "old"
        with atomic_text_file(target) as handle:
            handle.write("new")
        assert target.read_text() == "new" and _leftovers(tmp_path) == []

    @pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
    def test_lone_surrogates_are_written(self, tmp_path: Path, suffix: str) -> None:
        source = tmp_path / "in.jsonl"
        source.write_text(json.dumps(_record("bad\ud800id", team="t\udfff")) + "\n", encoding="utf-8")
        out = tmp_path / f"scores{suffix}"
        assert main(["score", str(source), "-o", str(out)]) == 0
        text = out.read_text(encoding="utf-8")
        if suffix == ".jsonl":
            assert json.loads(text)["id"] == "bad\ud800id"
        else:
            assert "bad\\ud800id" in text


class TestTerminal:
    @given(st.text())
    def test_no_control_character_left(self, text: str) -> None:
        assert not CONTROL & set(terminal_text(text))

    def test_explain_and_summary(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        nasty = "\x1b]0;pwned\x07\x1b[2J"
        record = _record(f"x{nasty}", text=f"Charged twice {nasty}\rfake line", agent=f"a{nasty}")
        source = _write_jsonl(tmp_path / "in.jsonl", [record])
        assert main(["explain", str(source), "--id", f"x{nasty}"]) == 0
        assert main(["score", str(source), "--by", "agent", "-o", str(tmp_path / "s.csv")]) == 0
        shown = capsys.readouterr()
        assert not CONTROL - {"\n"} & set(shown.out + shown.err)
        assert "\\x1b[2J" in shown.out


class TestNumbersAtTheBoundary:
    def test_huge_follower_counts_are_clipped(self) -> None:
        suite = default_suite()
        reaches = []
        for followers in (2**1024, 10**400, 1e308, "1e400"):
            transcript = Transcript.from_dict({**_record("t"), "channel": "social"})
            transcript = Transcript(transcript.id, transcript.turns, "social", {"followers": followers})
            impact = suite(transcript).impact
            assert impact is not None and math.isfinite(impact.impact)  # type: ignore[arg-type]
            reaches.append(impact.reach)
        assert reaches[:3] == [1e10 + 1] * 3  # clipped
        assert reaches[3] == 101.0  # "1e400" is infinite: ignored, the default audience

    def test_business_hours_up_to_year_9999(self) -> None:
        hours = BusinessHours(tz="Pacific/Kiritimati")
        end = 253402300799.0  # 9999-12-31 23:59:59 UTC
        assert 0 < hours.elapsed(end - 30 * 86400, end) < 30 * 86400
        assert hours.elapsed(end, end - 86400) == -hours.elapsed(end - 86400, end)
        first = -62135596800.0  # 0001-01-01 UTC
        assert hours.elapsed(first, first + 14 * 86400) == 10 * 8 * 3600

    def test_huge_wait_is_the_worst_latency(self) -> None:
        turns = [Turn("customer", "help", time=0), Turn("agent", "Sorted.", time=253402300799)]
        score = default_suite()(Transcript("w", turns, "email"))["latency"]
        assert score.value is not None and score.value > 0.999
        assert all(math.isfinite(e.weight) for e in score.evidence)


def test_list_metadata_is_json_in_csv() -> None:
    """Vendor metadata such as matched categories reads back from the CSV as JSON, not as a Python repr."""
    record = _record("v1", categories=["billing", "churn risk"], outcomes=[{"turn": 1, "text": "refunded"}])
    text = score_many([Transcript.from_dict(record)]).to_csv()
    row = next(csv.DictReader(io.StringIO(text)))
    assert json.loads(row["meta.categories"]) == ["billing", "churn risk"]
    assert json.loads(row["meta.outcomes"]) == [{"turn": 1, "text": "refunded"}]

import json
from pathlib import Path

import pytest

from servicescore._batch import score_many
from servicescore.cli import _sample, main

from .test_batch import BROKEN_LINES, IBM, mixed_file


class TestScore:
    """The ``score`` command."""

    def test_sample(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["score", "--sample", "-o", "-"]) == 0
        out = capsys.readouterr().out.splitlines()
        header = out[0].split(",")
        assert header[:3] == ["id", "channel", "turns"]
        assert {"empathy", "resolution", "pushiness", "latency", "resolution.label", "impact"} <= set(header)
        assert len(out) == 73

    def test_scores_are_numbers_in_range(self, tmp_path: Path) -> None:
        import csv

        out = tmp_path / "scores.csv"
        assert main(["score", "--sample", "-o", str(out)]) == 0
        with out.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        for name in ("empathy", "resolution", "pushiness", "latency"):
            values = [float(row[name]) for row in rows if row[name] != ""]
            assert len(values) >= 50, name
            assert all(0.0 <= v <= 1.0 for v in values)
        assert {row["resolution.label"] for row in rows} <= {"resolved", "unresolved", "unclear", ""}

    def test_bad_file_is_message_not_traceback(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "calls.jsonl"
        path.write_text("{oops\n")
        assert main(["score", str(path)]) == 1
        err = capsys.readouterr().err
        assert "calls.jsonl:1: invalid JSON" in err
        assert "--on-error collect" in err
        assert not (tmp_path / "servicescore.rejected.jsonl").exists()

    def test_output_csv(self, tmp_path: Path) -> None:
        out = tmp_path / "scores.csv"
        assert main(["score", "--sample", "-o", str(out)]) == 0
        assert out.read_text().count("\n") > 5


class TestScoreBatch:
    """The ``score`` command's batch options: outputs, errors, groups, workers."""

    def test_output_is_the_score_table(self, tmp_path: Path) -> None:
        """The CSV and JSONL files hold exactly what ScoreTable.to_csv() / to_jsonl() write."""
        table = score_many(_sample())
        csv_path, jsonl_path = tmp_path / "scores.csv", tmp_path / "scores.jsonl"
        assert main(["score", "--sample", "-o", str(csv_path)]) == 0
        assert main(["score", "--sample", "-o", str(jsonl_path), "--workers", "2"]) == 0
        with csv_path.open(encoding="utf-8", newline="") as handle:
            assert handle.read() == table.to_csv()
        assert jsonl_path.read_text(encoding="utf-8") == table.to_jsonl()

    def test_summary_on_stdout_with_output(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """With -o the summary goes to stdout: counts, then mean [interval], n and distribution per score."""
        assert main(["score", "--sample", "-o", str(tmp_path / "s.csv"), "--resamples", "50"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[0] == "72 transcripts scored, 0 rejected"
        assert out[1].startswith("channels: ")
        assert out[3].split() == ["score", "mean", "95%", "interval", "n", "distribution"]
        scores = [line.split()[0] for line in out[4:10]]
        assert scores == ["empathy", "resolution", "pushiness", "latency", "experience", "impact"]
        assert out[-1] == f"Full table: 72 rows written to {tmp_path / 's.csv'}"

    def test_summary_on_stderr_with_stdout_csv(self, capsys: pytest.CaptureFixture[str]) -> None:
        """With -o - stdout is CSV only; the summary goes to stderr."""
        assert main(["score", "--sample", "-o", "-", "--by", "channel", "--resamples", "50"]) == 0
        captured = capsys.readouterr()
        assert len(captured.out.splitlines()) == 73
        assert captured.err.splitlines()[0] == "72 transcripts scored, 0 rejected"
        assert "By channel, best experience first" in captured.err

    def test_no_output_prints_only_the_summary(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["score", "--sample", "--resamples", "20"]) == 0
        out = capsys.readouterr().out
        assert "id,channel" not in out
        assert out.splitlines()[-1].startswith("Full table not written: -o scores.csv")

    @staticmethod
    def _groups(text: str) -> dict[str, int]:
        """Group -> count from the group table ('By KEY, best experience first', a header, rows)."""
        block = text.split("By ", 1)[1].split("\n\n")[0].splitlines()[2:]
        groups = {}
        for line in block:
            if line.startswith("…"):
                continue
            label, count = line[: line.index("  ")], line[line.index("  ") :].split()[0]
            groups[label] = int(count.replace(",", ""))
        return groups

    @pytest.mark.parametrize("key", ["channel", "industry", "meta.industry"])
    def test_by_group(self, key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--by gives one line per group, best experience first; counts add up."""
        assert (
            main(["score", "--sample", "-o", str(tmp_path / "s.csv"), "--by", key, "--resamples", "20"]) == 0
        )
        out = capsys.readouterr().out
        groups = self._groups(out)
        assert sum(groups.values()) == 72
        assert ("telecom" in groups) == (key != "channel")
        block = out.split("By ", 1)[1].split("\n\n")[0].splitlines()
        experience = block[1].split().index("experience") - 1  # "at risk" is two words, its cells one
        means = [float(line.split()[experience]) for line in block[2:]]
        assert means == sorted(means, reverse=True)

    def test_by_missing_key(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Transcripts without the key are grouped under (none); no record with it at all is a warning."""
        assert main(["score", "--sample", "-o", str(tmp_path / "s.csv"), "--by", "followers"]) == 0
        captured = capsys.readouterr()
        assert "(none)" in self._groups(captured.out)
        assert "warning" not in captured.err
        assert main(["score", "--sample", "-o", str(tmp_path / "s.csv"), "--by", "nokey"]) == 0
        assert "warning: no record has metadata 'nokey'" in capsys.readouterr().err

    def test_summary_intervals_are_seeded(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """The summary is the same on every run (seeded bootstrap)."""
        args = ["score", "--sample", "-o", str(tmp_path / "s.csv"), "--by", "industry", "--resamples", "30"]
        assert main(args) == 0
        first = capsys.readouterr().out
        assert main(args) == 0
        assert capsys.readouterr().out == first

    def test_all_rejected(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A batch with no good record still writes a header and an empty summary."""
        path = tmp_path / "bad.jsonl"
        path.write_text('{"id": "x", "turns": 5}\n')
        assert main(["score", str(path), "-o", "-", "--on-error", "skip", "--by", "agent"]) == 0
        captured = capsys.readouterr()
        assert captured.out.splitlines() == ["id,channel,turns,start"]
        assert "1 record rejected (skipped)" in captured.err

    def test_collect_writes_rejected_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--on-error collect scores the rest and writes each rejection next to the output."""
        path = tmp_path / "calls.jsonl"
        path.write_text(
            '{"id": "a", "channel": "chat", "turns": [{"role": "customer", "text": "hi"}]}\n'
            "{oops\n"
            '{"id": "b", "channel": "chat", "turns": [{"role": "wizard", "text": "?"}]}\n'
            '{"id": "c", "channel": "chat", "turns": [{"role": "agent", "text": "Hello!"}]}\n'
        )
        out = tmp_path / "scores.csv"
        assert main(["score", str(path), "-o", str(out), "--on-error", "collect"]) == 0
        side = tmp_path / "scores.rejected.jsonl"
        assert f"2 records rejected, written to {side}" in capsys.readouterr().out
        rejected = [json.loads(line) for line in side.read_text().splitlines()]
        assert [(r["position"], r["path"], r["line"]) for r in rejected] == [
            (1, "calls.jsonl", 2),
            (2, "calls.jsonl", 3),
        ]
        assert rejected[1]["reason"].startswith("calls.jsonl:3: turns[0].role: unknown role")
        assert [row.split(",")[0] for row in out.read_text().splitlines()[1:]] == ["a", "c"]

    def test_collect_records_and_custom_path(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--rejected picks the side file; no file is written when nothing is rejected."""
        side = tmp_path / "bad.jsonl"
        assert main(["score", "--sample", "--on-error", "collect", "--rejected", str(side)]) == 0
        assert not side.exists()
        assert "rejected" not in capsys.readouterr().err

    def test_skip(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--on-error skip leaves bad records out, says how many, and writes no side file."""
        path = tmp_path / "calls.jsonl"
        path.write_text('{"id": "a", "channel": "chat", "turns": []}\n{oops\n')
        assert main(["score", str(path), "-o", "-", "--on-error", "skip"]) == 0
        captured = capsys.readouterr()
        assert captured.out.splitlines()[1].startswith("a,chat,0")
        assert "1 record rejected (skipped)" in captured.err
        assert not list(tmp_path.glob("*.rejected.jsonl"))

    def test_workers_flag_is_checked(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--workers must be a positive integer."""
        with pytest.raises(SystemExit):
            main(["score", "--sample", "--workers", "0"])
        assert "must be a positive integer" in capsys.readouterr().err

    def test_progress_flag(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--progress draws on stderr only; stdout stays CSV."""
        assert main(["score", "--sample", "-o", "-", "--progress"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("id,channel") and "inputs done" not in out

    @pytest.mark.skipif(not IBM.exists(), reason="shared IBM dialogs not available")
    def test_done_when_ibm_with_broken_lines(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The IBM dialogs plus broken lines: 1,025 rows, and the 4 rejections in the side file."""
        out = tmp_path / "scores.csv"
        source = mixed_file(tmp_path)
        assert main(["score", str(source), "-o", str(out), "--on-error", "collect", "--by", "company"]) == 0
        printed = capsys.readouterr().out
        side = tmp_path / "scores.rejected.jsonl"
        assert f"4 records rejected, written to {side}" in printed
        assert out.read_text().count("\n") == 1026
        assert [json.loads(line)["position"] for line in side.read_text().splitlines()] == sorted(
            BROKEN_LINES
        )
        assert "By meta.company, best experience first" in printed
        assert out.read_text().count(",TeamYouTube,") == 85


def test_python_dash_m(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "servicescore", "score", "--sample", "-o", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("id,channel")


def test_twcs_format_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tweets.csv"
    path.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "1,42,True,Tue Oct 31 22:10:47 +0000 2017,@Acme help,,\n"
    )
    assert main(["score", "--format", "twcs", str(path), "-o", "-"]) == 0
    assert "1,social,1" in capsys.readouterr().out


def test_bundled_sample_covers_channels_and_industries() -> None:
    from collections import Counter

    from servicescore import Channel
    from servicescore.cli import _sample

    sample = list(_sample())
    assert len(sample) >= 60
    assert len({t.id for t in sample}) == len(sample)
    assert set(Counter(t.channel for t in sample)) == set(Channel)
    industries = {t.meta["industry"] for t in sample}
    assert {"telecom", "airline", "bank", "retail", "software", "utilities"} <= industries
    assert all("followers" in t.meta for t in sample if t.channel is Channel.SOCIAL)


class TestExplain:
    """The ``explain`` command."""

    def test_marks_evidence(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["explain", "--sample", "--id", "tel-001"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("tel-001 (chat, 4 turns)")
        for name in ("empathy", "resolution", "pushiness", "latency"):
            assert f"  {name}" in out
        assert "[[I'm sorry" in out
        assert "empathy +" in out

    def test_unknown_id(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["explain", "--sample", "--id", "nope"]) == 1
        assert "no transcript with id 'nope'" in capsys.readouterr().err

    def test_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "one.jsonl"
        path.write_text(
            '{"id": "x", "channel": "chat", "turns": [{"role": "customer", "text": "My card is blocked!"},'
            ' {"role": "agent", "text": "Oh no, that is stressful. I have unblocked it."}]}\n'
        )
        assert main(["explain", str(path), "--id", "x"]) == 0
        assert "[[Oh no]]" in capsys.readouterr().out

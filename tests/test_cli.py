from pathlib import Path

import pytest

from servicescore.cli import main


class TestScore:
    """The ``score`` command."""

    def test_sample(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["score", "--sample"]) == 0
        out = capsys.readouterr().out.splitlines()
        header = out[0].split(",")
        assert header[:3] == ["id", "channel", "turns"]
        assert {"empathy", "resolution", "pushiness", "latency", "resolution_label"} <= set(header)
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
        assert {row["resolution_label"] for row in rows} <= {"resolved", "unresolved", "unclear", ""}

    def test_bad_file_is_message_not_traceback(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "calls.jsonl"
        path.write_text("{oops\n")
        assert main(["score", str(path)]) == 1
        assert "calls.jsonl:1: invalid JSON" in capsys.readouterr().err

    def test_output_csv(self, tmp_path: Path) -> None:
        out = tmp_path / "scores.csv"
        assert main(["score", "--sample", "-o", str(out)]) == 0
        assert out.read_text().count("\n") > 5


def test_python_dash_m(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "servicescore", "score", "--sample"],
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
    assert main(["score", "--format", "twcs", str(path)]) == 0
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

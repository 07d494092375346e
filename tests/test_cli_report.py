"""The ``report`` command: one offline HTML file from the same inputs as ``score``."""

import hashlib
from pathlib import Path

import pytest

from servicescore.cli import main

pytest.importorskip("matplotlib")


def test_sample_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.html"
    assert main(["report", "--sample", "-o", str(out), "--by", "company", "--title", "Q3 <review>"]) == 0
    assert capsys.readouterr().out == f"wrote a report on 72 interactions to {out}\n"
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<title>Q3 &lt;review&gt;</title>" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "").replace(
        "http://www.w3.org/1999/xlink", ""
    )
    assert "Northwind Mobile" in html  # the leaderboard is by company
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{dir}/r.txt"], "unknown format '.txt'"),
        (["-o", "{dir}/no/r.html"], "no such folder"),
        (["-o", "{in}"], "refusing to overwrite"),
    ],
)
def test_refused_before_scoring(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.html"
    source.write_text('{"id": "a", "channel": "chat", "turns": []}\n')
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    filled = [a.format(**{"dir": tmp_path, "in": source}) for a in args]
    assert main(["report", str(source), *filled]) == 2
    assert message in capsys.readouterr().err
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest


def test_unknown_group_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--sample", "-o", str(tmp_path / "r.html"), "--by", "nokey"]) == 2
    assert "--by nokey" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_bad_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    turn = '{"role": "customer", "text": "My card was charged twice."}'
    good = f'{{"id": "a", "channel": "chat", "turns": [{turn}]}}'
    source.write_text(f"{good}\n{{oops\n")
    assert main(["report", str(source), "-o", str(tmp_path / "r.html")]) == 1
    assert "in.jsonl:2: invalid JSON" in capsys.readouterr().err
    assert main(["report", str(source), "-o", str(tmp_path / "r.html"), "--on-error", "skip"]) == 0
    assert "(1 record rejected)" in capsys.readouterr().out

"""The ``score`` command as people see it: in a real terminal (tmux), through pipes, with the conventions."""

import csv
import io
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from servicescore import __version__
from servicescore._terminal import plural
from servicescore.cli import EXIT_BROKEN_PIPE, main

SAMPLE = Path(__file__).parents[1] / "src" / "servicescore" / "data" / "sample.jsonl"


def _in_tmux(command: str, width: int, height: int = 60) -> list[str]:
    """The screen of a *width* x *height* tmux window after *command* ran in it, wrapped lines joined."""
    session = f"servicescore-test-{uuid.uuid4().hex[:8]}"
    done = Path(os.environ.get("TMPDIR", "/tmp")) / f"{session}.done"
    script = f"{command}; touch {shlex.quote(str(done))}; sleep 60"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), script],
        check=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    try:
        deadline = time.monotonic() + 120
        while not done.exists():
            if time.monotonic() > deadline:
                raise AssertionError("the command did not finish in tmux")
            time.sleep(0.1)
        screen = subprocess.run(
            ["tmux", "capture-pane", "-p", "-J", "-t", session], check=True, capture_output=True, text=True
        ).stdout
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
        done.unlink(missing_ok=True)
    return screen.rstrip("\n").splitlines()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (CI installs it)")
@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("extra", [[], ["--by", "company"]])
def test_summary_fits_the_terminal(width: int, extra: list[str]) -> None:
    command = shlex.join(
        [sys.executable, "-m", "servicescore", "score", "--sample", "--resamples", "50", *extra]
    )
    screen = _in_tmux(command, width)
    if screen[0].startswith("servicescore: "):  # the progress line, drawn on a terminal
        screen = screen[1:]
    assert screen[0] == "72 transcripts scored, 0 rejected"
    assert screen[-1].startswith("Full table not written")
    assert max(len(line) for line in screen) <= width
    worst = screen.index("Worst experiences, with each score's strongest evidence")
    assert worst <= 24 + (14 if extra else 0)  # one screen, or two with the group table
    assert [line for line in screen if line.startswith("  ") and "experience -" in line][:1]
    if width == 100 and extra:
        assert "latency" in next(line for line in screen if line.startswith("meta.company"))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"servicescore {__version__}"


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "servicescore", *args], input=stdin, capture_output=True, check=False
    )


def test_stdin_dash_is_the_same_as_the_file(tmp_path: Path) -> None:
    from_file = _run("score", str(SAMPLE), "-o", "-", "-q")
    from_stdin = _run("score", "-", "-o", "-", "-q", stdin=SAMPLE.read_bytes())
    assert from_stdin.returncode == from_file.returncode == 0
    assert from_stdin.stdout == from_file.stdout
    assert from_stdin.stderr == b""


def test_stdin_errors_are_named_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = SAMPLE.read_bytes().splitlines(keepends=True)[:3]
    data.insert(1, b"{oops\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"".join(data))))
    assert main(["score", "-", "-o", "-", "--on-error", "skip"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 4  # header and 3 rows
    assert "1 record rejected (skipped)" in captured.err
    failed = _run("score", "-", stdin=b"".join(data))
    assert failed.returncode == 1
    assert b"<stdin>:2: invalid JSON" in failed.stderr


def test_quiet_prints_nothing_but_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--sample", "-q", "-o", str(tmp_path / "s.csv")]) == 0
    assert capsys.readouterr() == ("", "")
    assert (tmp_path / "s.csv").read_text().count("\n") == 73


def test_closed_pipe_is_quiet() -> None:
    command = (
        f"{shlex.join([sys.executable, '-m', 'servicescore', 'score', '--sample', '-o', '-'])} | head -n 2"
    )
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, check=False
    )
    assert done.stdout.splitlines()[0].startswith("id,channel")
    assert len(done.stdout.splitlines()) == 2
    assert "Broken pipe" not in done.stderr and "Traceback" not in done.stderr
    assert done.returncode in (0, EXIT_BROKEN_PIPE)


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("scores.parquet.txt", "unknown format '.txt'"),
        ("scores", "unknown format ''"),
        ("missing/scores.csv", "no such folder"),
    ],
)
def test_output_is_checked_before_scoring(
    output: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", "--sample", "-o", str(tmp_path / output)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_parquet_output(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out, reference = tmp_path / "s.parquet", tmp_path / "s.csv"
    assert main(["score", "--sample", "-q", "-o", str(out)]) == 0
    assert main(["score", "--sample", "-q", "-o", str(reference), "--no-escape-formulas"]) == 0
    table = pq.read_table(out)
    with reference.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert table.num_rows == len(rows) == 72
    assert table.column_names == list(rows[0])
    assert table.schema.field("empathy").type == "double"
    assert table.column("id").to_pylist() == [row["id"] for row in rows]
    empathy = [None if row["empathy"] == "" else float(row["empathy"]) for row in rows]
    assert table.column("empathy").to_pylist() == pytest.approx(empathy, nan_ok=True)


def test_plurals() -> None:
    assert [plural(n, "row") for n in (0, 1, 2, 1000)] == ["0 rows", "1 row", "2 rows", "1,000 rows"]

"""Notebook display in a real Jupyter kernel (nbclient + ipykernel): HTML views and the tqdm recipe."""

from __future__ import annotations

import html.parser
import json
import subprocess
import sys
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook tests need nbformat (the test extra)")
pytest.importorskip("nbclient", reason="the notebook tests need nbclient (the test extra)")
pytest.importorskip("ipykernel", reason="the notebook tests need ipykernel (the test extra)")

#: The cells of the notebook, as a user would write them.
CELLS = [
    """\
from importlib import resources
from servicescore import Transcript, Turn, default_suite, score_many
sample = resources.files("servicescore").joinpath("data", "sample.jsonl")
table = score_many(sample)
table""",
    """\
default_suite()(Transcript("nb-1", [
    Turn("customer", "My parcel never arrived, this is the third time!"),
    Turn("agent", "I'm so sorry, I understand how frustrating that is. I've sent a replacement today."),
    Turn("customer", "Thanks, that works."),
]))""",
    """table.group_by("channel").summary(["empathy", "latency"], resamples=200)""",
    """\
from tqdm.auto import tqdm
with tqdm(total=72, unit="transcript") as bar:
    again = score_many(sample, progress=lambda done: bar.update(done - bar.n), chunk_size=8)
print(bar.n, bar.total, len(again))""",
]


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def results(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The displayed values among a cell's outputs (no streams)."""
    return [output for output in outputs if output["output_type"] == "execute_result"]


def _html(output: dict[str, Any]) -> _Text:
    assert output["output_type"] == "execute_result"
    assert "text/html" in output["data"], sorted(output["data"])
    parser = _Text()
    parser.feed(output["data"]["text/html"])
    return parser


#: Runs in a child process: a kernel's sockets and threads stay out of pytest's warning checks.
RUN = """\
import sys
import nbclient, nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

kernels, path = sys.argv[1:]
notebook = nbformat.read(path, as_version=4)
specs = KernelSpecManager(kernel_dirs=[kernels])
manager = KernelManager(kernel_name="servicescore-test", kernel_spec_manager=specs)
nbclient.NotebookClient(notebook, km=manager, timeout=120, allow_errors=False).execute()
nbformat.write(notebook, path)
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[list[dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("notebook")
    # A kernel spec of its own, so the kernel runs this interpreter (and the servicescore
    # under test) whatever kernels the machine has installed.
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "servicescore tests",
        "language": "python",
    }
    (folder / "kernels" / "servicescore-test").mkdir(parents=True)
    (folder / "kernels" / "servicescore-test" / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    path = folder / "display.ipynb"
    nbformat.write(notebook, str(path))
    run = subprocess.run(
        [sys.executable, "-c", RUN, str(folder / "kernels"), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    executed = nbformat.read(str(path), as_version=4)
    return [[dict(output) for output in cell.outputs] for cell in executed.cells]


class TestDisplay:
    """The last expression of a cell shows as HTML, not a dump of arrays."""

    def test_table(self, outputs: list[list[dict[str, Any]]]) -> None:
        """A ScoreTable shows its first ten rows and its shape; its plain text is the short repr."""
        (result,) = results(outputs[0])
        parsed = _html(result)
        assert parsed.tags.count("tr") == 11
        assert "72 rows × 76 columns, first 10 shown" in "".join(parsed.parts)
        assert result["data"]["text/plain"].startswith("<ScoreTable: 72 rows x 76 columns")

    def test_scorecard(self, outputs: list[list[dict[str, Any]]]) -> None:
        """A Scorecard shows its transcript with the evidence marked and its scores."""
        (result,) = results(outputs[1])
        parsed = _html(result)
        text = "".join(parsed.parts)
        assert "nb-1" in text and "My parcel never arrived" in text
        assert "mark" in parsed.tags
        for name in ("empathy", "resolution", "pushiness", "latency"):
            assert name in text
        assert result["data"]["text/plain"].startswith("Scorecard('nb-1', empathy=")

    def test_summary(self, outputs: list[list[dict[str, Any]]]) -> None:
        """A Summary shows each group with its intervals."""
        (result,) = results(outputs[2])
        text = "".join(_html(result).parts)
        for channel in ("chat", "email", "messaging", "phone", "social"):
            assert channel in text
        assert "95% bootstrap interval" in text

    def test_tqdm_recipe_ends_at_inputs(self, outputs: list[list[dict[str, Any]]]) -> None:
        """The documented tqdm recipe ends at the number of inputs in a kernel too."""
        printed = "".join(
            o["text"] for o in outputs[3] if o["output_type"] == "stream" and o["name"] == "stdout"
        )
        assert printed.split() == ["72", "72", "72"], json.dumps(outputs[3])[:500]

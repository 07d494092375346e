import importlib
import itertools
import json
import pickle
import site
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import Analysis, ScoreTable, Transcript, default_suite, make_suite, score_many, scorer
from servicescore import io as ssio
from servicescore.cli import _sample
from servicescore.distributed import score_bag, score_files, score_partition, table_from_partitions
from servicescore.scorers import LatencyScorer

from .strategies import BROKEN_RECORDS, batch_inputs

ROOT = Path(__file__).resolve().parents[1]
#: Broken lines and where they go in the sample's JSON Lines text (0-based line index).
BROKEN_LINES = {
    3: "{oops",
    11: "",
    12: "   ",
    20: '{"id": "b1", "channel": "chat", "turns": [{"role": "wizard", "text": "?"}]}',
    41: "[1, 2]",
    60: '{"id": "b3", "turns": 5}',
}


def _agent_share(analysis: Analysis) -> float:
    """Agent share of the turns; raises on transcripts whose metadata holds ``"fail"``."""
    transcript = analysis.transcript
    if "fail" in transcript.meta:
        raise RuntimeError(f"told to fail on {transcript.id!r}")
    agent = sum(turn.role.value == "agent" for turn in transcript.turns)
    return agent / len(transcript.turns) if transcript.turns else 0.0


#: Module level, so the scorer pickles by reference into Dask workers.
agent_share = scorer(name="agent_share")(_agent_share)
#: A cheap suite for properties: no sentiment, no lexicons.
CHEAP = make_suite(agent_share, LatencyScorer())


def _split(items: Sequence[Any], cuts: Sequence[int]) -> list[tuple[int, list[Any]]]:
    """*items* cut at *cuts* (sorted, may repeat), as ``(start, partition)`` pairs."""
    bounds = [0, *sorted(cuts), len(items)]
    return [(a, list(items[a:b])) for a, b in itertools.pairwise(bounds)]


def _partitioned(items: Sequence[Any], cuts: Sequence[int], **kwargs: Any) -> ScoreTable:
    return table_from_partitions(
        score_partition(part, start=start, **kwargs) for start, part in _split(items, cuts)
    )


@pytest.fixture(scope="module")
def records() -> list[object]:
    """The sample's records with every kind of broken record mixed in."""
    items: list[object] = [t.to_dict() for t in _sample()]
    for index, broken in zip((0, 9, 30, 31, 70), BROKEN_RECORDS, strict=True):
        items.insert(index, broken)
    return items


@pytest.fixture(scope="module")
def local_records(records: list[object]) -> ScoreTable:
    """score_many over the records, in this process: the reference."""
    return score_many(records, on_error="collect")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def lines() -> list[str]:
    """The sample as JSON Lines text, with broken and blank lines."""
    text: list[str] = [json.dumps(t.to_dict()) for t in _sample()]
    for index in sorted(BROKEN_LINES):
        text.insert(index, BROKEN_LINES[index])
    return [line + "\n" for line in text]


@pytest.fixture(scope="module")
def sample_file(lines: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("distributed") / "sample.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def local_lines(sample_file: Path) -> ScoreTable:
    """score_many over the file, in this process: the reference for lines."""
    return score_many(sample_file, on_error="collect", format="jsonl")


class TestScorePartition:
    """score_partition + table_from_partitions: exactly the local score_many table."""

    @pytest.mark.parametrize("cuts", [[], [25, 50], [1, 1, 40, 77]])
    def test_records_equal_local(
        self, records: list[object], local_records: ScoreTable, cuts: list[int]
    ) -> None:
        """The sample's records with broken ones, in any partitions, give the local table."""
        table = _partitioned(records, cuts)
        assert table.equals(local_records)
        assert [e.position for e in table.errors] == [0, 9, 30, 31, 70]
        assert table.names == local_records.names
        assert [table[n].dtype for n in table.names] == [local_records[n].dtype for n in table.names]

    def test_lines_equal_reading_the_file(self, lines: list[str], local_lines: ScoreTable) -> None:
        """Lines split anywhere, blank ones included, give what score_many gives on the file."""
        table = _partitioned(lines, [5, 12, 13, 50], source="sample.jsonl")
        assert table.equals(local_lines)
        assert [e.reason.split(":")[1] for e in table.errors] == ["4", "21", "42", "61"]
        assert [e.position for e in table.errors] == [3, 18, 39, 58]

    def test_elements_carry_global_positions(self, lines: list[str]) -> None:
        """Each element's position is start + its index; blank lines yield nothing."""
        elements = [
            e for start, part in _split(lines, [12, 30]) for e in score_partition(part, CHEAP, start=start)
        ]
        assert [e["position"] for e in elements] == [i for i, line in enumerate(lines) if line.strip()]

    @given(batch_inputs(), st.lists(st.integers(0, 12), max_size=4), st.sampled_from(["skip", "collect"]))
    def test_any_partitioning(self, batch: list[tuple[object, bool]], cuts: list[int], on_error: str) -> None:
        """Transcripts, records, broken records and failing scorers: partitions change nothing."""
        items = [item for item, _ in batch]
        cuts = [min(cut, len(items)) for cut in cuts]
        expected = score_many(items, CHEAP, on_error=on_error)  # type: ignore[arg-type]
        table = _partitioned(items, cuts, suite=CHEAP, on_error=on_error)
        assert table.equals(expected)
        assert [e.record for e in table.errors] == [e.record for e in expected.errors]

    def test_skip_drops_records(self, lines: list[str]) -> None:
        """on_error='skip' keeps positions and reasons, not records."""
        elements = score_partition(lines[:5], CHEAP, on_error="skip")
        assert elements[3] == {
            "position": 3,
            "rejected": {
                "id": None,
                "reason": "<input>:4: invalid JSON (Expecting property name enclosed in double quotes)",
                "record": None,
            },
        }

    def test_raise_names_the_global_position(self, lines: list[str]) -> None:
        """on_error='raise' raises the first error with a note naming its position."""
        with pytest.raises(ValueError, match="invalid JSON") as info:
            score_partition(lines[:5], CHEAP, start=100, on_error="raise")
        assert info.value.__notes__ == ["while scoring input 103 of the batch"]

    def test_byte_order_mark(self) -> None:
        """A byte order mark opening the input is ignored, as the file reader does."""
        line = '\ufeff{"id": "a", "channel": "chat", "turns": []}\n'
        assert "row" in score_partition([line], CHEAP)[0]

    def test_paths_are_not_read(self, sample_file: Path) -> None:
        """A path object is rejected, not read; so is anything that is not an input."""
        elements = score_partition([sample_file, 42], CHEAP)  # type: ignore[list-item]
        assert elements[0]["rejected"]["reason"].startswith("paths are not read in a partition")
        assert "got int" in elements[1]["rejected"]["reason"]

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [({"start": -1}, "start"), ({"start": True}, "start"), ({"on_error": "ignore"}, "on_error")],
    )
    def test_invalid_arguments(self, kwargs: dict[str, Any], match: str) -> None:
        """start and on_error are checked."""
        with pytest.raises(ValueError, match=match):
            score_partition([], CHEAP, **kwargs)

    def test_pickles(self, lines: list[str]) -> None:
        """Elements, suites and the rebuilt table pickle."""
        elements = score_partition(lines[:6], CHEAP)
        table = table_from_partitions([elements])
        assert table_from_partitions([pickle.loads(pickle.dumps(elements))]).equals(table)
        assert pickle.loads(pickle.dumps(table)).equals(table)
        suite = pickle.loads(pickle.dumps(default_suite()))
        assert table_from_partitions([score_partition(lines[:6], suite)]).equals(
            table_from_partitions([score_partition(lines[:6])])
        )
        assert pickle.loads(pickle.dumps(score_partition)) is score_partition


class TestTableFromPartitions:
    """table_from_partitions: checks what it is given."""

    def test_empty(self) -> None:
        """No partitions, or empty ones, give the empty table score_many gives."""
        assert table_from_partitions([]).equals(score_many([], CHEAP))
        assert table_from_partitions([[], []]).equals(score_many([], CHEAP))

    def test_flat_list(self) -> None:
        """A flat list of elements is refused with a hint."""
        elements = score_partition([{"id": "a", "channel": "chat", "turns": []}], CHEAP)
        with pytest.raises(TypeError, match=r"wrap it: \[elements\]"):
            table_from_partitions(elements)  # type: ignore[arg-type]

    def test_unknown_element(self) -> None:
        """An element that is neither a row nor a rejection is refused."""
        with pytest.raises(ValueError, match="element 0 is neither a row nor a rejection"):
            table_from_partitions([[{"position": 0}]])


class TestWithoutDask:
    """Dask is optional: never imported before it is needed, asked for when it is."""

    def test_not_imported(self) -> None:
        """Importing the module does not import Dask."""
        code = "import sys, servicescore.distributed; print('dask' in sys.modules)"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "False"

    def test_missing(self, monkeypatch: pytest.MonkeyPatch, sample_file: Path) -> None:
        """Without Dask, the Dask helpers say what to install."""
        monkeypatch.setitem(sys.modules, "dask.bag", None)
        with pytest.raises(ImportError, match=r"servicescore\[dask\]"):
            score_files(sample_file)

    def test_arguments_checked_first(self) -> None:
        """on_error is checked before anything is computed."""
        with pytest.raises(ValueError, match="on_error"):
            score_bag(None, on_error="ignore")  # type: ignore[arg-type]


# -- On a cluster ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A client of a local cluster of two worker processes, shared by the module."""
    pytest.importorskip("dask.bag", reason="the Dask integration needs dask[bag]")
    distributed = pytest.importorskip("distributed", reason="the Dask integration needs distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # CHEAP's scorer pickles by reference to this module: make it importable on the
        # workers, and fail here if it is not (a worker that cannot unpickle a task hangs).
        client.run(site.addsitedir, str(ROOT))
        client.run(importlib.import_module, __name__)
        yield client


class TestDask:
    """score_bag / score_files on a distributed.LocalCluster give the local table."""

    def test_bag_of_lines(self, client: Any, lines: list[str], local_lines: ScoreTable) -> None:
        """A bag of the sample's lines in three partitions, default suite, scored on two workers."""
        bag = pytest.importorskip("dask.bag").from_sequence(lines, npartitions=3)
        assert bag.npartitions == 3
        table = score_bag(bag, source="sample.jsonl")
        assert table.equals(local_lines)
        assert len(table.errors) == 4

    def test_files(self, client: Any, sample_file: Path, tmp_path: Path) -> None:
        """Several files, split in blocks, with a custom suite: score_many over the paths."""
        second = tmp_path / "second.jsonl"
        ssio.write_jsonl(list(_sample())[:10], second)
        with second.open("a", encoding="utf-8") as handle:
            handle.write("{oops\n")
        paths = [sample_file, second]
        table = score_files(paths, CHEAP, blocksize=4096)
        assert table.equals(score_many(paths, CHEAP, on_error="collect", format="jsonl"))
        assert (len(table), len(table.errors)) == (82, 5)
        assert table.errors[-1].reason.startswith("second.jsonl:11: invalid JSON")

    def test_records(self, client: Any, records: list[object]) -> None:
        """A bag of records with a scorer that fails on some: the local table."""
        failing = [*records[:10], Transcript("f", [], "chat", {"fail": 1}), *records[10:]]
        table = score_bag(pytest.importorskip("dask.bag").from_sequence(failing, npartitions=4), CHEAP)
        expected = score_many(failing, CHEAP, on_error="collect")  # type: ignore[arg-type]
        assert table.equals(expected)
        assert "told to fail on 'f'" in table.errors[2].reason

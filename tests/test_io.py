import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import FormatError, Transcript
from servicescore.io import read, write_jsonl

from .strategies import transcripts

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

GOOD = {"id": "a", "channel": "chat", "turns": [{"role": "customer", "text": "hi", "time": 1}]}


def _file(tmp_path: Path, text: str, name: str = "calls.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


class TestJsonl:
    """Reading canonical JSON Lines."""

    def test_invalid_json_names_line(self, tmp_path: Path) -> None:
        path = _file(tmp_path, json.dumps(GOOD) + "\n" + '{"id": "b", "tur\n')
        with pytest.raises(FormatError, match=r"^calls\.jsonl:2: invalid JSON"):
            list(read(path))

    def test_unknown_role_names_field(self, tmp_path: Path) -> None:
        bad = {"id": "b", "turns": [{"role": "agent", "text": "x"}, {"role": "wizard", "text": "y"}]}
        path = _file(tmp_path, json.dumps(GOOD) + "\n" + json.dumps(bad) + "\n")
        with pytest.raises(FormatError) as info:
            list(read(path))
        assert str(info.value).startswith("calls.jsonl:2: turns[1].role: unknown role 'wizard'")

    def test_collect_keeps_good_records(self, tmp_path: Path) -> None:
        lines = [
            json.dumps(GOOD),
            "{truncated",
            json.dumps({"id": "c", "turns": [{"role": "agent"}]}),
            json.dumps({"id": "d", "turns": [{"role": "agent", "text": 3}]}),
            json.dumps(
                {
                    "id": "e",
                    "turns": [
                        {"role": "agent", "text": "a", "time": 5},
                        {"role": "agent", "text": "b", "time": 1},
                    ],
                }
            ),
            json.dumps({"id": "f", "turns": [{"role": "agent", "text": "a", "time": "2026-01-01T00:00"}]}),
            json.dumps(GOOD | {"id": "g"}),
        ]
        path = _file(tmp_path, "\r\n".join(lines) + "\r\n")
        errors: list[FormatError] = []
        got = list(read(path, on_error="collect", errors=errors))
        assert [t.id for t in got] == ["a", "g"]
        assert [e.line for e in errors] == [2, 3, 4, 5, 6]
        assert errors[1].field == "turns[0].text"

    def test_bom_and_empty(self, tmp_path: Path) -> None:
        assert [t.id for t in read(_file(tmp_path, "\ufeff" + json.dumps(GOOD)))] == ["a"]
        assert list(read(_file(tmp_path, "", "empty.jsonl"))) == []

    def test_json_list_and_object(self, tmp_path: Path) -> None:
        assert len(list(read(_file(tmp_path, json.dumps([GOOD, GOOD]), "x.json")))) == 2
        assert len(list(read(_file(tmp_path, json.dumps(GOOD), "y.json"), "json"))) == 1

    @given(st.lists(transcripts(), max_size=5))
    def test_write_read_round_trip(self, items: list[Transcript]) -> None:
        buffer = io.StringIO()
        assert write_jsonl(items, buffer) == len(items)
        buffer.seek(0)
        assert list(read(buffer)) == items

    @pytest.mark.skipif(not SHARED.exists(), reason="shared data not beside the checkout")
    def test_ibm_dialogs_load(self) -> None:
        got = list(read(SHARED / "ibm-twitter-cdp" / "dialogs.jsonl"))
        assert len(got) == 1025
        assert sum(len(t) for t in got) == 2350


def test_line_numbers_count_leading_blank_lines(tmp_path: Path) -> None:
    path = _file(tmp_path, "\n\r\n" + json.dumps(GOOD) + "\n{bad\n")
    with pytest.raises(FormatError, match=r"^calls\.jsonl:4: invalid JSON"):
        list(read(path))

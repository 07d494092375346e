"""Readers on damaged input: every bad record is one FormatError, reading goes on."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from servicescore import FormatError
from servicescore.io import read

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = {"id": "c1", "turns": [{"role": "customer", "text": "hi", "time": 0}]}


def _collect(data: bytes, fmt: str | None = None) -> tuple[list[str], list[FormatError]]:
    errors: list[FormatError] = []
    ids = [t.id for t in read(io.BytesIO(data), fmt, on_error="collect", errors=errors)]  # type: ignore[arg-type]
    return ids, errors


def _jsonl(*records: object) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records)


def _good(n: int) -> dict[str, object]:
    return {**GOOD, "id": f"c{n}"}


class TestDecoding:
    def test_lone_bad_byte_is_one_error(self) -> None:
        ids, errors = _collect(b"\xff")
        assert ids == [] and len(errors) == 1

    def test_bad_byte_on_line_two_names_line_and_byte_offset(self) -> None:
        first = json.dumps(_good(1)).encode() + b"\n"
        data = first + b'{"id": "c2\xff"}\n' + json.dumps(_good(3)).encode() + b"\n"
        ids, errors = _collect(data)
        assert ids == ["c1", "c3"]
        (error,) = errors
        assert error.line == 2
        assert f"byte offset {len(first) + 10}" in error.reason
        assert "0xff" in error.reason

    def test_bad_byte_in_csv_row_rejects_its_record_only(self) -> None:
        data = b"id,role,text\nc1,customer,hi\nc2,customer,h\xe9\nc2,agent,ok\nc3,agent,yo\n"
        ids, errors = _collect(data)
        assert ids == ["c1", "c3"]
        assert [e.line for e in errors] == [3]

    def test_other_encoding(self, tmp_path: Path) -> None:
        path = tmp_path / "latin.csv"
        path.write_bytes("id,role,text\nc1,customer,café\n".encode("latin-1"))
        (transcript,) = read(path, encoding="latin-1")
        assert transcript.turns[0].text == "café"

    def test_utf16(self, tmp_path: Path) -> None:
        path = tmp_path / "wide.jsonl"
        path.write_bytes((json.dumps(_good(1)) + "\n").encode("utf-16"))
        assert [t.id for t in read(path, encoding="utf-16")] == ["c1"]

    def test_unknown_encoding(self) -> None:
        with pytest.raises(ValueError, match="unknown encoding"):
            list(read(io.BytesIO(b""), encoding="no-such-codec"))


class TestGzip:
    def test_gzip_path_read_transparently(self, tmp_path: Path) -> None:
        path = tmp_path / "calls.jsonl.gz"
        path.write_bytes(gzip.compress(_jsonl(_good(1), _good(2))))
        assert [t.id for t in read(path)] == ["c1", "c2"]

    def test_truncated_gzip_keeps_whole_records_and_reports(self) -> None:
        data = gzip.compress(_jsonl(*[_good(n) for n in range(200)]))
        ids, errors = _collect(data[: len(data) // 2])
        assert errors and "cannot read past byte offset" in errors[-1].reason
        assert ids == [f"c{n}" for n in range(len(ids))]


class TestJson:
    def test_deep_nesting(self) -> None:
        ids, errors = _collect(b"[" * 1000)
        assert ids == [] and len(errors) == 1

    def test_deep_nesting_on_a_jsonl_line(self) -> None:
        ids, errors = _collect(_jsonl(_good(1), b'{"id": ' + b"[" * 5000 + b"}", _good(3)))
        assert ids == ["c1", "c3"]
        assert errors[0].line == 2 and "nested too deeply" in errors[0].reason

    def test_integer_over_4300_digits(self) -> None:
        ids, errors = _collect(_jsonl(b'{"id": ' + b"1" * 5000 + b"}", _good(2)))
        assert ids == ["c2"] and errors[0].line == 1

    @pytest.mark.parametrize("number", [b"1" + b"0" * 309, b"1e400", b"-1e309"])
    def test_time_too_large(self, number: bytes) -> None:
        line = b'{"id": "x", "turns": [{"role": "agent", "text": "a", "time": ' + number + b"}]}"
        ids, errors = _collect(_jsonl(line, _good(2)))
        assert ids == ["c2"]
        assert errors[0].field == "turns[0].time"

    def test_time_beyond_year_9999(self) -> None:
        ids, errors = _collect(_jsonl({**GOOD, "turns": [{"role": "agent", "text": "a", "time": 1e15}]}))
        assert ids == [] and "year 9999" in errors[0].reason


class TestInference:
    def test_broken_first_line_still_jsonl(self) -> None:
        data = b'{"id": "c0", "turns": [\n' + _jsonl(*[_good(n) for n in range(1, 1026)])
        ids, errors = _collect(data)
        assert len(ids) == 1025 and len(errors) == 1 and errors[0].line == 1

    def test_first_line_not_json_at_all(self) -> None:
        ids, errors = _collect(b"garbage\n" + _jsonl(_good(1), _good(2)))
        assert ids == ["c1", "c2"] and [e.line for e in errors] == [1]

    def test_undecidable_names_the_formats_considered(self) -> None:
        _ids, errors = _collect(b"hello there\nnothing here\n")
        (error,) = errors
        assert "cannot tell the format" in error.reason
        assert "jsonl, json, csv, twcs" in error.reason

    def test_pretty_json_object_still_json(self) -> None:
        data = json.dumps(GOOD, indent=2).encode()
        assert _collect(data) == (["c1"], [])


class TestVendorTypes:
    def _ccai(self, **change: object) -> bytes:
        record = json.loads((FIXTURES / "ccai_conversation.json").read_text())
        record.update(change)
        return json.dumps(record).encode()

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"conversation_info": "x"}, "conversation_info"),
            ({"conversation_info": {"categories": 0}}, "conversation_info.categories"),
        ],
    )
    def test_ccai_wrong_types(self, change: dict[str, object], field: str) -> None:
        ids, errors = _collect(self._ccai(**change), "json")
        assert ids == [] and errors[0].field == field

    @pytest.mark.parametrize(
        ("key", "value"), [("role", []), ("start_timestamp_usec", 10**400), ("start_timestamp_usec", 2**80)]
    )
    def test_ccai_entry_wrong_types(self, key: str, value: object) -> None:
        record = json.loads((FIXTURES / "ccai_conversation.json").read_text())
        record["entries"][1][key] = value
        ids, errors = _collect(json.dumps(record).encode(), "json")
        assert ids == [] and errors[0].field == f"entries[1].{key}"

    @pytest.mark.parametrize(
        ("path", "value", "field"),
        [
            (("Participants",), 8, "Participants"),
            (("Participants", 0, "ParticipantId"), [], None),
            (("Transcript", 0, "ParticipantRole"), ["AGENT"], "Transcript[0].ParticipantRole"),
        ],
    )
    def test_contact_lens_wrong_types(
        self, path: tuple[object, ...], value: object, field: str | None
    ) -> None:
        record = json.loads((FIXTURES / "contact_lens_chat.json").read_text())
        node = record
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        ids, errors = _collect(json.dumps(record).encode(), "json")
        if field is None:  # the turns name their roles themselves: still readable
            assert len(ids) == 1 and not errors
        else:
            assert ids == [] and errors[0].field == field

    def test_transcribe_offset_too_large(self) -> None:
        record = json.loads((FIXTURES / "transcribe_call_analytics.json").read_text())
        record["Transcript"][0]["BeginOffsetMillis"] = 10**400
        ids, errors = _collect(json.dumps(record).encode(), "json")
        assert ids == []
        assert errors[0].field == "Transcript[0].BeginOffsetMillis" and "out of range" in errors[0].reason


class TestTables:
    TWCS = (
        b"tweet_id,author_id,inbound,created_at,text,in_response_to_tweet_id\n"
        b"1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@Acme my bill,\n"
        b"2,Acme,False,Tue Oct 31 22:12:00 +0000 2017,@115712 Sorry!\n"
    )

    def test_short_twcs_row(self) -> None:
        ids, errors = _collect(self.TWCS, "twcs")
        assert ids == ["1"]
        assert (errors[0].line, errors[0].field) == (3, "in_response_to_tweet_id")

    def test_short_csv_row_names_missing_column(self) -> None:
        ids, errors = _collect(b"id,role,text\nc1,customer\nc2,agent,hi\n")
        assert ids == ["c2"] and (errors[0].line, errors[0].field) == (2, "text")

    def test_extra_cells_are_an_error(self) -> None:
        ids, errors = _collect(b"id,role,text\nc1,customer,hi,there\nc2,agent,hi\n")
        assert ids == ["c2"] and "quote cells" in errors[0].reason

    def test_cell_over_the_csv_limit(self) -> None:
        data = b'id,role,text\nc1,customer,"' + b"x" * 140_000 + b'"\nc2,agent,hi\n'
        ids, errors = _collect(data)
        assert ids == ["c2"]
        assert errors[0].line == 2 and "field_size_limit" in errors[0].reason

    def test_raise_mode_raises_format_error(self) -> None:
        with pytest.raises(FormatError, match=r"<stream>:2: text: row has 2"):
            list(read(io.BytesIO(b"id,role,text\nc1,customer\n")))

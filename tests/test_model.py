import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicescore import Channel, Role, Transcript, TranscriptError, Turn

from .strategies import transcripts


class TestTurn:
    """Validation of single turns."""

    def test_role_from_name(self) -> None:
        assert Turn("Customer", "hi").role is Role.CUSTOMER

    def test_unknown_role(self) -> None:
        with pytest.raises(TranscriptError, match="unknown role 'wizard'"):
            Turn("wizard", "hi")

    def test_non_string_text(self) -> None:
        with pytest.raises(TranscriptError, match="text must be a string"):
            Turn("agent", 42)  # type: ignore[arg-type]

    def test_naive_timestamp_rejected(self) -> None:
        with pytest.raises(TranscriptError, match="no time zone"):
            Turn("agent", "hi", time="2026-03-04T10:15:02")

    def test_zoned_timestamp(self) -> None:
        assert Turn("agent", "hi", time="1970-01-01T01:00:00+01:00").time == 0.0

    def test_end_before_start(self) -> None:
        with pytest.raises(TranscriptError, match="'end'"):
            Turn("agent", "hi", time=5, end=4)


class TestTranscript:
    """Construction, validation and round trips of transcripts."""

    def test_decreasing_times(self) -> None:
        with pytest.raises(TranscriptError, match=r"turn 1 must not be earlier than turn 0") as info:
            Transcript("t", [Turn("customer", "a", time=10), Turn("agent", "b", time=5)])
        assert info.value.turn == 1

    def test_bad_channel(self) -> None:
        with pytest.raises(TranscriptError, match="unknown channel 'fax'"):
            Transcript("t", [], channel="fax")

    def test_channel_alias(self) -> None:
        assert Transcript("t", [], channel="voice").channel is Channel.PHONE

    def test_from_dict_names_field(self) -> None:
        record = {"id": "t", "turns": [{"role": "agent", "text": "x"}, {"role": "wizard", "text": "y"}]}
        with pytest.raises(TranscriptError) as info:
            Transcript.from_dict(record)
        assert info.value.field == "turns[1].role"
        assert info.value.turn == 1

    def test_missing_field(self) -> None:
        with pytest.raises(TranscriptError) as info:
            Transcript.from_dict({"id": "t", "turns": [{"role": "agent"}]})
        assert info.value.field == "turns[0].text"

    def test_frozen(self) -> None:
        t = Transcript("t", [])
        with pytest.raises(AttributeError):
            t.id = "u"  # type: ignore[misc]

    def test_error_pickles(self) -> None:
        err = TranscriptError("bad", turn=2, field="role", value="x")
        back = pickle.loads(pickle.dumps(err))
        assert (back.turn, back.field, str(back)) == (2, "role", "bad")

    @given(transcripts())
    def test_round_trip(self, transcript: Transcript) -> None:
        assert Transcript.from_dict(transcript.to_dict()) == transcript

    @given(transcripts())
    def test_pickle_round_trip(self, transcript: Transcript) -> None:
        assert pickle.loads(pickle.dumps(transcript)) == transcript

    @given(st.lists(st.floats(0, 1e9), min_size=2, max_size=6))
    def test_times_validation(self, times: list[float]) -> None:
        turns = [Turn("customer", "x", time=t) for t in times]
        if times == sorted(times):
            assert len(Transcript("t", turns)) == len(times)
        else:
            with pytest.raises(TranscriptError):
                Transcript("t", turns)

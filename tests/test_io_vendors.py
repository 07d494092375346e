import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicescore import Channel, FormatError, Role, Transcript
from servicescore.io import read, write_jsonl

FIXTURES = Path(__file__).parent / "fixtures"


class TestContactLens:
    """Amazon Connect Contact Lens output, voice (nested Transcript) and chat."""

    def test_voice_nested_transcript(self) -> None:
        (call,) = read(FIXTURES / "contact_lens_voice.json")
        assert call.channel is Channel.PHONE
        assert [t.role for t in call] == [Role.AGENT, Role.CUSTOMER, Role.AGENT, Role.AGENT]
        assert (call.turns[1].time, call.turns[1].end) == (4.51, 11.03)
        assert call.id == "contact_lens_voice"

    def test_chat_events_are_system_turns(self) -> None:
        (chat,) = read(FIXTURES / "contact_lens_chat.json")
        assert chat.channel is Channel.CHAT
        assert chat.turns[0].role is Role.SYSTEM and chat.turns[-1].role is Role.SYSTEM
        assert [t.role for t in chat.turns[1:-1]] == [Role.CUSTOMER, Role.AGENT, Role.AGENT, Role.CUSTOMER]
        assert chat.turns[2].time - chat.turns[1].time == pytest.approx(38.38)

    def test_unknown_participant_names_field(self, tmp_path: Path) -> None:
        doc = json.loads((FIXTURES / "contact_lens_chat.json").read_text())
        doc["Transcript"][2]["ParticipantRole"] = "WIZARD"
        path = tmp_path / "chat.json"
        path.write_text(json.dumps(doc, indent=2))
        with pytest.raises(FormatError, match=r"Transcript\[2\]\.ParticipantRole: unknown participant role"):
            list(read(path))


class TestTranscribe:
    """Amazon Transcribe Call Analytics output."""

    def test_participant_role_on_turns(self) -> None:
        (call,) = read(FIXTURES / "transcribe_call_analytics.json")
        assert [t.role for t in call] == [Role.CUSTOMER, Role.AGENT]
        assert call.turns[1].end == 9.8
        assert "[PII]" in call.turns[1].text

    def test_wrong_type_offset(self, tmp_path: Path) -> None:
        doc = json.loads((FIXTURES / "transcribe_call_analytics.json").read_text())
        doc["Transcript"][0]["BeginOffsetMillis"] = "soon"
        path = tmp_path / "call.json"
        path.write_text(json.dumps(doc))
        with pytest.raises(FormatError, match=r"Transcript\[0\]\.BeginOffsetMillis: expected milliseconds"):
            list(read(path))


class TestCcai:
    """Google CCAI Insights conversation JSON."""

    def test_roles_and_microseconds(self) -> None:
        (conv,) = read(FIXTURES / "ccai_conversation.json")
        assert [t.role for t in conv] == [Role.BOT, Role.CUSTOMER, Role.AGENT]
        assert conv.turns[1].time == 1772619310.5
        assert conv.meta["categories"] == ["billing", "dispute"]

    def test_truncated_file(self, tmp_path: Path) -> None:
        text = (FIXTURES / "ccai_conversation.json").read_text()
        path = tmp_path / "conv.json"
        path.write_text(text[: len(text) // 2])
        with pytest.raises(FormatError, match=r"^conv\.json:\d+: invalid JSON"):
            list(read(path))


def _read_doc(doc: dict[str, Any]) -> Transcript:
    (transcript,) = read(io.StringIO(json.dumps(doc)), "json")
    return transcript


def _fixture(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return doc


def _spans_match_turns(transcript: Transcript) -> None:
    for key in ("issues", "outcomes", "action_items"):
        for span in transcript.meta.get(key, []):
            assert set(span) == {"turn", "start", "end", "text"}
            assert transcript.turns[span["turn"]].text[span["start"] : span["end"]] == span["text"]


class TestVendorMetadata:
    """What the vendor computed lands in documented ``meta`` keys and turn speakers."""

    def test_contact_lens_chat_summary_names_and_categories(self) -> None:
        (chat,) = read(FIXTURES / "contact_lens_chat.json")
        assert [t.speaker for t in chat.turns[1:5]] == ["Sam", "Lee", "Lee", "Sam"]
        assert chat.turns[4].speaker == "Sam"  # no DisplayName on the item: the participant's
        assert chat.meta["agent"] == "Lee"
        assert chat.meta["categories"] == ["device-fault", "replacement-offered"]
        assert chat.meta["issues"] == [
            {"turn": 1, "start": 4, "end": 29, "text": "my router keeps rebooting"}
        ]
        (outcome,) = chat.meta["outcomes"]
        assert outcome["text"] == "I've reset the router remotely and sent a replacement"
        assert [s["text"] for s in chat.meta["action_items"]] == ["it ships today"]
        _spans_match_turns(chat)

    def test_contact_lens_voice_spans_snap_to_whole_words(self) -> None:
        (call,) = read(FIXTURES / "contact_lens_voice.json")
        assert "agent" not in call.meta  # voice output names no one
        assert call.meta["categories"] == ["billing-dispute", "refund-issued"]
        assert [s["text"] for s in call.meta["issues"]] == ["my bill doubled this month"]
        # EndOffsetChar is one short in the file, as in the vendor's own example.
        assert call.meta["outcomes"] == [
            {"turn": 2, "start": 69, "end": 108, "text": "I've removed it and refunded the charge"}
        ]
        assert call.meta["action_items"][0]["turn"] == 3
        _spans_match_turns(call)

    def test_transcribe_begin_end_keys(self) -> None:
        (call,) = read(FIXTURES / "transcribe_call_analytics.json")
        assert call.meta["categories"] == ["duplicate-charge"]
        assert call.meta["issues"][0]["text"] == "My order never arrived"
        # Begin is one late ("'ve ...") in the file, as in the vendor's own example.
        assert call.meta["outcomes"][0]["text"] == "I've cancelled the duplicate charge"
        _spans_match_turns(call)

    def test_ccai_agent_is_the_stable_user_id(self) -> None:
        (conv,) = read(FIXTURES / "ccai_conversation.json")
        assert [t.speaker for t in conv] == ["1", "2", "3"]
        assert conv.meta == {"agent": "3", "categories": ["billing", "dispute"]}

    def test_redacted_display_names_carry_no_name(self) -> None:
        doc = _fixture("contact_lens_chat.json")
        for item in doc["Transcript"]:
            item["DisplayName"] = "[PII]"
        for participant in doc["Participants"]:
            participant["DisplayName"] = "[PII]"
        chat = _read_doc(doc)
        assert all(t.speaker is None for t in chat) and "agent" not in chat.meta

    def test_first_agent_to_speak_is_the_agent(self) -> None:
        doc = _fixture("contact_lens_chat.json")
        doc["Transcript"][3]["DisplayName"] = "Kim"  # a second agent after a transfer
        assert _read_doc(doc).meta["agent"] == "Lee"
        doc["Transcript"][2]["DisplayName"] = "  "
        doc["Participants"][2]["DisplayName"] = None
        assert _read_doc(doc).meta["agent"] == "Kim"

    def test_contact_id_from_customer_metadata(self) -> None:
        doc = _fixture("contact_lens_chat.json")
        del doc["ContactId"]
        doc["CustomerMetadata"]["ContactId"] = "b49644f6"
        assert _read_doc(doc).id == "b49644f6"

    def test_category_names_trimmed_and_distinct(self) -> None:
        doc = _fixture("transcribe_call_analytics.json")
        doc["Categories"]["MatchedCategories"] = [" positive-resolution", "", "positive-resolution", "x"]
        assert _read_doc(doc).meta["categories"] == ["positive-resolution", "x"]
        doc["Categories"]["MatchedCategories"] = []
        assert "categories" not in _read_doc(doc).meta

    def test_unusable_spans_are_left_out(self) -> None:
        doc = _fixture("contact_lens_chat.json")
        summary = doc["ConversationCharacteristics"]["ContactSummary"]["SummaryItemsDetected"][0]
        summary["IssuesDetected"][0]["TranscriptItems"][0]["Id"] = "no-such-item"
        outcome = summary["OutcomesDetected"][0]["TranscriptItems"][0]["CharacterOffsets"]
        outcome.update(BeginOffsetChar=60, EndOffsetChar=900)  # past the end: cut to the text
        summary["ActionItemsDetected"][0]["TranscriptItems"][0]["CharacterOffsets"].update(
            BeginOffsetChar=500, EndOffsetChar=600
        )
        chat = _read_doc(doc)
        assert "issues" not in chat.meta and "action_items" not in chat.meta
        assert chat.meta["outcomes"][0]["text"] == "ships today."
        _spans_match_turns(chat)

    def test_round_trip_and_jsonl(self, tmp_path: Path) -> None:
        for name in ("contact_lens_chat.json", "contact_lens_voice.json", "transcribe_call_analytics.json"):
            (transcript,) = read(FIXTURES / name)
            record = json.loads(json.dumps(transcript.to_dict()))
            assert Transcript.from_dict(record) == transcript
            path = tmp_path / "out.jsonl"
            write_jsonl([transcript], path)
            assert list(read(path)) == [transcript]


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: object) -> None:
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


_DELETE = object()
_SUMMARY = ("ConversationCharacteristics", "ContactSummary", "SummaryItemsDetected")
_OUTCOME_REF = (*_SUMMARY, 0, "OutcomesDetected", 0, "TranscriptItems", 0)
_OUTCOME_FIELD = "ConversationCharacteristics.ContactSummary.SummaryItemsDetected[0].OutcomesDetected[0]"


class TestVendorMetadataTypes:
    """A wrong JSON type in a kept field is one FormatError naming that field."""

    @pytest.mark.parametrize(
        ("name", "path", "value", "field"),
        [
            ("contact_lens_chat.json", ("Transcript", 1, "DisplayName"), 5, "Transcript[1].DisplayName"),
            ("contact_lens_chat.json", ("Participants", 2, "DisplayName"), [], "Participants[2].DisplayName"),
            ("contact_lens_chat.json", ("Categories",), [], "Categories"),
            (
                "contact_lens_chat.json",
                ("Categories", "MatchedCategories"),
                "x",
                "Categories.MatchedCategories",
            ),
            (
                "contact_lens_chat.json",
                ("Categories", "MatchedCategories", 1),
                7,
                "Categories.MatchedCategories[1]",
            ),
            ("contact_lens_chat.json", ("ConversationCharacteristics",), 3, "ConversationCharacteristics"),
            (
                "contact_lens_chat.json",
                ("ConversationCharacteristics", "ContactSummary"),
                [],
                "ConversationCharacteristics.ContactSummary",
            ),
            (
                "contact_lens_chat.json",
                (*_SUMMARY, 0, "OutcomesDetected", 0, "TranscriptItems"),
                {},
                f"{_OUTCOME_FIELD}.TranscriptItems",
            ),
            (
                "contact_lens_chat.json",
                (*_OUTCOME_REF, "CharacterOffsets", "EndOffsetChar"),
                "53",
                f"{_OUTCOME_FIELD}.TranscriptItems[0].CharacterOffsets.EndOffsetChar",
            ),
            (
                "contact_lens_chat.json",
                (*_OUTCOME_REF, "CharacterOffsets"),
                _DELETE,
                f"{_OUTCOME_FIELD}.TranscriptItems[0].CharacterOffsets",
            ),
            (
                "contact_lens_voice.json",
                ("ConversationCharacteristics", "Transcript", 1, "IssuesDetected"),
                "my bill",
                "Transcript[1].IssuesDetected",
            ),
            (
                "contact_lens_voice.json",
                ("ConversationCharacteristics", "Transcript", 1, "IssuesDetected", 0),
                3,
                "Transcript[1].IssuesDetected[0]",
            ),
            (
                "contact_lens_voice.json",
                ("ConversationCharacteristics", "Transcript", 1, "IssuesDetected", 0, "CharacterOffsets"),
                {"Start": 1},
                "Transcript[1].IssuesDetected[0].CharacterOffsets",
            ),
            (
                "contact_lens_voice.json",
                ("ConversationCharacteristics", "Transcript", 2, "OutcomesDetected", 0, "CharacterOffsets"),
                {"BeginOffsetChar": -1, "EndOffsetChar": 4},
                "Transcript[2].OutcomesDetected[0].CharacterOffsets.BeginOffsetChar",
            ),
            (
                "contact_lens_voice.json",
                ("ConversationCharacteristics", "Transcript", 2, "OutcomesDetected", 0, "CharacterOffsets"),
                {"BeginOffsetChar": 9, "EndOffsetChar": 4},
                "Transcript[2].OutcomesDetected[0].CharacterOffsets.EndOffsetChar",
            ),
            (
                "transcribe_call_analytics.json",
                ("Transcript", 0, "IssuesDetected", 0, "CharacterOffsets", "Begin"),
                True,
                "Transcript[0].IssuesDetected[0].CharacterOffsets.Begin",
            ),
            (
                "transcribe_call_analytics.json",
                ("Transcript", 1, "OutcomesDetected", 0, "CharacterOffsets", "End"),
                53.5,
                "Transcript[1].OutcomesDetected[0].CharacterOffsets.End",
            ),
            (
                "ccai_conversation.json",
                ("conversation_info", "categories", 1),
                "dispute",
                "conversation_info.categories[1]",
            ),
            (
                "ccai_conversation.json",
                ("conversation_info", "categories", 0, "display_name"),
                5,
                "conversation_info.categories[0].display_name",
            ),
            ("ccai_conversation.json", ("entries", 2, "user_id"), {"id": 3}, "entries[2].user_id"),
            ("ccai_conversation.json", ("entries", 2, "user_id"), True, "entries[2].user_id"),
        ],
    )
    def test_wrong_type_names_field(
        self, name: str, path: tuple[Any, ...], value: object, field: str
    ) -> None:
        doc = _fixture(name)
        _set(doc, path, value)
        errors: list[FormatError] = []
        rows = list(read(io.StringIO(json.dumps(doc)), "json", on_error="collect", errors=errors))
        assert rows == []
        (error,) = errors
        assert error.field == field and error.record == 0


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab' -.\u00e9"), max_size=30),
    begin=st.integers(0, 40),
    length=st.integers(0, 40),
)
def test_spans_always_index_the_turn_text(text: str, begin: int, length: int) -> None:
    doc = _fixture("transcribe_call_analytics.json")
    doc["Transcript"][1]["Content"] = text
    doc["Transcript"][1]["OutcomesDetected"] = [{"CharacterOffsets": {"Begin": begin, "End": begin + length}}]
    call = _read_doc(doc)
    inner = text[min(begin, len(text)) : min(begin + length, len(text))].strip()
    spans = call.meta.get("outcomes", [])
    assert len(spans) == (1 if inner else 0)
    for span in spans:
        assert 0 <= span["start"] < span["end"] <= len(text)
        assert text[span["start"] : span["end"]] == span["text"] == span["text"].strip()
        assert inner in span["text"]  # widened to whole words, never narrowed past white space


class TestVendorOutcomesAsResolutionEvidence:
    """Contact Lens / Transcribe outcome spans show up in the resolution score's evidence."""

    def test_outcome_spans_are_weightless_evidence(self) -> None:
        from servicescore.scorers import ResolutionScorer

        for name in ("contact_lens_chat.json", "contact_lens_voice.json", "transcribe_call_analytics.json"):
            (transcript,) = read(FIXTURES / name)
            score = ResolutionScorer()(transcript)
            shown = [e for e in score.evidence if e.category == "vendor_outcome"]
            assert [(e.turn, e.start, e.end) for e in shown] == [
                (s["turn"], s["start"], s["end"]) for s in transcript.meta["outcomes"]
            ]
            for e in shown:
                assert e.weight == 0.0 and e.cue == transcript.turns[e.turn].text[e.start : e.end]
            assert score.details["vendor_outcomes"] == len(shown)
            bare = Transcript(transcript.id, transcript.turns, transcript.channel, {})
            assert ResolutionScorer()(bare).value == score.value  # shown, not counted

    def test_malformed_outcome_metadata_is_ignored(self) -> None:
        from servicescore import Role, Turn
        from servicescore.scorers import ResolutionScorer

        turns = [Turn(Role.CUSTOMER, "My card is blocked."), Turn(Role.AGENT, "I've unblocked it.")]
        bad = [
            "x",
            {"turn": 1, "start": 0, "end": 99},
            {"turn": True, "start": 0, "end": 2},
            {"turn": 5, "start": 0, "end": 2},
            {"turn": 1, "start": 3, "end": 3},
            {"turn": 1, "start": "0", "end": 2},
        ]
        score = ResolutionScorer()(Transcript("t", turns, "chat", {"outcomes": bad}))
        assert score.details["vendor_outcomes"] == 0.0
        assert not [e for e in score.evidence if e.category == "vendor_outcome"]
        assert ResolutionScorer()(Transcript("t", turns, "chat", {"outcomes": "nope"})).value == score.value

    def test_live_session_shows_an_outcome_once_its_turn_arrived(self) -> None:
        from servicescore.scorers import ResolutionScorer

        (transcript,) = read(FIXTURES / "contact_lens_voice.json")
        outcome_turn = transcript.meta["outcomes"][0]["turn"]
        scorer = ResolutionScorer()
        head = Transcript(transcript.id, transcript.turns[:outcome_turn], transcript.channel, transcript.meta)
        assert ResolutionScorer()(head).details["vendor_outcomes"] == 0.0
        assert scorer(transcript).details["vendor_outcomes"] == 1.0

import json
from pathlib import Path

import pytest

from servicescore import Channel, FormatError, Role
from servicescore.io import read

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

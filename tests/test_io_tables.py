from pathlib import Path

import pytest

from servicescore import Channel, FormatError, Role
from servicescore.io import read

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw" / "twcs-sample" / "sample.csv"

TWCS = """tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
2,AcmeHelp,False,Tue Oct 31 22:12:00 +0000 2017,@115712 Sorry! Which plan are you on?,"3,4",1
1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@AcmeHelp my bill is wrong again,2,
3,115712,True,Tue Oct 31 22:20:00 +0000 2017,@AcmeHelp the basic one,,2
9,999,True,Wed Nov 01 08:00:00 +0000 2017,@AcmeHelp hello?,,
"""


class TestTwcs:
    """Threads rebuilt from the Kaggle 'Customer Support on Twitter' CSV."""

    def test_threads_rebuilt_in_time_order(self, tmp_path: Path) -> None:
        path = tmp_path / "twcs.csv"
        path.write_text(TWCS)
        first, second = read(path)
        assert first.id == "1"
        assert first.channel is Channel.SOCIAL
        assert [t.role for t in first] == [Role.CUSTOMER, Role.AGENT, Role.CUSTOMER]
        assert first.turns[1].time - first.turns[0].time == 73.0
        assert first.meta["company"] == "AcmeHelp"
        assert len(second) == 1

    def test_bad_time_names_line_and_field(self, tmp_path: Path) -> None:
        path = tmp_path / "twcs.csv"
        path.write_text(TWCS.replace("Wed Nov 01 08:00:00 +0000 2017", "yesterday"))
        with pytest.raises(FormatError, match=r"^twcs\.csv:5: created_at: invalid time 'yesterday'"):
            list(read(path))
        errors: list[FormatError] = []
        assert len(list(read(path, on_error="collect", errors=errors))) == 1
        assert len(errors) == 1

    @pytest.mark.skipif(not SAMPLE.exists(), reason="shared data not beside the checkout")
    def test_kaggle_sample_loads(self) -> None:
        threads = list(read(SAMPLE))
        assert sum(len(t) for t in threads) == 93


class TestCsv:
    """One row per turn, grouped by the id column."""

    def test_rows_grouped(self, tmp_path: Path) -> None:
        path = tmp_path / "turns.csv"
        path.write_text(
            "id,role,text,time,channel,agent\r\n"
            "c1,customer,Hi,2026-03-04T10:15:02Z,chat,a7\r\n"
            'c1,agent,"Hello, how can I help?",2026-03-04T10:15:30Z,chat,a7\r\n'
            "c2,customer,Anyone?,5,email,\r\n"
        )
        one, two = read(path)
        assert len(one) == 2
        assert one.meta == {"agent": "a7"}
        assert one.turns[1].time - one.turns[0].time == 28.0
        assert two.channel is Channel.EMAIL

    def test_missing_column(self, tmp_path: Path) -> None:
        path = tmp_path / "turns.csv"
        path.write_text("id,text\nc1,hi\n")
        with pytest.raises(FormatError, match=r"turns\.csv:1: missing column\(s\) role"):
            list(read(path))

    def test_unknown_role_reports_line(self, tmp_path: Path) -> None:
        path = tmp_path / "turns.csv"
        path.write_text("id,role,text\nc1,customer,hi\nc2,wizard,abracadabra\n")
        with pytest.raises(FormatError, match=r"turns\.csv:3: turns\[0\]\.role: unknown role 'wizard'"):
            list(read(path))


class TestCsvColumns:
    """Configurable CSV column names."""

    def test_renamed_columns(self, tmp_path: Path) -> None:
        path = tmp_path / "export.csv"
        path.write_text("call_id,who,utterance,at\nk1,customer,hello,1\nk1,agent,hi there,3\n")
        (call,) = read(
            path, "csv", columns={"id": "call_id", "role": "who", "text": "utterance", "time": "at"}
        )
        assert [t.time for t in call] == [1.0, 3.0]

    def test_missing_renamed_column_named_as_in_file(self, tmp_path: Path) -> None:
        path = tmp_path / "export.csv"
        path.write_text("call_id,utterance\nk1,hello\n")
        with pytest.raises(FormatError, match=r"missing column\(s\) who"):
            list(read(path, "csv", columns={"id": "call_id", "role": "who", "text": "utterance"}))

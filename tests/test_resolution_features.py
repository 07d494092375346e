"""The conversation-level n-gram featurizer the learned resolution scorer reads."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicescore import Role, Transcript, Turn
from servicescore._analysis import analyze
from servicescore.learn import DIALOG_GROUPS, RowBuilder, add_dialog_ngrams, hash_index

C, A, S = Role.CUSTOMER, Role.AGENT, Role.SYSTEM


def _row(turns, **kwargs):
    builder = RowBuilder(2**15)
    add_dialog_ngrams(builder, analyze(Transcript("t", turns)).turns, **kwargs)
    return builder.build()


def _dense(row, dims=2**15):
    out = np.zeros(dims)
    np.add.at(out, row.indices, row.values)
    return out


def test_spans_point_at_the_words_of_their_turn():
    turns = [Turn(C, "My card was declined."), Turn(A, "I've unblocked it."), Turn(C, "Works now, thanks!")]
    row = _row(turns)
    texts = [t.text for t in turns]
    for turn, start, end in zip(row.turns, row.starts, row.ends, strict=True):
        span = texts[turn][start:end]
        assert span and span == span.strip()
    lc = hash_index("lc:works now", 2**15)
    entries = zip(row.indices, row.turns, row.starts, row.ends, strict=True)
    assert {texts[t][s:e] for i, t, s, e in entries if i == lc} == {"Works now"}


def test_groups_and_weights():
    turns = [Turn(C, "broken"), Turn(A, "fixed"), Turn(C, "great")]
    dense = _dense(_row(turns))
    names = ("c:broken", "fc:broken", "rc:great", "lc:great", "la:fixed")
    col = {name: hash_index(name, 2**15) for name in names}
    assert dense[col["fc:broken"]] == pytest.approx(0.5 * dense[col["c:broken"]])
    assert dense[col["rc:great"]] == pytest.approx(dense[col["lc:great"]])
    assert dense[col["la:fixed"]] > 0
    assert dense[hash_index("rc:broken", 2**15)] == 0  # the opening is not a reply


def test_system_lines_and_empty_conversations_add_nothing():
    assert len(_row([Turn(S, "Ticket marked as solved")])) == 0
    with_system = _row([Turn(C, "help"), Turn(S, "Ticket marked as solved"), Turn(A, "done")])
    without = _row([Turn(C, "help"), Turn(A, "done")])
    assert np.allclose(_dense(with_system), _dense(without))


def test_unknown_group_is_an_error():
    with pytest.raises(ValueError, match="unknown groups"):
        _row([Turn(C, "x")], groups={"zz:": 1.0})
    assert set(DIALOG_GROUPS) == {"c:", "a:", "lc:", "fc:", "la:", "rc:"}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([C, A]), st.text(alphabet="abc xyz.?!", min_size=1, max_size=30)),
        min_size=1,
        max_size=6,
    )
)
def test_bag_has_unit_norm_or_is_empty(lines):
    dense = _dense(_row([Turn(r, t) for r, t in lines]))
    norm = float(np.sqrt((dense**2).sum()))
    assert norm == pytest.approx(1.0) or norm == 0.0

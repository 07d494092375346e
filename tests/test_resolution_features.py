"""The conversation-level n-gram featurizer the learned resolution scorer reads."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicescore import Role, Transcript, Turn
from servicescore._analysis import analyze
from servicescore.learn import DIALOG_GROUPS, RowBuilder, add_dialog_ngrams, gram_columns

C, A, S = Role.CUSTOMER, Role.AGENT, Role.SYSTEM


def _row(turns, **kwargs):
    builder = RowBuilder(2**15)
    add_dialog_ngrams(builder, analyze(Transcript("t", turns)).turns, **kwargs)
    return builder.build()


def _col(name):
    group, gram = name.split(":", 1)
    return int(gram_columns(group + ":", [gram], 2**15)[0])


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
    lc = int(gram_columns("lc:", ["works now"], 2**15)[0])
    entries = zip(row.indices, row.turns, row.starts, row.ends, strict=True)
    assert {texts[t][s:e] for i, t, s, e in entries if i == lc} == {"Works now"}


def test_groups_and_weights():
    turns = [Turn(C, "broken"), Turn(A, "fixed"), Turn(C, "great")]
    dense = _dense(_row(turns))
    names = ("c:broken", "fc:broken", "rc:great", "lc:great", "la:fixed")
    col = {name: _col(name) for name in names}
    assert dense[col["fc:broken"]] == pytest.approx(0.5 * dense[col["c:broken"]])
    assert dense[col["rc:great"]] == pytest.approx(dense[col["lc:great"]])
    assert dense[col["la:fixed"]] > 0
    assert dense[_col("rc:broken")] == 0  # the opening is not a reply


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


def _reference(turns):
    """The n-gram bag as the docs define it, one gram at a time (slow, obviously right)."""
    analyses = analyze(Transcript("t", turns)).turns
    customer = [t for t in analyses if t.role is C]
    agent = [t for t in analyses if t.role is A]
    members = {"c:": customer, "a:": agent, "lc:": customer[-1:], "fc:": customer[:1]}
    members.update({"la:": agent[-1:], "rc:": customer[1:]})
    dense = np.zeros(2**15)
    for group, weight in DIALOG_GROUPS.items():
        for facts in members[group]:
            words = [t.norm for t in facts.tokens if t.kind in ("word", "number")]
            grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
            if grams:
                np.add.at(dense, gram_columns(group, grams, 2**15), weight)
    norm = np.sqrt((dense**2).sum())
    return dense / norm if norm else dense


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([C, A, S]), st.text(alphabet="ab 12.?é", min_size=0, max_size=25)),
        min_size=1,
        max_size=7,
    )
)
def test_vectorised_bag_equals_the_gram_by_gram_definition(lines):
    turns = [Turn(r, t) for r, t in lines if t.strip()]
    if not turns:
        return
    assert np.allclose(_dense(_row(turns)), _reference(turns), atol=1e-12)


def test_precomputed_turn_grams_give_the_same_row():
    from servicescore.learn import TurnGrams

    turns = [Turn(C, "My card was declined twice."), Turn(A, "I've unblocked it."), Turn(C, "Works now!")]
    analyses = analyze(Transcript("t", turns)).turns
    plain = RowBuilder(2**15)
    add_dialog_ngrams(plain, analyses)
    cached = RowBuilder(2**15)
    add_dialog_ngrams(cached, analyses, grams={t.index: TurnGrams(t) for t in analyses[:2]})
    a, b = plain.build(), cached.build()
    assert a.indices.tolist() == b.indices.tolist() and a.values.tolist() == b.values.tolist()
    with pytest.raises(ValueError, match="another n"):
        add_dialog_ngrams(RowBuilder(2**15), analyses, grams={0: TurnGrams(analyses[0], n=3)})


def test_evidence_shows_no_span_of_function_words_alone():
    """Evidence spans say something: none is made of function words only; negations stay readable."""
    from servicescore.cli import _sample
    from servicescore.scorers import ResolutionScorer
    from servicescore.scorers._resolution import _function_words, _only_function_words

    words = _function_words()
    assert {"for", "the", "it"} <= words and not {"no", "not", "never", "yes", "ok"} & words
    scorer = ResolutionScorer()
    shown = 0
    for transcript in _sample():
        for e in scorer(transcript).evidence:
            if e.category == "words":
                shown += 1
                assert not _only_function_words(e.cue), e.cue
                assert e.cue.lower() not in {"for", "the", "i'll", "it is"}, e.cue
    assert shown > 100


def test_builder_column_is_the_hashed_column():
    from servicescore.learn import hash_index

    assert [RowBuilder(2**15).column(n) for n in ("value", "d:confirmations")] == [
        hash_index(n, 2**15) for n in ("value", "d:confirmations")
    ]

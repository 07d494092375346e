"""Hypothesis strategies shared by the tests."""

from __future__ import annotations

from hypothesis import strategies as st

from servicescore import Channel, Role, Transcript, Turn

_words = st.sampled_from(
    ["sorry", "I'm", "NOT", "happy", "sooo", "bill", "😡", "thanks", "no", "problem", "@help", "um"]
)


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Service-like text with emoji, CAPS, negations and ASR fillers."""
    return " ".join(draw(st.lists(_words | st.text(max_size=8), max_size=8)))


@st.composite
def turns(draw: st.DrawFn, time: float | None = None) -> Turn:
    """One turn, optionally starting at *time*."""
    role = draw(st.sampled_from(list(Role)))
    end = None
    if time is not None and draw(st.booleans()):
        end = time + draw(st.floats(0, 60))
    return Turn(role, draw(texts()), time=time, end=end, speaker=draw(st.none() | st.just("s1")))


@st.composite
def transcripts(draw: st.DrawFn) -> Transcript:
    """A valid transcript with non-decreasing times (or none)."""
    n = draw(st.integers(0, 6))
    timed = draw(st.booleans())
    start = draw(st.floats(0, 2e9))
    gaps = draw(st.lists(st.floats(0, 3600), min_size=n, max_size=n))
    items, clock = [], start
    for gap in gaps:
        clock += gap
        items.append(draw(turns(clock if timed else None)))
    meta = draw(st.dictionaries(st.sampled_from(["agent", "team", "followers"]), st.text(max_size=5)))
    channel = draw(st.sampled_from(list(Channel)))
    return Transcript(draw(st.text(min_size=1, max_size=8)), items, channel, meta)

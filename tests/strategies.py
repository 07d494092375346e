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


@st.composite
def timed_service_transcripts(draw: st.DrawFn, voice: bool | None = None) -> Transcript:
    """A transcript whose turns all have whole-second times (and ends, for voice).

    Times are integers well inside float precision, so shifting or scaling
    them by powers of two is exact, as the latency properties need. Hold and
    transfer events appear as system turns.
    """
    if voice is None:
        voice = draw(st.booleans())
    channel = Channel.PHONE if voice else draw(st.sampled_from(list(Channel)))
    n = draw(st.integers(1, 8))
    clock = draw(st.integers(0, 2**31))
    items = []
    for _ in range(n):
        role = draw(st.sampled_from(list(Role)))
        text = draw(st.sampled_from(["hi", "Placed on hold", "Hold ended", "ok", "", "thanks!"]))
        clock += draw(st.integers(0, 7200) | st.integers(0, 30))
        end = None
        if voice and draw(st.booleans()):
            end = clock + draw(st.integers(0, 20))
        items.append(Turn(role, text, time=float(clock), end=None if end is None else float(end)))
        if end is not None:
            clock = max(clock, end - draw(st.integers(0, 5)))
    return Transcript("t", items, channel)


#: Agent sentences carrying an empathy cue, each with its negated form.
EMPATHY_CUES = (
    ("I'm sorry this happened.", "I'm not sorry this happened."),
    ("I understand why you are upset.", "I don't understand why you are upset."),
    ("That sounds really stressful.", "That doesn't sound stressful."),
    ("We apologise for the mistake.", "We won't apologise for the mistake."),
    ("I can see how frustrating this is.", "I can't see how this is frustrating."),
)
_FILLER_AGENT = (
    "Let me check the account.",
    "Your order number is 4471.",
    "The refund will take 3-5 days.",
    "I have reset the router remotely.",
)
_CUSTOMER_LINES = (
    "My internet has been down for three days.",
    "I was charged twice and I'm furious!!",
    "hi, quick question about my bill",
    "um yeah so the app keeps crashing",
    "Thanks.",
)


@st.composite
def empathy_cases(draw: st.DrawFn) -> tuple[Transcript, Transcript]:
    """A customer-agent exchange with an empathy cue, and the same with that cue negated."""
    cue, negated = draw(st.sampled_from(EMPATHY_CUES))
    before = draw(st.lists(st.sampled_from(_FILLER_AGENT), max_size=2))
    after = draw(st.lists(st.sampled_from(_FILLER_AGENT), max_size=2))
    customer = draw(st.sampled_from(_CUSTOMER_LINES))

    def make(line: str) -> Transcript:
        agent = " ".join([*before, line, *after])
        return Transcript("e", [Turn(Role.CUSTOMER, customer), Turn(Role.AGENT, agent)])

    return make(cue), make(negated)


# Words dense in VADER's rules: lexicon words in several cases and with
# punctuation, boosters (nltk's and vaderSentiment 3.3's), negations, idioms,
# "but", emphasis, emoji, elongations, links and service phrases.
_SENTIMENT_VOCABULARY = (
    "good Good GOOD great great, bad BAD happy sorry love terrible problem problems. worries "
    "complaints issues helpful! united kind please kindly stop thanks lol :) :-( :D no No NO least "
    "the very VERY so SO really extremely total utter slight kinda not NOT don't don’t isn't never "
    "without doubt this nor or at just enough kind of sort but BUT But, shit bomb ass yeah right "
    "kiss death to die for bus beating heart ! !!! ? ?? 😀 😡 🔛 © 💘x sooo goooood nooo Great. "
    "@help @united https://t.co/x www.example.com again third time yet"
)
_sentiment_words = st.sampled_from(_SENTIMENT_VOCABULARY.split())


@st.composite
def sentiment_texts(draw: st.DrawFn) -> str:
    """Service-like text dense in VADER's rule words (negations, boosters, idioms, "but", caps, emoji)."""
    words = draw(st.lists(_sentiment_words | st.text(max_size=4), max_size=24))
    gaps = draw(st.lists(st.sampled_from([" ", " ", " ", "  ", "\n", "", "\t"]), min_size=len(words)))
    return "".join(word + gap for word, gap in zip(words, gaps, strict=False))


_service_lines = {
    Role.CUSTOMER: [
        "My internet keeps dropping.",
        "still not working",
        "It works now, thanks!",
        "ok thanks",
        "perfect",
        "Oh wonderful, another form.",
        "I want to speak to a manager.",
        "cancel my account",
        "never mind",
        "This is the third time I've called.",
        "the light is green again",
        "any update?",
        "hello?",
        "bye",
    ],
    Role.AGENT: [
        "I've reset your router from our side.",
        "Please DM us your order number.",
        "I'll transfer you.",
        "Your refund has been processed.",
        "Unfortunately I can't do that.",
        "Could you try again now?",
        "We'll email you when we know more.",
        "Sorry about that!",
    ],
    Role.BOT: ["Ticket resolved!", "Please choose an option."],
    Role.SYSTEM: ["Ticket marked as solved.", "Agent joined the chat", "Call transferred"],
}


@st.composite
def service_dialogues(draw: st.DrawFn) -> Transcript:
    """A transcript of realistic customer-service lines in any role order (resolution cues of every kind)."""
    n = draw(st.integers(0, 8))
    items = []
    for _ in range(n):
        role = draw(st.sampled_from(list(Role)))
        text = draw(st.sampled_from(_service_lines[role]) | texts())
        items.append(Turn(role, text))
    return Transcript("d", items, draw(st.sampled_from(list(Channel))))


_sales_lines = {
    Role.CUSTOMER: [
        "My internet keeps dropping every evening.",
        "This is ridiculous, I'm furious.",
        "No thanks.",
        "Not interested.",
        "no",
        "I just want it fixed.",
        "Do you have a cheaper plan?",
        "Tell me more.",
        "I want to cancel my subscription.",
        "It works now, thanks!",
        "ok",
        "Sure.",
        "Maybe later.",
        "Please just cancel it.",
        "How much is it?",
        "still not working",
    ],
    Role.AGENT: [
        "Have you considered our premium fibre plan?",
        "I can also set you up with device protection.",
        "Would you like to add a second line for $10 a month?",
        "I've reset your router from our side.",
        "Are you sure?",
        "Before you go, I can offer you 50% off for six months.",
        "Let me check that for you.",
        "Your refund has been processed.",
        "While I have you, we have a great deal on streaming.",
        "Would you like me to check your connection?",
        "I can set up a payment plan for the balance.",
        "You're all set.",
        "Sorry about that!",
    ],
    Role.BOT: ["Join our rewards program today!", "Please choose an option."],
    Role.SYSTEM: ["Agent joined the chat"],
}

#: Pressure sentences: deadlines, scarcity and insistence.
PRESSURE_SENTENCES = (
    "This offer ends today.",
    "Only 3 left in stock!",
    "You should really act now.",
    "It's a limited time offer.",
    "Prices go up next week, so don't miss out.",
    "Hurry, this deal expires at midnight!",
)


@st.composite
def sales_dialogues(draw: st.DrawFn) -> Transcript:
    """A transcript mixing service lines, offers, refusals, requests and cancel requests in any order."""
    n = draw(st.integers(0, 8))
    items = []
    for _ in range(n):
        role = draw(st.sampled_from(list(Role)))
        text = draw(st.sampled_from(_sales_lines[role]) | texts())
        items.append(Turn(role, text))
    return Transcript("p", items, draw(st.sampled_from(list(Channel))))


@st.composite
def calibration_columns(draw: st.DrawFn) -> tuple[dict[str, object], list[float]]:
    """ScoreTable columns of the four default scores (in [0, 1], some nan) and a varying 1-5 outcome per row.

    Empathy always spans 0 to 1, so at least one score varies and ``calibrate`` can fit.
    """
    import math

    import numpy as np

    n = draw(st.integers(10, 40))
    value = st.floats(0, 1) | st.just(math.nan)
    columns: dict[str, object] = {"id": np.array([f"t{i}" for i in range(n)], dtype=object)}
    for name in ("empathy", "resolution", "pushiness", "latency"):
        values = draw(st.lists(value, min_size=n, max_size=n))
        if name == "empathy":
            values[:2] = [0.0, 1.0]
        columns[name] = np.array(values, dtype=np.float64)
    outcomes = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n).filter(lambda xs: len(set(xs)) > 1))
    return columns, [float(x) for x in outcomes]


#: Group labels as metadata may hold them: strings, numbers, booleans, missing, lists and dicts.
_group_labels = st.sampled_from(["a1", "a2", "b", 7, 7.5, True, None, ["x", 1], {"k": [1, 2]}])


@st.composite
def score_tables(draw: st.DrawFn, max_rows: int = 30) -> ScoreTable:  # noqa: F821
    """A small ScoreTable: ids, channels, starts (some missing), ``meta.agent`` labels of mixed JSON
    types, two scores with ``nan``, and ``experience``/``reach``/``impact`` (some public, some negative).
    """
    import math

    import numpy as np

    from servicescore import ScoreTable

    n = draw(st.integers(0, max_rows))

    def objects(values: list[object]) -> np.ndarray:
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array

    def floats(element: st.SearchStrategy[float]) -> np.ndarray:
        return np.array(draw(st.lists(element, min_size=n, max_size=n)), dtype=np.float64)

    unit = st.floats(0, 1) | st.just(math.nan)
    experience = floats(st.floats(-1, 1) | st.just(math.nan))
    reach = floats(st.sampled_from([1.0, 1.0, 51.0, 1801.0]))
    return ScoreTable(
        {
            "id": objects([f"t{i}" for i in range(n)]),
            "channel": objects(
                draw(st.lists(st.sampled_from(["chat", "social", "phone"]), min_size=n, max_size=n))
            ),
            "turns": np.ones(n),
            "start": floats(st.floats(1.7e9, 1.71e9) | st.just(math.nan)),
            "meta.agent": objects(draw(st.lists(_group_labels, min_size=n, max_size=n))),
            "empathy": floats(unit),
            "empathy.need": floats(unit),
            "latency": floats(unit),
            "experience": experience,
            "reach": reach,
            "impact": experience * (1 + np.log10(reach)),
        }
    )


#: Records that :meth:`Transcript.from_dict` rejects, and an input that is no record at all.
BROKEN_RECORDS = (
    {"id": "b-turns", "channel": "chat", "turns": 5},
    {"channel": "chat", "turns": []},
    {"id": "b-role", "channel": "chat", "turns": [{"role": "wizard", "text": "?"}]},
    {"id": "b-channel", "channel": "pigeon", "turns": []},
    42,
)


@st.composite
def batch_inputs(draw: st.DrawFn) -> list[tuple[object, bool]]:
    """A batch in random order: ``(input, scorable)`` pairs of transcripts, their records, broken
    records, and transcripts whose metadata holds ``"fail"`` (for a test scorer that raises on them)."""
    items: list[tuple[object, bool]] = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["transcript", "record", "broken", "fail"]))
        if kind == "broken":
            items.append((draw(st.sampled_from(BROKEN_RECORDS)), False))
            continue
        transcript = draw(transcripts())
        if kind == "fail":
            failing = Transcript(transcript.id, transcript.turns, transcript.channel, {"fail": 1})
            items.append((failing, False))
        else:
            items.append((transcript if kind == "transcript" else transcript.to_dict(), True))
    return items


@st.composite
def live_dialogues(draw: st.DrawFn) -> Transcript:
    """A timed (or untimed) dialogue of upset customers, offers, refusals, empathy cues and slow replies,
    in any role order: the situations live alerts are about."""
    n = draw(st.integers(0, 10))
    timed = draw(st.booleans())
    channel = draw(st.sampled_from(list(Channel)))
    clock = float(draw(st.integers(0, 2**31)))
    lines = {
        Role.CUSTOMER: [*_sales_lines[Role.CUSTOMER], *_CUSTOMER_LINES],
        Role.AGENT: [*_sales_lines[Role.AGENT], *_FILLER_AGENT, *(cue for cue, _ in EMPATHY_CUES)],
        Role.BOT: _sales_lines[Role.BOT],
        Role.SYSTEM: ["Agent joined the chat", "Customer placed on hold", "Hold ended"],
    }
    items = []
    for _ in range(n):
        role = draw(st.sampled_from(list(Role)))
        clock += draw(st.integers(0, 30) | st.integers(0, 7200))
        items.append(Turn(role, draw(st.sampled_from(lines[role])), time=clock if timed else None))
    return Transcript("live", items, channel)

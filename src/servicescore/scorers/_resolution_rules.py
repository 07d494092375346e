"""The resolution rules: cue readings whose facts the learned resolution scorer reads.

:class:`ResolutionRules` is the hand-set cue scorer servicescore shipped
before the learned model (see docs/explanation/resolution.md). It still runs,
turn by turn, inside :class:`~servicescore.scorers.ResolutionScorer`: its counts, sentiment trajectory and
value are features of the model (see :mod:`servicescore.scorers._resolution`).
"""

from __future__ import annotations

import bisect
import functools
import heapq
import itertools
import math
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

import attrs

from .._analysis import Analysis, Hit, TurnAnalysis, analyze
from .._incremental import ScoreAccumulator, accumulate
from .._lexicon import Lexicon
from .._model import Role, Transcript
from .._nlp import stem
from .._score import Evidence, Score
from .._text import NEGATORS, Sentence, Token

__all__ = ["ResolutionRules"]

# -- how the lexicon's categories count -----------------------------------------
#
# Every cue of the "resolution" lexicon has a non-negative strength; these signs
# say which way its category moves the value. Gains are hand-set on the bundled
# sample (src/servicescore/data/sample.jsonl), never on validation data; see
# docs/explanation/resolution.md.

#: Sign and gain of each customer category (per unit of cue weight).
CUSTOMER_SIGNS: Mapping[str, float] = MappingProxyType(
    {
        "confirm": 1.0,
        "relief": 1.0,
        "praise": 1.0,
        "gratitude": 1.0,
        "closure": 1.0,
        "acceptance": 1.0,
        "persistence": -1.0,
        "problem": -1.0,
        "complaint": -1.0,
        "repeat_contact": -1.0,
        "escalation": -1.0,
        "cancellation": -1.0,
        "sarcasm": -1.0,
        "sarcasm_maybe": -1.0,
        "abandon": -1.0,
        "disappointment": -1.0,
        "resignation": -1.0,
        "burden": -1.0,
        "unanswered": -1.0,
        "neutral": 0.0,
    }
)
#: Gain of each agent category (per unit of cue weight); completed actions
#: count less than a customer's own confirmation (FCR practice: resolution is
#: what the customer confirms).
AGENT_GAINS: Mapping[str, float] = MappingProxyType(
    {
        "action": 0.8,
        "agent_ack": 0.5,
        "promise": 0.4,
        "deflection": -1.0,
        "refusal": -0.7,
        "pending": -0.6,
        "verify": -0.5,
        "non_answer": -1.0,
        "system_claim": 0.0,
        "courtesy": 0.0,
        "wrap_up": 0.0,
    }
)
#: Categories whose positive reading depends on what happened before: thanks
#: or "bye" after a fix close a resolved case, after a deflection they are a
#: polite exit (the issue's "thanks followed by leaving").
LIGHT = frozenset({"gratitude", "closure", "acceptance", "praise"})
#: Customer categories that confirm the outcome directly.
CONFIRMING = frozenset({"confirm", "relief"})
#: Categories that still count in the customer's opening turns (before any
#: agent reply): the rest there only describe the problem.
OPENING_CATEGORIES = frozenset({"repeat_contact", "escalation", "cancellation", "sarcasm"})
#: Negative categories about the process rather than the problem; halved in a
#: turn that also confirms the fix ("worked, thanks. but 90 minutes on hold!").
PROCESS_COMPLAINTS = frozenset({"complaint", "burden", "resignation"})

#: Each customer turn counts this much less than the next one: the last turn
#: weighs 1, the one before 0.5, and so on (what the customer says at the end
#: decides).
RECENCY = 0.5
#: Customer opening turns (before the first agent reply) count at most this much.
OPENING_FACTOR = 0.5
#: The net evidence of one customer turn is clipped to ``[-TURN_CAP, TURN_CAP]``.
TURN_CAP = 3.0
#: Light positives count this share when nothing was done yet (an answer to a
#: question, no action, no deflection).
NEUTRAL_LIGHT = 0.6
#: Thanks or good-bye after a deflection, refusal or complaint count as a
#: polite exit with this share of their weight, negatively.
POLITE_EXIT = 0.5
#: An ambiguous sarcasm cue ("oh great", "so helpful") without a negative
#: context reads as mild praise with this share of its weight.
SINCERE_SHARE = 0.5
#: A sentence later in a turn weighs more: from ``1 - SENTENCE_TILT`` for the
#: first to 1 for the last.
SENTENCE_TILT = 0.3
#: An opening customer turn at or below this sentiment brought a problem
#: (VADER's conventional cut is -0.05; -0.2 keeps neutral questions out).
OPENING_UPSET = -0.2
#: Weight of a confirmation told with "now" / "finally" and no cue ("it's
#: showing up now", "finally through").
INDIRECT_CONFIRM = 1.2
#: Negated persistence ("not the same error") reads as this share of a confirmation.
NEGATED_PERSISTENCE = 0.5
#: Caps on the summed agent evidence (before gains) per kind.
ACTION_CAP = 1.5
DEFLECTION_CAP = 2.0
REFUSAL_CAP = 1.5
PENDING_CAP = 1.0
#: Deflections, refusals and pending notices followed by a completed action or
#: a customer confirmation count only this much ("DM us" then a refund).
OVERTAKEN = 0.25
#: Complaints before a later completed action were answered by it: they
#: count this share (a cancellation request that was carried out, none).
ANSWERED = 0.5
#: A final customer question that nobody answered.
OPEN_QUESTION = 0.6
#: Sentiment trajectory: gains on the final customer sentiment and on its change
#: since the opening (VADER compound, [-1, 1]).
SENTIMENT_END_GAIN = 0.8
SENTIMENT_CHANGE_GAIN = 0.4
#: A customer clause with no cue that reports a state ("the light's solid green",
#: "her balance hasn't moved") counts this much, signed by its reading: the
#: clause's own sentiment, negation, and what it shares with the opening
#: complaint (its symptom words, or the state the customer said was missing).
STATE_REPORT = 1.0
#: A neutral statement of fact ("done, 4G icon's up") after the agent did or
#: asked for something: the outcome the customer reports, mildly positive.
NEUTRAL_REPORT = 0.5
#: An agent sentence "I've <verb>ed ..." (first person, past tense) that no cue
#: matched is a completed action at this strength (a lexicon action is 1).
GENERIC_ACTION = 0.8
#: "Is there anything else I can help with?" when nothing was done or answered.
NON_ANSWER = 1.0
#: Default label thresholds on the value.
RESOLVED_THRESHOLD = 0.6
UNRESOLVED_THRESHOLD = 0.4

_CUSTOMER_CATEGORIES = frozenset(CUSTOMER_SIGNS)
#: Cues that leave room for a "now" confirmation in the same sentence ("so helpful, it opens now").
_SOFT = frozenset({"praise", "sarcasm_maybe", "gratitude", "closure", "acceptance", "resignation"})
_AUXILIARIES = frozenset(
    {
        "have",
        "has",
        "had",
        "did",
        "do",
        "does",
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "would",
        "will",
        "should",
        "shall",
        "may",
    }
)
_AGENT_CATEGORIES = frozenset(AGENT_GAINS)
_NOW_WORDS = frozenset({"now", "finally"})
#: "now" in these pairs is no report of a changed state.
_NOW_EXCLUDED = frozenset({"right", "for", "by", "until", "till", "what", "just", "how", "from"})
_REQUEST_WORDS = frozenset(
    {"need", "want", "please", "can", "could", "would", "will", "should", "must", "pls"}
)
_CONDITIONAL = frozenset({"if", "once", "when", "after", "before", "until", "unless", "whether"})
_INTERJECTIONS = frozenset({"oh", "ok", "okay", "well", "um", "uh", "ah", "yeah", "hmm", "so"})
_SUBJECTS = frozenset({"it", "that", "this", "everything", "i", "we", "the", "all", "its", "thats", "they"})
_LABELS = ("resolved", "unresolved", "unclear")
#: Words that open a contrast inside a sentence ("it arrived, but it's another small").
_CONTRAST = frozenset({"but", "however", "though", "although", "except", "whereas", "unfortunately"})
#: Words that turn a clause into a plan, a wish or a request rather than a report.
_NOT_REPORT = frozenset(
    {
        "will",
        "if",
        "hope",
        "hopefully",
        "please",
        "pls",
        "plz",
        "need",
        "needs",
        "want",
        "wants",
        "wanted",
        "going",
    }
)
#: Function words left out of the overlap with the opening complaint.
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "up",
        "out",
        "off",
        "it",
        "its",
        "it's",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "am",
        "'s",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "they",
        "them",
        "their",
        "he",
        "she",
        "her",
        "his",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "not",
        "no",
        "never",
        "just",
        "now",
        "still",
        "again",
        "keep",
        "keeps",
        "kept",
        "get",
        "got",
        "getting",
        "since",
        "when",
        "then",
        "than",
        "as",
        "all",
        "any",
        "some",
        "very",
        "really",
        "um",
        "uh",
        "ok",
        "okay",
        "yeah",
        "hi",
        "hello",
        "oh",
        "also",
        "too",
        "what",
        "which",
        "who",
        "how",
        "why",
        "where",
        "every",
        "time",
        "today",
        "yesterday",
        "morning",
        "night",
        "week",
        "day",
        "hour",
    }
)
#: Interjections and formulas that carry no report of a state ("okay", "yeah", "cheers").
_FILLER_WORDS = frozenset(
    {
        "oh",
        "ok",
        "okay",
        "well",
        "um",
        "uh",
        "ah",
        "yeah",
        "yes",
        "yep",
        "yup",
        "hmm",
        "mm",
        "so",
        "right",
        "alright",
        "cool",
        "hi",
        "hey",
        "hello",
        "thanks",
        "thank",
        "cheers",
        "ta",
        "wow",
        "lol",
        "haha",
        "sure",
    }
)
#: Negators that are a state in themselves ("nothing's come on").
_NEGATIVE_PRONOUNS = frozenset({"nothing", "none", "nobody", "nowhere", "neither", "without"})
#: Currency signs and units after which a number in the complaint is a symptom ("£40 fee", "4,200 units").
_AMOUNT_BEFORE = frozenset({"£", "$", "€", "¥"})
_AMOUNT_AFTER = frozenset({"units", "unit", "kwh", "pounds", "dollars", "euros", "gb", "mb", "%"})
#: Verbs that start an agent instruction ("hold the button", "pull down to refresh").
_INSTRUCTIONS = frozenset(
    {
        "please",
        "try",
        "press",
        "hold",
        "restart",
        "reboot",
        "update",
        "pull",
        "pop",
        "scan",
        "check",
        "run",
        "refresh",
        "click",
        "tap",
        "open",
        "log",
        "turn",
        "unplug",
        "plug",
        "reinstall",
        "install",
        "clear",
        "reset",
        "switch",
        "select",
        "enter",
        "type",
        "follow",
        "sign",
        "register",
        "give",
        "remove",
        "insert",
    }
)
#: Subjects of a completed action besides "I" and "we" ("the crew restored the feeder").
_ACTORS = frozenset(
    {"i", "we", "crew", "team", "engineer", "engineers", "technician", "technicians", "courier", "driver"}
)
#: Words between the subject and the verb of an action ("I've just gone ahead and ...").
_ACTION_FILLERS = frozenset(
    {
        "have",
        "has",
        "had",
        "just",
        "now",
        "already",
        "also",
        "re",
        "-",
        "successfully",
        "manually",
        "gone",
        "went",
        "ahead",
        "and",
        "quickly",
        "finally",
        "personally",
    }
)
#: Past tenses that are no completed fix (asking, passing on, looking, noting).
_NOT_ACTIONS = frozenset(
    {
        "asked",
        "worked",
        "passed",
        "forwarded",
        "referred",
        "escalated",
        "flagged",
        "logged",
        "noted",
        "noticed",
        "checked",
        "looked",
        "tried",
        "wanted",
        "needed",
        "called",
        "contacted",
        "apologised",
        "apologized",
        "understood",
        "received",
        "reported",
        "explained",
        "mentioned",
        "confirmed",
        "requested",
        "reached",
        "messaged",
        "replied",
        "responded",
        "opened",
        "created",
        "submitted",
        "filed",
        "answered",
        "advised",
        "informed",
        "spoke",
        "spoken",
        "said",
        "told",
        "heard",
        "seen",
        "read",
        "been",
        "had",
        "tested",
        "investigated",
        "reviewed",
        "expected",
        "hoped",
        "liked",
        "loved",
        "sorry",
        "afraid",
        "glad",
        "pleased",
        "happy",
        "unable",
        "supposed",
        "used",
        "based",
    }
)
#: Irregular past participles of fixing verbs.
_IRREGULAR_ACTIONS = frozenset(
    {
        "sent",
        "put",
        "made",
        "taken",
        "took",
        "set",
        "done",
        "given",
        "gave",
        "paid",
        "rebuilt",
        "built",
        "resent",
        "rewritten",
        "undone",
        "brought",
        "bought",
        "found",
        "got",
        "won",
        "swept",
        "cut",
        "rung",
    }
)


# -- derived sets (precomputed for the hot loops) -------------------------------

#: Customer categories that count for resolution, and those against it.
_POSITIVE = frozenset(c for c, sign in CUSTOMER_SIGNS.items() if sign > 0)
_NEGATIVE = frozenset(c for c, sign in CUSTOMER_SIGNS.items() if sign < 0)
#: Negative categories that make a negative context for praise (sarcasm cues that
#: may be sincere and resignation do not).
_CONTEXT_NEGATIVE = _NEGATIVE - {"sarcasm_maybe", "resignation"}
#: Customer categories by which an opening turn brings a problem.
_UPSET = frozenset({"persistence", "problem", "complaint", "sarcasm", "burden"})
#: Agent categories that send the customer away.
_AWAY = frozenset({"deflection", "refusal", "pending", "non_answer"})
#: Agent categories by which the agent did, promised or asked for something.
_PROMPTING = frozenset({"action", "promise", "verify", "agent_ack"})
#: Agent categories that claim something was or will be done.
_DOING = frozenset({"action", "agent_ack", "promise"})
_ACTORS_OR_AND = _ACTORS | {"and"}
#: A word ending in "ed" among a turn's normalised words joined by spaces.
_ENDS_IN_ED = re.compile(r"ed(?: |$)")
#: Caps on the summed agent evidence (before gains) per category.
_CAPS: Mapping[str, float] = MappingProxyType(
    {
        "action": ACTION_CAP,
        "agent_ack": ACTION_CAP,
        "promise": ACTION_CAP,
        "deflection": DEFLECTION_CAP,
        "non_answer": DEFLECTION_CAP,
        "refusal": REFUSAL_CAP,
        "pending": PENDING_CAP,
        "verify": 1.0,
    }
)
#: Agent categories a later complaint undoes (unless a later confirmation settles it).
_UNDONE_BY_COMPLAINT = frozenset({"action", "promise"})
_CUSTOMER = Role.CUSTOMER
_AGENT = Role.AGENT
_EVIDENCE_ORDER = operator.attrgetter("turn", "start", "end")

#: ``RECENCY == 2.0 ** -_RECENCY_SHIFT``: the customer term is kept as a sum rescaled by
#: powers of two (see :class:`_CustomerTerm`), the same additions exactly.
_RECENCY_SHIFT = round(-math.log2(RECENCY))
if 2.0**-_RECENCY_SHIFT != RECENCY:  # pragma: no cover - a guard on the constants above
    raise ValueError(f"RECENCY must be a power of two (got {RECENCY})")
#: The rescaled sum is exact while every addend stays a normal float: up to this
#: rescaling exponent (about 900 customer turns), and for item weights (after the
#: turn's cap) in this range; beyond, the term is summed directly when read.
_RESCALED_EXPONENT = 900
_RESCALED_RANGE = (2.0**-100, 2.0**60)
#: An evidence weight below this (absolute) rounds to a signed zero at four digits.
_SETTLED = 4e-5


@functools.cache
def _default_lexicon() -> Lexicon:
    return Lexicon.load("resolution")


#: The turns each half of the split lexicon is matched on.
_SPLIT_ROLES = (frozenset({Role.CUSTOMER}), frozenset(Role) - {Role.CUSTOMER})


@functools.lru_cache(maxsize=32)
def _split(lexicon: Lexicon) -> tuple[Lexicon, Lexicon]:
    """Split *lexicon* into the customer and the agent/system cue sets (matched separately)."""
    customer = Lexicon(
        f"{lexicon.name}:customer",
        [c for c in lexicon.cues if c.category in _CUSTOMER_CATEGORIES],
        lexicon.version,
    )
    agent = Lexicon(
        f"{lexicon.name}:agent", [c for c in lexicon.cues if c.category in _AGENT_CATEGORIES], lexicon.version
    )
    return customer, agent


@functools.lru_cache(maxsize=32)
def _requests(lexicon: Lexicon) -> tuple[tuple[Lexicon, frozenset[Role]], ...]:
    """The customer and agent halves of *lexicon*, each with the roles it is matched on."""
    return tuple(zip(_split(lexicon), _SPLIT_ROLES, strict=True))


def _negated(facts: TurnAnalysis, hit: Hit) -> bool:
    """Whether a negator really governs *hit* (``"no it works now"`` is an answer, not a negation)."""
    if not hit.negated:
        return False
    tokens = facts.tokens
    sentence = facts.sentences[facts.sentence_of(hit.first)]
    k = hit.first - 1
    while k >= sentence.first and tokens[k].norm not in NEGATORS:
        k -= 1
    if k < sentence.first or tokens[k].norm != "no":
        return True
    before = [t.norm for t in tokens[sentence.first : k] if t.kind == "word"]
    after = tokens[k + 1] if k + 1 < len(tokens) else None
    return not (all(w in _INTERJECTIONS for w in before) and after is not None and after.norm in _SUBJECTS)


def _is_action_verb(word: str) -> bool:
    """Whether *word* reads as the past tense of a doing verb ("flushed", "taken")."""
    if word in _IRREGULAR_ACTIONS:
        return True
    return len(word) > 4 and word.endswith("ed") and word not in _NOT_ACTIONS


def _first_token(facts: TurnAnalysis, offset: int) -> int:
    """Index of the first token of *facts* that ends after character *offset*."""
    tokens = facts.tokens
    k = bisect.bisect_right(tokens, offset, key=_token_end)  # token ends never decrease
    return k if k < len(tokens) else len(tokens) - 1


def _token_end(token: Token) -> int:
    return token.end


def _sentence_at(facts: TurnAnalysis, offset: int) -> int:
    """Index of the sentence of *facts* that holds character *offset*."""
    return facts.sentence_of(_first_token(facts, offset))


def _first_word(tokens: tuple[Token, ...], sentence: Sentence) -> str:
    """The normalised first word of *sentence* (``""`` if it has none)."""
    for k in range(sentence.first, sentence.last):
        if tokens[k].kind == "word":
            return tokens[k].norm
    return ""


#: A token's normalised form (``Token.norm``), for C-level scans of a whole turn.
_norm = operator.attrgetter("norm")


def _mentions(tokens: tuple[Token, ...], words: frozenset[str]) -> bool:
    """Whether any token of *tokens* is one of *words*: a cheap test before a per-sentence walk."""
    return not words.isdisjoint(map(_norm, tokens))


def _clauses(tokens: tuple[Token, ...], sentence: Sentence) -> list[tuple[int, int, bool]]:
    """Split a sentence at contrasts, "and" and semicolons: ``(first, last, after_a_contrast)``."""
    pieces: list[tuple[int, int, bool]] = []
    begin, contrasted = sentence.first, False
    for k in range(sentence.first, sentence.last):
        norm = tokens[k].norm
        if norm in _CONTRAST or norm in {"and", ";"}:
            if k > begin:
                pieces.append((begin, k, contrasted))
            begin, contrasted = k + 1, norm in _CONTRAST or (contrasted and k == begin)
    if begin < sentence.last:
        pieces.append((begin, sentence.last, contrasted))
    return pieces


class _Item(NamedTuple):
    """One counted cue: where, what, and its signed contribution before recency."""

    hit: Hit | None
    turn: int
    start: int
    end: int
    cue: str
    category: str
    weight: float


#: A customer cue that counts: its hit, category and weight (after negation)
#: and the index of its sentence.
_CustomerCue = tuple[Hit, str, float, int]


def _net(items: Iterable[_Item]) -> float:
    """The summed weight of *items* (``0``, an int, when there is none: ``sum``'s start)."""
    return sum(item.weight for item in items)


class _CustomerTurn(NamedTuple):
    turn: int
    #: Whether it came before the first agent reply.
    opening: bool
    #: The net weight of its items.
    net: float
    #: Its sentiment (turned negative when it reads as sarcastic).
    sentiment: float


def _label(value: float, resolved: float, unresolved: float) -> str:
    if value >= resolved:
        return "resolved"
    if value <= unresolved:
        return "unresolved"
    return "unclear"


def _check_thresholds(instance: ResolutionRules, attribute: attrs.Attribute[float], value: float) -> None:
    if not isinstance(value, float | int) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a number in [0, 1] (got {value!r})")


@attrs.frozen(kw_only=True)
class ResolutionRules:
    """Scores how clearly a problem was resolved; value in ``[0, 1]``, higher = more clearly resolved.

    What the customer says at the end decides: each customer turn counts half
    as much as the next one. Evidence for resolution is the customer's own
    confirmation, direct (``that fixed it``) or indirect (``it's showing up
    now``, ``the light is green again``, ``I can log in``, ``perfect``), thanks
    and closure after something was done, and the agent's completed actions
    (``I've refunded``, ``has been reset``, ``is now active``), which count
    less than a confirmation and not at all once the customer complains after
    them. Evidence against is persistence (``still``, ``same error``, ``it
    keeps crashing``, a negated fix ``it is not working``), repeat contact,
    escalation, cancellation, sarcasm (positive words in a negative
    situation: ``oh wonderful, another form``), polite non-resolution
    (``ok thanks anyway, I'll figure it out myself``; thanks after a
    deflection), and agent deflection (transfers, ``please DM us``, ``ring our
    helpline``, a help page as the only answer), refusals and pending
    hand-offs. Negation flips cues (``not fixed`` is persistence, ``no longer
    getting the error`` a confirmation). A customer clause with no cue is
    read as a report of the state (``the light's solid green``, ``her
    balance hasn't moved``): by its own sentiment, a negation, a repeated
    symptom word of the opening complaint, the state the opening said was
    missing (``won't drain`` - ``it's draining``) and a let-down after
    ``but``; a neutral report of fact after the agent did or asked for
    something counts mildly positive. The customer's sentiment at the end,
    and its change since the opening, adds a little. SYSTEM and BOT lines are
    never evidence: a "ticket marked as solved" line changes nothing.

    The signed evidence sum maps to ``[0, 1]`` with a logistic curve: ``0.5``
    means no evidence either way. ``details["label"]`` is ``"resolved"`` at or
    above *resolved_threshold*, ``"unresolved"`` at or below
    *unresolved_threshold*, else ``"unclear"``. The value is ``None`` without
    a customer turn or without a human agent turn. Scores are computed turn by
    turn through :meth:`start`, so a live session's score after each turn is
    the batch score of the turns so far.

    Evidence: every cue that counted, with its signed contribution as weight;
    cancelled agent actions and ignored system claims with weight 0; the
    sentiment trajectory and an unanswered final question as whole-turn facts;
    state reports (``state_confirm``, ``state_report``, ``state_problem``) on
    the clause they read.

    ``details``: ``label``; counts ``confirmations``, ``closures`` (thanks,
    good-byes and acceptances that counted positively), ``completed_actions``
    (that counted), ``cancelled_actions``, ``persistence``, ``complaints``,
    ``deflections``, ``refusals``, ``pending``, ``escalations``,
    ``cancellations``, ``sarcasm``, ``repeat_contact``, ``abandonment``
    (polite non-resolution), ``system_claims``, ``customer_turns``,
    ``agent_turns``, ``customer_replies`` (customer turns after the first
    agent reply); ``sentiment_start`` and ``sentiment_end`` (customer
    sentiment in the opening and in the last reply, ``nan`` without a reply),
    ``sentiment_change``; ``final_balance`` (net evidence of the last
    customer reply, ``nan`` without one); ``evidence_sum`` (the logit).

    Args:
        lexicon: The cue lexicon (default: the shipped ``"resolution"``
            lexicon); extend it with :meth:`Lexicon.extend
            <servicescore.Lexicon.extend>`.
        resolved_threshold: Lowest value labelled ``"resolved"``.
        unresolved_threshold: Highest value labelled ``"unresolved"``; below
            *resolved_threshold*.
        name: The name the score is reported under.

    Raises:
        ValueError: If a threshold lies outside ``[0, 1]`` or the thresholds
            are not ordered.

    >>> from servicescore import Transcript, Turn, Role
    >>> fixed = Transcript("t", [
    ...     Turn(Role.CUSTOMER, "My router light keeps blinking red."),
    ...     Turn(Role.AGENT, "I've reset the line from our side, could you restart it?"),
    ...     Turn(Role.CUSTOMER, "ok the light is green again, thanks!"),
    ... ])
    >>> score = ResolutionRules()(fixed)
    >>> score.details["label"], score.value > 0.8
    ('resolved', True)
    >>> still = Transcript("t", fixed.turns[:2] + (Turn(Role.CUSTOMER, "Nope, still blinking red."),))
    >>> ResolutionRules()(still).details["label"]
    'unresolved'
    """

    lexicon: Lexicon = attrs.field(factory=_default_lexicon, validator=attrs.validators.instance_of(Lexicon))
    resolved_threshold: float = attrs.field(default=RESOLVED_THRESHOLD, validator=_check_thresholds)
    unresolved_threshold: float = attrs.field(default=UNRESOLVED_THRESHOLD, validator=_check_thresholds)
    name: str = attrs.field(default="resolution", validator=attrs.validators.instance_of(str))

    def __attrs_post_init__(self) -> None:
        if not self.unresolved_threshold < self.resolved_threshold:
            raise ValueError(
                "unresolved_threshold must be below resolved_threshold "
                f"(got {self.unresolved_threshold} >= {self.resolved_threshold})"
            )

    def lexicon_requests(self) -> tuple[tuple[Lexicon, frozenset[Role]], ...]:
        """The lexicons this scorer reads, each with the roles whose turns it is matched on.

        The customer cues are read on customer turns, the agent cues on the
        others; a suite matches them together with its other scorers' lexicons.
        """
        return _requests(self.lexicon)

    def start(self, transcript: Transcript) -> ScoreAccumulator:
        """A fresh accumulator: feed it each turn's facts in order, read its ``score()`` at any time."""
        return _ResolutionAccumulator(self)

    def __call__(self, item: Transcript | Analysis, /) -> Score:
        """Score one transcript (or its analysis)."""
        return accumulate(self, analyze(item))


def _empty_details() -> dict[str, float | str]:
    details: dict[str, float | str] = dict.fromkeys(_DETAIL_KEYS, math.nan)
    details["label"] = "unclear"
    return details


_DETAIL_KEYS = (
    "label",
    "confirmations",
    "closures",
    "completed_actions",
    "cancelled_actions",
    "persistence",
    "complaints",
    "deflections",
    "refusals",
    "pending",
    "escalations",
    "cancellations",
    "sarcasm",
    "repeat_contact",
    "abandonment",
    "system_claims",
    "customer_turns",
    "agent_turns",
    "customer_replies",
    "sentiment_start",
    "sentiment_end",
    "sentiment_change",
    "final_balance",
    "evidence_sum",
)
#: The detail keys that count cues and turns.
_COUNT_KEYS = frozenset(_DETAIL_KEYS[1:19])

#: Which detail counter each counted category feeds.
_COUNTERS: Mapping[str, str] = MappingProxyType(
    {
        "confirm": "confirmations",
        "relief": "confirmations",
        "indirect_confirm": "confirmations",
        "gratitude": "closures",
        "closure": "closures",
        "acceptance": "closures",
        "praise": "closures",
        "persistence": "persistence",
        "problem": "persistence",
        "unanswered": "persistence",
        "complaint": "complaints",
        "burden": "complaints",
        "disappointment": "abandonment",
        "abandon": "abandonment",
        "polite_exit": "abandonment",
        "repeat_contact": "repeat_contact",
        "escalation": "escalations",
        "cancellation": "cancellations",
        "sarcasm": "sarcasm",
        "action": "completed_actions",
        "deflection": "deflections",
        "non_answer": "deflections",
        "state_confirm": "confirmations",
        "state_report": "confirmations",
        "state_problem": "persistence",
        "refusal": "refusals",
        "pending": "pending",
    }
)


class _Weighed(NamedTuple):
    """A customer turn with items, as the customer term counts it."""

    #: Its place among the customer turns (the last one is at recency 1).
    position: int
    #: Its items as read, and as counted (complaints a later action answered count less).
    items: list[_Item]
    counted: list[_Item]
    #: The scale that clips the counted items' net to ``TURN_CAP``.
    scale: float
    #: The largest absolute weight of an item.
    bound: float
    #: The rescaled sum of the customer turns before it.
    before: float


def _weigh(items: list[_Item], position: int, before: float, *, answered: bool) -> _Weighed:
    """A customer turn with items, as counted from rescaled sum *before*.

    After a later completed action (*answered*), complaints count
    :data:`ANSWERED` and cancellations nothing.
    """
    counted = items
    if answered:
        counted = [
            i._replace(weight=i.weight * (0.0 if i.category == "cancellation" else ANSWERED))
            if i.weight < 0
            else i
            for i in items
        ]
    net = _net(counted)
    scale = min(1.0, TURN_CAP / abs(net)) if net else 1.0
    return _Weighed(position, items, counted, scale, max([abs(i.weight) for i in items]), before)


class _CustomerTerm:
    """The recency-weighted customer evidence, read turn by turn.

    Each customer turn counts :data:`RECENCY` times the next one, so every
    weight changes with each new customer turn. As recency is a power of two,
    the sum is kept rescaled by ``RECENCY ** -position`` (the same additions,
    exactly) and scaled back by one ``ldexp`` when read. An evidence weight
    rounds to a signed zero once its turn is far enough back and stays so;
    only the evidence of the last few turns is built when read. A completed
    action re-weighs the customer turns since the previous one (their
    complaints were answered), each once.
    """

    __slots__ = ("answered", "count", "counts", "exact", "live", "settled", "sum", "turns")

    def __init__(self, counts: dict[str, int], count: int) -> None:
        self.counts = counts  # the detail counters (shared with the agent term)
        self.count = count  # the customer turns read (those before the first one with items included)
        self.turns: list[_Weighed] = []  # those with items
        self.sum = 0.0  # their rescaled sum
        self.exact = True  # whether the rescaled sum stayed in range (else: summed directly when read)
        self.answered = 0  # how many of them came before the last completed action
        #: Those whose evidence weights still change: (from how many customer turns on
        #: they no longer do, index), a heap.
        self.live: list[tuple[int, int]] = []
        self.settled: list[Evidence] = []  # the evidence of the others

    def add(self, items: list[_Item]) -> None:
        """Read the next customer turn's items."""
        position = self.count
        self.count += 1
        if items:
            turn = _weigh(items, position, self.sum, answered=False)
            self._count(turn.counted, 1)
            self.sum = self._fold(turn)
            # Its evidence weights round to zero (and stay so) from `back` turns later on:
            # bound / _SETTLED < 2 ** exponent <= RECENCY ** -back.
            exponent = math.frexp(turn.bound / _SETTLED)[1]
            back = max(0, -(-exponent // _RECENCY_SHIFT))
            heapq.heappush(self.live, (self.count + back, len(self.turns)))
            self.turns.append(turn)
        live = self.live
        while live and live[0][0] <= self.count:
            self.settled.extend(self._evidence(self.turns[heapq.heappop(live)[1]]))

    def answer(self) -> None:
        """A completed action: the customer turns so far were answered by it."""
        turns = self.turns
        if self.answered == len(turns):
            return
        total = turns[self.answered].before
        for k in range(self.answered, len(turns)):
            turn = turns[k]
            self._count(turn.counted, -1)
            turn = turns[k] = _weigh(turn.items, turn.position, total, answered=True)
            self._count(turn.counted, 1)
            total = self._fold(turn)
        self.sum, self.answered = total, len(turns)

    def total(self) -> float:
        """The customer evidence so far, summed in turn and item order."""
        exponent = _RECENCY_SHIFT * (self.count - 1)
        if self.exact and exponent <= _RESCALED_EXPONENT:
            return math.ldexp(self.sum, -exponent)
        total = 0.0
        for turn in self.turns:
            recency = RECENCY ** (self.count - 1 - turn.position)
            for item in turn.counted:
                total += item.weight * recency * turn.scale
        return total

    def evidence(self) -> list[Evidence]:
        """Every counted item, weighted by recency (the settled turns' first)."""
        turns = self.turns
        return [*self.settled, *itertools.chain.from_iterable(self._evidence(turns[k]) for _, k in self.live)]

    def _evidence(self, turn: _Weighed) -> list[Evidence]:
        recency = RECENCY ** (self.count - 1 - turn.position)
        scale = turn.scale
        return [
            Evidence(i.turn, i.start, i.end, i.cue, i.category, round(i.weight * recency * scale, 4))
            for i in turn.counted
        ]

    def _fold(self, turn: _Weighed) -> float:
        """The rescaled sum after *turn* (its items times ``RECENCY ** -position``)."""
        total = turn.before
        exponent = _RECENCY_SHIFT * turn.position
        if exponent > _RESCALED_EXPONENT:
            self.exact = False
        if not self.exact:
            return total
        scale = turn.scale
        low, high = _RESCALED_RANGE
        for item in turn.counted:
            value = item.weight * scale
            if value and not low <= abs(value) <= high:
                self.exact = False
                return total
            total += math.ldexp(value, exponent)
        return total

    def _count(self, items: list[_Item], step: int) -> None:
        counts = self.counts
        for item in items:
            if item.weight:
                key = _COUNTERS.get(item.category, item.category)
                counts[key] = counts.get(key, 0) + step


#: An item's turn index (``_Item.turn``), a sort key.
_item_turn = operator.attrgetter("turn")


def _counter(category: str, weight: float) -> str | None:
    """The detail counter an agent cue of *category* feeds with *weight* (``None``: none)."""
    if weight:
        return _COUNTERS.get(category, category)
    return "cancelled_actions" if category == "action" else None


class _AgentTerm:
    """Agent actions (undone by a later complaint) against deflections, refusals and pending notices.

    A cue's factor depends on what came after it: a later complaint or
    confirmation, a later completed action, any customer reply, and the last
    customer turn that said something. Each is kept as the last turn of its
    kind, so when one moves on, only the factors of the cues it passed change
    (and, when the customer's last word turns negative or back, those of the
    complained-of actions and promises). When read, the factors are brought
    up to date from the first cue a marker passed; the sums per capped
    category and the running total are kept per cue and re-added from the
    first cue whose factor or cap scale changed.
    """

    __slots__ = (
        "acknowledged",
        "acted",
        "complained",
        "confirmed",
        "counts",
        "cues",
        "factors",
        "first_doing",
        "members",
        "partial",
        "read",
        "replied",
        "said",
        "said_net",
        "scales",
        "spans",
        "sums",
        "weights",
    )

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts  # the detail counters (shared with the customer term)
        self.cues: list[_Item] = []
        self.members: dict[str, list[int]] = {}  # the cues of each capped category
        self.acknowledged: set[int] = set()  # the agent_ack cues right after a positive customer turn
        self.first_doing = -1  # the first action or promise
        # The last turn of each kind (-1: none yet): a customer reply, a complaint and a
        # confirmation (both after the first agent reply), an agent turn with a completed
        # action, a customer turn that said something (its net evidence in said_net).
        self.replied = self.complained = self.confirmed = self.acted = self.said = -1
        self.said_net = 0.0
        # When read: the markers then, each cue's factor and weight, the running sums
        # per capped category (before each of its cues) and in all (before each cue),
        # the cap scales, and each cue's evidence.
        self.read: tuple[int, int, int, int, int, float] | None = None
        self.factors: list[float] = []
        self.weights: list[float] = []
        self.sums: dict[str, list[float]] = {}
        self.partial = [0.0]
        self.scales: dict[str, float] = {}
        self.spans: list[Evidence | None] = []  # None: a verify cue that counts nothing

    def add_turn(self, turn: int, items: list[_Item], acts: bool, after_positive: bool) -> None:
        """Read an agent turn's items.

        *acts*: one is a completed action; *after_positive*: the customer turn
        before it was positive.
        """
        cues = self.cues
        for item in items:
            category, j = item.category, len(cues)
            if category in _CAPS:
                members = self.members.get(category)
                if members is None:
                    self.members[category] = [j]
                else:
                    members.append(j)
            if category in _UNDONE_BY_COMPLAINT:
                if self.first_doing < 0:
                    self.first_doing = j
            elif category == "agent_ack":
                if after_positive:
                    self.acknowledged.add(j)
            elif category == "system_claim":
                self.counts["system_claims"] = self.counts.get("system_claims", 0) + 1
            cues.append(item)
        if acts:
            self.acted = turn

    def add_customer(self, turn: int, opening: bool, net: float) -> None:
        """Read a customer turn of net evidence *net* (*opening*: before the first agent reply)."""
        self.replied = turn
        if net:
            if not opening and net < 0:
                self.complained = turn
            elif not opening:
                self.confirmed = turn
            self.said, self.said_net = turn, net

    def _factor(self, j: int, item: _Item) -> float:
        category, turn = item.category, item.turn
        if category == "system_claim":
            return 0.0
        complained = turn < self.complained
        confirmed = turn < self.confirmed
        if category in _UNDONE_BY_COMPLAINT and complained:
            # A complaint after the action undoes it, unless a later confirmation settles it.
            last_says = self.said_net if turn < self.said else 0.0
            return 0.0 if last_says < 0 or not confirmed else 1.0
        if category == "agent_ack":
            return 1.0 if j in self.acknowledged and not complained else 0.0
        if category in _AWAY and (turn <= self.acted or confirmed):
            return OVERTAKEN
        if category == "verify":
            # "Can you check now?" with no answer: the fix was never confirmed.
            return 0.0 if turn < self.replied else 1.0
        return 1.0

    def _stale(self) -> int:
        """The first cue whose factor may have changed since the last read."""
        if self.read is None:
            return 0
        cues, stale = self.cues, len(self.factors)
        replied, complained, confirmed, acted, said, said_net = self.read
        for before, now in (
            (replied, self.replied),
            (complained, self.complained),
            (confirmed, self.confirmed),
            (acted, self.acted),
            (said, self.said),
        ):
            if now != before:  # the cues after the marker's old turn may have changed
                stale = min(stale, bisect.bisect_right(cues, before, key=_item_turn))
        if (said_net < 0) != (self.said_net < 0) and self.first_doing >= 0:
            stale = min(stale, self.first_doing)
        return stale

    def refresh(self) -> None:
        """Bring the factors, sums and evidence up to date (a cache: no result depends on when)."""
        cues, factors = self.cues, self.factors
        count, known = len(cues), len(factors)
        first = count  # the first cue whose weight must be added again
        flipped: set[int] = set()  # the cues read before whose factor changed
        touched: dict[str, int] = {}  # the capped categories with a changed factor, from which cue
        for j in range(self._stale(), count):
            item = cues[j]
            factor = self._factor(j, item)
            if j < known:
                if factor == factors[j]:
                    continue
                factors[j] = factor
                flipped.add(j)
            else:
                factors.append(factor)
            if first == count:
                first = j
            category = item.category
            if category in _CAPS and category not in touched:
                touched[category] = j
        self.read = (self.replied, self.complained, self.confirmed, self.acted, self.said, self.said_net)
        if first == count:
            return
        rescaled: set[str] = set()  # the categories whose cap scale changed
        for category, j in touched.items():
            members = self.members[category]
            k = bisect.bisect_left(members, j)
            sums = self.sums.get(category)
            if sums is None:
                sums = self.sums[category] = [0.0]
            else:
                del sums[k + 1 :]
            total = sums[k]
            for m in members[k:]:
                if factors[m]:
                    total = total + cues[m].weight * factors[m]
                sums.append(total)
            scale = min(1.0, _CAPS[category] / total) if total > 0 else 1.0
            if scale != self.scales.get(category, 1.0):
                self.scales[category] = scale
                rescaled.add(category)
                first = min(first, members[0])
        self._add_from(first, flipped, rescaled)

    def _add_from(self, first: int, flipped: set[int], rescaled: set[str]) -> None:
        """Add the cues from *first* on again; new, *flipped* and *rescaled* ones weigh anew."""
        cues, factors, weights, spans, counts, scales = (
            self.cues,
            self.factors,
            self.weights,
            self.spans,
            self.counts,
            self.scales,
        )
        partial, known = self.partial, len(weights)
        del partial[first + 1 :]
        total = partial[first]
        for j in range(first, len(cues)):
            item = cues[j]
            category = item.category
            if j < known and j not in flipped and category not in rescaled:
                total += weights[j]
                partial.append(total)
                continue
            weight = AGENT_GAINS.get(category, 0.0) * item.weight * factors[j] * scales.get(category, 1.0)
            total += weight
            partial.append(total)
            if j == len(weights):
                weights.append(weight)
                spans.append(None)
            else:
                old = weights[j]
                if weight == old and math.copysign(1.0, weight) == math.copysign(1.0, old):
                    continue
                key = _counter(category, old)
                if key is not None:
                    counts[key] -= 1
                weights[j] = weight
            key = _counter(category, weight)
            if key is not None:
                counts[key] = counts.get(key, 0) + 1
            if category == "verify" and not weight:
                spans[j] = None
            else:
                shown = "cancelled_action" if category == "action" and not weight else category
                spans[j] = Evidence(item.turn, item.start, item.end, item.cue, shown, round(weight, 4))

    @property
    def total(self) -> float:
        """The agent evidence (after :meth:`refresh`)."""
        return self.partial[-1]

    def evidence(self) -> list[Evidence]:
        """Every counted cue, in cue order (after :meth:`refresh`)."""
        return list(filter(None, self.spans))


class _ResolutionAccumulator:
    """The running state of :class:`ResolutionRules` over one conversation, turn by turn.

    Each turn's items are read once, as it arrives, from what came before
    (the state of the case, whether the agent acted, the last agent turn);
    the customer and agent terms fold them (see :class:`_CustomerTerm` and
    :class:`_AgentTerm`), and the score is read from the folds. One input
    reaches back: the opening complaint's symptom words count only while no
    agent turn uses them, so an agent turn that repeats a symptom word a
    customer reply was read by makes the turns be read again, once per such
    word at most.
    """

    __slots__ = (
        "_complaint_stems",
        "acted",
        "agent",
        "agent_turns",
        "agent_words",
        "counts",
        "customer",
        "customer_turns",
        "first_reply",
        "first_sentiment",
        "hits",
        "last_agent",
        "last_customer",
        "last_entry",
        "last_reply",
        "opening_negative",
        "prompted",
        "replies",
        "scorer",
        "state",
        "symptom_words",
        "system_evidence",
        "turns",
        "used_symptoms",
    )

    def __init__(self, scorer: ResolutionRules) -> None:
        self.scorer = scorer
        # Every turn read so far, with its customer and agent cues.
        self.turns: list[TurnAnalysis] = []
        self.hits: list[Sequence[tuple[Hit, ...]]] = []  # (customer cues, agent cues)
        #: The opening complaint's stems (see :meth:`_complaint`), read when first needed,
        #: and the symptom stems it took from words (not amounts).
        self._complaint_stems: tuple[frozenset[str], frozenset[str]] | None = None
        self.symptom_words: frozenset[str] = frozenset()
        self.agent_words: set[str] = set()  # the agent words the symptoms were checked against
        self._reset()

    def _reset(self) -> None:
        """Forget what was read (not the turns, nor the opening complaint)."""
        #: Index of the first agent turn after the first customer turn (``None`` before one).
        self.first_reply: int | None = None
        #: +1 something was done / confirmed, -1 deflected / complained, 0 neither.
        self.state = 0
        self.acted = False
        self.opening_negative = False
        #: The last agent turn so far and its items, and whether it prompted
        #: the customer (see :meth:`_prompted`; ``None``: not read yet).
        self.last_agent: tuple[TurnAnalysis, list[_Item]] | None = None
        self.prompted: bool | None = False
        #: How often each detail counter was fed (missing keys: none).
        self.counts: dict[str, int] = {}
        #: The customer and agent terms, from the first turn with items.
        self.customer: _CustomerTerm | None = None
        self.agent: _AgentTerm | None = None
        self.customer_turns = self.agent_turns = self.replies = 0
        self.system_evidence: list[Evidence] = []
        self.first_sentiment = math.nan
        self.last_customer: _CustomerTurn | None = None
        self.last_reply: _CustomerTurn | None = None
        #: The last customer turn if no agent turn came after it.
        self.last_entry: _CustomerTurn | None = None
        #: The symptom stems that a clause's reading counted.
        self.used_symptoms: set[str] = set()

    def add(self, facts: TurnAnalysis, hits: Sequence[tuple[Hit, ...]]) -> None:
        """Read the next turn (*hits*: its customer cues and its agent cues)."""
        self.turns.append(facts)
        self.hits.append(hits)
        self._read(facts)
        if self._complaint_stems is not None and facts.turn.role is _AGENT:
            self._forget_symptoms(facts)

    def _read(self, facts: TurnAnalysis) -> None:
        role = facts.turn.role
        if role is _CUSTOMER:
            self._read_customer(facts)
        elif role is _AGENT:
            self._read_agent(facts)
        else:
            self._read_other(facts)

    def _read_other(self, facts: TurnAnalysis) -> None:
        """SYSTEM and BOT lines: a "ticket solved" claim is shown, never counted."""
        for hit in self.hits[facts.index][1]:
            if hit.category == "system_claim":
                self.counts["system_claims"] = self.counts.get("system_claims", 0) + 1
                self.system_evidence.append(hit.evidence(facts.text, 0.0))

    def _read_agent(self, facts: TurnAnalysis) -> None:
        if self.first_reply is None and self.last_customer is not None:
            self.first_reply = facts.index
        self.agent_turns += 1
        items = self._agent_items(facts)
        acts = False
        done = away = 0.0
        for item in items:
            if item.category == "action":
                acts = True
                done += item.weight
            elif item.category in _AWAY:
                away += item.weight
        previous = self.last_customer
        if items:
            if self.agent is None:
                self.agent = _AgentTerm(self.counts)
            self.agent.add_turn(facts.index, items, acts, previous is not None and previous.net > 0)
        if acts and self.customer is not None:
            self.customer.answer()  # complaints before a completed action were answered by it
        if done > 0:
            self.state = 1
            self.acted = True
        elif away > 0:
            self.state = -1
        self.last_agent, self.prompted = (facts, items), None
        self.last_entry = None

    def _read_customer(self, facts: TurnAnalysis) -> None:
        opening = self.first_reply is None
        items, sarcastic = self._customer_items(facts, opening, self.state)
        net = _net(items)
        sentiment = facts.sentiment
        if sarcastic and sentiment > 0:
            sentiment = -sentiment  # VADER reads "great, wonderful" at face value
        turn = _CustomerTurn(facts.index, opening, net, sentiment)
        if self.last_customer is None:
            self.first_sentiment = sentiment
        self.last_customer = self.last_entry = turn
        if items and self.customer is None:
            self.customer = _CustomerTerm(self.counts, self.customer_turns)
        if self.customer is not None:
            self.customer.add(items)
        self.customer_turns += 1
        if self.agent is not None:  # (a turn before every agent cue changes no factor)
            self.agent.add_customer(facts.index, opening, net)
        if not opening:
            self.replies += 1
            self.last_reply = turn
            if net > 0:
                self.state = 1
            elif net < 0:
                self.state = -1

    def _forget_symptoms(self, facts: TurnAnalysis) -> None:
        """Drop the symptom stems agent turn *facts* uses (see :meth:`_read_complaint`)."""
        assert self._complaint_stems is not None  # read before
        symptoms, desired = self._complaint_stems
        if not symptoms:
            return
        norms = set(map(_norm, facts.tokens)) - self.agent_words  # (the others were checked)
        if not norms:
            return
        self.agent_words |= norms
        removed = symptoms & (set(map(stem, norms)) | (norms - self.symptom_words))
        if not removed:
            return
        self._complaint_stems = symptoms - removed, desired
        if not removed.isdisjoint(self.used_symptoms):  # a clause read so far counted one
            self._reset()
            for turn in self.turns:
                self._read(turn)

    # -- customer turns ---------------------------------------------------------

    def _customer_items(self, facts: TurnAnalysis, opening: bool, state: int) -> tuple[list[_Item], bool]:
        """Signed items of one customer turn, and whether it reads as sarcastic.

        *state* is what happened before: ``1`` something was done or
        confirmed, ``-1`` a deflection, refusal or complaint, ``0`` neither.
        """
        raw = self._customer_cues(facts)
        if opening:
            return self._opening_items(facts, raw)
        return self._reply_items(facts, raw, state)

    def _customer_cues(self, facts: TurnAnalysis) -> list[_CustomerCue]:
        """The cues of one customer turn read with negation and questions, overlaps removed."""
        hits = self.hits[facts.index][0]
        if not hits:
            return []
        sentences = facts.sentences
        raw: list[_CustomerCue] = []
        for hit in hits:
            cue = hit.cue
            category, weight = cue.category, cue.weight
            if category == "neutral" or weight == 0:
                continue
            sentence = facts.sentence_of(hit.first)
            positive = category in _POSITIVE
            if hit.negated and _negated(facts, hit):
                if category in {"confirm", "relief"}:
                    category = "persistence"
                elif category == "praise":
                    category = "complaint"
                elif category == "problem":
                    category = "confirm"
                elif category == "persistence":
                    category, weight = "confirm", weight * NEGATED_PERSISTENCE
                else:
                    continue  # "no need for a manager", "not cancelling", "no thanks"
                positive = category in _POSITIVE
            if positive and sentences[sentence].question:
                continue  # "is it working now?" asks, it does not confirm
            raw.append((hit, category, weight, sentence))
        if len(raw) < 2:
            return raw
        # Overlapping cues of one direction ("it works" / "works now") count once: the first.
        kept = [raw[0]]
        for entry in raw[1:]:
            previous = kept[-1]
            if entry[0].first < previous[0].last and (entry[1] in _POSITIVE) == (previous[1] in _POSITIVE):
                continue
            kept.append(entry)
        # "still ridiculous": an intensified complaint, not a persisting problem.
        complaint_starts = {h.first for h, c, _, _ in kept if c == "complaint"}
        if not complaint_starts:
            return kept
        return [
            (h, c, w, s)
            for h, c, w, s in kept
            if not (c == "persistence" and h.last - h.first == 1 and {h.last, h.last + 1} & complaint_starts)
        ]

    def _opening_items(self, facts: TurnAnalysis, raw: list[_CustomerCue]) -> tuple[list[_Item], bool]:
        """Items of a customer turn before the first agent reply: it describes the problem.

        Only repeat contact, escalation, cancellation and sarcasm count there
        (at :data:`OPENING_FACTOR`); the turn's sentiment and its problem cues
        tell whether the customer came with a problem.
        """
        if not self.opening_negative:
            self.opening_negative = facts.sentiment <= OPENING_UPSET or any(c in _UPSET for _, c, _, _ in raw)
        sarcastic = False
        items: list[_Item] = []
        for hit, category, weight, _ in raw:
            if category == "sarcasm":
                sarcastic = True
            if category not in OPENING_CATEGORIES:
                continue
            sign = CUSTOMER_SIGNS.get(category, 0.0)
            cue = facts.text[hit.start : hit.end]
            items.append(
                _Item(hit, facts.index, hit.start, hit.end, cue, category, sign * weight * OPENING_FACTOR)
            )
        return items, sarcastic

    def _reply_items(
        self, facts: TurnAnalysis, raw: list[_CustomerCue], state: int
    ) -> tuple[list[_Item], bool]:
        """Items of a customer turn after an agent reply (see :meth:`_customer_items`)."""
        text = facts.text
        n_sent = len(facts.sentences)
        # Within a sentence a problem outweighs a confirmation ("it arrived broken").
        negative_sentences = {s for _, c, _, s in raw if c in {"persistence", "problem"}}
        if negative_sentences:
            raw = [(h, c, w, s) for h, c, w, s in raw if not (c in CONFIRMING and s in negative_sentences)]
        negative_present = any(c in _CONTEXT_NEGATIVE for _, c, _, _ in raw)
        indirect = self._indirect(facts, raw)
        reports = self._state_reports(facts, raw, indirect)
        # A state the customer reports as wrong undoes a confirmation before it in
        # the same sentence ("a parcel arrived, but it's another small").
        spoiled = [(_sentence_at(facts, i.start), i.start) for i in reports if i.weight < 0]
        if spoiled:
            raw = [
                (h, c, w, s)
                for h, c, w, s in raw
                if not (c in CONFIRMING and any(s == si and h.start < at for si, at in spoiled))
            ]
            negative_present = True
        confirm_present = (
            bool(indirect) or any(c in CONFIRMING for _, c, _, _ in raw) or any(i.weight > 0 for i in reports)
        )
        thanks_present = any(c == "gratitude" for _, c, _, _ in raw)
        positive_sentences = {s for _, c, _, s in raw if c in _POSITIVE}
        sour = any(
            value <= -0.3 and i not in positive_sentences for i, value in enumerate(facts.sentence_sentiments)
        )
        settled = (
            thanks_present or confirm_present or any(c in {"closure", "acceptance"} for _, c, _, _ in raw)
        )
        # Bare praise after bad news ("Brilliant. Really brilliant service.") when
        # the customer came with a problem and nothing was done is sarcasm.
        unhelped = self.opening_negative and not self.acted
        negative_context = negative_present or sour or ((state < 0 or unhelped) and not settled)
        sarcastic = False
        items: list[_Item] = []
        for hit, category, weight, sentence in raw:
            if category in {"sarcasm_maybe", "praise"}:
                if negative_context and not confirm_present:
                    category, sarcastic = "sarcasm", True
                elif category == "sarcasm_maybe":
                    category, weight = "praise", weight * SINCERE_SHARE
            elif category == "sarcasm":
                sarcastic = True
            sign = CUSTOMER_SIGNS.get(category, 0.0)
            if category in LIGHT:
                if state > 0 or confirm_present:
                    pass
                elif state == 0:
                    weight *= NEUTRAL_LIGHT
                elif category in {"gratitude", "closure"}:
                    category, sign, weight = "polite_exit", -1.0, weight * POLITE_EXIT
                else:
                    continue  # "ok fine" after a refusal: neither way
            if confirm_present and category in PROCESS_COMPLAINTS:
                weight *= 0.5
            tilt = 1.0 - SENTENCE_TILT * (n_sent - 1 - sentence) / max(n_sent - 1, 1)
            items.append(
                _Item(
                    hit,
                    facts.index,
                    hit.start,
                    hit.end,
                    text[hit.start : hit.end],
                    category,
                    sign * weight * tilt,
                )
            )
        items.extend(indirect)
        items.extend(reports)
        if sarcastic and any(i.weight < 0 and i.category != "sarcasm" for i in items):
            # Irony colours the whole turn: "Oh lovely, a week with no card. Really appreciate it."
            items = [
                i._replace(category="sarcasm", weight=-i.weight)
                if i.category in LIGHT and i.weight > 0
                else i
                for i in items
            ]
        return items, sarcastic

    def _state_reports(
        self, facts: TurnAnalysis, raw: list[_CustomerCue], indirect: list[_Item]
    ) -> list[_Item]:
        """Clauses without a cue read as reports of the state after the agent's reply.

        A clause is positive or negative by the sum of: its own sentiment
        (evaluative cues left out), a negation in it ("her balance hasn't
        moved"), a symptom word of the opening complaint ("dropping") and the
        state the opening said was missing ("won't drain" - "it's draining").
        After a contrast ("..., but ...") that follows a positive clause, a
        clause that is not positive is a let-down. A neutral report of fact
        after the agent did or asked for something counts mildly positive when
        nothing else in the turn speaks.
        """
        tokens, negated = facts.tokens, facts.negated
        text = facts.text
        sentiment = facts._analyzer.sentence_sentiment  # the analysis's sentence sentiment
        used = self.used_symptoms  # (the symptoms a reading counted: see _forget_symptoms)
        cued = [(h, c) for h, c, _, _ in raw if c not in _SOFT]
        soft = [(h.first, h.last) for h, c, _, _ in raw if c in _SOFT]
        # Masked phrases ("no thanks", "not interested", "at work") say nothing about the state.
        soft += [(h.first, h.last) for h in self.hits[facts.index][0] if h.category == "neutral"]
        masked = {k for a, b in soft for k in range(a, b)}
        # Where a firm acceptance or good-bye starts ("ugh fine, go ahead").
        answers = [h.first for h, c, w, _ in raw if c in {"acceptance", "closure"} and w >= 0.8]
        covered = {_sentence_at(facts, i.start) for i in indirect}
        items: list[_Item] = []
        neutral: list[_Item] = []
        for index, sentence in enumerate(facts.sentences):
            if sentence.question or index in covered:
                continue
            previous_positive = False
            for first, last, contrasted in _clauses(tokens, sentence):
                if any(first <= at < last for at in answers):
                    # "ugh fine, go ahead" answers an offer, it reports no state (a weak
                    # "done" often opens a report: "done, it says SIM not provisioned").
                    continue
                inside = [c for h, c in cued if first <= h.first < last]
                if inside:
                    previous_positive = any(CUSTOMER_SIGNS.get(c, 0.0) > 0 for c in inside)
                    continue
                words = [k for k in range(first, last) if tokens[k].kind == "word"]
                norms = [tokens[k].norm for k in words]
                content = [k for k in words if tokens[k].norm not in _FILLER_WORDS and k not in masked]
                if len(content) < 2 or _NOT_REPORT & set(norms) or norms[1:2] == ["you"]:
                    previous_positive = False
                    continue
                symptoms, desired = self._complaint()
                overlap = 0
                for k in range(first, last):
                    token = tokens[k]
                    if token.kind == "number":
                        key = token.norm
                    elif token.kind == "word" and token.norm not in _STOPWORDS:
                        key = stem(token.norm)
                    else:
                        continue
                    if key in symptoms:
                        used.add(key)
                        overlap += 1 if negated[k] else -1
                    elif key in desired:
                        overlap += -1 if negated[k] else 1
                # A negator that negates something ("hasn't moved", "nothing's come on"),
                # not an answer ("no, label's fine", "so no.").
                negators = [
                    k
                    for k in content
                    if tokens[k].norm in NEGATORS
                    and (tokens[k].norm in _NEGATIVE_PRONOUNS or (k + 1 < last and negated[k + 1]))
                    and not (k == content[0] and tokens[k].norm in {"no", "nope", "nah"})
                ]
                reading = max(-1, min(1, overlap))
                if negators and not overlap:
                    reading -= 1
                plain = " ".join(
                    text[tokens[k].start : tokens[k].end]
                    for k in content
                    if not (k == content[0] and tokens[k].norm in {"no", "nope", "nah"})
                )
                feeling = sentiment(plain) if plain else 0.0
                if feeling >= 0.05:
                    reading += 1
                elif feeling <= -0.05:
                    reading -= 1
                if contrasted and previous_positive and reading <= 0:
                    reading -= 1
                start, end = tokens[first].start, tokens[last - 1].end
                if reading > 0:
                    items.append(
                        _Item(None, facts.index, start, end, text[start:end], "state_confirm", STATE_REPORT)
                    )
                elif reading < 0:
                    items.append(
                        _Item(None, facts.index, start, end, text[start:end], "state_problem", -STATE_REPORT)
                    )
                elif self._prompted():
                    neutral.append(
                        _Item(None, facts.index, start, end, text[start:end], "state_report", NEUTRAL_REPORT)
                    )
                previous_positive = reading > 0
        if neutral and not items and not cued and not any(x.question for x in facts.sentences):
            items.append(neutral[-1])
        if not items:
            return items
        # Within a sentence the later of two opposite readings wins ("it restarted
        # but the pages just sit there spinning"); a problem cue counts as a reading.
        signed = [
            (_sentence_at(facts, at), at, w)
            for at, w in itertools.chain(
                [(i.start, i.weight) for i in items],
                [(h.start, -1.0) for h, c in cued if c in {"problem", "persistence"}],
                [(h.start, 1.0) for h, c in cued if c in CONFIRMING],
            )
        ]
        kept = []
        for i in items:
            here = _sentence_at(facts, i.start)
            if not any(s == here and at > i.start and (w > 0) != (i.weight > 0) for s, at, w in signed):
                kept.append(i)
        return kept

    def _indirect(self, facts: TurnAnalysis, raw: list[_CustomerCue]) -> list[_Item]:
        """Confirmations told with "now"/"finally" and no cue: "it's showing up now"."""
        tokens = facts.tokens
        if not _mentions(tokens, _NOW_WORDS):
            return []
        covered = {s for _, c, _, s in raw if c not in _SOFT}
        items = []
        for i, sentence in enumerate(facts.sentences):
            if sentence.question or i in covered:
                continue
            words = [t.norm for t in tokens[sentence.first : sentence.last] if t.kind == "word"]
            if not _NOW_WORDS & set(words) or NEGATORS & set(words) or _REQUEST_WORDS & set(words):
                continue
            if any(a in _NOW_EXCLUDED and b in _NOW_WORDS for a, b in itertools.pairwise(words)):
                continue
            if words and words[-1] == "now" and len(words) > 1 and words[-2] in _NOW_EXCLUDED:
                continue
            if facts.sentence_sentiments[i] < -0.05:
                continue
            items.append(
                _Item(
                    None,
                    facts.index,
                    sentence.start,
                    sentence.end,
                    facts.text[sentence.start : sentence.end],
                    "indirect_confirm",
                    INDIRECT_CONFIRM,
                )
            )
        return items

    def _complaint(self) -> tuple[frozenset[str], frozenset[str]]:
        """The opening complaint's stems: its symptoms and what it said was missing.

        Symptom words: "dropping", "declined"; missing states: "hasn't
        *arrived*", "won't *drain*". Read once, when a clause first needs them;
        a symptom an agent uses later is dropped then (see :meth:`_forget_symptoms`).
        """
        if self._complaint_stems is None:
            symptoms, desired, self.symptom_words, self.agent_words = self._read_complaint()
            self._complaint_stems = symptoms, desired
        return self._complaint_stems

    def _prompted(self) -> bool:
        """Whether the last agent turn so far did, promised or asked for something (read when needed)."""
        if self.prompted is None:
            assert self.last_agent is not None  # set with it
            facts, items = self.last_agent
            self.prompted = any(i.category in _PROMPTING for i in items) or any(
                _first_word(facts.tokens, x) in _INSTRUCTIONS for x in facts.sentences
            )
        return self.prompted

    # -- agent turns ------------------------------------------------------------

    def _agent_items(self, facts: TurnAnalysis) -> list[_Item]:
        items: list[_Item] = []
        hits = self.hits[facts.index][1]
        for hit in hits:
            cue = hit.cue
            category, weight = cue.category, cue.weight
            if category == "courtesy":
                continue
            if category in _DOING:
                sentence = facts.sentences[facts.sentence_of(hit.first)]
                first_word = _first_word(facts.tokens, sentence)
                if first_word in _CONDITIONAL or (sentence.question and first_word in _AUXILIARIES):
                    continue  # "is the fix deployed?", "once it's done"
                if hit.negated and _negated(facts, hit):
                    category, weight = "pending", weight * 0.5  # "it hasn't been reset yet"
            elif category in {"deflection", "pending"} and hit.negated and _negated(facts, hit):
                continue  # "no need to call our helpline"
            if category == "wrap_up":
                # "Is there anything else?" with nothing done and nothing said: a non-answer.
                if (
                    self.acted
                    or any(
                        not s.first <= hit.first < s.last and s.last - s.first >= 8 for s in facts.sentences
                    )
                    or any(h.category not in {"wrap_up", "courtesy"} for h in hits)
                ):
                    continue
                category, weight = "non_answer", NON_ANSWER
            items.append(
                _Item(hit, facts.index, hit.start, hit.end, facts.text[hit.start : hit.end], category, weight)
            )
        items.extend(self._generic_actions(facts, items))
        return items

    def _generic_actions(self, facts: TurnAnalysis, found: list[_Item]) -> list[_Item]:
        """Completed actions told as "I've <verb>ed ..." that no cue matched ("I've re-paired it")."""
        tokens = facts.tokens
        all_norms = [t.norm for t in tokens]
        # Cheap tests on the whole turn first: no actor or no word that may be a
        # doing verb, no "I've <verb>ed".
        if _ACTORS.isdisjoint(all_norms) or (
            _IRREGULAR_ACTIONS.isdisjoint(all_norms) and not _ENDS_IN_ED.search(" ".join(all_norms))
        ):
            return []
        busy = {_sentence_at(facts, i.start) for i in found}
        items = []
        for index, sentence in enumerate(facts.sentences):
            if (
                index in busy
                or sentence.question
                or _ACTORS.isdisjoint(all_norms[sentence.first : sentence.last])
            ):
                continue
            words = [k for k in range(sentence.first, sentence.last) if tokens[k].kind == "word"]
            if not words or all_norms[words[0]] in _CONDITIONAL:
                continue
            norms = [all_norms[k] for k in words]
            verb = None
            actor_seen = False
            for position, norm in enumerate(norms):
                if norm in _ACTORS:
                    actor_seen = True
                elif norm != "and" or not actor_seen:
                    continue
                # The word after the actor (and any fillers) must be a doing verb.
                after = position + 1
                while after < len(norms) and norms[after] in _ACTION_FILLERS:
                    after += 1
                if after < len(norms) and _is_action_verb(norms[after]) and not facts.negated[words[after]]:
                    verb = words[after]
                    break
            if verb is None:
                continue
            subject = next(k for k in reversed(words) if k < verb and tokens[k].norm in _ACTORS_OR_AND)
            start, end = tokens[subject].start, tokens[verb].end
            items.append(
                _Item(None, facts.index, start, end, facts.text[start:end], "action", GENERIC_ACTION)
            )
        return items

    # -- the whole transcript ---------------------------------------------------

    # -- the conversation so far ------------------------------------------------

    def score(self) -> Score:
        """The score of the turns read so far."""
        scorer = self.scorer
        last_customer = self.last_customer
        if last_customer is None:
            return Score(scorer.name, None, details=_empty_details(), reason="no customer turn")
        if not self.agent_turns:
            return Score(scorer.name, None, details=_empty_details(), reason="no agent turn")
        customer, agent = self.customer, self.agent
        evidence = list(self.system_evidence)
        total = 0.0  # the customer, agent, sentiment and open-question terms, added in this order
        if customer is not None:
            evidence += customer.evidence()
            total = customer.total()
        if agent is not None:
            agent.refresh()
            evidence += agent.evidence()
        total += agent.total if agent is not None else 0.0
        # Sentiment trajectory: the last reply, and its change since the opening.
        start, last = self.first_sentiment, self.last_reply
        term = 0.0
        if last is not None:
            term = SENTIMENT_END_GAIN * last.sentiment + SENTIMENT_CHANGE_GAIN * (last.sentiment - start)
            if term:
                cue = f"customer sentiment {start:+.2f} -> {last.sentiment:+.2f}"
                evidence.append(Evidence(last.turn, 0, 0, cue, "sentiment", round(term, 4)))
        total += term
        question = self._open_question()
        if question is not None:
            evidence.append(question)
        total += question.weight if question is not None else 0.0
        value = 1.0 / (1.0 + math.exp(-total))
        # Every key in its place (counts at zero), then the counts that were fed.
        details: dict[str, float | str] = dict.fromkeys(_DETAIL_KEYS, 0.0)
        details["label"] = _label(value, scorer.resolved_threshold, scorer.unresolved_threshold)
        for key, count in self.counts.items():
            if key in _COUNT_KEYS:
                details[key] = float(count)
        if question is not None:  # an unanswered question counts as persistence
            details["persistence"] = float(self.counts.get("persistence", 0) + 1)
        details["customer_turns"] = float(self.customer_turns)
        details["agent_turns"] = float(self.agent_turns)
        details["customer_replies"] = float(self.replies)
        details["sentiment_start"] = round(start, 4)
        details["sentiment_end"] = round(last.sentiment, 4) if last is not None else math.nan
        details["sentiment_change"] = round(last.sentiment - start, 4) if last is not None else math.nan
        details["final_balance"] = round(last.net, 4) if last is not None else math.nan
        details["evidence_sum"] = round(total, 4)
        if not evidence:
            evidence.append(Evidence(last_customer.turn, 0, 0, "no resolution cue", "no_cue", 0.0))
        evidence.sort(key=_EVIDENCE_ORDER)
        return Score(scorer.name, value, tuple(evidence), details)

    def _open_question(self) -> Evidence | None:
        """The last question of a final customer reply that says nothing positive, which nobody answered."""
        last = self.last_entry
        if last is None or last.opening or last.net > 0:
            return None
        asked = [s for s in self.turns[last.turn].sentences if s.question]
        if not asked:
            return None
        sentence = asked[-1]
        return Evidence(
            last.turn,
            sentence.start,
            sentence.end,
            "unanswered final question",
            "open_question",
            -OPEN_QUESTION,
        )

    def _read_complaint(self) -> tuple[frozenset[str], frozenset[str], frozenset[str], set[str]]:
        """Read the opening complaint: its symptom stems, the state it says is missing, and its symptom words.

        A symptom an agent turn so far uses is no symptom (the agent says
        it too); the third set holds the symptoms read from words (not
        amounts), which only an agent word of the same stem removes; the
        fourth, the agents' words read (empty when there was no need).
        """
        first_reply = self.first_reply
        symptoms: set[str] = set()
        words: set[str] = set()
        desired: set[str] = set()
        agent_norms: set[str] | None = None  # the agents' words, read only when needed
        for facts in self.turns:
            if facts.role is not Role.CUSTOMER or (first_reply is not None and facts.index > first_reply):
                continue
            tokens = facts.tokens
            problem = {
                k
                for h in self.hits[facts.index][0]
                if h.category in {"problem", "persistence"}
                for k in range(h.first, h.last)
            }
            for k, token in enumerate(tokens):
                if token.kind == "number":
                    before = tokens[k - 1].norm if k else ""
                    after = tokens[k + 1].norm if k + 1 < len(tokens) else ""
                    if before in _AMOUNT_BEFORE or after in _AMOUNT_AFTER:
                        if agent_norms is None:
                            agent_norms = self._agent_norms()
                        if token.norm not in agent_norms:
                            symptoms.add(token.norm)
                    continue
                if token.kind != "word" or token.norm in _STOPWORDS or token.norm in NEGATORS:
                    continue
                if facts.negated[k]:
                    desired.add(stem(token.norm))
                elif k in problem:
                    words.add(stem(token.norm))
        symptoms |= words
        symptoms -= desired
        if symptoms:
            if agent_norms is None:
                agent_norms = self._agent_norms()
            symptoms -= {stem(n) for n in agent_norms}
        return frozenset(symptoms), frozenset(desired), frozenset(words), agent_norms or set()

    def _agent_norms(self) -> set[str]:
        return {t.norm for f in self.turns if f.role is Role.AGENT for t in f.tokens}

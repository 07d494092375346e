"""Resolution: was the customer's problem clearly resolved by the end of the interaction?"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

import attrs

from .._analysis import Analysis, Hit, TurnAnalysis, analyze
from .._lexicon import Lexicon
from .._model import Role, Transcript
from .._nlp import stem
from .._score import Evidence, Score
from .._text import NEGATORS, Sentence, Token

__all__ = ["ResolutionScorer"]

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
_CUSTOMER = Role.CUSTOMER
_AGENT = Role.AGENT
_EVIDENCE_ORDER = operator.attrgetter("turn", "start", "end")


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


def _first_reply(turns: tuple[TurnAnalysis, ...]) -> int | None:
    """Index of the first agent turn after the first customer turn (``None`` without one)."""
    customer_seen = False
    for facts in turns:
        role = facts.turn.role
        if role is _CUSTOMER:
            customer_seen = True
        elif role is _AGENT and customer_seen:
            return facts.index
    return None


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
    opening: bool
    items: list[_Item]
    net: float
    sarcastic: bool
    sentiment: float


class _AgentTurn(NamedTuple):
    turn: int
    items: list[_Item]
    #: Whether an item is a completed action.
    acts: bool


def _label(value: float, resolved: float, unresolved: float) -> str:
    if value >= resolved:
        return "resolved"
    if value <= unresolved:
        return "unresolved"
    return "unclear"


def _check_thresholds(instance: ResolutionScorer, attribute: attrs.Attribute[float], value: float) -> None:
    if not isinstance(value, float | int) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a number in [0, 1] (got {value!r})")


@attrs.frozen(kw_only=True)
class ResolutionScorer:
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
    a customer turn or without a human agent turn.

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
    >>> score = ResolutionScorer()(fixed)
    >>> score.details["label"], score.value > 0.8
    ('resolved', True)
    >>> still = Transcript("t", fixed.turns[:2] + (Turn(Role.CUSTOMER, "Nope, still blinking red."),))
    >>> ResolutionScorer()(still).details["label"]
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
        return tuple(zip(_split(self.lexicon), _SPLIT_ROLES, strict=True))

    def __call__(self, item: Transcript | Analysis, /) -> Score:
        """Score one transcript (or its analysis)."""
        analysis = analyze(item)
        turns = analysis.turns
        roles = [t.turn.role for t in turns]
        if _CUSTOMER not in roles:
            return Score(self.name, None, details=_empty_details(), reason="no customer turn")
        if _AGENT not in roles:
            return Score(self.name, None, details=_empty_details(), reason="no agent turn")
        customer_lexicon, agent_lexicon = _split(self.lexicon)
        # Customer cues are read on customer turns only, agent cues on the others.
        customer_hits, agent_hits = analysis.hits_many((customer_lexicon, agent_lexicon), _SPLIT_ROLES)
        sentiment = analysis.analyzer.sentence_sentiment
        return _Run(turns, customer_hits, agent_hits, sentiment).score(self)


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


class _Run:
    """The state of scoring one transcript (a helper, never shared)."""

    def __init__(
        self,
        turns: tuple[TurnAnalysis, ...],
        customer_hits: tuple[tuple[Hit, ...], ...],
        agent_hits: tuple[tuple[Hit, ...], ...],
        sentiment: Callable[[str], float],
    ) -> None:
        self.turns = turns
        self.customer_hits = customer_hits
        self.agent_hits = agent_hits
        self.sentiment = sentiment
        #: Index of the first agent turn after the first customer turn (``None`` without one).
        self.first_reply: int | None = None
        #: The opening complaint's stems (see :meth:`_complaint`), read once, when first needed.
        self._complaint_stems: tuple[frozenset[str], frozenset[str]] | None = None
        #: The last agent turn so far and its items, and whether it prompted
        #: the customer (see :meth:`_prompted`; ``None``: not read yet).
        self.last_agent: tuple[TurnAnalysis, list[_Item]] | None = None
        self.prompted: bool | None = False
        #: How often each detail counter was fed (missing keys: none).
        self.counts: dict[str, int] = {}
        self.evidence: list[Evidence] = []
        self.sentiment_start = math.nan
        self.sentiment_end = math.nan
        self.opening_negative = False
        self.acted = False

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
        hits = self.customer_hits[facts.index]
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
        cued = [(h, c) for h, c, _, _ in raw if c not in _SOFT]
        soft = [(h.first, h.last) for h, c, _, _ in raw if c in _SOFT]
        # Masked phrases ("no thanks", "not interested", "at work") say nothing about the state.
        soft += [(h.first, h.last) for h in self.customer_hits[facts.index] if h.category == "neutral"]
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
                feeling = self.sentiment(plain) if plain else 0.0
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
        *arrived*", "won't *drain*". Read once, when a clause first needs them.
        """
        if self._complaint_stems is None:
            self._complaint_stems = self._read_complaint()
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
        hits = self.agent_hits[facts.index]
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

    def score(self, scorer: ResolutionScorer) -> Score:
        turns = self.turns
        counts = self.counts
        first_reply = self.first_reply = _first_reply(turns)
        customers: list[_CustomerTurn] = []
        sequence: list[_CustomerTurn | _AgentTurn] = []
        # The customer turns before the last agent action: complaints it answered.
        answered = 0
        agent_turns = replies = 0
        state = 0  # +1 something was done / confirmed, -1 deflected / complained, 0 neither
        for facts in turns:
            role = facts.turn.role
            if role is _AGENT:
                agent_turns += 1
                items = self._agent_items(facts)
                acts = False
                done = away = 0.0
                for item in items:
                    if item.category == "action":
                        acts = True
                        done += item.weight
                    elif item.category in _AWAY:
                        away += item.weight
                sequence.append(_AgentTurn(facts.index, items, acts))
                if acts:
                    answered = len(customers)
                if done > 0:
                    state = 1
                    self.acted = True
                elif away > 0:
                    state = -1
                self.last_agent, self.prompted = (facts, items), None
            elif role is _CUSTOMER:
                opening = first_reply is None or facts.index < first_reply
                items, sarcastic = self._customer_items(facts, opening, state)
                net = _net(items)
                sentiment = facts.sentiment
                if sarcastic and sentiment > 0:
                    sentiment = -sentiment  # VADER reads "great, wonderful" at face value
                turn = _CustomerTurn(facts.index, opening, items, net, sarcastic, sentiment)
                customers.append(turn)
                sequence.append(turn)
                if not opening:
                    replies += 1
                    if net > 0:
                        state = 1
                    elif net < 0:
                        state = -1
            else:
                for hit in self.agent_hits[facts.index]:
                    if hit.category == "system_claim":
                        counts["system_claims"] = counts.get("system_claims", 0) + 1
                        self.evidence.append(hit.evidence(facts.text, 0.0))
        counts["customer_turns"] = len(customers)
        counts["agent_turns"] = agent_turns
        counts["customer_replies"] = replies
        total = self._customer_term(customers, answered)
        total += self._agent_term(sequence)
        total += self._sentiment_term(customers)
        total += self._open_question(sequence)
        value = 1.0 / (1.0 + math.exp(-total))
        label = _label(value, scorer.resolved_threshold, scorer.unresolved_threshold)
        details = self._details(customers, label, total)
        if not self.evidence:
            last = customers[-1].turn
            self.evidence.append(Evidence(last, 0, 0, "no resolution cue", "no_cue", 0.0))
        self.evidence.sort(key=_EVIDENCE_ORDER)
        return Score(scorer.name, value, tuple(self.evidence), details)

    def _read_complaint(self) -> tuple[frozenset[str], frozenset[str]]:
        """Read the opening complaint: its symptom words and the state it says is missing."""
        first_reply = self.first_reply
        symptoms: set[str] = set()
        desired: set[str] = set()
        agent_norms: set[str] | None = None  # the agents' words, read only when needed
        for facts in self.turns:
            if facts.role is not Role.CUSTOMER or (first_reply is not None and facts.index > first_reply):
                continue
            tokens = facts.tokens
            problem = {
                k
                for h in self.customer_hits[facts.index]
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
                    symptoms.add(stem(token.norm))
        symptoms -= desired
        if symptoms:
            if agent_norms is None:
                agent_norms = self._agent_norms()
            symptoms -= {stem(n) for n in agent_norms}
        return frozenset(symptoms), frozenset(desired)

    def _agent_norms(self) -> set[str]:
        return {t.norm for f in self.turns if f.role is Role.AGENT for t in f.tokens}

    def _customer_term(self, customers: list[_CustomerTurn], answered: int) -> float:
        """Recency-weighted customer evidence; complaints a later action answered count less.

        The first *answered* customer turns came before an agent's completed action.
        """
        total = 0.0
        n = len(customers)
        counts = self.counts
        evidence = self.evidence
        for position, turn in enumerate(customers):
            items = turn.items
            if not items:
                continue
            recency = RECENCY ** (n - 1 - position)
            if position < answered:
                items = [
                    i._replace(weight=i.weight * (0.0 if i.category == "cancellation" else ANSWERED))
                    if i.weight < 0
                    else i
                    for i in items
                ]
            net = _net(items)
            scale = min(1.0, TURN_CAP / abs(net)) if net else 1.0
            for item in items:
                weight = item.weight * recency * scale
                total += weight
                if item.weight:
                    key = _COUNTERS.get(item.category, item.category)
                    counts[key] = counts.get(key, 0) + 1
                evidence.append(
                    Evidence(item.turn, item.start, item.end, item.cue, item.category, round(weight, 4))
                )
        return total

    def _agent_term(self, sequence: list[_CustomerTurn | _AgentTurn]) -> float:
        """Agent actions (undone by a later complaint) against deflections, refusals and pending notices."""
        # What follows each agent turn, read backwards once: whether a later customer
        # reply complained or confirmed, whether this or a later agent turn acted,
        # the net of the last customer turn that said something, whether anyone replied.
        following: list[tuple[bool, bool, bool, float, bool]] = []
        complained = confirmed = acted_later = replied = False
        last_says: float | None = None
        for entry in reversed(sequence):
            if isinstance(entry, _AgentTurn):
                acted_later = acted_later or entry.acts
                if entry.items:
                    following.append((complained, confirmed, acted_later, last_says or 0.0, replied))
                continue
            replied = True
            if last_says is None and entry.net:
                last_says = entry.net
            if not entry.opening:
                complained = complained or entry.net < 0
                confirmed = confirmed or entry.net > 0
        following.reverse()
        counts = self.counts
        totals: dict[str, float] = {}
        kept: list[tuple[_Item, float]] = []
        previous: _CustomerTurn | None = None
        after = iter(following)
        for entry in sequence:
            if isinstance(entry, _CustomerTurn):
                previous = entry
                continue
            if not entry.items:
                continue
            complained, confirmed, acted_later, last_says_now, replied = next(after)
            for item in entry.items:
                category = item.category
                factor = 1.0
                if category == "system_claim":
                    counts["system_claims"] = counts.get("system_claims", 0) + 1
                    factor = 0.0
                elif category in {"action", "promise"} and complained:
                    # A complaint after the action undoes it, unless a later confirmation settles it.
                    factor = 0.0 if last_says_now < 0 or not confirmed else 1.0
                elif category == "agent_ack":
                    factor = 1.0 if previous is not None and previous.net > 0 and not complained else 0.0
                elif category in _AWAY and (acted_later or confirmed):
                    factor = OVERTAKEN
                elif category == "verify":
                    # "Can you check now?" with no answer: the fix was never confirmed.
                    factor = 0.0 if replied else 1.0
                kept.append((item, factor))
                if factor:
                    totals[category] = totals.get(category, 0.0) + item.weight * factor
        if not kept:
            return 0.0
        scales = {c: min(1.0, _CAPS[c] / totals[c]) if totals[c] > 0 and c in _CAPS else 1.0 for c in totals}
        total = 0.0
        for item, factor in kept:
            category = item.category
            gain = AGENT_GAINS.get(category, 0.0)
            weight = gain * item.weight * factor * scales.get(category, 1.0)
            total += weight
            if weight:
                key = _COUNTERS.get(category, category)
                counts[key] = counts.get(key, 0) + 1
            elif category == "action":
                counts["cancelled_actions"] = counts.get("cancelled_actions", 0) + 1
            if category == "verify" and not weight:
                continue
            shown = "cancelled_action" if category == "action" and not weight else category
            self.evidence.append(Evidence(item.turn, item.start, item.end, item.cue, shown, round(weight, 4)))
        return total

    def _sentiment_term(self, customers: list[_CustomerTurn]) -> float:
        replies = [c for c in customers if not c.opening]
        self.sentiment_start = customers[0].sentiment
        if not replies:
            self.sentiment_end = math.nan
            return 0.0
        last = replies[-1]
        self.sentiment_end = last.sentiment
        change = last.sentiment - self.sentiment_start
        term = SENTIMENT_END_GAIN * last.sentiment + SENTIMENT_CHANGE_GAIN * change
        if term:
            cue = f"customer sentiment {self.sentiment_start:+.2f} -> {last.sentiment:+.2f}"
            self.evidence.append(Evidence(last.turn, 0, 0, cue, "sentiment", round(term, 4)))
        return term

    def _open_question(self, sequence: list[_CustomerTurn | _AgentTurn]) -> float:
        last = sequence[-1]
        if not isinstance(last, _CustomerTurn) or last.opening or last.net > 0:
            return 0.0
        facts = self.turns[last.turn]
        asked = [s for s in facts.sentences if s.question]
        if not asked:
            return 0.0
        sentence = asked[-1]
        self.counts["persistence"] = self.counts.get("persistence", 0) + 1
        self.evidence.append(
            Evidence(
                last.turn,
                sentence.start,
                sentence.end,
                "unanswered final question",
                "open_question",
                -OPEN_QUESTION,
            )
        )
        return -OPEN_QUESTION

    def _details(self, customers: list[_CustomerTurn], label: str, total: float) -> dict[str, float | str]:
        counts = self.counts
        replies = [c for c in customers if not c.opening]
        # Every key in its place (counts at zero), then the counts that were fed.
        details: dict[str, float | str] = dict.fromkeys(_DETAIL_KEYS, 0.0)
        details["label"] = label
        for key, count in counts.items():
            if key in _COUNT_KEYS:
                details[key] = float(count)
        details["sentiment_start"] = round(self.sentiment_start, 4)
        details["sentiment_end"] = round(self.sentiment_end, 4) if replies else math.nan
        details["sentiment_change"] = (
            round(self.sentiment_end - self.sentiment_start, 4) if replies else math.nan
        )
        details["final_balance"] = round(replies[-1].net, 4) if replies else math.nan
        details["evidence_sum"] = round(total, 4)
        return details

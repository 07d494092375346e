"""Empathy: does the agent acknowledge the person, their feelings and situation?"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import attrs

from .._analysis import Analysis, Hit, TurnAnalysis, analyze
from .._incremental import ScoreAccumulator, accumulate
from .._lexicon import Lexicon
from .._model import Role, Transcript
from .._score import Evidence, Score

__all__ = ["EmpathyScorer"]

#: How much one unit of cue weight of each category adds to the raw score.
#: The three EPITOME mechanisms count fully; acknowledgement and a bare
#: apology are courteous but weaker signals of empathy (Sharma et al. 2020
#: treat neither as a mechanism); ownership turns an apology into a real one
#: (HBR 2021, "The Right Way to Apologize"); scripted lines and dismissals
#: count against. Tuned by hand on the bundled sample, not on test data.
CATEGORY_GAINS: Mapping[str, float] = MappingProxyType(
    {
        "emotional_reaction": 1.0,
        "interpretation": 1.0,
        "exploration": 0.6,
        "acknowledgement": 0.5,
        "apology": 0.5,
        "ownership": 0.8,
        "personal_voice": 0.4,
        "script": 0.5,
        "dismissal": 1.0,
    }
)
#: The EPITOME mechanisms reported as levels in ``details``.
MECHANISMS = ("emotional_reaction", "interpretation", "exploration")
#: Each earlier verbatim occurrence of the same agent sentence halves its credit.
REPEAT_DECAY = 0.5
#: Empathy right after an upset customer counts up to ``1 + NEED_GAIN`` times.
NEED_GAIN = 1.0
#: A customer turn with sentiment at or below ``-NEED_THRESHOLD`` is a moment of need.
#: 0.3 is a little stricter than VADER's own -0.05 cut for "negative", so
#: mild wording does not count as distress.
NEED_THRESHOLD = 0.3
#: Each unmet moment of need subtracts ``UNMET_PENALTY * need`` from the raw score.
UNMET_PENALTY = 1.5
#: The raw score is mapped to ``[0, 1]`` by a logistic curve of this scale:
#: 0 -> 0.5, one strong emotional reaction to a distressed customer -> about 0.8.
SCALE = 2.0

#: An agent statement at or below this VADER compound, with a linking verb,
#: reacts to the situation (``that's awful``, ``a week without heat is
#: miserable``); VADER's own cut for "negative" is -0.05, a stricter cut keeps
#: plain bad news out.
AFFECT_THRESHOLD = -0.25
_LINKING = frozenset({"is", "are", "was", "were", "sounds", "seems", "must", "feels", "looks", "be", "been"})
_BAD_NEWS = frozenset({"unfortunately", "regret", "afraid"})
_FIRST_PERSON_SUBJECTS = frozenset({"i", "we"})
#: Requests for identifiers are information gathering, not exploration.
_DATA_REQUESTS = frozenset(
    [
        "number",
        "email",
        "address",
        "postcode",
        "zip",
        "birth",
        "dm",
        "pm",
        "verify",
        "confirm",
        "username",
        "id",
        "reference",
        "account",
        "details",
    ]
)
#: Question endings that make a statement rhetorical (``you know?``).
_TAGS = frozenset({"right", "know", "no", "huh", "eh", "ok", "okay", "yeah"})
#: Question openings that suggest or offer rather than explore.
_NOT_EXPLORING = (
    "is there anything", "anything else", "can i help", "how can i help", "how may i help", "can you try",
    "could you try", "why do not you", "why not", "would you like",
    "do you want me", "shall i", "should i",
)  # fmt: skip
_SECOND_PERSON = frozenset({"you", "your", "yours", "yourself"})
_FIRST_PERSON = frozenset({"i", "my", "me"})
#: Verbs of service actions: a first-person sentence with one of these reports
#: work done (``I checked the order``), not a shared experience.
_ACTION_STEMS = (
    "check", "refund", "reset", "sent", "send", "escalat", "process", "cancel", "updat", "transfer", "issu",
    "credit", "remov", "add", "chang", "book", "arrang", "look", "fix", "replac", "will", "can",
)  # fmt: skip
#: Between a first-person subject and its verb (``I have just``, ``we will``).
_AUXILIARY_WORDS = frozenset(
    {"have", "has", "had", "will", "would", "just", "already", "also", "am", "can", "now"}
)
#: Verbs of feeling and lived experience: ``I had the same``, ``I felt that way``.
_EXPERIENCE_STEMS = (
    "feel", "felt", "been", "had", "struggl", "went", "remember", "used", "experienc", "suffer",
    "lost", "miss", "hate", "love", "wish", "fear", "worr", "know", "understand", "relat", "get", "got",
)  # fmt: skip
#: Objects that follow a verb of service work.
_OBJECTS = frozenset(
    {"it", "the", "your", "a", "an", "that", "this", "them", "you", "everything", "his", "her"}
)
#: Words that, right after a first-person subject, mark a wish, an apology, an
#: offer of presence or advice rather than a shared experience.
_NOT_EXPERIENCE = frozenset(
    {"hope", "mean", "would", "sorry", "here", "glad", "happy", "suggest", "recommend"}
)
#: Cue categories that answer a moment of need.
_RESPONSIVE = frozenset(
    {"emotional_reaction", "interpretation", "exploration", "apology", "ownership", "acknowledgement"}
)
_APOLOGY_WORDS = frozenset({"sorry", "apologize", "apologise", "apologies", "apology"})


@attrs.frozen
class _TurnMechanisms:
    levels: dict[str, int]
    evidence: list[Evidence]
    credit: float


def _question_level(words: list[str]) -> int:
    """EPITOME exploration level of one question: 0 none, 1 generic, 2 specific.

    Requests for identifiers, offers of help (``anything else I can help
    with?``), suggestions (``why don't you ...?``, ``can you try ...?``),
    tag questions (``..., right?``) and questions about oneself explore
    nothing; a question not addressed to the person is generic (``what
    happened?``); one addressed to the person is specific (``what's bothering
    you?``).
    """
    present = set(words)
    if present & _DATA_REQUESTS or not words:
        return 0
    if words[-1] in _TAGS or " ".join(words[:4]).startswith(_NOT_EXPLORING):
        return 0
    if not present & _SECOND_PERSON:
        return 0 if _FIRST_PERSON & set(words[:3]) else 1
    return 2


def _is_affect(facts: TurnAnalysis, index: int, words: list[str]) -> bool:
    """An agent sentence that reacts with feeling to the situation, without a stock phrase.

    ``Missing her recital is heartbreaking.``: a statement with a linking verb
    whose sentiment is clearly negative, that is not about the agent
    (``I was miserable too`` is shared experience; ``we can't refund that`` a
    refusal) and not bad news delivered with ``unfortunately``.
    """
    sentence = facts.sentences[index]
    if sentence.question or not _LINKING & set(words) or _BAD_NEWS & set(words):
        return False
    if _FIRST_PERSON & set(words) or _FIRST_PERSON_SUBJECTS & set(words):
        return False  # about oneself (shared experience) or a refusal ("we can't do that")
    return facts.sentence_sentiments[index] <= AFFECT_THRESHOLD


def _is_shared_experience(words: list[str], question: bool) -> bool:
    """A first-person statement about oneself: shared experience, EPITOME's strong interpretation."""
    if question or not words or not (_FIRST_PERSON & set(words[:3])):
        return False
    if _SECOND_PERSON & set(words[:6]):
        return False  # "I have refunded your order" reports an action for the customer
    if _NOT_EXPERIENCE & set(words[1:4]):
        return False  # wishes, offers of presence and advice are not shared experience
    if any(w.startswith(_ACTION_STEMS) for w in words[:6]):
        return False
    return not _reports_work(words)


def _reports_work(words: list[str]) -> bool:
    """``I've upgraded it``, ``we just sent the code``: a verb done to an object, not lived experience."""
    i = 0
    while i < len(words) and (words[i] in _FIRST_PERSON_SUBJECTS or words[i] in _AUXILIARY_WORDS):
        i += 1
    if i == 0 or i + 1 >= len(words) or words[i].startswith(_EXPERIENCE_STEMS):
        return False
    return words[i + 1] in _OBJECTS


def _distress(facts: TurnAnalysis, hits: tuple[Hit, ...]) -> float:
    """How much a customer turn calls for empathy, in ``[0, 1]``.

    The larger of its negative sentiment and its distress cues (``stuck``,
    ``charged twice``, ``third time``...), which VADER often reads as neutral.
    """
    cues = sum(h.cue.weight for h in hits if h.cue.category == "distress" and not h.negated)
    return min(1.0, max(-facts.sentiment, cues))


@attrs.frozen
class EmpathyScorer:
    """Scores how empathetic the agents are; value in ``[0, 1]``, higher = more empathetic.

    The scorer reads agent turns for the three mechanisms of EPITOME (Sharma
    et al., EMNLP 2020): *emotional reactions* (``that sounds so
    stressful``), *interpretations* (``I can see why you're upset``, shared
    experience) and *explorations* (questions about the person's situation),
    plus acknowledgement, apology (stronger with ownership: ``that's on
    us``), and personal voice; scripted stock lines and dismissals count
    against. It is negation aware: a refused apology (``I'm not sorry``) or a
    denied understanding (``I don't understand why you're upset``) lowers the
    score. Credit is weighted by need: empathy right after an upset customer
    counts up to twice, and a moment of distress left unanswered costs. The
    same agent sentence repeated verbatim earns half as much each time.

    The raw sum of credits maps to ``[0, 1]`` through a logistic curve:
    ``0.5`` means neutral (no empathy shown and none needed); below ``0.5``,
    needs went unmet or the agent was dismissive.

    Evidence: each cue that counted (apologies, reactions, questions,
    dismissals), with its signed credit as weight; when nothing counted, one
    whole-turn span of weight 0 (category ``"neutral"``) on the first agent
    turn says so.

    ``details``: ``emotional_reactions``, ``interpretations`` and
    ``explorations`` as EPITOME levels 0 (none), 1 (weak) or 2 (strong) of the
    strongest agent turn; ``need`` (0-1, the most negative customer
    sentiment); ``coverage`` (share of moments of need answered with empathy
    in the next agent turn, ``nan`` without such moments); counts
    ``apologies``, ``dismissals``, ``repeats`` and ``agent_turns``.

    Args:
        lexicon: The cue lexicon (default: the shipped ``"empathy"`` lexicon);
            extend it with a company's own phrases via :meth:`Lexicon.extend
            <servicescore.Lexicon.extend>`.
        name: The name the score is reported under.

    >>> from servicescore import Transcript, Turn, Role
    >>> warm = Transcript("t", [
    ...     Turn(Role.CUSTOMER, "My card was charged twice and now I can't pay rent. I'm panicking."),
    ...     Turn(Role.AGENT, "I'm so sorry, that sounds really stressful. I can see why you're worried."),
    ... ])
    >>> score = EmpathyScorer()(warm)
    >>> score.value > 0.8, score.details["emotional_reactions"], score.details["interpretations"]
    (True, 2.0, 2.0)
    """

    lexicon: Lexicon = attrs.field(
        factory=lambda: Lexicon.load("empathy"), kw_only=True, validator=attrs.validators.instance_of(Lexicon)
    )
    name: str = attrs.field(
        default="empathy",
        kw_only=True,
        validator=[attrs.validators.instance_of(str), attrs.validators.min_len(1)],
    )

    def lexicon_requests(self) -> tuple[tuple[Lexicon, None]]:
        """The lexicon this scorer reads, on every turn (a suite matches it with the others)."""
        return ((self.lexicon, None),)

    def start(self, transcript: Transcript) -> ScoreAccumulator:
        """A fresh accumulator: feed it each turn's facts in order, read its ``score()`` at any time."""
        return _EmpathyAccumulator(self)

    def __call__(self, item: Transcript | Analysis, /) -> Score:
        """Score one transcript (or its analysis)."""
        return accumulate(self, analyze(item))

    def _turn(
        self,
        facts: TurnAnalysis,
        hits: tuple[Hit, ...],
        factor: float,
        seen: Counter[str],
        counts: Counter[str],
    ) -> _TurnMechanisms:
        """Credit, mechanism levels and evidence of one agent turn."""
        text, tokens = facts.text, facts.tokens
        levels = dict.fromkeys(MECHANISMS, 0)
        evidence: list[Evidence] = []
        credit = 0.0
        discounts = []
        for sentence in facts.sentences:
            key = " ".join([t.norm for t in tokens[sentence.first : sentence.last]])
            discounts.append(REPEAT_DECAY ** seen[key])
            if seen[key]:
                counts["repeats"] += 1
            seen[key] += 1
        for hit in hits:
            category, weight = hit.cue.category, hit.cue.weight
            if category == "distress":
                continue  # distress words describe the customer's state, not the agent's empathy
            if category == "emotional_reaction" and any(
                t.norm in _APOLOGY_WORDS for t in tokens[hit.first : hit.last]
            ):
                counts["apology"] += 1
            if hit.negated:
                if weight <= 0:
                    continue
                weight = -weight  # a refused apology or denied understanding counts against
            elif category in MECHANISMS and weight > 0:
                levels[category] = max(levels[category], round(weight))
            if category == "apology" and weight > 0:
                counts["apology"] += 1
            if category == "dismissal":
                counts["dismissal"] += 1
            discount = discounts[facts.sentence_of(hit.first)]
            gain = CATEGORY_GAINS.get(category, 0.5)
            amount = gain * weight * discount * (factor if weight > 0 else 1.0)
            credit += amount
            evidence.append(hit.evidence(text, round(amount, 4)))
        for index, sentence in enumerate(facts.sentences):
            words = [t.norm for t in tokens[sentence.first : sentence.last] if t.kind == "word"]
            found: list[tuple[str, int]] = []
            if sentence.question and levels["exploration"] < 2:
                found.append(("exploration", _question_level(words)))
            if levels["emotional_reaction"] < 1 and _is_affect(facts, index, words):
                found.append(("emotional_reaction", 1))
            if levels["interpretation"] < 2 and _is_shared_experience(words, sentence.question):
                found.append(("interpretation", 2))
            for category, level in found:
                if level <= levels[category]:
                    continue
                amount = CATEGORY_GAINS[category] * (level - levels[category]) * discounts[index] * factor
                levels[category] = level
                credit += amount
                span = text[sentence.start : sentence.end]
                evidence.append(
                    Evidence(facts.index, sentence.start, sentence.end, span, category, round(amount, 4))
                )
        return _TurnMechanisms(levels, evidence, credit)


class _EmpathyAccumulator:
    """The running state of :class:`EmpathyScorer` over one conversation, turn by turn."""

    __slots__ = (
        "answered",
        "counts",
        "evidence",
        "first_agent",
        "levels",
        "moments",
        "need",
        "pending_need",
        "raw",
        "scorer",
        "seen",
    )

    def __init__(self, scorer: EmpathyScorer) -> None:
        self.scorer = scorer
        self.seen: Counter[str] = Counter()  # agent sentences said so far, for the repeat discount
        self.levels = dict.fromkeys(MECHANISMS, 0)
        self.evidence: list[Evidence] = []  # in (turn, start) order
        self.raw = self.need = self.pending_need = 0.0
        self.moments = self.answered = 0
        self.counts: Counter[str] = Counter()
        self.first_agent: TurnAnalysis | None = None

    def add(self, facts: TurnAnalysis, hits: Sequence[tuple[Hit, ...]]) -> None:
        """Read the next turn (*hits*: its cues of the scorer's lexicon)."""
        (turn_hits,) = hits
        if facts.role is Role.CUSTOMER:
            distress = _distress(facts, turn_hits)
            self.need = max(self.need, distress)
            if distress >= NEED_THRESHOLD:
                self.pending_need = max(self.pending_need, distress)
            return
        if facts.role is not Role.AGENT:
            return
        if self.first_agent is None:
            self.first_agent = facts
        counts, levels = self.counts, self.levels
        counts["agent_turns"] += 1
        pending_need = self.pending_need
        factor = 1.0 + NEED_GAIN * pending_need
        mech = self.scorer._turn(facts, turn_hits, factor, self.seen, counts)
        for key, level in mech.levels.items():
            levels[key] = max(levels[key], level)
        evidence = mech.evidence
        self.raw += mech.credit
        if pending_need:
            self.moments += 1
            if any(e.weight > 0 and e.category in _RESPONSIVE for e in evidence):
                self.answered += 1
            else:
                unmet = -UNMET_PENALTY * pending_need
                self.raw -= UNMET_PENALTY * pending_need
                cue = "upset customer not acknowledged"
                evidence.append(Evidence(facts.index, 0, len(facts.text), cue, "unmet_need", unmet))
            self.pending_need = 0.0
        evidence.sort(key=_evidence_order)
        self.evidence.extend(evidence)

    def score(self) -> Score:
        """The score of the turns read so far."""
        name, first_agent, counts = self.scorer.name, self.first_agent, self.counts
        if first_agent is None:
            return Score(name, None, reason="no agent turn")
        raw, moments = self.raw, self.moments
        if self.pending_need:  # the conversation so far ends on an unanswered moment of need
            moments += 1
            raw -= UNMET_PENALTY * self.pending_need
        value = 1.0 / (1.0 + math.exp(-raw / (SCALE * math.sqrt(counts["agent_turns"]))))
        levels = self.levels
        details: dict[str, float | str] = {
            "emotional_reactions": float(levels["emotional_reaction"]),
            "interpretations": float(levels["interpretation"]),
            "explorations": float(levels["exploration"]),
            "need": round(self.need, 4),
            "coverage": self.answered / moments if moments else math.nan,
            "apologies": float(counts["apology"]),
            "dismissals": float(counts["dismissal"]),
            "repeats": float(counts["repeats"]),
            "agent_turns": float(counts["agent_turns"]),
        }
        evidence = tuple(self.evidence)
        if not evidence:
            cue = "no empathy cue, and none was needed"
            evidence = (Evidence(first_agent.index, 0, len(first_agent.text), cue, "neutral", 0.0),)
        return Score(name, value, evidence, details)


def _evidence_order(evidence: Evidence) -> tuple[int, int]:
    return evidence.turn, evidence.start

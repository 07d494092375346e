"""Empathy: does the agent acknowledge the person, their feelings and situation?"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from .._analysis import Analysis, Hit, TurnAnalysis, analyze
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
_SECOND_PERSON = frozenset({"you", "your", "yours", "yourself"})
_FIRST_PERSON = frozenset({"i", "my", "me"})
#: Verbs of service actions: a first-person sentence with one of these reports
#: work done (``I checked the order``), not a shared experience.
_ACTION_STEMS = (
    "check", "refund", "reset", "sent", "send", "escalat", "process", "cancel", "updat", "transfer", "issu",
    "credit", "remov", "add", "chang", "book", "arrang", "look", "fix", "replac", "will", "can",
)  # fmt: skip
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

    Requests for identifiers and questions about oneself (``does my ... ?``)
    explore nothing; a question without ``you`` is generic (``what
    happened?``); one addressed to the person with some content is specific.
    """
    present = set(words)
    if present & _DATA_REQUESTS:
        return 0
    addressed = bool(present & _SECOND_PERSON)
    if not addressed:
        return 0 if _FIRST_PERSON & set(words[:3]) else 1
    content = [w for w in words if len(w) > 2]
    return 2 if len(content) > 3 else 1


def _is_shared_experience(words: list[str], question: bool) -> bool:
    """A first-person statement about oneself: shared experience, EPITOME's strong interpretation."""
    if question or not words or not (_FIRST_PERSON & set(words[:3])):
        return False
    if _SECOND_PERSON & set(words[:6]):
        return False  # "I have refunded your order" reports an action for the customer
    return not any(w.startswith(_ACTION_STEMS) for w in words[:6])


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
    dismissals), with its signed credit as weight.

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

    lexicon: Lexicon = attrs.field(factory=lambda: Lexicon.load("empathy"), kw_only=True)
    name: str = attrs.field(default="empathy", kw_only=True)

    def __call__(self, item: Transcript | Analysis, /) -> Score:
        """Score one transcript (or its analysis)."""
        analysis = analyze(item)
        turns = analysis.turns
        if not any(t.role is Role.AGENT for t in turns):
            return Score(self.name, None, reason="no agent turn")
        hits = analysis.hits(self.lexicon)
        seen: Counter[str] = Counter()
        levels = dict.fromkeys(MECHANISMS, 0)
        evidence: list[Evidence] = []
        raw, need, pending_need = 0.0, 0.0, 0.0
        moments = answered = 0
        counts = Counter[str]()
        for facts in turns:
            if facts.role is Role.CUSTOMER:
                distress = _distress(facts, hits[facts.index])
                need = max(need, distress)
                if distress >= NEED_THRESHOLD:
                    pending_need = max(pending_need, distress)
                continue
            if facts.role is not Role.AGENT:
                continue
            counts["agent_turns"] += 1
            factor = 1.0 + NEED_GAIN * pending_need
            mech = self._turn(facts, hits[facts.index], factor, seen, counts)
            for key, level in mech.levels.items():
                levels[key] = max(levels[key], level)
            evidence.extend(mech.evidence)
            raw += mech.credit
            if pending_need:
                moments += 1
                if any(e.weight > 0 and e.category in _RESPONSIVE for e in mech.evidence):
                    answered += 1
                else:
                    raw -= UNMET_PENALTY * pending_need
                    unmet = -UNMET_PENALTY * pending_need
                    cue = "upset customer not acknowledged"
                    evidence.append(Evidence(facts.index, 0, len(facts.text), cue, "unmet_need", unmet))
                pending_need = 0.0
        if pending_need and counts["agent_turns"]:
            moments += 1
            raw -= UNMET_PENALTY * pending_need
        value = 1.0 / (1.0 + math.exp(-raw / (SCALE * math.sqrt(counts["agent_turns"]))))
        details: dict[str, float | str] = {
            "emotional_reactions": float(levels["emotional_reaction"]),
            "interpretations": float(levels["interpretation"]),
            "explorations": float(levels["exploration"]),
            "need": round(need, 4),
            "coverage": answered / moments if moments else math.nan,
            "apologies": float(counts["apology"]),
            "dismissals": float(counts["dismissal"]),
            "repeats": float(counts["repeats"]),
            "agent_turns": float(counts["agent_turns"]),
        }
        evidence.sort(key=lambda e: (e.turn, e.start))
        return Score(self.name, value, tuple(evidence), details)

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
            key = " ".join(t.norm for t in tokens[sentence.first : sentence.last])
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
            if sentence.question and levels["exploration"] < 2:
                level = _question_level(words)
                if level:
                    amount = CATEGORY_GAINS["exploration"] * level * discounts[index] * factor
                    if level > levels["exploration"]:
                        credit += amount
                        span = text[sentence.start : sentence.end]
                        evidence.append(
                            Evidence(
                                facts.index,
                                sentence.start,
                                sentence.end,
                                span,
                                "exploration",
                                round(amount, 4),
                            )
                        )
                    levels["exploration"] = max(levels["exploration"], level)
            if _is_shared_experience(words, sentence.question) and levels["interpretation"] < 2:
                levels["interpretation"] = 2
        return _TurnMechanisms(levels, evidence, credit)

"""Pushiness: does the agent sell at the customer instead of serving them?

Offers are found sentence by sentence from the shipped ``pushiness`` lexicon
(offer frames, offer terms, pressure, refusals, cancel requests, requests for
offers and resolution cues) and from the structure of the conversation: who
speaks when, what the customer said last, whether the problem is solved yet.
How one sentence reads is in :mod:`servicescore.scorers._pushiness_sentences`;
the timing and the weights are here. Every detection lives in
:class:`PushinessScorer`; the PersuasionForGood
validation script (``benchmarks/validate_pushiness.py``) reads the same
evidence the scorer returns.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
from collections.abc import Iterable, Sequence

import attrs

from .._analysis import Analysis, Hit, TurnAnalysis, analyze
from .._incremental import ScoreAccumulator, accumulate
from .._lexicon import Cue, Lexicon
from .._model import Role, Transcript
from .._score import Evidence, Score
from .._text import Sentence, Token
from ._pushiness_sentences import (
    _CANCEL,
    _COMPLETED,
    _CROSSSELL,
    _DEADLINE,
    _FRAME,
    _IMPERATIVE,
    _ITEM,
    _KIND,
    _NORM,
    _NOTHING,
    _OFFER,
    _PERSISTENCE,
    _PRESSURE,
    _PRODUCT,
    _PROPOSAL,
    _REFUSAL,
    _REQUEST,
    _REQUEST_FRAME,
    _RESOLVED,
    _RETENTION,
    _SERVICE,
    _SOFT_REFUSAL,
    _UPSET,
    _agent_sentence,
    _by_sentence,
    _content,
    _customer_sentence,
    _order,
    _price,
    _returns_to,
    _sentence_cues,
    _structural_hit,
)

__all__ = ["PushinessScorer"]

# ---- weights of the value (hand-set on the bundled sample transcripts; docs/explanation/pushiness.md) ----
#: Load of one unrequested offer (upsell, cross-sell, promotion).
W_OFFER = 0.6
#: Load of one retention push after a cancel request: retention-desk "save"
#: attempts are the pushiest offer type (FTC 2022, "click to cancel" record),
#: so they weigh a little more than a plain offer.
W_RETENTION = 0.8
#: Added to an offer made before the customer's problem is resolved.
W_BEFORE_RESOLUTION = 0.4
#: Added to an offer made while the customer is upset (last customer turn
#: below ``upset_threshold``).
W_UPSET = 0.5
#: Added to an offer for each refusal the customer has already voiced (up to
#: ``MAX_REFUSALS``): persistence after a "no" is the core of pushiness.
W_AFTER_REFUSAL = 0.8
#: Refusals beyond this many add nothing more to a later offer's load.
MAX_REFUSALS = 3
#: Load of one pressure cue (deadline, scarcity, insistence) in sales talk.
W_PRESSURE = 0.6
#: Load of a pressure cue with no offer anywhere so far ("you should really
#: restart it"): insistence, but not a sales push.
W_PRESSURE_ALONE = 0.3
#: Load of the sales share of agent talk (share in ``[0, 1]`` times this).
W_SHARE = 0.5
#: The total load maps to ``1 - exp(-load / SCALE)``: one polite offer after
#: the problem is solved gives about 0.3, an offer to an upset customer with
#: the problem still open about 0.6, a pitch repeated after a "no" with a
#: deadline above 0.9.
SCALE = 2.0
#: Default ``upset_threshold``: a customer turn with sentiment below this is
#: upset. Stricter than VADER's -0.05 cut for "negative" (Hutto & Gilbert
#: 2014), so a mildly worded problem statement does not count as distress.
UPSET_THRESHOLD = -0.25

#: Who speaks for the company: bots push offers as well as people do.
_COMPANY = frozenset({Role.AGENT, Role.BOT})
#: The same as a tuple, for membership tests: a tuple compares enum members by identity, where a set
#: would first hash each one in Python (``Enum.__hash__``).
_COMPANY_ROLES = tuple(_COMPANY)
#: The counts reported in ``details`` (besides ``sales_share`` and ``resolved``).
_COUNTS = (
    "offers", "offers_after_refusal", "offers_before_resolution", "offers_while_upset", "retention",
    "persistence", "requested_offers", "pressure", "refusals", "cancel_requests",
)  # fmt: skip
#: The lexicon's categories in layers matched separately: a token span carries
#: one cue per layer, so "while I have you" is both a proposal frame and a
#: cross-sell bridge, and "please just cancel" both a refusal and a cancel
#: request, and a frame may contain an offer term ("would you like to upgrade")
#: without hiding it. Offer terms (and a company's products) share their layer
#: only with the service senses that mask them.
_LAYERS: tuple[frozenset[str], ...] = (
    frozenset({_OFFER, _FRAME, _PROPOSAL}),
    frozenset({_PRODUCT, _SERVICE, _ITEM}),
    frozenset({_PRESSURE, _DEADLINE, _RETENTION, _PERSISTENCE}),
    frozenset({_IMPERATIVE, _CROSSSELL, _COMPLETED}),
    frozenset({_REFUSAL, _SOFT_REFUSAL}),
    frozenset({_CANCEL, _REQUEST, _REQUEST_FRAME, _RESOLVED, _UPSET}),
)
_CATEGORIES = frozenset().union(*_LAYERS)
#: The turns each layer is matched on: customer sentences read only refusals,
#: cancel and offer requests, confirmations, distress idioms and offer terms
#: (with the frames that make a negated one rhetorical); agent and bot
#: sentences never read refusals, requests, confirmations or distress idioms.
_LAYER_ROLES: tuple[frozenset[Role], ...] = (
    frozenset({Role.CUSTOMER, *_COMPANY}),
    frozenset({Role.CUSTOMER, *_COMPANY}),
    _COMPANY,
    _COMPANY,
    frozenset({Role.CUSTOMER}),
    frozenset({Role.CUSTOMER}),
)


@functools.cache
def _default_lexicon() -> Lexicon:
    return Lexicon.load("pushiness")


@functools.lru_cache(maxsize=64)
def _layers(lexicon: Lexicon, products: tuple[str, ...]) -> tuple[Lexicon, ...]:
    """Split *lexicon* (plus *products* as offer terms) into the matching layers.

    Cached (bounded), so scorers built alike share the same lexicon objects and
    with them the per-analysis hit caches.
    """
    extra = tuple(Cue(p.strip().lower(), _PRODUCT, 1.0, "user products") for p in products)
    return tuple(
        Lexicon(
            f"{lexicon.name}.{index}",
            tuple(c for c in lexicon.cues if c.category in layer) + (extra if _PRODUCT in layer else ()),
            lexicon.version + ("+custom" if extra and not lexicon.version.endswith("+custom") else ""),
        )
        for index, layer in enumerate(_LAYERS)
    )


def _lexicon_repr(lexicon: Lexicon) -> str:
    return f"<Lexicon {lexicon.name!r} version {lexicon.version!r}, {len(lexicon.cues)} cues>"


#: Evidence in turn order, then text order.
_evidence_order = operator.attrgetter("turn", "start")
#: Evidence of one turn in text order.
_evidence_start = operator.attrgetter("start")


def _to_products(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError(f"products must be a sequence of phrases, got {type(value).__name__} {value!r}")
    products = tuple(value)
    for product in products:
        if not isinstance(product, str) or not product.strip():
            raise TypeError(f"each product must be a non-empty string, got {product!r}")
    return products


def _check_threshold(instance: PushinessScorer, attribute: attrs.Attribute[float], value: float) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not -1.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a number in [-1, 1] (got {value!r})")


def _span(facts: TurnAnalysis, first: int, last: int) -> tuple[int, int]:
    tokens = facts.tokens
    return tokens[first].start, tokens[last - 1].end


@attrs.frozen
class PushinessScorer:
    """Scores how pushy the agents are; value in ``[0, 1]``, higher = pushier.

    Pushiness is selling at a customer who came for service. The scorer finds
    *offers* (upsells, cross-sells, upgrades, plans, bundles, protection,
    promotions, discounts, trials, also phrased as help: ``I can also set you
    up with ...``, ``have you considered our ...``, ``while I have you ...``)
    sentence by sentence: an offer cue on its own, or a proposal frame
    (``would you like``, ``how about``, ``you could also``), a benefit or
    social-proof frame (``you'd save``, ``would pay for itself``, ``customers
    like you``, ``a lot of customers in your situation``) with an offer term
    or a price in the same sentence, or a product quoted with its price
    (``the Plus bundle is £89``). Offer terms include item nouns (``card``,
    ``cover``, ``tariff``) when the agent brings them up with a name or
    modifier the customer has not used (``the lounge card``, ``our smart
    thermostat``). Each offer weighs more when it comes

    * before the problem is resolved (before the first customer confirmation
      or closure thanks, or the agent's first completed action, also found
      from structure: ``I've re-linked your calendar``, ``it's been
      repaired``, ``Added.``),
    * while the customer is upset (the last customer turn's sentiment is below
      ``upset_threshold``, or it holds a distress idiom such as ``fed up``),
    * after the customer refused (``no thanks``, ``not interested``, ``I just
      want it fixed``, ``I'm fine as I am``, ``I'll stick with economy``, or
      a bare ``no`` right after an offer), more with each refusal; after a
      refusal, a sentence that returns to the offer (its terms, a price, or
      two of its content words) is a ``persistence`` push,
    * after a cancel request (a *retention* push; then ``are you sure?`` or
      ``before you go`` count too).

    Pressure (deadlines, scarcity, ``act now``, ``you should really``) adds
    on its own, and the sales share of agent talk adds a little. An offer the
    customer asked for (``do you have a cheaper plan?``, ``tell me more``) is
    service: it is reported as ``requested_offer`` and weighs nothing, unless
    the agent bridges to something else (``also``, ``while I have you``).

    The value is ``1 - exp(-load / SCALE)`` of the summed load, so it grows
    with every offer and pressure cue and saturates towards 1; ``0.0`` when
    the agents never sell. ``None`` when no agent or bot speaks. Scores are
    computed turn by turn through ``start()``, so a live session gets the
    score of the turns so far without re-reading them.

    Evidence: each offer sentence (category ``"offer"``, ``"retention"`` or
    ``"requested_offer"``, weight = its load), each push with no offer in it
    after a refusal (``"persistence"``), each pressure cue (``"pressure"``),
    and, with weight 0, the context that set the timing: ``"refusal"``,
    ``"cancel"``, ``"request"`` and the resolution point (``"resolved"``);
    ``"no_sales"`` (weight 0) when nothing was sold.

    ``details``: counts ``offers`` (unrequested, retention included),
    ``offers_after_refusal``, ``offers_before_resolution`` and
    ``offers_while_upset`` (these three count persistence pushes too),
    ``retention``, ``persistence``, ``requested_offers``, ``pressure``,
    ``refusals``, ``cancel_requests``; ``sales_share`` (share of agent words
    in sales sentences, ``nan`` without agent words); ``resolved`` (1.0 once
    a resolution point is found, else 0.0).

    Args:
        products: A company's own offer terms (product and plan names), in
            lexicon phrase syntax (``"fibre max"``, ``"donat*"``); they count
            as offer terms.
        lexicon: The cue lexicon (default: the shipped ``"pushiness"``
            lexicon).
        upset_threshold: Customer sentiment (``[-1, 1]``) below which the
            customer counts as upset.
        name: The name the score is reported under.

    Raises:
        TypeError: If *products* is not a sequence of non-empty strings.
        ValueError: If *upset_threshold* is outside ``[-1, 1]``.

    >>> from servicescore import Transcript, Turn, Role
    >>> pushy = Transcript("t", [
    ...     Turn(Role.CUSTOMER, "My internet keeps dropping every evening."),
    ...     Turn(Role.AGENT, "Have you considered our premium fibre plan? It's 20% off today only."),
    ...     Turn(Role.CUSTOMER, "No thanks, I just want it fixed."),
    ...     Turn(Role.AGENT, "You should really upgrade now, the offer ends tonight."),
    ... ])
    >>> score = PushinessScorer()(pushy)
    >>> round(score.value, 2), score.details["offers_after_refusal"], score.details["refusals"]
    (0.98, 1.0, 1.0)
    >>> PushinessScorer()(Transcript("s", [
    ...     Turn(Role.CUSTOMER, "Do you have a cheaper plan?"),
    ...     Turn(Role.AGENT, "Yes, would you like to switch to our Basic plan for $20 a month?"),
    ... ])).value
    0.0
    """

    products: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_to_products)
    lexicon: Lexicon = attrs.field(factory=_default_lexicon, kw_only=True, repr=_lexicon_repr)
    upset_threshold: float = attrs.field(default=UPSET_THRESHOLD, kw_only=True, validator=_check_threshold)
    name: str = attrs.field(default="pushiness", kw_only=True)
    _layers: tuple[Lexicon, ...] = attrs.field(init=False, repr=False, eq=False)
    _requests: tuple[tuple[Lexicon, frozenset[Role]], ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.lexicon, Lexicon):
            raise TypeError(f"lexicon must be a Lexicon, got {type(self.lexicon).__name__}")
        unknown = self.lexicon.categories - _CATEGORIES
        if unknown:
            raise ValueError(
                f"lexicon {self.lexicon.name!r} has categories PushinessScorer does not know: "
                f"{', '.join(sorted(unknown))} (expected some of {', '.join(sorted(_CATEGORIES))})"
            )
        object.__setattr__(self, "_layers", _layers(self.lexicon, self.products))
        object.__setattr__(self, "_requests", tuple(zip(self._layers, _LAYER_ROLES, strict=True)))

    def lexicon_requests(self) -> tuple[tuple[Lexicon, frozenset[Role]], ...]:
        """The lexicons this scorer reads, each with the roles whose turns it is matched on.

        A suite matches them together with its other scorers' lexicons.
        """
        return self._requests

    def start(self, transcript: Transcript) -> ScoreAccumulator:
        """A fresh accumulator: feed it each turn's facts in order, read its ``score()`` at any time."""
        return _PushinessAccumulator(self)

    def __call__(self, item: Transcript | Analysis, /) -> Score:
        """Score one transcript (or its analysis)."""
        return accumulate(self, analyze(item))


class _PushinessAccumulator:
    """The running state of :class:`PushinessScorer` over one conversation, turn by turn.

    Every turn is read once, when it is added: offers, pressure and the timing
    context (refusals, cancel requests, requests, the resolution point) only
    depend on the turns before. :meth:`score` reads running totals and copies
    the evidence, which is kept in (turn, start) order as it grows.
    """

    __slots__ = (
        "agent_words",
        "cancelled",
        "counts",
        "evidence",
        "first_company",
        "heard",
        "last_customer",
        "load",
        "offer_in_last_agent_turn",
        "offer_made",
        "offer_words",
        "refusals",
        "request_answered",
        "request_open",
        "resolved",
        "sales_words",
        "scorer",
        "unheard",
        "upset_cue",
        "weighted",
    )

    def __init__(self, scorer: PushinessScorer) -> None:
        self.scorer = scorer
        #: Index of the first agent or bot turn (-1 before one arrives: the score does not apply yet).
        self.first_company = -1
        #: In (turn, start) order: each turn's evidence is sorted by start when the turn is added.
        self.evidence: list[Evidence] = []
        #: Whether some evidence has a non-zero weight (else ``score()`` adds a ``no_sales`` span).
        self.weighted = False
        self.counts = dict.fromkeys(_COUNTS, 0.0)
        self.load = 0.0
        self.resolved = False
        self.cancelled = False
        self.refusals = 0
        self.last_customer: TurnAnalysis | None = None
        self.upset_cue = False
        self.request_open = False
        self.request_answered = False
        self.offer_made = False
        self.offer_in_last_agent_turn = False
        self.agent_words = 0
        self.sales_words = 0
        #: Words the customer has used so far: an item they named is theirs, not a product on offer.
        #: Read through :meth:`_heard`, which adds the words of the customer turns in ``unheard``.
        self.heard: set[str] = set()
        self.unheard: list[tuple[Token, ...]] = []
        #: Content words of the last unrequested offer, to see an agent return to it after a "no".
        self.offer_words: frozenset[str] = frozenset()

    def add(self, facts: TurnAnalysis, hits: Sequence[tuple[Hit, ...]]) -> None:
        """Read the next turn (*hits*: its cues of each of the scorer's lexicon layers)."""
        role = facts.role
        customer = role is Role.CUSTOMER
        if not customer and role not in _COMPANY_ROLES:
            return
        turn_hits = tuple(sorted(itertools.chain(*hits), key=_order)) if any(hits) else ()
        evidence = self.evidence
        before = len(evidence)
        if customer:
            self._customer_turn(facts, turn_hits)
        else:
            if self.first_company < 0:
                self.first_company = facts.index
            self._agent_turn(facts, turn_hits)
        added = len(evidence) - before
        if added > 1:
            new = evidence[before:]
            new.sort(key=_evidence_start)  # stable: ties keep the order they were found in
            evidence[before:] = new
            if not self.weighted:
                self.weighted = any(e.weight for e in new)
        elif added and not self.weighted:
            self.weighted = bool(evidence[-1].weight)

    def score(self) -> Score:
        """The score of the turns read so far."""
        name, first_company = self.scorer.name, self.first_company
        if first_company < 0:
            return Score(name, None, reason="no agent or bot turn")
        agent_words = self.agent_words
        share = self.sales_words / agent_words if agent_words else math.nan
        load = self.load
        if agent_words:
            load += W_SHARE * share
        value = 1.0 - math.exp(-load / SCALE)
        evidence = self.evidence  # Score copies it into a tuple
        if not self.weighted:
            no_sales = Evidence(first_company, 0, 0, "no offers or pressure", "no_sales", 0.0)
            # After the evidence of the same (turn, start), as a stable sort of the whole list would put it.
            at = bisect.bisect_right(evidence, (first_company, 0), key=_evidence_order)
            evidence = [*evidence[:at], no_sales, *evidence[at:]]
        details = {  # the counts (floats), then the two rates; Score copies it
            **self.counts,
            "sales_share": round(share, 4) if agent_words else math.nan,
            "resolved": 1.0 if self.resolved else 0.0,
        }
        return Score(name, min(1.0, max(0.0, value)), evidence, details)

    def _customer_turn(self, facts: TurnAnalysis, hits: tuple[Hit, ...]) -> None:
        tokens, text, sentences = facts.tokens, facts.text, facts.sentences
        requested = False
        for sentence, own in zip(sentences, _by_sentence(hits, sentences), strict=True):
            if not own:
                continue  # no cue: no refusal, cancel request, request or confirmation
            found = _customer_sentence(
                _sentence_cues(own, tokens, sentence),
                tokens,
                sentence,
                offer_just_made=self.offer_in_last_agent_turn,
                offer_made=self.offer_made,
            )
            if found.refusal is not None:
                first, last, _ = found.refusal
                start, end = _span(facts, first, last)
                self.refusals += 1
                self.counts["refusals"] += 1
                self.request_open = False
                self.evidence.append(Evidence(facts.index, start, end, text[start:end], "refusal", 0.0))
            if found.cancel is not None:
                requested = False  # a request made before the cancel request is void
                self.cancelled = True
                self.counts["cancel_requests"] += 1
                self.evidence.append(found.cancel.evidence(text, 0.0, "cancel"))
            if found.request is not None and found.refusal is None:
                requested = True
                self.evidence.append(found.request.evidence(text, 0.0, "request"))
            if found.resolved is not None and found.refusal is None and not self.resolved:
                self.resolved = True
                self.evidence.append(found.resolved.evidence(text, 0.0, "resolved"))
        self.unheard.append(tokens)
        # Distress idioms the sentiment lexicon does not score ("I'm fed up", "fourth outage this month").
        self.upset_cue = any(h.cue.category == _UPSET and not h.negated for h in hits)
        self.offer_in_last_agent_turn = False
        if requested:
            self.request_open, self.request_answered = True, False
        elif self.request_answered:
            self.request_open = False
        self.last_customer = facts

    def _heard(self) -> set[str]:
        """The words the customer has used so far (read in only when an agent names an item)."""
        for tokens in self.unheard:
            self.heard.update([t.norm for t in tokens if t.kind == "word"])
        self.unheard.clear()
        return self.heard

    def _upset(self) -> bool:
        customer = self.last_customer
        return customer is not None and (customer.sentiment < self.scorer.upset_threshold or self.upset_cue)

    def _agent_turn(self, facts: TurnAnalysis, hits: tuple[Hit, ...]) -> None:
        tokens, text, sentences = facts.tokens, facts.text, facts.sentences
        kinds, norms = list(map(_KIND, tokens)), list(map(_NORM, tokens))
        heard = self._heard
        classified = []  # (sentence, its word count, what it does)
        for sentence, own in zip(sentences, _by_sentence(hits, sentences), strict=True):
            cues = _sentence_cues(own, tokens, sentence, heard)
            sentence_kinds = kinds[sentence.first : sentence.last]
            # A price next to service money (a fee, a refund, a credit) is not a sale.
            price = None if cues.service or "number" not in sentence_kinds else _price(tokens, sentence)
            words = sentence_kinds.count("word") + sentence_kinds.count("number")
            found = _agent_sentence(cues, price, tokens, norms, sentence, facts.index)
            classified.append((sentence, words, found))
        bridged = offered = False
        for sentence, words, found in classified:
            self.agent_words += words
            if found is _NOTHING and not (self.cancelled or self.refusals):
                continue  # nothing to record (after a "no", its words might still return to the offer)
            sales = False
            push = found.offer
            kind = "offer"
            if push is None and (self.cancelled or self.refusals):
                # A push with no offer in it: retention after a cancel request, else persistence.
                push = found.retention
                # Back to a refused offer: its terms, a price, or its own words again. Not after a cancel
                # request, where the agent must name what is being cancelled ("the Premium plan ends on
                # the 30th"); there only retention cues and offers count.
                if (
                    push is None
                    and found.completed is None
                    and not self.cancelled
                    and (found.sales_term or _returns_to(tokens, sentence, self.offer_words))
                ):
                    push = found.frame or _structural_hit(
                        facts.index,
                        tokens,
                        sentence.first,
                        sentence.last,
                        "return to the offer",
                        _PERSISTENCE,
                    )
                kind = "retention" if self.cancelled else "persistence"
            if push is None and found.frame is not None and sentence.question and offered:
                # A proposal question right after an offer in the same turn is part of the pitch
                # ("Extra-legroom seats are €35. Shall I book one?").
                push = found.frame
            completed = found.completed
            if completed is not None and push is not None and completed.last <= push.first:
                self._resolve(completed, text)  # "i've lifted the hold now and our gold card ..."
            if push is not None:
                bridged = bridged or found.crosssell
                sales = self._offer(facts, sentence, kind, bridged)
                if sales and kind == "offer":
                    self.offer_words = _content(tokens, sentence)
                offered = True
            pressure = found.pressure
            if (
                found.deadlines
                and (found.offer is not None or (found.sales_term and completed is None))
                and (sales or not self.request_open)
            ):
                # Weak deadlines ("today") in an answer to a request are service ("I can order it today"),
                # and so are they next to a completed action ("I've taken $40 off tonight's rate").
                pressure = [*pressure, *found.deadlines]
            if pressure:
                # Sales talk: an offer so far, or an offer or offer term anywhere in this turn.
                in_sales = self.offer_made or any(
                    c.offer is not None or c.sales_term for _, _, c in classified
                )
                weight = W_PRESSURE if in_sales else W_PRESSURE_ALONE
                for hit in sorted(pressure, key=lambda h: h.first):
                    self.counts["pressure"] += 1
                    self.load += weight
                    self.evidence.append(hit.evidence(text, weight, "pressure"))
                sales = True
            if sales or found.pressure_talk:
                # Talk about deadlines is sales talk even when denied ("you don't have to decide today").
                self.sales_words += words
            elif completed is not None:
                self._resolve(completed, text)
                if self.request_open and push is None:
                    # The request was carried out ("Added, that's €30."): later offers go beyond it.
                    self.request_answered = True
                    self.request_open = False

    def _resolve(self, completed: Hit, text: str) -> None:
        if not self.resolved:
            self.resolved = True
            self.evidence.append(completed.evidence(text, 0.0, "resolved"))

    def _offer(self, facts: TurnAnalysis, sentence: Sentence, kind: str, crosssell: bool) -> bool:
        """Record one offer sentence; return whether it counts as sales talk."""
        self.offer_made = True
        self.offer_in_last_agent_turn = True
        cue = facts.text[sentence.start : sentence.end]
        if self.request_open and not crosssell and kind == "offer":
            self.request_answered = True
            self.counts["requested_offers"] += 1
            self.evidence.append(
                Evidence(facts.index, sentence.start, sentence.end, cue, "requested_offer", 0.0)
            )
            return False
        if self.cancelled:
            kind = "retention"
        weight = W_RETENTION if kind == "retention" else W_OFFER
        if kind == "persistence":
            self.counts["persistence"] += 1
        else:
            self.counts["offers"] += 1
        if kind == "retention":
            self.counts["retention"] += 1
        if not self.resolved:
            weight += W_BEFORE_RESOLUTION
            self.counts["offers_before_resolution"] += 1
        if self._upset():
            weight += W_UPSET
            self.counts["offers_while_upset"] += 1
        if self.refusals:
            weight += W_AFTER_REFUSAL * min(self.refusals, MAX_REFUSALS)
            self.counts["offers_after_refusal"] += 1
        self.load += weight
        self.evidence.append(Evidence(facts.index, sentence.start, sentence.end, cue, kind, round(weight, 4)))
        return True

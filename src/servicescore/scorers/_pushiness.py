"""Pushiness: does the agent sell at the customer instead of serving them?

Offers are found sentence by sentence from the shipped ``pushiness`` lexicon
(offer frames, offer terms, pressure, refusals, cancel requests, requests for
offers and resolution cues) and from the structure of the conversation: who
speaks when, what the customer said last, whether the problem is solved yet.
Every detection lives in :class:`PushinessScorer`; the PersuasionForGood
validation script (``benchmarks/validate_pushiness.py``) reads the same
evidence the scorer returns.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from importlib import resources
from typing import NamedTuple

import attrs

from .._analysis import Analysis, Hit, TurnAnalysis, analyze
from .._incremental import ScoreAccumulator, accumulate
from .._lexicon import Cue, Lexicon
from .._model import Role, Transcript
from .._score import Evidence, Score
from .._text import NEGATORS, Sentence, Token
from ..exceptions import FormatError

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

#: The word sets file (closed classes of single words read around the lexicon cues).
WORDS_FILE = "pushiness_words.txt"


def _read_word_sets(text: str, path: str) -> dict[str, frozenset[str]]:
    """Parse a word sets file: ``name<TAB>words separated by spaces<TAB>what for`` per line."""
    sets: dict[str, frozenset[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not fields[0] or not fields[1].split():
            raise FormatError("expected name<TAB>words<TAB>description", path=path, line=number)
        if fields[0] in sets:
            raise FormatError(
                f"word set {fields[0]!r} is defined twice", path=path, line=number, field="name"
            )
        sets[fields[0]] = frozenset(fields[1].split())
    return sets


def _load_word_sets() -> dict[str, frozenset[str]]:
    resource = resources.files("servicescore") / "data" / "lexicons" / WORDS_FILE
    return _read_word_sets(resource.read_text(encoding="utf-8"), WORDS_FILE)


#: The shipped word sets, read once at import (frozensets: immutable, shared by all scorers).
_WORDS = _load_word_sets()

#: Who speaks for the company: bots push offers as well as people do.
_COMPANY = frozenset({Role.AGENT, Role.BOT})
#: The same as a tuple, for membership tests: a tuple compares enum members by identity, where a set
#: would first hash each one in Python (``Enum.__hash__``).
_COMPANY_ROLES = tuple(_COMPANY)
#: Closed word classes, each described in the word sets file.
_NO_WORDS = _WORDS["no_words"]
_OPENERS = _WORDS["openers"]
_POSSESSIVES = _WORDS["possessives"]
_CURRENCY = _WORDS["currency"]
_PRICE_WORDS = _WORDS["price_words"]
_SERVICE_MODIFIERS = _WORDS["service_modifiers"]
_FUNCTION_WORDS = _WORDS["function_words"]
_ARTICLES = _WORDS["articles"]
_NOT_AN_OBJECT = _WORDS["not_an_object"]
_NOT_DONE = _WORDS["not_done"]
_DONE_IRREGULAR = _WORDS["done_irregular"]
_STOP = _WORDS["stop"]
#: How many words of a proposal's object are read.
_OBJECT_REACH = 4
#: How far back (in tokens) a possessive or "our" governs an item ("your new travel card", "our gold card").
_ITEM_REACH = 3
#: Content words two agent sentences must share for the second to return to the first one's offer.
_OVERLAP = 2
#: The counts reported in ``details`` (besides ``sales_share`` and ``resolved``).
_COUNTS = (
    "offers", "offers_after_refusal", "offers_before_resolution", "offers_while_upset", "retention",
    "persistence", "requested_offers", "pressure", "refusals", "cancel_requests",
)  # fmt: skip
#: Lexicon categories.
_OFFER, _FRAME, _PRODUCT, _SERVICE, _ITEM = "offer", "frame", "product", "service", "item"
_PROPOSAL = "proposal"
_PRESSURE, _DEADLINE, _RETENTION, _PERSISTENCE = "pressure", "deadline", "retention", "persistence"
_IMPERATIVE, _CROSSSELL = "imperative", "crosssell"
_REFUSAL, _SOFT_REFUSAL, _CANCEL = "refusal", "soft_refusal", "cancel"
_REQUEST, _REQUEST_FRAME, _RESOLVED, _COMPLETED = "request", "request_frame", "resolved", "completed"
_UPSET = "upset"
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


def _order(hit: Hit) -> tuple[int, int]:
    return hit.first, -hit.last


def _token_start(token: Token) -> int:
    return token.start


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


class _Cues(NamedTuple):
    """The lexicon hits of one sentence, sorted by category (negated hits dropped)."""

    by_category: Mapping[str, list[Hit]]
    negated_products: Sequence[Hit]
    service: bool
    negated_pressure: bool

    def has(self, category: str) -> bool:
        return bool(self.by_category.get(category))

    def first(self, category: str) -> Hit | None:
        found = self.by_category.get(category)
        return found[0] if found else None


#: The cues of a sentence without lexicon hits (most sentences): read-only, shared.
_NO_CUES = _Cues(types.MappingProxyType({}), (), False, False)
#: Token fields read for a whole turn at once.
_KIND = operator.attrgetter("kind")
_NORM = operator.attrgetter("norm")


def _price(tokens: Sequence[Token], sentence: Sentence) -> tuple[int, int] | None:
    """The span of the first price in *sentence* (``$35``, ``20%``, ``19.99``, ``5 dollars``), or ``None``."""
    for i in range(sentence.first, sentence.last):
        token = tokens[i]
        if token.kind != "number":
            continue
        before = tokens[i - 1].norm if i > sentence.first else ""
        if before == "." and i - 1 > sentence.first and tokens[i - 2].norm in _CURRENCY:
            before = tokens[i - 2].norm  # "$.50"
        after = tokens[i + 1].norm if i + 1 < sentence.last else ""
        decimals = token.norm.rpartition(".")[2] if "." in token.norm else ""
        if before in _CURRENCY or after in _PRICE_WORDS or token.norm.endswith("%") or len(decimals) == 2:
            start = (
                tokens[i - 1].start if i > sentence.first and tokens[i - 1].norm in _CURRENCY else token.start
            )
            return start, token.end
    return None


def _item_on_offer(
    hit: Hit, tokens: Sequence[Token], sentence: Sentence, heard: Callable[[], AbstractSet[str]]
) -> bool:
    """Whether an item noun in an agent sentence names a product the agent brings up.

    An item (``card``, ``cover``, ``tariff``, ``booster``) is on offer when the
    company presents it (``our smart thermostat``) or it carries a name or
    modifier (``the lounge card``, ``breakdown cover``) that is not a service
    modifier (``your new card``, ``a replacement router``) and the customer has
    not used both words already: the customer's own things are not sales.
    *heard* returns the words the customer has used so far.
    """
    before = tokens[max(sentence.first, hit.first - _ITEM_REACH) : hit.first]
    if any(t.norm in _POSSESSIVES for t in before):
        return False
    if any(t.norm == "our" for t in before):
        return True
    if hit.first <= sentence.first:
        return False
    modifier = tokens[hit.first - 1]
    if modifier.kind != "word" or modifier.norm in _FUNCTION_WORDS or modifier.norm in _SERVICE_MODIFIERS:
        return False
    head = tokens[hit.last - 1].norm
    words = heard()
    return modifier.norm not in words or head not in words


def _by_sentence(hits: tuple[Hit, ...], sentences: Sequence[Sentence]) -> list[tuple[Hit, ...]]:
    """For each of *sentences*, the *hits* (ordered by first token) that start in it."""
    if not hits:
        return [()] * len(sentences)
    firsts = [hit.first for hit in hits]
    left = bisect.bisect_left
    return [hits[left(firsts, s.first) : left(firsts, s.last)] for s in sentences]


def _rhetorical(hits: Sequence[Hit], tokens: Sequence[Token]) -> bool:
    """Whether a proposal among *hits* is a negative question frame (``why not``, ``wouldn't you``)."""
    return any(
        hit.cue.category in (_FRAME, _OFFER) and any(t.norm in NEGATORS for t in tokens[hit.first : hit.last])
        for hit in hits
    )


def _sentence_cues(
    hits: Sequence[Hit],
    tokens: Sequence[Token],
    sentence: Sentence,
    heard: Callable[[], AbstractSet[str]] | None = None,
) -> _Cues:
    """Sort the *hits* that start in *sentence* (see :func:`_by_sentence`) into its cues.

    *heard* is given for an agent sentence: it returns the words the customer
    has used so far (called only when an item noun needs them).
    """
    if not hits:
        return _NO_CUES
    by_category: dict[str, list[Hit]] = {}
    negated_products: list[Hit] = []
    service_end = -1
    service = negated_pressure = False
    for hit in hits:
        category = hit.cue.category
        if hit.negated and _negator_is_a_cue(hit, hits, tokens, sentence):
            hit = hit._replace(negated=False)  # "nothing down", "no obligation": the negator is the cue's own
        if category == _SERVICE:
            service_end = hit.last
            service = True
            continue
        if category == _PROPOSAL:
            # An offer when it proposes a thing the customer has not named ("have you thought about
            # rooftop solar?"), else a frame ("have you considered restarting it?").
            offer = heard is not None and _new_object(hit, tokens, sentence, heard)
            category = _OFFER if offer else _FRAME
            hit = hit._replace(cue=attrs.evolve(hit.cue, category=category))
        if category == _ITEM:
            # Customers name items when they ask for them; agents only when they bring them up.
            if heard is not None and not _item_on_offer(hit, tokens, sentence, heard):
                continue
            category = _PRODUCT
        if category == _PRODUCT and (
            hit.first == service_end
            or (hit.first > sentence.first and tokens[hit.first - 1].norm in _POSSESSIVES)
        ):
            service_end = hit.last  # the customer's own item ("your donation", "my promo discount")
            continue
        # A negative question frame ("why not", "wouldn't you") does not negate the offer.
        if hit.negated and not (category == _PRODUCT and _rhetorical(hits, tokens)):
            if category == _PRODUCT:
                negated_products.append(hit)
            negated_pressure = negated_pressure or category in (_PRESSURE, _DEADLINE)
            continue
        same = by_category.setdefault(category, [])
        if same and hit.first < same[-1].last:
            continue  # overlaps the previous cue of its kind ("offer ends" + "ends on friday")
        same.append(hit)
    return _Cues(by_category, negated_products, service, negated_pressure)


def _new_object(
    hit: Hit, tokens: Sequence[Token], sentence: Sentence, heard: Callable[[], AbstractSet[str]]
) -> bool:
    """Whether a noun phrase the customer has not used follows the proposal *hit*.

    The object must start (after an article) with a word that is not a pronoun,
    a possessive, a function word or a gerund (``have you considered
    restarting it``, ``... your options``, ``... what happened`` propose no
    product), and hold a content word the customer has not said.
    """
    i, end = hit.last, sentence.last
    if i < end and tokens[i].norm in _ARTICLES:
        i += 1
    if i >= end or tokens[i].kind != "word":
        return False
    opener = tokens[i].norm
    if (
        opener in _POSSESSIVES
        or opener in _NOT_AN_OBJECT
        or opener in _FUNCTION_WORDS
        or opener.endswith("ing")
    ):
        return False
    phrase = []
    for token in tokens[i : min(end, i + _OBJECT_REACH)]:
        if token.kind != "word" or token.norm in _FUNCTION_WORDS:
            break
        phrase.append(token.norm)
    words = heard()
    return any(len(w) > 3 and w not in _STOP and w not in words for w in phrase)


def _negator_is_a_cue(hit: Hit, hits: Sequence[Hit], tokens: Sequence[Token], sentence: Sentence) -> bool:
    """Whether the negator that governs *hit* is part of an offer term among *hits* (``nothing down``).

    Such a negator names a price or a term (``$0 down``, ``no obligation``), it does not deny the sentence.
    """
    if not hit.negated:
        return False
    negator = next((i for i in range(hit.first, sentence.first - 1, -1) if tokens[i].norm in NEGATORS), None)
    return negator is not None and any(
        h.cue.category == _PRODUCT and h.first <= negator < h.last for h in hits
    )


def _completed_action(
    tokens: Sequence[Token], norms: Sequence[str], sentence: Sentence
) -> tuple[int, int] | None:
    """The span of a completed service action found from sentence structure, or ``None``.

    Three forms, beyond the lexicon's ``completed`` cues: a first-person perfect
    (``I've re-linked your calendar``, ``we have repaired ...``), a passive
    perfect (``it's been repaired``) and a participle opening the sentence on
    its own (``Added, that's €30.``). Participles that report a look rather
    than an action (``I've checked``) do not count. *norms* are the norms of
    all the turn's *tokens*.
    """
    if sentence.question:
        return None
    said = norms[sentence.first : sentence.last]
    if "have" in said or "been" in said:  # both perfect forms need one of them
        span = _perfect(tokens, sentence)
        if span is not None:
            return span
    opener = _first_word(tokens, sentence)
    if opener is not None and _participle(tokens[opener].norm):
        following = tokens[opener + 1] if opener + 1 < sentence.last else None
        if following is None or following.kind == "punct":
            return opener, opener + 1
    return None


def _perfect(tokens: Sequence[Token], sentence: Sentence) -> tuple[int, int] | None:
    """The span of a first-person or passive perfect of a service action in *sentence*, or ``None``."""
    words = [i for i in range(sentence.first, sentence.last) if tokens[i].kind == "word"]
    for n, i in enumerate(words):
        norm = tokens[i].norm
        if norm not in ("have", "been") or n == 0:
            continue
        subject = tokens[words[n - 1]].norm
        if norm == "have" and subject not in ("i", "we"):
            continue
        if norm == "been" and (
            subject not in ("has", "have", "is") or (n > 1 and tokens[words[n - 2]].norm == "you")
        ):
            continue
        for j in words[n + 1 : n + 4]:
            word = tokens[j].norm
            if word in ("just", "now", "already", "also", "gone", "ahead", "and", "all", "re"):
                continue
            if _participle(word):
                return words[n - 1], j + 1
            break
    return None


def _participle(word: str) -> bool:
    return word not in _NOT_DONE and (word in _DONE_IRREGULAR or (len(word) > 4 and word.endswith("ed")))


def _first_word(tokens: Sequence[Token], sentence: Sentence) -> int | None:
    """Index of the sentence's first word after fillers and discourse markers."""
    for i in range(sentence.first, sentence.last):
        token = tokens[i]
        if token.kind == "word" and token.norm not in _OPENERS:
            return i
    return None


class _AgentSentence(NamedTuple):
    offer: Hit | None
    retention: Hit | None
    pressure: Sequence[Hit]
    deadlines: Sequence[Hit]
    completed: Hit | None
    crosssell: bool
    sales_term: bool
    frame: Hit | None
    pressure_talk: bool


#: What most agent sentences hold: nothing (shared; ``_PushinessAccumulator._agent_turn`` skips it quickly).
_NOTHING = _AgentSentence(None, None, (), (), None, False, False, None, False)

_QUOTE_LINKS = _WORDS["quote_links"]
_QUOTE_FILLERS = _WORDS["quote_fillers"]


def _quoted(cues: _Cues, price: tuple[int, int], tokens: Sequence[Token]) -> Hit | None:
    """The offer term a price quote names, as in ``the Plus bundle is £89``, or ``None``.

    The price must follow a linking verb or preposition (``is``, ``are``,
    ``for``, ``at``) within a few tokens of the offer term, with no ``of`` in
    between: ``a donation of just $1`` names an amount, not a product's price.
    """
    start = bisect.bisect_left(tokens, price[0], key=_token_start)  # tokens are in text order
    link = start - 1
    while link >= 0 and (tokens[link].kind == "punct" or tokens[link].norm in _QUOTE_FILLERS):
        link -= 1
    if link < 0 or tokens[link].norm not in _QUOTE_LINKS:
        return None
    for hit in cues.by_category.get(_PRODUCT, []):
        between = tokens[hit.last : link]
        if hit.last <= link and len(between) <= 3 and all(t.norm != "of" for t in between):
            return hit
    return None


def _structural_hit(
    turn: int, tokens: Sequence[Token], first: int, last: int, what: str, category: str
) -> Hit:
    """A :class:`Hit` for a span found from structure rather than from a lexicon cue."""
    cue = Cue(what, category, 1.0, "sentence structure")
    return Hit(turn, tokens[first].start, tokens[last - 1].end, first, last, cue, False)


def _agent_sentence(
    cues: _Cues,
    price: tuple[int, int] | None,
    tokens: Sequence[Token],
    norms: Sequence[str],
    sentence: Sentence,
    turn: int,
) -> _AgentSentence:
    """Classify one agent (or bot) sentence: offer, pressure, retention push, completed action.

    *price* is the sentence's price (see :func:`_price`), *norms* the norms of the turn's *tokens*.
    """
    sales_term = cues.has(_PRODUCT) or price is not None
    completed = None if sentence.question else cues.first(_COMPLETED)
    if completed is None:
        span = _completed_action(tokens, norms, sentence)
        if span is not None:
            completed = _structural_hit(turn, tokens, *span, "completed action", _COMPLETED)
    if not cues.by_category:
        # What the rest of this function finds without cues (each of its pushes needs one).
        if completed is None and not sales_term and not cues.negated_pressure:
            return _NOTHING
        return _AgentSentence(None, None, (), (), completed, False, sales_term, None, cues.negated_pressure)
    proposals = cues.by_category.get(_OFFER, []) + cues.by_category.get(_FRAME, [])
    # A completed action reports service ("I've added the plan you asked for"), unless a proposal follows
    # it in the same sentence, as in unpunctuated speech ("i've cancelled that card would you also like ...").
    after = [h for h in proposals if completed is None or h.first >= completed.last]
    offer = min((h for h in after if h.cue.category == _OFFER), key=_order, default=None)
    if offer is None and sales_term and (completed is None or after):
        offer = min((h for h in after if h.cue.category == _FRAME), key=_order, default=None)
        offer = offer or cues.first(_RETENTION)
        pressure = cues.first(_PRESSURE)
        if offer is None and pressure is not None:
            # Pressure proposes an offer when the offer term stands outside it ("upgrade now, only 2 left"),
            # not when it is its subject ("this offer ends today" is a deadline, not another offer).
            outside = price is not None or any(
                p.first >= pressure.last or p.last <= pressure.first
                for p in cues.by_category.get(_PRODUCT, [])
            )
            offer = pressure if outside else None
        if offer is None:
            opener = _first_word(tokens, sentence)
            imperative = cues.first(_IMPERATIVE)
            if imperative is not None and imperative.first == opener:
                offer = imperative
        if offer is None and completed is None and price is not None:
            offer = _quoted(cues, price, tokens)  # a product quoted with its price ("the Plus bundle is £89")
    frame = None if completed is not None and not after else cues.first(_FRAME)
    return _AgentSentence(
        offer,
        cues.first(_RETENTION) or cues.first(_PERSISTENCE),
        cues.by_category.get(_PRESSURE, []),
        cues.by_category.get(_DEADLINE, []),
        completed,
        cues.has(_CROSSSELL),
        sales_term,
        frame,
        cues.negated_pressure or cues.has(_PRESSURE),
    )


class _CustomerSentence(NamedTuple):
    refusal: tuple[int, int, str] | None
    cancel: Hit | None
    request: Hit | None
    resolved: Hit | None


def _customer_sentence(
    cues: _Cues, tokens: Sequence[Token], sentence: Sentence, *, offer_just_made: bool, offer_made: bool
) -> _CustomerSentence:
    """Classify one customer sentence: refusal, cancel request, request for an offer, confirmation."""
    refusal: tuple[int, int, str] | None = None
    hit = cues.first(_REFUSAL)
    if hit is not None:
        refusal = (hit.first, hit.last, "refusal")
    elif offer_just_made:
        opener = _first_word(tokens, sentence)
        for soft in cues.by_category.get(_SOFT_REFUSAL, []):
            bare = soft.last - soft.first == 1 and tokens[soft.first].norm in _NO_WORDS
            if not bare or soft.first == opener:
                refusal = (soft.first, soft.last, "refusal after an offer")
                break
    if refusal is None and offer_made and cues.negated_products:
        negated = cues.negated_products[0]
        refusal = (negated.first, negated.last, "declined offer")
    request = cues.first(_REQUEST)
    if request is None and cues.has(_PRODUCT):
        request = cues.first(_REQUEST_FRAME)
    resolved = None if sentence.question else cues.first(_RESOLVED)
    return _CustomerSentence(refusal, cues.first(_CANCEL), request, resolved)


def _content(tokens: Sequence[Token], sentence: Sentence) -> frozenset[str]:
    """The content words of *sentence* (no function words, no short words)."""
    return frozenset(
        [
            t.norm
            for t in tokens[sentence.first : sentence.last]
            if t.kind == "word" and len(t.norm) > 3 and t.norm not in _STOP
        ]
    )


def _returns_to(tokens: Sequence[Token], sentence: Sentence, offer_words: frozenset[str]) -> bool:
    """Whether *sentence* shares enough content words with an earlier offer's *offer_words*."""
    return bool(offer_words) and len(_content(tokens, sentence) & offer_words) >= _OVERLAP


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

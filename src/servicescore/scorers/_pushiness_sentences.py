"""How PushinessScorer reads one sentence: offers, pressure, refusals, requests, completed actions.

The lexicon hits of a sentence are sorted into its cues (:func:`_sentence_cues`),
then an agent (or bot) sentence is classified by :func:`_agent_sentence` and a
customer sentence by :func:`_customer_sentence`. The rest is sentence structure:
prices, item nouns the agent brings up, the new object of a proposal question,
completed actions found from perfect forms. Closed classes of single words come
from the word sets file shipped next to the lexicon
(``data/lexicons/pushiness_words.txt``). The conversation-level timing (what
came before a sentence) is in :mod:`servicescore.scorers._pushiness`.
"""

from __future__ import annotations

import bisect
import operator
import types
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from importlib import resources
from typing import NamedTuple

import attrs

from .._analysis import Hit
from .._lexicon import Cue
from .._text import NEGATORS, Sentence, Token
from ..exceptions import FormatError

#: Lexicon categories.
_OFFER, _FRAME, _PRODUCT, _SERVICE, _ITEM = "offer", "frame", "product", "service", "item"
_PROPOSAL = "proposal"
_PRESSURE, _DEADLINE, _RETENTION, _PERSISTENCE = "pressure", "deadline", "retention", "persistence"
_IMPERATIVE, _CROSSSELL = "imperative", "crosssell"
_REFUSAL, _SOFT_REFUSAL, _CANCEL = "refusal", "soft_refusal", "cancel"
_REQUEST, _REQUEST_FRAME, _RESOLVED, _COMPLETED = "request", "request_frame", "resolved", "completed"
_UPSET = "upset"

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


def _order(hit: Hit) -> tuple[int, int]:
    return hit.first, -hit.last


def _token_start(token: Token) -> int:
    return token.start


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

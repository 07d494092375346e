"""The shared analysis of one transcript: computed once, lazily, read by every scorer."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, Generic, NamedTuple, TypeVar

import attrs

from ._lexicon import Cue, Lexicon, _Joint, _joint, match_keys
from ._model import Role, Transcript, Turn
from ._score import Evidence
from ._text import Sentence, Token, negation_scope, sentences, tokenize

__all__ = ["Analysis", "Analyzer", "Hit", "TurnAnalysis", "analyze"]

Tokenizer = Callable[[str], tuple[Token, ...]]
SentimentFunction = Callable[[str], float]

#: How many distinct texts (and sentence texts) each default cache keeps.
#: Scripted agent lines repeat across thousands of transcripts; 8,192 entries
#: of a few kilobytes each stay well under 100 MB.
_CACHE_SIZE = 8192


class Hit(NamedTuple):
    """A lexicon cue found in one turn.

    Attributes:
        turn: Index of the turn.
        start: Offset of the match's first character in the turn's text.
        end: Offset one past its last character.
        first: Index of its first token.
        last: Index one past its last token.
        cue: The lexicon entry that matched.
        negated: Whether a negator governs the match (``not sorry``).
    """

    turn: int
    start: int
    end: int
    first: int
    last: int
    cue: Cue
    negated: bool

    @property
    def category(self) -> str:
        """The matched cue's category."""
        return self.cue.category

    def evidence(self, text: str, weight: float, category: str | None = None) -> Evidence:
        """Return :class:`Evidence` for this hit in the turn *text*, with a signed *weight*."""
        cue = text[self.start : self.end]
        return Evidence(self.turn, self.start, self.end, cue, category or self.cue.category, weight)


#: Hit(...), Token(...), Sentence(...) without the Python-level ``__new__`` (the same tuples).
_new_tuple = tuple.__new__
_new_hit = _new_tuple


def _sentence_first(sentence: Sentence) -> int:
    return sentence.first


class _TextFacts(NamedTuple):
    tokens: tuple[Token, ...]
    sentences: tuple[Sentence, ...]
    negated: tuple[bool, ...]
    keys: tuple[str, ...]  # the tokens' match keys, shared by every lexicon


def _text_facts(text: str, tokenizer: Tokenizer) -> _TextFacts:
    tokens = tokenizer(text)
    return _TextFacts(tokens, sentences(text, tokens), negation_scope(tokens), match_keys(tokens))


#: Texts longer than this are never cached (scripted lines are short).
_MAX_CACHED_CHARS = 4096

_V = TypeVar("_V")


class _RepeatCache(Generic[_V]):
    """A bounded cache of values computed from a text, for texts seen at least twice.

    A text is stored on its second sighting, so one-off texts (most customer
    turns) never enter it and die young, while scripted lines, which repeat,
    are computed once more and then served from the cache. (Tokens and cue
    hits stored for every text would become long-lived objects that every
    full garbage collection of the process traverses.) Both maps are bounded
    and evict in insertion order. The values are pure functions of the text,
    so sharing them between threads is safe; a lock guards the eviction.
    """

    def __init__(
        self,
        compute: Callable[[str], _V],
        size: int = _CACHE_SIZE,
        *,
        freeze: Callable[[_V], Any] | None = None,
        thaw: Callable[[Any], _V] | None = None,
    ) -> None:
        self._compute = compute
        self._size = size
        # Values are stored as freeze(value) and served as thaw(stored), where given.
        self._freeze = freeze
        self._thaw = thaw
        self._values: dict[str, Any] = {}
        self._seen: dict[str, None] = {}
        self._lock = threading.Lock()

    def __call__(self, text: str) -> _V:
        stored = self._values.get(text)
        if stored is not None:
            return stored if self._thaw is None else self._thaw(stored)
        value = self._compute(text)
        if len(text) <= _MAX_CACHED_CHARS:
            with self._lock:
                if text in self._seen:
                    if len(self._values) >= self._size:
                        del self._values[next(iter(self._values))]
                    self._values[text] = value if self._freeze is None else self._freeze(value)
                else:
                    if len(self._seen) >= self._size:
                        del self._seen[next(iter(self._seen))]
                    self._seen[text] = None
        return value

    def cache_clear(self) -> None:
        """Forget every text."""
        with self._lock:
            self._values.clear()
            self._seen.clear()


def _freeze_facts(facts: _TextFacts) -> tuple[Any, ...]:
    """*facts* as plain tuples of strings, integers and booleans.

    The garbage collector stops tracking such tuples, but never ``Token`` or
    ``Sentence`` instances (tuple subclasses): thousands of long-lived cached
    tokens made every full collection of the process slow (about 0.1 s over
    the IBM dialogs with every text cached).
    """
    return (
        tuple([tuple(t) for t in facts.tokens]),
        tuple([tuple(s) for s in facts.sentences]),
        facts.negated,
        facts.keys,
    )


def _thaw_facts(frozen: tuple[Any, ...]) -> _TextFacts:
    tokens, sentences, negated, keys = frozen
    return _TextFacts(
        tuple([_new_tuple(Token, t) for t in tokens]),
        tuple([_new_tuple(Sentence, s) for s in sentences]),
        negated,
        keys,
    )


_default_text_facts = _RepeatCache(
    lambda text: _text_facts(text, tokenize), freeze=_freeze_facts, thaw=_thaw_facts
)


def _default_sentiment() -> SentimentFunction:
    from ._sentiment import ServiceSentiment

    return _RepeatCache(ServiceSentiment())


def _clear_text_caches() -> None:
    """Forget every text the default caches hold (benchmarks measure fresh texts with it)."""
    _default_text_facts.cache_clear()
    sentiment = _DEFAULT_ANALYZER.sentence_sentiment
    if isinstance(sentiment, _RepeatCache):
        sentiment.cache_clear()


@attrs.frozen(eq=False)
class TurnAnalysis:
    """The facts about one turn: tokens, sentences, negation scope and sentiment.

    Attributes:
        index: The turn's index in the transcript.
        turn: The turn itself.
        tokens: Its tokens, with character offsets.
        sentences: Its sentences.
        negated: For each token, whether a negator reverses it.
    """

    index: int
    turn: Turn
    tokens: tuple[Token, ...]
    sentences: tuple[Sentence, ...]
    negated: tuple[bool, ...]
    _analyzer: Analyzer = attrs.field(repr=False)
    _keys: tuple[str, ...] = attrs.field(default=(), repr=False)

    @property
    def role(self) -> Role:
        """The speaker's role."""
        return self.turn.role

    @property
    def text(self) -> str:
        """The turn's text."""
        return self.turn.text

    @cached_property
    def sentence_sentiments(self) -> tuple[float, ...]:
        """VADER compound of each sentence, in ``[-1, 1]`` (higher = more positive)."""
        text = self.turn.text
        sentiment = self._analyzer.sentence_sentiment
        return tuple(sentiment(text[s.start : s.end]) for s in self.sentences)

    @cached_property
    def sentiment(self) -> float:
        """The turn's sentiment in ``[-1, 1]``: the mean over its non-neutral sentences.

        Scoring sentences and then averaging keeps long turns from drifting to
        the extremes, as VADER's sum over a whole text does; ``0.0`` when no
        sentence carries sentiment.
        """
        polar = [value for value in self.sentence_sentiments if value != 0.0]
        return sum(polar) / len(polar) if polar else 0.0

    def sentence_of(self, token: int) -> int:
        """Return the index of the sentence holding token index *token*."""
        sentences = self.sentences
        i = bisect.bisect_right(sentences, token, key=_sentence_first) - 1  # in token order
        if i >= 0 and sentences[i].first <= token < sentences[i].last:
            return i
        raise IndexError(f"token {token} is outside every sentence of turn {self.index}")


@attrs.frozen(eq=False)
class Analysis:
    """Everything scorers read about one transcript, computed lazily and once.

    Make one with :class:`Analyzer`; every scorer accepts an ``Analysis`` in
    place of a transcript, so a suite of scorers shares the work.

    Attributes:
        transcript: The transcript analysed.
        analyzer: The analyzer that made it.
    """

    transcript: Transcript
    analyzer: Analyzer
    _hits: dict[tuple[Lexicon, frozenset[Role] | None], tuple[tuple[Hit, ...], ...]] = attrs.field(
        factory=dict, init=False, repr=False
    )

    @cached_property
    def turns(self) -> tuple[TurnAnalysis, ...]:
        """Per-turn facts, in transcript order."""
        analyzer = self.analyzer
        result = []
        for i, turn in enumerate(self.transcript.turns):
            tokens, sentences, negated, keys = analyzer._text_facts(turn.text)
            result.append(TurnAnalysis(i, turn, tokens, sentences, negated, analyzer, keys))
        return tuple(result)

    def hits(self, lexicon: Lexicon) -> tuple[tuple[Hit, ...], ...]:
        """The cues of *lexicon* found in each turn (one tuple per turn), computed once per lexicon."""
        return self._match((lexicon,), (None,))[0]

    def hits_many(
        self, lexicons: Sequence[Lexicon], roles: Sequence[frozenset[Role] | None] | None = None
    ) -> tuple[tuple[tuple[Hit, ...], ...], ...]:
        """The cues of each of *lexicons* in each turn, as :meth:`hits` finds them, in one walk per turn.

        *roles*, one entry per lexicon, may restrict a lexicon to the turns of
        some roles: turns of the other roles then have no hits of it (a scorer
        asks for that only where it reads nothing else). ``None`` means every turn.
        """
        if type(self).hits is not Analysis.hits:  # a subclass finds hits its own way
            return tuple(self.hits(lexicon) for lexicon in lexicons)
        return self._match(lexicons, (None,) * len(lexicons) if roles is None else roles)

    def _match(
        self, lexicons: Sequence[Lexicon], roles: Sequence[frozenset[Role] | None]
    ) -> tuple[tuple[tuple[Hit, ...], ...], ...]:
        wanted = list(zip(lexicons, roles, strict=True))
        cache = self._hits
        try:  # all matched already (a suite matches every scorer's lexicons first)
            return tuple([cache[key] for key in wanted])
        except KeyError:
            pass
        missing = list(dict.fromkeys(key for key in wanted if key not in cache))
        if missing:
            # Per role: the lexicons matched on its turns, and the indices of those that are not.
            # (keyed by the role's id: an enum's hash is computed in Python)
            per_role: dict[int, tuple[tuple[int, ...], _Joint | None, tuple[int, ...]]] = {}
            found: list[list[tuple[Hit, ...]]] = [[] for _ in missing]
            for facts in self.turns:
                role = facts.turn.role
                plan = per_role.get(id(role))
                if plan is None:
                    active = tuple(k for k, (_, only) in enumerate(missing) if only is None or role in only)
                    idle = tuple(k for k in range(len(missing)) if k not in active)
                    joint = _joint(tuple(missing[k][0] for k in active)) if active else None
                    plan = per_role[id(role)] = (active, joint, idle)
                active, joint, idle = plan
                for k in idle:
                    found[k].append(())
                if joint is None:
                    continue
                tokens, negated, index = facts.tokens, facts.negated, facts.index
                matches = joint.match(tokens, facts._keys)
                for k, per_lexicon in zip(active, matches, strict=True):
                    found[k].append(
                        tuple(
                            [
                                _new_hit(
                                    Hit,
                                    (
                                        index,
                                        tokens[first].start,
                                        tokens[last - 1].end,
                                        first,
                                        last,
                                        cue,
                                        negated[first],
                                    ),
                                )
                                for first, last, cue in per_lexicon
                            ]
                        )
                        if per_lexicon
                        else ()
                    )
            for key, value in zip(missing, found, strict=True):
                cache[key] = tuple(value)
        return tuple(cache[key] for key in wanted)


@attrs.frozen
class Analyzer:
    """Makes the :class:`Analysis` of a transcript; its heavy parts are injectable.

    Args:
        tokenize: Splits a text into tokens with offsets (default: servicescore's
            tokenizer; see :func:`servicescore.Analyzer`).
        sentiment: Maps a sentence to a compound score in ``[-1, 1]`` (default:
            VADER with servicescore's service-language rules).

    Identical texts, such as scripted agent lines, are tokenised and scored
    once per process with the default parts (bounded caches).

    >>> from servicescore import Transcript, Turn, Role
    >>> analysis = Analyzer()(Transcript("t1", [Turn(Role.CUSTOMER, "My order never came. Help!")]))
    >>> [s.question for s in analysis.turns[0].sentences]
    [False, False]
    """

    tokenize: Tokenizer | None = None
    sentiment: SentimentFunction | None = None

    def __call__(self, transcript: Transcript) -> Analysis:
        """Return the (lazy) analysis of *transcript*."""
        return Analysis(transcript, self)

    def _text_facts(self, text: str) -> _TextFacts:
        """Tokens, sentences and negation scope of *text*."""
        if self.tokenize is None:
            return _default_text_facts(text)
        return _text_facts(text, self.tokenize)

    @cached_property
    def sentence_sentiment(self) -> SentimentFunction:
        """The sentiment function applied to each sentence."""
        return self.sentiment if self.sentiment is not None else _default_sentiment()


_DEFAULT_ANALYZER = Analyzer()


def analyze(item: Transcript | Analysis, analyzer: Analyzer | None = None) -> Analysis:
    """Return *item* if it is an :class:`Analysis`, else analyse it (default :class:`Analyzer`)."""
    if isinstance(item, Analysis):
        return item
    return (analyzer or _DEFAULT_ANALYZER)(item)

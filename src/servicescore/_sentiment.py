"""Sentiment: a fast, faithful port of VADER, and service-language rules on top.

Two callables score one text (a sentence or a turn) as a compound in [-1, 1],
higher meaning more positive:

- :func:`vader_compound` reproduces ``vaderSentiment`` 3.3.2
  ``SentimentIntensityAnalyzer().polarity_scores(text)["compound"]`` exactly
  (same tokens, same rules, same floating-point operations in the same order),
  several times faster: every table is built once, the text is lower-cased
  once, and only lexicon hits run the rule code.
- :class:`ServiceSentiment` applies documented rules for service language on
  top (reassurances, politeness markers, sarcasm, curly apostrophes,
  elongated words, links and handles).

The lexicon and the emoji descriptions are vaderSentiment 3.3.2's own files
(MIT licence, notice kept beside them), shipped as package data in
``servicescore/data/vader/`` and read with :mod:`importlib.resources`, once,
on first use: no network, no ``nltk.download``, no vaderSentiment install.
The rule constants come from nltk's ``VaderConstants`` (through :mod:`servicescore._nlp`) where nltk agrees
with vaderSentiment 3.3.2; where they differ, the 3.3.2 values are defined
here, each with a comment on its source.

Everything here is pure: the only shared state is the table object built by
the cached loader, which is never mutated after construction, so both
callables are thread-safe and deterministic.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
import string
from collections.abc import Iterable
from importlib import resources
from typing import Final

import attrs

from . import _nlp
from .exceptions import MissingResourceError

__all__ = ["SERVICE_RULES", "ServiceSentiment", "vader_compound"]

# -- where the data comes from -------------------------------------------------

_PACKAGE: Final = "servicescore"
_DATA_DIR: Final = ("data", "vader")
_LEXICON_FILE: Final = "vader_lexicon.txt"
_EMOJI_FILE: Final = "emoji_utf8_lexicon.txt"

# -- VADER constants that nltk's VaderConstants lacks or spells differently ----
#
# vaderSentiment 3.3.2 (the reference) added these degree adverbs to
# BOOSTER_DICT; nltk 3.x's VaderConstants.BOOSTER_DICT does not have them.
_BOOSTERS_ADDED_IN_3_3_INCR: Final = frozenset(
    {
        "considerable",
        "enormous",
        "exceptional",
        "extreme",
        "frackin",
        "fracking",
        "fuckin",
        "fuggin",
        "fugging",
        "incredible",
        "major",
        "total",
        "tremendous",
        "utter",
    }
)
_BOOSTERS_ADDED_IN_3_3_DECR: Final = frozenset({"marginal", "occasional", "scarce", "slight"})

# vaderSentiment 3.3.2 SPECIAL_CASES (idioms and phrases containing lexicon
# words). nltk's SPECIAL_CASE_IDIOMS differs: it adds "cut the mustard" and
# "hand to mouth" (unused idioms in 3.3.2) and lacks the last four entries.
_SPECIAL_CASES: Final[dict[str, float]] = {
    "the shit": 3,
    "the bomb": 3,
    "bad ass": 1.5,
    "badass": 1.5,
    "yeah right": -2,
    "kiss of death": -1.5,
    "bus stop": 0.0,
    "to die for": 3,
    "beating heart": 3.5,
}

# Numbers that nltk and vaderSentiment 3.3.2 write inline rather than as named
# constants (both use the same values):
_ALPHA: Final = 15  # normalize(): score / sqrt(score**2 + alpha)
_DAMPEN_2: Final = 0.95  # a booster two words before the sentiment word
_DAMPEN_3: Final = 0.9  # a booster three words before the sentiment word
_NEVER_SO: Final = 1.25  # "never so good", "never this good"
_BUT_BEFORE: Final = 0.5  # sentiment before a contrastive "but" is halved ...
_BUT_AFTER: Final = 1.5  # ... and after it raised by half
_EXCLAIM_INCR: Final = 0.292  # per "!" (empirically derived, VADER paper)
_EXCLAIM_MAX: Final = 4  # at most four "!" count
_QUESTION_INCR: Final = 0.18  # per "?" when there are two or three
_QUESTION_MAX: Final = 0.96  # four "?" or more
_TOKEN_PUNCT: Final = string.punctuation  # stripped from both ends of a token

# -- service-language rules ------------------------------------------------------

SERVICE_RULES: Final = ("apostrophes", "links", "elongation", "politeness", "reassurance", "sarcasm")
"""Names of the rules :class:`ServiceSentiment` applies, in the order they run."""

# apostrophes: typographic quotes typed by phones and word processors.
_QUOTES: Final = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'", "“": '"', "”": '"'})

# links: a handle ("@word") or a URL ("//..." after a scheme, also when a space
# splits "https: //www...", as in the IBM Twitter data), up to the next space.
# Every branch starts with a literal, so the regex engine skips ahead quickly
# (about 2 us per 210-character turn). A scheme left behind ("https:") is no
# lexicon word.
_LINK_RE: Final = re.compile(r"@\w\S*|//\S*")
# "www.example.com" without a scheme, unless "www." ends a word ("awww.").
_WWW_RE: Final = re.compile(r"(?<![^\W\d_])www\.\S*", re.IGNORECASE)

# elongation: a letter written three or more times in a row ("sooo").
_ELONGATION_RE: Final = re.compile(r"([a-z])\1{2,}")
_ELONGATION_HINT: Final = re.compile(r"([a-z])\1\1")  # faster to search for
# Extra emphasis of an elongated word: the same as one degree adverb (B_INCR,
# 0.293), following Brody & Diakopoulos (2011), "Cooooooooooooooollllllllllllll!!!!!!!!!!!!!!
# Using word lengthening to detect sentiment in microblogs", who found lengthening
# to mark sentiment-bearing words and to intensify them.
_ELONGATION_INCR: Final = 0.293

# politeness: request markers that VADER scores as positive (please +1.3,
# kindly +2.2, pls/plz +0.3) although they express a speech act, not a feeling.
_POLITENESS: Final = frozenset({"please", "pls", "plz", "kindly"})

# reassurance: "no <problem noun>", "not a <problem noun>", "without any
# <problem noun>" are reassurances. VADER scores them by accident: nltk's
# port gives "No problem." -0.60, vaderSentiment 3.3.2 gives +0.31 only when
# the noun is in its lexicon ("no issues" is -0.30). The pattern is scored
# as vaderSentiment 3.3.2 scores "no problem": lexicon("problem") * N_SCALAR
# = -1.7 * -0.74 = +1.258, and the negator is consumed so that it does not
# also negate the words after it ("No problem, happy to help").
_PROBLEM_NOUNS: Final = frozenset(
    {
        "problem",
        "problems",
        "prob",
        "probs",
        "issue",
        "issues",
        "worry",
        "worries",
        "complaint",
        "complaints",
        "trouble",
        "troubles",
        "bother",
        "hassle",
        "hassles",
        "fuss",
        "rush",
        "stress",
        "pressure",
        "harm",
        "inconvenience",
    }
)
_REASSURANCE_VALENCE: Final = -1.7 * -0.74
_NO_WORDS: Final = frozenset({"no", "without"})  # directly before the noun
_NEGATED_ARTICLE_WORDS: Final = frozenset(
    {"not", "never", "isnt", "isn't", "wasnt", "wasn't", "aint", "ain't", "without"}
)
_ARTICLES: Final = frozenset({"a", "an", "any"})
_REASSURANCE_MODIFIERS: Final = frozenset({"big", "major", "real", "further", "other", "serious"})
_CONSUMED: Final = "\x00"  # replaces a negator that a rule has used up

# sarcasm: (1) an echoed positive word, "great, just great", "perfect. just
# perfect"; (2) in a text complaining of repetition ("third time this week",
# "yet again"), a bare positive exclamation opening a sentence or after
# "oh"/"just"/"how"/"wow"/"well" ("Great.", "Oh wonderful."). Both are read
# as ironic: the positive word is negated as VADER negates "not great".
_REPEAT_RE: Final = re.compile(
    r"\b(?:yet again|once again|again and again|"
    r"(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|umpteenth|nth|\d+(?:st|nd|rd|th))"
    r" time)\b"
)
_SARCASM_PRONE: Final = frozenset(
    {
        "great",
        "perfect",
        "wonderful",
        "fantastic",
        "brilliant",
        "lovely",
        "awesome",
        "terrific",
        "marvelous",
        "marvellous",
        "super",
        "excellent",
        "nice",
        "amazing",
        "fabulous",
    }
)
_SARCASM_OPENERS: Final = frozenset({"oh", "just", "how", "wow", "well"})
_SENTENCE_END: Final = (".", "!", "?", "…")


# -- the tables, built once -----------------------------------------------------


@attrs.frozen
class _Tables:
    """Everything the scorers look up, built once by :func:`_tables` and never mutated."""

    lexicon: dict[str, float]
    hits: frozenset[str]  # lexicon words that are not boosters
    service_lexicon: dict[str, float]
    service_hits: frozenset[str]
    known: frozenset[str]  # words an elongated token may collapse to
    boosters: dict[str, float]
    booster_ngrams: dict[tuple[str, ...], float]
    negate: frozenset[str]
    special: dict[tuple[str, ...], float]
    idiom_first: frozenset[str]  # first words of special cases and booster n-grams
    emoji: dict[str, str]
    emoji_chars: frozenset[str]  # the single-character keys of emoji
    emoji_re: re.Pattern[str]
    b_incr: float
    c_incr: float
    n_scalar: float


def _read_resource(name: str, package: str = _PACKAGE) -> str:
    """Return the text of the VADER data file *name* shipped in *package*'s ``data/vader/``.

    Raises:
        MissingResourceError: If the package is not installed or lacks the file.
    """
    try:
        return resources.files(package).joinpath(*_DATA_DIR, name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError) as exc:
        raise MissingResourceError(
            f"sentiment resource {name!r} not found in {package!r} {'/'.join(_DATA_DIR)} "
            f"(a broken servicescore install? reinstall it): {exc}"
        ) from exc


def _parse_lexicon(content: str) -> dict[str, float]:
    # As vaderSentiment 3.3.2 make_lex_dict: word TAB mean TAB ...; later lines win.
    lexicon: dict[str, float] = {}
    for line in content.rstrip("\n").split("\n"):
        if line:
            word, measure = line.strip().split("\t")[0:2]
            lexicon[word] = float(measure)
    return lexicon


def _parse_emoji(content: str) -> dict[str, str]:
    # As vaderSentiment 3.3.2 make_emoji_dict: emoji TAB description.
    emoji: dict[str, str] = {}
    for line in content.rstrip("\n").split("\n"):
        fields = line.strip().split("\t")
        if len(fields) >= 2:
            emoji[fields[0]] = fields[1]
    return emoji


@functools.cache
def _tables() -> _Tables:
    lexicon = _parse_lexicon(_read_resource(_LEXICON_FILE))
    emoji = _parse_emoji(_read_resource(_EMOJI_FILE))
    nltk_constants = _nlp.vader_constants()
    # Agree between nltk 3.x and vaderSentiment 3.3.2 (checked by the tests):
    b_incr = float(nltk_constants.B_INCR)  # 0.293
    b_decr = float(nltk_constants.B_DECR)  # -0.293
    c_incr = float(nltk_constants.C_INCR)  # 0.733
    n_scalar = float(nltk_constants.N_SCALAR)  # -0.74
    negate = frozenset(str(word) for word in nltk_constants.NEGATE)
    boosters = {str(word): float(value) for word, value in nltk_constants.BOOSTER_DICT.items()}
    boosters.update(dict.fromkeys(_BOOSTERS_ADDED_IN_3_3_INCR, b_incr))
    boosters.update(dict.fromkeys(_BOOSTERS_ADDED_IN_3_3_DECR, b_decr))

    booster_ngrams = {tuple(key.split(" ")): value for key, value in boosters.items() if " " in key}
    special = {tuple(key.split(" ")): float(value) for key, value in _SPECIAL_CASES.items()}
    idiom_first = frozenset(key[0] for key in (*special, *booster_ngrams))
    hits = frozenset(lexicon) - frozenset(boosters)
    service_lexicon = {word: value for word, value in lexicon.items() if word not in _POLITENESS}
    service_hits = hits - _POLITENESS
    known = frozenset(service_lexicon) | frozenset(boosters) | negate
    # Only single characters are replaced (vaderSentiment compares character by character).
    emoji_chars = frozenset(key for key in emoji if len(key) == 1)
    return _Tables(
        lexicon=lexicon,
        hits=hits,
        service_lexicon=service_lexicon,
        service_hits=service_hits,
        known=known,
        boosters=boosters,
        booster_ngrams=booster_ngrams,
        negate=negate,
        special=special,
        idiom_first=idiom_first,
        emoji=emoji,
        emoji_chars=emoji_chars,
        emoji_re=_char_class(emoji_chars),
        b_incr=b_incr,
        c_incr=c_incr,
        n_scalar=n_scalar,
    )


def _char_class(chars: Iterable[str]) -> re.Pattern[str]:
    """Compile a character class matching *chars*, written as ranges.

    (A class of 1,200 single emoji is scanned literal by literal and takes
    ~240 us per turn; as ~140 ranges it takes ~20 us. Callers still test
    ``frozenset.isdisjoint`` first, which is faster again.)
    """
    ranges: list[list[int]] = []
    for code in sorted(map(ord, chars)):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    parts = (
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in ranges
    )
    return re.compile("[" + "".join(parts) + "]")


# -- the faithful core ----------------------------------------------------------


def _demojize(tables: _Tables, text: str) -> str:
    """Replace each emoji character by its description, as vaderSentiment 3.3.2 does.

    A description is preceded by a space unless it starts the text or follows a
    space; it is never followed by one ("😀abc" -> "grinning faceabc").
    """
    emoji = tables.emoji

    def describe(match: re.Match[str]) -> str:
        start = match.start()
        description = emoji[match.group()]
        if start and text[start - 1] != " ":
            return " " + description
        return description

    return tables.emoji_re.sub(describe, text)


def _words(raw: list[str]) -> list[str]:
    """Strip punctuation from both ends of each token unless that leaves two characters or fewer.

    (vaderSentiment 3.3.2 ``_strip_punc_if_word``: short leftovers were emoticons, ``":)"``.)
    """
    punct = _TOKEN_PUNCT
    return [token if len(stripped := token.strip(punct)) <= 2 else stripped for token in raw]


def _but_rescale(values: list[float], positions: list[int], but_at: int) -> None:
    """Halve sentiment before the first "but" and raise it by half after, in place.

    This reproduces vaderSentiment 3.3.2 ``_but_check`` exactly, including its
    quirk: it looks each value up with ``list.index``, so of several equal
    values only the first is rescaled (possibly more than once). Short lists
    are simulated directly; long ones keep, per value, a heap of the positions
    holding it, so a long text stays O(n log n) instead of O(n**2).
    """
    count = len(values)
    if count <= 64:
        for k in range(count):
            value = values[k]
            j = values.index(value)
            where = positions[j]
            if where < but_at:
                values[j] = value * _BUT_BEFORE
            elif where > but_at:
                values[j] = value * _BUT_AFTER
        return
    heaps: dict[float, list[int]] = {}
    for j, value in enumerate(values):
        heaps.setdefault(value, []).append(j)  # ascending, hence already a heap
    for k in range(count):
        value = values[k]
        heap = heaps[value]
        while values[heap[0]] != value:  # drop positions whose value has changed
            heapq.heappop(heap)
        j = heap[0]
        where = positions[j]
        if where < but_at:
            new = value * _BUT_BEFORE
        elif where > but_at:
            new = value * _BUT_AFTER
        else:
            continue
        values[j] = new
        target = heaps.get(new)
        if target is None:
            heaps[new] = [j]
        else:
            heapq.heappush(target, j)


def _compound(
    tables: _Tables,
    text: str,
    words: list[str],
    lows: list[str],
    lexicon: dict[str, float],
    hitset: frozenset[str],
    emphasis: set[int] | None = None,
    fixed: dict[int, float] | None = None,
) -> float:
    """Score tokens as vaderSentiment 3.3.2 ``polarity_scores`` does; return the rounded compound.

    Args:
        tables: The loaded tables.
        text: The text after emoji replacement (its "!" and "?" are counted).
        words: Tokens with punctuation stripped, original case.
        lows: The same tokens lower-cased (possibly rewritten by service rules).
        lexicon: Word valences.
        hitset: Lexicon words that carry sentiment (not boosters).
        emphasis: Positions of elongated words (service rule), or ``None``.
        fixed: Valences fixed by service rules, by position, or ``None``.
    """
    hits = [i for i, word in enumerate(lows) if word in hitset]
    if fixed:
        hits = sorted({*hits, *fixed})
    if not hits:
        return 0.0
    count = len(lows)
    last = count - 1
    capitals = sum(map(str.isupper, words))
    cap_diff = 0 < capitals < count
    boosters = tables.boosters
    negate = tables.negate
    idiom_first = tables.idiom_first
    special = tables.special
    booster_ngrams = tables.booster_ngrams
    n_scalar = tables.n_scalar
    c_incr = tables.c_incr
    least_is_word = "least" in lexicon
    values: list[float] = []
    positions: list[int] = []
    for i in hits:
        if fixed is not None and i in fixed:
            values.append(fixed[i])
            positions.append(i)
            continue
        word = lows[i]
        if word == "kind" and i < last and lows[i + 1] == "of":
            continue  # "kind of" is a dampener, not kindness
        valence = lexicon[word]
        p1 = lows[i - 1] if i > 0 else ""
        p2 = lows[i - 2] if i > 1 else ""
        p3 = lows[i - 3] if i > 2 else ""
        # "no" before another lexicon word negates it rather than scoring itself
        if word == "no" and i < last and lows[i + 1] in lexicon:
            valence = 0.0
        if p1 == "no" or p2 == "no" or (p3 == "no" and (p1 == "or" or p1 == "nor")):
            valence = lexicon[word] * n_scalar
        # ALL-CAPS emphasis when only some words are capitalised
        if cap_diff and words[i].isupper():
            valence = valence + c_incr if valence > 0 else valence - c_incr
        if emphasis is not None and i in emphasis:  # service rule: elongation
            if valence > 0:
                valence += _ELONGATION_INCR
            elif valence < 0:
                valence -= _ELONGATION_INCR
        # one word before: booster, negation
        if i > 0 and p1 not in lexicon:
            scalar = boosters.get(p1)
            if scalar is not None:
                if valence < 0:
                    scalar = -scalar
                if cap_diff and words[i - 1].isupper():
                    scalar = scalar + c_incr if valence > 0 else scalar - c_incr
                if emphasis is not None and i - 1 in emphasis:
                    scalar = scalar + _ELONGATION_INCR if scalar > 0 else scalar - _ELONGATION_INCR
                valence = valence + scalar
            if p1 in negate or "n't" in p1:
                valence = valence * n_scalar
        # two words before: dampened booster, "never so", "without doubt", negation
        if i > 1 and p2 not in lexicon:
            scalar = boosters.get(p2)
            if scalar is not None:
                if valence < 0:
                    scalar = -scalar
                if cap_diff and words[i - 2].isupper():
                    scalar = scalar + c_incr if valence > 0 else scalar - c_incr
                if emphasis is not None and i - 2 in emphasis:
                    scalar = scalar + _ELONGATION_INCR if scalar > 0 else scalar - _ELONGATION_INCR
                if scalar:
                    scalar = scalar * _DAMPEN_2
                valence = valence + scalar
            if p2 == "never" and (p1 == "so" or p1 == "this"):
                valence = valence * _NEVER_SO
            elif p2 == "without" and p1 == "doubt":
                pass
            elif p2 in negate or "n't" in p2:
                valence = valence * n_scalar
        # three words before: as above, then idioms
        if i > 2 and p3 not in lexicon:
            scalar = boosters.get(p3)
            if scalar is not None:
                if valence < 0:
                    scalar = -scalar
                if cap_diff and words[i - 3].isupper():
                    scalar = scalar + c_incr if valence > 0 else scalar - c_incr
                if emphasis is not None and i - 3 in emphasis:
                    scalar = scalar + _ELONGATION_INCR if scalar > 0 else scalar - _ELONGATION_INCR
                if scalar:
                    scalar = scalar * _DAMPEN_3
                valence = valence + scalar
            # (sic: in 3.3.2 a "so"/"this" right before the word counts here too)
            if (p3 == "never" and (p2 == "so" or p2 == "this")) or p1 == "so" or p1 == "this":
                valence = valence * _NEVER_SO
            elif p3 == "without" and (p2 == "doubt" or p1 == "doubt"):
                pass
            elif p3 in negate or "n't" in p3:
                valence = valence * n_scalar
            if p1 in idiom_first or p2 in idiom_first or p3 in idiom_first or word in idiom_first:
                for sequence in ((p1, word), (p2, p1, word), (p2, p1), (p3, p2, p1), (p3, p2)):
                    if sequence in special:
                        valence = special[sequence]
                        break
                if last > i:
                    valence = special.get((word, lows[i + 1]), valence)
                if last > i + 1:
                    valence = special.get((word, lows[i + 1], lows[i + 2]), valence)
                for ngram in ((p3, p2, p1), (p3, p2), (p2, p1)):
                    if ngram in booster_ngrams:
                        valence = valence + booster_ngrams[ngram]
        # "least" negates ("the least helpful"), except "at least" and "very least"
        if p1 == "least" and i > 0 and not least_is_word and not (i > 1 and (p2 == "at" or p2 == "very")):
            valence = valence * n_scalar
        values.append(valence)
        positions.append(i)

    if "but" in lows:
        _but_rescale(values, positions, lows.index("but"))
    total = float(sum(values))
    if total:
        amplifier: float = min(text.count("!"), _EXCLAIM_MAX) * _EXCLAIM_INCR
        questions = text.count("?")
        if questions > 1:
            amplifier = amplifier + (questions * _QUESTION_INCR if questions <= 3 else _QUESTION_MAX)
        total = total + amplifier if total > 0 else total - amplifier
    compound = total / math.sqrt(total * total + _ALPHA)
    return round(max(-1.0, min(1.0, compound)), 4)


def _check_text(text: object) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (got {type(text).__name__}: {text!r:.40})")


def vader_compound(text: str) -> float:
    """Return VADER's compound sentiment of *text*, exactly as vaderSentiment 3.3.2 computes it.

    The result equals
    ``vaderSentiment.vaderSentiment.SentimentIntensityAnalyzer().polarity_scores(text)["compound"]``
    (rounded to four decimals like the reference) and is computed several
    times faster. VADER was designed for sentences and short texts such as a
    chat turn or a tweet.

    Args:
        text: The text to score.

    Returns:
        The compound score, from -1 (most negative) to 1 (most positive).

    Raises:
        TypeError: If *text* is not a string.
        MissingResourceError: If the shipped VADER lexicon files are missing.

    Examples:
        >>> vader_compound("The agent was very helpful!")
        0.5244
        >>> vader_compound("No problem.")  # vaderSentiment 3.3.2; nltk's port says -0.5994
        0.3089
        >>> vader_compound("Kindly stop calling me.")
        0.25
        >>> vader_compound("")
        0.0
    """
    _check_text(text)
    tables = _tables()
    if not text.isascii() and not tables.emoji_chars.isdisjoint(text):
        text = _demojize(tables, text)
    words = _words(text.split())
    if not words:
        return 0.0
    lows = " ".join(words).lower().split(" ")
    return _compound(tables, text, words, lows, tables.lexicon, tables.hits)


# -- service rules -----------------------------------------------------------------


def _collapse_elongations(tables: _Tables, lows: list[str]) -> set[int]:
    """Rewrite elongated tokens ("goooood", "sooo") to known words; return their positions.

    A run of three or more equal letters is shortened to two ("goooood" ->
    "good"), and if that is not a known word, to one ("sooo" -> "so",
    "nooo" -> "no"). Tokens that are known as written are kept.
    """
    known = tables.known
    elongated: set[int] = set()
    for i, word in enumerate(lows):
        if word in known or not _ELONGATION_RE.search(word):
            continue
        for shorter in (_ELONGATION_RE.sub(r"\1\1", word), _ELONGATION_RE.sub(r"\1", word)):
            if shorter in known:
                lows[i] = shorter
                elongated.add(i)
                break
    return elongated


def _reassurances(lows: list[str], fixed: dict[int, float]) -> None:
    """Score "no problem", "not a problem", "without any issues" ... as reassurances, in place.

    The problem noun gets :data:`_REASSURANCE_VALENCE`; the negator is
    consumed so it does not negate the words that follow.
    """
    for i, word in enumerate(lows):
        if word not in _PROBLEM_NOUNS or i == 0:
            continue
        j = i - 1
        if lows[j] in _REASSURANCE_MODIFIERS and j > 0:  # "no major issues"
            j -= 1
        if lows[j] in _NO_WORDS:
            negator = j
        elif lows[j] in _ARTICLES and j > 0 and lows[j - 1] in _NEGATED_ARTICLE_WORDS:
            negator = j - 1
        else:
            continue
        fixed[i] = _REASSURANCE_VALENCE
        fixed.pop(negator, None)
        lows[negator] = _CONSUMED


def _sarcasm(
    lexicon: dict[str, float], n_scalar: float, raw: list[str], lows: list[str], fixed: dict[int, float]
) -> None:
    """Negate ironic positive words, in place (echoes; bare exclamations in repeat complaints)."""
    last = len(lows) - 1
    for j, word in enumerate(lows):  # (1) echo: "great, just great"
        if word == "just" and 0 < j < last:
            echoed = lows[j + 1]
            if lows[j - 1] == echoed and lexicon.get(echoed, 0.0) > 0:
                fixed[j - 1] = fixed[j + 1] = lexicon[echoed] * n_scalar
    if _REPEAT_RE.search(" ".join(lows)) is None:
        return  # (2) needs a complaint of repetition
    for i, word in enumerate(lows):  # (2) "Perfect. The app crashed again, third time today."
        if word in _SARCASM_PRONE and lexicon.get(word, 0.0) > 0 and i not in fixed:
            opens = i == 0 or raw[i - 1].endswith(_SENTENCE_END) or lows[i - 1] in _SARCASM_OPENERS
            if opens:
                fixed[i] = lexicon[word] * n_scalar


def _check_rules(instance: object, attribute: attrs.Attribute[frozenset[str]], value: frozenset[str]) -> None:
    unknown = sorted(value - frozenset(SERVICE_RULES))
    if unknown:
        raise ValueError(f"unknown sentiment rule(s) {unknown!r} (expected some of {list(SERVICE_RULES)!r})")


def _to_rules(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise TypeError(f"rules must be a collection of rule names, not the string {value!r}")
    return frozenset(value)


@attrs.frozen
class ServiceSentiment:
    """VADER sentiment corrected for customer-service language.

    Scores a text (a sentence or a turn) like :func:`vader_compound`, after
    these rules, each of which can be switched off through *rules*:

    ``"apostrophes"``
        Curly apostrophes and quotes behave like straight ones, so
        ``don’t`` negates like ``don't``.
    ``"links"``
        URLs (``https://...``, ``www....``) and ``@handles`` carry no
        sentiment: their tokens are removed before scoring.
    ``"elongation"``
        Elongated words are looked up in their collapsed form and count as
        emphasis: ``goooood`` scores as ``good`` plus one degree adverb's
        worth (0.293); ``sooo`` boosts like ``so``, more; ``nooo`` is ``no``.
    ``"politeness"``
        Request markers (``please``, ``kindly``, ``pls``, ``plz``) carry no
        sentiment: "Kindly stop calling me." is a complaint.
    ``"reassurance"``
        A negator before a problem noun ("no problem", "no worries", "not an
        issue", "I have no complaints", "without any issues") is a mild
        positive reassurance (valence +1.258, what VADER gives "no
        problem"), and the negator does not also negate the words after it.
    ``"sarcasm"``
        An echoed positive word ("Great, just great.") is ironic and so is a
        bare positive exclamation ("Perfect.", "Oh wonderful.") in a text
        complaining of repetition ("third time this week", "yet again"): such
        words are negated as VADER negates "not great".

    Args:
        rules: Names of the rules to apply (default: all of :data:`SERVICE_RULES`).

    Raises:
        ValueError: If *rules* names an unknown rule.

    Examples:
        >>> sentiment = ServiceSentiment()
        >>> sentiment("No worries.") > 0
        True
        >>> sentiment("Kindly stop calling me.") < 0
        True
        >>> sentiment("Great, just great. Third time this week.") < 0
        True
        >>> sentiment("I don’t like it.") == sentiment("I don't like it.") < 0
        True
        >>> ServiceSentiment(rules=[])("Kindly stop calling me.")  # plain VADER
        0.25
    """

    rules: frozenset[str] = attrs.field(
        default=frozenset(SERVICE_RULES), converter=_to_rules, validator=_check_rules
    )

    def __call__(self, text: str) -> float:
        """Return the compound sentiment of *text* in [-1, 1], higher = more positive.

        Raises:
            TypeError: If *text* is not a string.
            MissingResourceError: If the shipped VADER lexicon files are missing.
        """
        _check_text(text)
        tables = _tables()
        rules = self.rules
        if not text.isascii():
            if "apostrophes" in rules:
                text = text.translate(_QUOTES)
            if not tables.emoji_chars.isdisjoint(text):
                text = _demojize(tables, text)
        if "links" in rules:
            if "@" in text or "//" in text:
                text = _LINK_RE.sub(" ", text)
            if "ww." in text or "WW." in text:
                text = _WWW_RE.sub(" ", text)
        raw = text.split()
        words = _words(raw)
        if not words:
            return 0.0
        joined = " ".join(words).lower()
        lows = joined.split(" ")
        if "politeness" in rules:
            lexicon, hitset = tables.service_lexicon, tables.service_hits
        else:
            lexicon, hitset = tables.lexicon, tables.hits
        emphasis = None
        if "elongation" in rules and _ELONGATION_HINT.search(joined):
            emphasis = _collapse_elongations(tables, lows)
        fixed: dict[int, float] = {}
        if "reassurance" in rules and not _PROBLEM_NOUNS.isdisjoint(lows):
            _reassurances(lows, fixed)
        if "sarcasm" in rules and ("just" in lows or "again" in joined or " time" in joined):
            _sarcasm(lexicon, tables.n_scalar, raw, lows, fixed)
        return _compound(tables, text, words, lows, lexicon, hitset, emphasis, fixed or None)

"""Tokens with character offsets, normalised forms, sentences and negation scope.

One compiled, backtracking-free pattern splits a turn's text into tokens; every
later step (lexicon matching, sentiment per sentence, negation) works on
these tokens, so a text is tokenised exactly once.

Normalisation handles what real service text does: curly apostrophes
(``I’m``), CAPS, elongated words (``sooo``), emoji, URLs and ``@handles``,
contractions written with or without the apostrophe (``don't``, ``dont``), and
ASR text with no punctuation, which is cut into sentences at fillers
(``um``, ``uh``) once a run gets long.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["NEGATORS", "Sentence", "Token", "negation_scope", "sentences", "tokenize"]


class Token(NamedTuple):
    """One token of a turn's text.

    Attributes:
        text: The characters as written (``text == turn.text[start:end]``,
            except for the second half of a split contraction, which shares
            the span of the whole word).
        norm: Lower-cased, straight apostrophes, runs of three or more equal
            letters cut to two (``"sooo"`` -> ``"soo"``), contractions
            expanded (``"n't"`` -> ``"not"``, ``"'m"`` -> ``"am"``).
        start: Offset of the first character in the turn's text.
        end: Offset one past the last character.
        kind: ``"word"``, ``"number"``, ``"punct"``, ``"emoji"``, ``"url"``,
            ``"handle"`` or ``"hashtag"``.
        squeezed: For elongated words, the form with every run cut to one
            letter (``"pleeease"`` -> ``"please"``); otherwise ``""``.
    """

    text: str
    norm: str
    start: int
    end: int
    kind: str
    squeezed: str = ""


class Sentence(NamedTuple):
    """A sentence of a turn: a character span and the token range inside it.

    Attributes:
        start: Offset of the sentence's first character.
        end: Offset one past its last character.
        first: Index of its first token.
        last: Index one past its last token.
        question: Whether it asks something (ends in ``?``, or, without
            punctuation, opens with a question word).
    """

    start: int
    end: int
    first: int
    last: int
    question: bool


# Alternatives are tried in order; each is a simple loop over a character
# class, so matching is linear in the text length whatever the input.
_TOKEN = re.compile(
    r"(?P<url>(?:https?://|www\.)\S+)"
    r"|(?P<handle>@\w+)"
    r"|(?P<hashtag>#\w+)"
    r"|(?P<number>\d+(?:[.,:]\d+)*%?)"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)"
    r"|(?P<emoticon>[:;=8][\-o*']?[()\[\]dDpP/\\|*$@]+|<3)"
    r"|(?P<other>[^\w\s])",
)
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_ELONGATED_ONE = re.compile(r"([^\W\d_])\1+")

#: Contraction suffixes, split off and expanded (``can't`` -> ``can`` + ``not``).
_SUFFIXES = {"n't": "not", "'m": "am", "'re": "are", "'ll": "will", "'ve": "have", "'d": "would", "'s": "'s"}
#: Irregular stems left after splitting ``n't`` off.
_NT_STEMS = {"ca": "can", "wo": "will", "sha": "shall", "ai": "is"}
#: Words after which ``'s`` means ``is`` (``let's`` is ``let us``).
_IS_STEMS = frozenset(
    {"it", "that", "what", "there", "here", "he", "she", "who", "where", "how", "when", "why", "this"}
    | {"everything", "nothing", "something", "someone", "somebody", "everyone"}
)
#: Contractions commonly typed without the apostrophe (chat, ASR), expanded.
#: Ambiguous spellings (``ill``, ``id``, ``its``, ``were``, ``well``) are left alone.
_BARE_CONTRACTIONS = {
    "im": ("i", "am"),
    "ive": ("i", "have"),
    "youre": ("you", "are"),
    "theyre": ("they", "are"),
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "didnt": ("did", "not"),
    "cant": ("can", "not"),
    "cannot": ("can", "not"),
    "wont": ("will", "not"),
    "isnt": ("is", "not"),
    "arent": ("are", "not"),
    "wasnt": ("was", "not"),
    "werent": ("were", "not"),
    "havent": ("have", "not"),
    "hasnt": ("has", "not"),
    "hadnt": ("had", "not"),
    "couldnt": ("could", "not"),
    "shouldnt": ("should", "not"),
    "wouldnt": ("would", "not"),
    "thats": ("that", "is"),
    "whats": ("what", "is"),
    "theres": ("there", "is"),
    "lets": ("let", "us"),
}
_SENTENCE_END = frozenset(".!?…")
_WH_WORDS = frozenset(["what", "when", "where", "why", "how", "who", "which", "whose"])
_AUXILIARIES = frozenset(
    [
        "can",
        "could",
        "would",
        "will",
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "have",
        "has",
        "may",
        "should",
        "shall",
    ]
)
_PRONOUNS = frozenset(["i", "you", "we", "it", "they", "he", "she", "there", "that", "this", "your"])
#: ASR fillers where an unpunctuated run is cut into sentences.
_FILLERS = frozenset({"um", "uh", "erm", "uhm", "hmm", "mm", "ah", "okay", "ok", "so", "yeah"})
#: An unpunctuated run longer than this many tokens is cut at fillers.
_MAX_RUN = 20


def _word_tokens(text: str, start: int, end: int) -> list[Token]:
    lower = text.lower().replace("’", "'")
    squeezed = ""
    if _ELONGATED.search(lower):
        squeezed = _ELONGATED_ONE.sub(r"\1", lower)
        lower = _ELONGATED.sub(r"\1\1", lower)
    if "'" in lower:
        for suffix, expansion in _SUFFIXES.items():
            if lower == "let's":
                return [Token(text, "let", start, end, "word"), Token(text, "us", start, end, "word")]
            if lower.endswith(suffix) and len(lower) > len(suffix):
                stem = lower[: -len(suffix)]
                if suffix == "n't":
                    stem = _NT_STEMS.get(stem, stem)
                elif suffix == "'s" and stem in _IS_STEMS:
                    expansion = "is"  # "that's" is "that is"; "customer's" stays possessive
                return [
                    Token(text, stem, start, end, "word"),
                    Token(text, expansion, start, end, "word"),
                ]
    bare = _BARE_CONTRACTIONS.get(lower)
    if bare is not None:
        return [Token(text, bare[0], start, end, "word"), Token(text, bare[1], start, end, "word")]
    return [Token(text, lower, start, end, "word", squeezed)]


def _is_emoji(char: str) -> bool:
    return ord(char) > 0x2000 and unicodedata.category(char) in {"So", "Sk", "Cn"}


# The same alternatives without groups: ``findall`` returns the pieces as
# strings in one C-level pass, and the kind of a piece follows from its first
# characters (see :func:`tokenize`).
_PIECE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|@\w+"
    r"|#\w+"
    r"|\d+(?:[.,:]\d+)*%?"
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*"
    r"|[:;=8][\-o*']?[()\[\]dDpP/\\|*$@]+|<3"
    r"|[^\w\s]",
)
_URL_STARTS = ("http://", "https://", "www.")
_new_token = tuple.__new__  # Token(...) without the Python-level __new__ (same tuple)
# Three equal characters in a row: a cheap test that rules out elongated words
# (``_ELONGATED``) for most texts before the exact, slower one runs.
_TRIPLE = re.compile(r"(.)\1\1")


def _add_pieces(chunk: str, offset: int, elongated: bool, tokens: list[Token]) -> None:
    """Tokenise *chunk*, a run of non-space characters at *offset*, onto *tokens*.

    Characters between pieces are only ``_``, which no piece starts with, so
    ``find`` from the end of the previous piece lands on the piece's own start.
    """
    append = tokens.append
    find = chunk.find
    pos = 0
    for piece in _PIECE.findall(chunk):
        local = find(piece, pos)
        pos = local + len(piece)
        start, end = offset + local, offset + pos
        head = piece[0]
        if head.isalnum() and not head.isdecimal():  # [^\W\d_]: a word, or a URL
            if piece.startswith(_URL_STARTS):
                append(_new_token(Token, (piece, piece.lower(), start, end, "url", "")))
            elif elongated or "'" in piece or "’" in piece:
                tokens.extend(_word_tokens(piece, start, end))
            else:
                _add_word(piece, start, end, append)
        elif head.isdecimal():
            append(_new_token(Token, (piece, piece.lower(), start, end, "number", "")))
        elif len(piece) == 1:
            kind = "emoji" if _is_emoji(head) else "punct"
            append(_new_token(Token, (piece, piece, start, end, kind, "")))
        elif head == "@":
            append(_new_token(Token, (piece, piece.lower(), start, end, "handle", "")))
        elif head == "#":
            append(_new_token(Token, (piece, piece.lower(), start, end, "hashtag", "")))
        else:  # ":-)", "<3"
            append(_new_token(Token, (piece, piece, start, end, "emoji", "")))


def _add_word(piece: str, start: int, end: int, append: Callable[[Token], None]) -> None:
    """Append the token(s) of a word with no apostrophe and no elongation (as :func:`_word_tokens`)."""
    lower = piece.lower()
    bare = _BARE_CONTRACTIONS.get(lower)
    if bare is None:
        append(_new_token(Token, (piece, lower, start, end, "word", "")))
    else:
        append(_new_token(Token, (piece, bare[0], start, end, "word", "")))
        append(_new_token(Token, (piece, bare[1], start, end, "word", "")))


#: The tokens of chunks that are not plain words, at offset 0, without and with
#: elongation (see :func:`tokenize`): such chunks repeat (``"sorry!"``,
#: ``"@help"``, ``"it's"``) and splitting them is the slowest path. A bounded
#: memo of a pure function, started over when full. It holds plain tuples of
#: strings and integers, which the garbage collector stops tracking (``Token``
#: instances, a tuple subclass, would stay tracked and slow every full collection).
_Piece = tuple[str, str, int, int, str, str]
_CHUNKS: tuple[dict[str, tuple[_Piece, ...]], dict[str, tuple[_Piece, ...]]] = ({}, {})
_CHUNKS_SIZE = 1 << 15


def tokenize(text: str) -> tuple[Token, ...]:
    """Split *text* into :class:`Token` objects with character offsets.

    >>> [t.norm for t in tokenize("I’m sooo sorry!! Can't log in @help 😡")]
    ['i', 'am', 'soo', 'sorry', '!', '!', 'can', 'not', 'log', 'in', '@help', '😡']
    """
    # No piece spans white space, so each white-space separated chunk is
    # tokenised alone; most chunks are plain words (``str.isalpha``), which
    # the pattern would match whole, and skip it.
    tokens: list[Token] = []
    append = tokens.append
    find = text.find
    lower_text = text.lower()
    elongated = _TRIPLE.search(lower_text) is not None and _ELONGATED.search(lower_text) is not None
    pos = 0
    for chunk in text.split():
        start = find(chunk, pos)
        pos = start + len(chunk)
        if chunk.isalpha() and not elongated:
            lower = chunk.lower()
            bare = _BARE_CONTRACTIONS.get(lower)
            if bare is None:
                append(_new_token(Token, (chunk, lower, start, pos, "word", "")))
            else:
                append(_new_token(Token, (chunk, bare[0], start, pos, "word", "")))
                append(_new_token(Token, (chunk, bare[1], start, pos, "word", "")))
        else:
            memo = _CHUNKS[elongated]
            pieces = memo.get(chunk)
            if pieces is None:
                local: list[Token] = []
                _add_pieces(chunk, 0, elongated, local)
                pieces = tuple([(t[0], t[1], t[2], t[3], t[4], t[5]) for t in local])
                if len(memo) >= _CHUNKS_SIZE:
                    memo.clear()
                memo[chunk] = pieces
            for t in pieces:
                append(_new_token(Token, (t[0], t[1], t[2] + start, t[3] + start, t[4], t[5])))
    return tuple(tokens)


def _asks(tokens: tuple[Token, ...], first: int, last: int, ends: list[bool]) -> bool:
    """Whether tokens *first* to *last* ask something; *ends* marks the sentence-end tokens."""
    if last > first and tokens[last - 1].text == "?":
        return True
    if True in ends[first:last]:
        return False
    # The first two words, fillers left out, decide.
    words: list[str] = []
    for t in tokens[first:last]:
        if t.kind == "word" and t.norm not in _FILLERS:
            words.append(t.norm)
            if len(words) == 2:
                break
    if not words:
        return False
    return words[0] in _WH_WORDS or (words[0] in _AUXILIARIES and len(words) > 1 and words[1] in _PRONOUNS)


def _cut_long_run(tokens: tuple[Token, ...], first: int, last: int) -> list[tuple[int, int]]:
    """Cut an unpunctuated run of tokens at fillers into pieces of about ``_MAX_RUN`` tokens."""
    pieces, begin = [], first
    for i in range(first, last):
        if i - begin >= _MAX_RUN // 2 and tokens[i].norm in _FILLERS and i + 1 < last:
            pieces.append((begin, i))
            begin = i
    pieces.append((begin, last))
    return pieces


def sentences(text: str, tokens: tuple[Token, ...]) -> tuple[Sentence, ...]:
    """Split tokenised *text* into sentences at ``.``, ``!``, ``?`` and line breaks.

    Runs with no punctuation (ASR text) longer than twenty tokens are cut at
    fillers such as ``um`` or ``so``.

    >>> text = "I see. Did the router restart?"
    >>> [text[s.start : s.end] for s in sentences(text, tokenize(text))]
    ['I see.', 'Did the router restart?']
    """
    spans: list[tuple[int, int]] = []
    begin = 0
    n = len(tokens)
    # A sentence ends after the last of a run of end marks, and at a line break between tokens.
    ends = [t.text in _SENTENCE_END for t in tokens]
    ends.append(False)
    cuts = [i for i in itertools.compress(range(n), ends) if not ends[i + 1]]
    if "\n" in text:
        cuts += [i for i in range(n - 1) if "\n" in text[tokens[i].end : tokens[i + 1].start]]
        cuts = sorted(set(cuts))
    for i in cuts:
        spans.append((begin, i + 1))
        begin = i + 1
    if begin < len(tokens):
        spans.append((begin, len(tokens)))
    result = []
    for first, last in spans:
        pieces = _cut_long_run(tokens, first, last) if last - first > _MAX_RUN else [(first, last)]
        for a, b in pieces:
            result.append(Sentence(tokens[a].start, tokens[b - 1].end, a, b, _asks(tokens, a, b, ends)))
    return tuple(result)


#: Words that negate what follows (after contraction expansion ``n't`` is ``not``).
#: From VADER's NEGATE list (Hutto & Gilbert 2014), reduced to forms left after
#: servicescore's tokenisation.
NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "neither",
        "nor",
        "nowhere",
        "without",
        "hardly",
        "barely",
        "rarely",
        "seldom",
        "neednt",
        "dont",
    ]
)
#: Words that end a negation's scope: a contrast starts a new clause.
_SCOPE_BREAKERS = frozenset({"but", "however", "although", "though", "yet", "except", "instead"})
#: A negation reaches at most this many words (VADER looks three words back).
_SCOPE_WORDS = 3


def negation_scope(tokens: tuple[Token, ...]) -> tuple[bool, ...]:
    """Mark the tokens whose meaning a preceding negator reverses.

    A negator (``not``, ``never``, ``no``, ...) covers up to three following
    words, stopping at punctuation or a contrast (``but``). The idiom
    "can't ... enough" (``I can't thank you enough``) is not a negation.

    >>> tokens = tokenize("I'm not sorry, but thanks")
    >>> [t.norm for t, negated in zip(tokens, negation_scope(tokens)) if negated]
    ['sorry']
    """
    scope = [False] * len(tokens)
    i, n = 0, len(tokens)
    while i < n:
        if tokens[i].norm in NEGATORS and tokens[i].kind == "word":
            covered: list[int] = []
            j = i + 1
            while j < n and len(covered) < _SCOPE_WORDS:
                token = tokens[j]
                if token.kind == "punct" or token.norm in _SCOPE_BREAKERS or token.norm in NEGATORS:
                    break
                if token.kind == "word":
                    covered.append(j)
                j += 1
            if not any(tokens[k].norm == "enough" for k in covered):
                for k in covered:
                    scope[k] = True
            i = j if j > i + 1 and j < n and tokens[j].norm not in NEGATORS else i + 1
        else:
            i += 1
    return tuple(scope)

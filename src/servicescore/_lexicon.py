"""Lexicons: versioned lists of cue phrases, matched over tokens with a trie.

A lexicon file is UTF-8 text, one cue per line, tab-separated::

    # version: 1
    # phrase<TAB>category<TAB>weight<TAB>source
    i am (so|very|truly)? sorry	apology	1.0	EPITOME emotional reactions

Phrases are written in normalised tokens (lower case, contractions expanded:
``i am``, ``do not``). Inside a phrase, ``(a|b)`` offers alternatives,
``(a|b)?`` makes a group optional, ``word*`` matches any token starting with
``word`` (``apologi*``) and a lone ``*`` matches any one token. Lines starting
with ``#`` are comments; ``# version:`` names the lexicon's version.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import attrs

from ._text import Token
from .exceptions import FormatError, MissingResourceError

__all__ = ["Cue", "CueMatch", "Lexicon"]


@attrs.frozen
class Cue:
    """One lexicon entry.

    Attributes:
        phrase: The pattern in normalised tokens (see :class:`Lexicon`).
        category: The cue family it belongs to (``"apology"``, ``"offer"``...).
        weight: Its strength; each scorer documents how it uses weights.
        source: Where the cue comes from (paper, data set, domain practice).
    """

    phrase: str
    category: str
    weight: float = 1.0
    source: str = ""


class CueMatch(NamedTuple):
    """A cue found in a token sequence: tokens ``first`` to ``last - 1``."""

    first: int
    last: int
    cue: Cue


_END = "$cue"


def _expand(phrase: str) -> list[list[str]]:
    """Expand ``(a|b)`` alternatives and ``(...)?`` optional groups into token lists."""
    options: list[list[str]] = []
    for part in phrase.split():
        if part.startswith("(") and part.endswith((")", ")?")):
            optional = part.endswith("?")
            body = part[1 : -2 if optional else -1]
            choices = [["is" if w == "'s" else w for w in choice.split("_")] for choice in body.split("|")]
            choices += [choice.split("_") for choice in body.split("|") if "'s" in choice.split("_")]
            options.append(["\0".join(c) for c in choices] + ([""] if optional else []))
        elif part == "'s":
            options.append(["'s", "is"])  # the tokenizer reads "that's" as "that is"
        else:
            options.append([part])
    sequences = []
    for combo in itertools.product(*options):
        tokens = [tok for piece in combo if piece for tok in piece.split("\0")]
        if tokens:
            sequences.append(tokens)
    return sequences


class _Trie:
    """Token trie with exact, prefix (``word*``) and any-token (``*``) edges."""

    __slots__ = ("any", "best", "cues", "exact", "memo", "prefixes")

    def __init__(self) -> None:
        self.exact: dict[str, _Trie] = {}
        self.prefixes: list[tuple[str, _Trie]] = []
        self.any: _Trie | None = None
        self.cues: list[Cue] = []
        self.best: Cue | None = None
        # Children per token form, memoised: service vocabulary is small and
        # repetitive, so most steps become one dictionary look-up. Bounded;
        # a race between threads can only recompute an entry.
        self.memo: dict[tuple[str, str, bool], tuple[_Trie, ...]] = {}

    def add(self, tokens: Sequence[str], cue: Cue) -> None:
        node = self
        for token in tokens:
            if token == "*":
                if node.any is None:
                    node.any = _Trie()
                node = node.any
            elif token.endswith("*"):
                prefix = token[:-1]
                for known, child in node.prefixes:
                    if known == prefix:
                        node = child
                        break
                else:
                    child = _Trie()
                    node.prefixes.append((prefix, child))
                    node = child
            else:
                node = node.exact.setdefault(token, _Trie())
        if cue not in node.cues:
            node.cues.append(cue)
            node.best = max(node.cues, key=lambda c: abs(c.weight))

    def step(self, token: Token) -> tuple[_Trie, ...]:
        """The nodes reached from this one by *token*."""
        key = (token.norm, token.squeezed, token.kind == "word")
        found = self.memo.get(key)
        if found is None:
            found = tuple(self._children(token))
            if len(self.memo) >= _MEMO_SIZE:
                self.memo.clear()
            self.memo[key] = found
        return found

    def _children(self, token: Token) -> Iterable[_Trie]:
        child = self.exact.get(token.norm)
        if child is not None:
            yield child
        if token.squeezed:
            child = self.exact.get(token.squeezed)
            if child is not None:
                yield child
        for prefix, node in self.prefixes:
            if token.norm.startswith(prefix):
                yield node
        if self.any is not None and token.kind == "word":
            yield self.any


#: Entries each trie node memoises before starting over.
_MEMO_SIZE = 4096


def _read_lines(lines: Iterable[str], path: str) -> tuple[str, list[Cue]]:
    version, cues = "", []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        if line.startswith("#"):
            head, _, value = line[1:].partition(":")
            if head.strip() == "version":
                version = value.strip()
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            raise FormatError("expected phrase<TAB>category[<TAB>weight<TAB>source]", path=path, line=number)
        try:
            weight = float(fields[2]) if len(fields) > 2 and fields[2].strip() else 1.0
        except ValueError:
            raise FormatError(
                f"weight must be a number (got {fields[2]!r})", path=path, line=number, field="weight"
            ) from None
        source = fields[3].strip() if len(fields) > 3 else ""
        cues.append(Cue(fields[0].strip(), fields[1].strip(), weight, source))
    return version, cues


def _to_cues(cues: Iterable[Cue]) -> tuple[Cue, ...]:
    return tuple(cues)


@attrs.frozen(eq=False)
class Lexicon:
    """A named, versioned set of :class:`Cue` phrases, matched over tokens.

    Lexicons are immutable: :meth:`extend` returns a new one, so a company's
    own phrases or product names never change the shipped lexicon. Matching
    walks a token trie (built once, lazily), so its cost does not grow with
    the number of phrases the way one big regular expression does.

    Attributes:
        name: The lexicon's name (``"empathy"``).
        cues: Its entries.
        version: Its version; extended lexicons append ``+custom``.

    >>> lexicon = Lexicon("demo", [Cue("(so|very)? sorry", "apology"), Cue("upgrad*", "offer")])
    >>> from servicescore._text import tokenize
    >>> [m.cue.category for m in lexicon.match(tokenize("So sorry! Want to upgrade?"))]
    ['apology', 'offer']
    """

    name: str
    cues: tuple[Cue, ...] = attrs.field(converter=_to_cues)
    version: str = ""

    @classmethod
    def load(cls, name: str) -> Lexicon:
        """Load the lexicon *name* shipped with servicescore (``"empathy"``, ...).

        Raises:
            MissingResourceError: If no lexicon of that name ships.
        """
        resource = resources.files("servicescore") / "data" / "lexicons" / f"{name}.tsv"
        try:
            text = resource.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise MissingResourceError(f"no lexicon named {name!r} ships with servicescore") from None
        version, cues = _read_lines(text.splitlines(), f"{name}.tsv")
        return cls(name, cues, version)

    @classmethod
    def from_file(cls, path: str | Path, name: str | None = None) -> Lexicon:
        """Read a lexicon from a tab-separated file in the format described above.

        Raises:
            FormatError: If a line is malformed (the error names file and line).
        """
        path = Path(path)
        with path.open(encoding="utf-8") as lines:
            version, cues = _read_lines(lines, str(path))
        return cls(name or path.stem, cues, version)

    def extend(self, cues: Iterable[Cue | tuple[str, str] | tuple[str, str, float]]) -> Lexicon:
        """Return a new lexicon with *cues* added (``Cue`` objects or tuples).

        >>> Lexicon("x", [Cue("sorry", "apology")]).extend([("fibre plus", "product", 1.0)]).version
        '+custom'
        """
        added = tuple(cue if isinstance(cue, Cue) else Cue(*cue) for cue in cues)
        version = self.version if self.version.endswith("+custom") else f"{self.version}+custom"
        return Lexicon(self.name, self.cues + added, version)

    @cached_property
    def _trie(self) -> _Trie:
        root = _Trie()
        for cue in self.cues:
            for tokens in _expand(cue.phrase):
                root.add(tokens, cue)
        return root

    @cached_property
    def categories(self) -> frozenset[str]:
        """The categories of its cues."""
        return frozenset(cue.category for cue in self.cues)

    def match(self, tokens: Sequence[Token]) -> tuple[CueMatch, ...]:
        """Find cues in *tokens*: the longest match at each position, none inside another.

        Punctuation, emoji, URLs and handles are never part of a phrase, except
        where a phrase spells them.
        """
        root, found = self._trie, []
        n = len(tokens)
        for first in range(n):
            frontier = root.step(tokens[first])
            if not frontier:
                continue
            best: tuple[int, Cue] | None = None
            i = first + 1
            while True:
                for node in frontier:
                    if node.best is not None and (best is None or i > best[0]):
                        best = (i, node.best)
                if i >= n:
                    break
                frontier = tuple(child for node in frontier for child in node.step(tokens[i]))
                if not frontier:
                    break
                i += 1
            if best is not None:
                found.append(CueMatch(first, best[0], best[1]))
        # Drop matches contained in an earlier, longer one.
        result, reach = [], 0
        for match in found:
            if match.last <= reach:
                continue
            result.append(match)
            reach = match.last
        return tuple(result)

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

import functools
import itertools
import threading
from collections.abc import Iterable, Sequence
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, cast

import attrs

from ._text import Token
from .exceptions import FormatError, MissingResourceError

__all__ = ["Cue", "CueMatch", "Lexicon", "match_keys", "match_many"]


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


def match_keys(tokens: Iterable[Token]) -> tuple[str, ...]:
    r"""One string per token that determines how the token steps through a trie.

    A trie step reads a token's ``norm``, its ``squeezed`` form and whether it
    is a word; the key encodes exactly these (a plain word's key is its
    ``norm``), so matching memoises steps by key.

    >>> from servicescore._text import tokenize
    >>> match_keys(tokenize("Sooo sorry!"))
    ('soo\x00so', 'sorry', '\x01!')
    """
    return tuple(
        (t.norm if not t.squeezed else f"{t.norm}\x00{t.squeezed}") if t.kind == "word" else "\x01" + t.norm
        for t in tokens
    )


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
    """Token trie with exact, prefix (``word*``) and any-token (``*``) edges.

    Nodes are integers (the root is 0) and edges live in flat lists of
    dictionaries from strings to integers: the expanded lexicons have about
    200,000 nodes, and as objects of their own they would be traversed by
    every full garbage collection of the process; dictionaries and tuples
    holding only strings and integers are not.
    """

    __slots__ = ("any", "best", "exact", "memo", "prefixes", "root_memo")

    def __init__(self) -> None:
        self.exact: list[dict[str, int]] = []
        self.prefixes: list[tuple[tuple[str, int], ...]] = []
        self.any: list[int] = []  # -1: no any-token edge
        self.best: list[Cue | None] = []  # the strongest cue ending at each node
        # Children per node and token key, memoised: service vocabulary is
        # small and repetitive, so most steps become one dictionary look-up.
        # Bounded; a race between threads can only recompute an entry.
        self.root_memo: dict[str, tuple[int, ...]] = {}
        self.memo: dict[tuple[int, str], tuple[int, ...]] = {}
        self._node()

    def _node(self) -> int:
        self.exact.append({})
        self.prefixes.append(())
        self.any.append(-1)
        self.best.append(None)
        return len(self.best) - 1

    def add(self, tokens: Sequence[str], cue: Cue) -> None:
        node = 0
        for token in tokens:
            if token == "*":
                if self.any[node] < 0:
                    self.any[node] = self._node()
                node = self.any[node]
            elif token.endswith("*"):
                prefix = token[:-1]
                for known, child in self.prefixes[node]:
                    if known == prefix:
                        node = child
                        break
                else:
                    child = self._node()
                    self.prefixes[node] += ((prefix, child),)
                    node = child
            else:
                edges = self.exact[node]
                child = edges.get(token, -1)
                if child < 0:
                    child = edges[token] = self._node()
                node = child
        # The first of the strongest cues ending here (as ``max`` over them in order).
        best = self.best[node]
        if best is None or abs(cue.weight) > abs(best.weight):
            self.best[node] = cue

    def step(self, node: int, key: str, token: Token) -> tuple[int, ...]:
        """The nodes reached from *node* by *token*, whose :func:`match_key` is *key*."""
        memo: dict[Any, tuple[int, ...]] = self.root_memo if node == 0 else self.memo
        memo_key: Any = key if node == 0 else (node, key)
        found = memo.get(memo_key)
        if found is None:
            found = tuple(self._children(node, token))
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[memo_key] = found
        return found

    def _children(self, node: int, token: Token) -> Iterable[int]:
        exact = self.exact[node]
        child = exact.get(token.norm)
        if child is not None:
            yield child
        if token.squeezed:
            child = exact.get(token.squeezed)
            if child is not None:
                yield child
        for prefix, child in self.prefixes[node]:
            if token.norm.startswith(prefix):
                yield child
        if self.any[node] >= 0 and token.kind == "word":
            yield self.any[node]


#: Entries the step memo of a trie holds before starting over.
_MEMO_SIZE = 1 << 16


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
        trie = _Trie()
        for cue in self.cues:
            for tokens in _expand(cue.phrase):
                trie.add(tokens, cue)
        return trie

    @cached_property
    def categories(self) -> frozenset[str]:
        """The categories of its cues."""
        return frozenset(cue.category for cue in self.cues)

    def match(self, tokens: Sequence[Token], keys: Sequence[str] | None = None) -> tuple[CueMatch, ...]:
        """Find cues in *tokens*: the longest match at each position, none inside another.

        Punctuation, emoji, URLs and handles are never part of a phrase, except
        where a phrase spells them. *keys*, the tokens' match keys (``match_keys``),
        saves computing them again when several lexicons match one text.
        """
        if keys is None:
            keys = match_keys(tokens)
        trie = self._trie
        n = len(tokens)
        # The first step from the root, for every token at once; most tokens start no phrase.
        firsts = list(map(trie.root_memo.get, keys))
        if None in firsts:
            for i, frontier in enumerate(firsts):
                if frontier is None:
                    firsts[i] = trie.step(0, keys[i], tokens[i])
        best, memo, step = trie.best, trie.memo, trie.step
        result: list[CueMatch] = []
        reach = 0  # a match contained in an earlier, longer one is dropped
        for first, frontier in [(i, nodes) for i, nodes in enumerate(firsts) if nodes]:
            best_last, best_cue = 0, None
            i = first + 1
            while True:
                for node in frontier:
                    cue = best[node]
                    if cue is not None and i > best_last:
                        best_last, best_cue = i, cue
                if i >= n:
                    break
                key = keys[i]
                if len(frontier) == 1:
                    node = frontier[0]
                    nodes = memo.get((node, key))
                    frontier = nodes if nodes is not None else step(node, key, tokens[i])
                else:
                    token = tokens[i]
                    frontier = tuple(child for node in frontier for child in step(node, key, token))
                if not frontier:
                    break
                i += 1
            if best_cue is not None and best_last > reach:
                result.append(CueMatch(first, best_last, best_cue))
                reach = best_last
        return tuple(result)


class _JointTables:
    """The states of a :class:`_Joint` walk and their memoised steps (replaced whole when full)."""

    __slots__ = ("cues", "ids", "memo", "root", "states")

    def __init__(self, width: int) -> None:
        dead: tuple[tuple[int, ...], ...] = ((),) * width
        start: tuple[tuple[int, ...], ...] = ((0,),) * width
        # State 0 is dead (every frontier empty), state 1 the roots.
        self.states: list[tuple[tuple[int, ...], ...]] = [dead, start]
        self.cues: list[tuple[tuple[int, Cue], ...]] = [(), ()]
        self.ids: dict[tuple[tuple[int, ...], ...], int] = {dead: 0, start: 1}
        self.root: dict[str, int] = {}
        self.memo: dict[tuple[int, str], int] = {}


class _Joint:
    """Several lexicons' tries walked at once, as if each were walked on its own.

    A state is the tuple of every trie's frontier (the nodes one walk has
    reached); its steps are memoised per token key, so one dictionary look-up
    advances all the walks. Each state records, per lexicon, the first node of
    its frontier that ends a cue: the cue a lone walk would keep at that
    position. The tables are bounded: when full they are replaced by empty
    ones (a walk in progress keeps the tables it started with), and a race
    between threads can only intern a state twice under a lock.
    """

    __slots__ = ("lock", "tables", "tries")

    def __init__(self, lexicons: tuple[Lexicon, ...]) -> None:
        self.tries = tuple(lexicon._trie for lexicon in lexicons)
        self.tables = _JointTables(len(self.tries))
        self.lock = threading.Lock()

    def _state(self, tables: _JointTables, frontiers: tuple[tuple[int, ...], ...]) -> int:
        found = tables.ids.get(frontiers)
        if found is not None:
            return found
        with self.lock:
            found = tables.ids.get(frontiers)
            if found is None:
                cues = []
                for index, (trie, frontier) in enumerate(zip(self.tries, frontiers, strict=True)):
                    best = trie.best
                    for node in frontier:
                        cue = best[node]
                        if cue is not None:
                            cues.append((index, cue))
                            break
                tables.cues.append(tuple(cues))
                tables.states.append(frontiers)
                found = len(tables.states) - 1
                tables.ids[frontiers] = found
        return found

    def _step(self, tables: _JointTables, state: int, key: str, token: Token) -> int:
        frontiers = tuple(
            tuple(child for node in frontier for child in trie.step(node, key, token))
            for trie, frontier in zip(self.tries, tables.states[state], strict=True)
        )
        found = self._state(tables, frontiers)
        if state == 1:
            tables.root[key] = found
        else:
            tables.memo[state, key] = found
        if len(tables.memo) >= _MEMO_SIZE or len(tables.states) >= _MEMO_SIZE:
            self.tables = _JointTables(len(self.tries))
        return found

    def match(self, tokens: Sequence[Token], keys: Sequence[str]) -> tuple[tuple[CueMatch, ...], ...]:
        tables = self.tables
        n = len(tokens)
        known = list(map(tables.root.get, keys))
        if None in known:
            for i, state in enumerate(known):
                if state is None:
                    known[i] = self._step(tables, 1, keys[i], tokens[i])
        firsts = cast("list[int]", known)
        get, cues, step = tables.memo.get, tables.cues, self._step
        width = len(self.tries)
        result: list[list[CueMatch]] = [[] for _ in range(width)]
        reach = [0] * width  # per lexicon, a match contained in an earlier, longer one is dropped
        for first in itertools.compress(range(n), firsts):  # most tokens start no phrase
            state = firsts[first]
            ends: list[tuple[int, int]] | None = None  # (end, state) wherever a cue ends
            i = first + 1
            while True:
                if cues[state]:
                    if ends is None:
                        ends = [(i, state)]
                    else:
                        ends.append((i, state))
                if i >= n:
                    break
                key = keys[i]
                following = get((state, key))
                state = following if following is not None else step(tables, state, key, tokens[i])
                if not state:
                    break
                i += 1
            if ends is None:
                continue
            found: dict[int, tuple[int, Cue]] = {}
            for last, state in ends:  # the longest match of each lexicon wins
                for index, cue in cues[state]:
                    found[index] = (last, cue)
            for index, (last, cue) in found.items():
                if last > reach[index]:
                    result[index].append(CueMatch(first, last, cue))
                    reach[index] = last
        return tuple(map(tuple, result))


@functools.lru_cache(maxsize=64)
def _joint(lexicons: tuple[Lexicon, ...]) -> _Joint:
    """The joint matcher of *lexicons* (cached, so its memoised steps are shared)."""
    return _Joint(lexicons)


def match_many(
    lexicons: Sequence[Lexicon], tokens: Sequence[Token], keys: Sequence[str] | None = None
) -> tuple[tuple[CueMatch, ...], ...]:
    """``tuple(lexicon.match(tokens) for lexicon in lexicons)``, in one walk over the tokens.

    >>> from servicescore._text import tokenize
    >>> a = Lexicon("a", [Cue("so sorry", "apology"), Cue("sorry", "apology")])
    >>> b = Lexicon("b", [Cue("sorry", "regret"), Cue("upgrad*", "offer")])
    >>> tokens = tokenize("So sorry! Want to upgrade?")
    >>> match_many((a, b), tokens) == (a.match(tokens), b.match(tokens))
    True
    """
    if keys is None:
        keys = match_keys(tokens)
    return _joint(tuple(lexicons)).match(tokens, keys)

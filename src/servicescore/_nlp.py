"""The one module that imports nltk, lazily.

``import nltk`` takes about a second, so nothing here runs at import time of
:mod:`servicescore`; the first analysis that needs a piece of nltk loads it.
Only parts of nltk that need no downloaded data are used (the Porter stemmer
and VADER's rule constants), so servicescore never calls ``nltk.download``.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["stem", "vader_constants"]


@functools.cache
def _stemmer() -> Any:
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer(mode=PorterStemmer.NLTK_EXTENSIONS)


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Return the Porter stem of a lower-case *word* (``"apologizing"`` -> ``"apolog"``).

    Results are cached (bounded), since service vocabulary is small and
    repetitive; the stemmer is pure, so the cache is safe to share.
    """
    result: str = _stemmer().stem(word, to_lowercase=False)
    return result


@functools.cache
def vader_constants() -> Any:
    """Return nltk's :class:`~nltk.sentiment.vader.VaderConstants` (rule word lists, no lexicon)."""
    from nltk.sentiment.vader import VaderConstants

    return VaderConstants()

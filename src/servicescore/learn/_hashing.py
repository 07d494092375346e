"""Deterministic feature hashing: strings to column indices, the same in every process.

Python's built-in ``hash()`` of a string changes from one process to the next
(``PYTHONHASHSEED``), so a model trained in one process would read different
columns in another. CRC-32 of the UTF-8 bytes is stable across processes,
platforms and Python versions, and fast (C code in :mod:`zlib`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

__all__ = ["hash_index", "hash_indices"]


def hash_index(feature: str, dims: int) -> int:
    """The column, in ``[0, dims)``, of the feature named *feature*.

    >>> hash_index("w:sorry", 2**18)
    1672
    """
    if dims < 1:
        raise ValueError(f"dims must be at least 1, not {dims}")
    return zlib.crc32(feature.encode("utf-8")) % dims


def hash_indices(features: Iterable[str], dims: int) -> npt.NDArray[np.int64]:
    """The columns of many feature names at once (see :func:`hash_index`)."""
    if dims < 1:
        raise ValueError(f"dims must be at least 1, not {dims}")
    crc = zlib.crc32
    return np.array([crc(f.encode("utf-8")) for f in features], dtype=np.int64) % dims

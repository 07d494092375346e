"""Readers and writers for transcript files.

:func:`read` streams :class:`~servicescore.Transcript` objects from canonical
JSON Lines or JSON (and CSV, vendor files); :func:`from_pandas` from a
DataFrame with one row per turn; :func:`write_jsonl` writes them back.
"""

from __future__ import annotations

from ._jsonl import read, write_jsonl
from ._pandas import from_pandas

__all__ = ["from_pandas", "read", "write_jsonl"]

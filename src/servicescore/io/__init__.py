"""Readers and writers for transcript files.

:func:`read` streams :class:`~servicescore.Transcript` objects from canonical
JSON Lines or JSON; :func:`write_jsonl` writes them back.
"""

from __future__ import annotations

from ._jsonl import read, write_jsonl

__all__ = ["read", "write_jsonl"]

"""Writing what the data contains safely: spreadsheet cells, whole files, terminal text."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

__all__ = ["FORMULA_PREFIXES", "atomic_text_file", "csv_cells", "escape_formula", "terminal_text"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder what is shown.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _is_number_text(text: str) -> bool:
    if not text.startswith(("+", "-")):  # float() would also take "\t1"
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def escape_formula(value: object) -> object:
    r"""*value*, with a ``'`` put before a text that a spreadsheet would run as a formula.

    Text starting with one of :data:`FORMULA_PREFIXES` gets the prefix OWASP
    recommends, so ``=HYPERLINK(...)`` from a transcript shows as text when
    the CSV is opened in Excel, LibreOffice or Google Sheets. Numbers, and text
    that is a number (``"-3.5"``), are left alone.

    >>> escape_formula('=HYPERLINK("http://x")')
    '\'=HYPERLINK("http://x")'
    >>> escape_formula("-3.5"), escape_formula(-3.5), escape_formula("anna")
    ('-3.5', -3.5, 'anna')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _is_number_text(value):
        return "'" + value
    return value


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):  # metadata such as vendor categories and spans
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def csv_cells(values: Iterable[object], *, escape_formulas: bool = True) -> list[object]:
    """One CSV row: ``None`` as an empty cell, lists and mappings as JSON text; formula-leading text
    escaped if *escape_formulas*.
    """  # noqa: D205
    cells = [_csv_value(value) for value in values]
    return [escape_formula(cell) for cell in cells] if escape_formulas else cells


def terminal_text(text: str) -> str:
    r"""*text* with control characters shown as escapes, so data cannot drive the terminal.

    Escape sequences (colours, cursor moves, window titles), carriage
    returns, backspaces and bidirectional overrides from a transcript would
    otherwise rewrite or hide what is printed; each becomes a visible
    ``\x1b``-style escape. Tabs and newlines inside data become ``\t`` and ``\n``.

    >>> print(terminal_text("ok\x1b[2Jbad\r"))
    ok\x1b[2Jbad\r
    """
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


@contextlib.contextmanager
def atomic_text_file(path: str | Path) -> Iterator[IO[str]]:
    r"""Open a text file that replaces *path* only once the block completes.

    The text goes to a temporary file in the same folder, renamed over *path*
    when the block ends without an exception; on an exception (or an
    interrupt) the temporary file is removed and a previous *path* is left
    as it was. The file is UTF-8; characters UTF-8 cannot hold (lone
    surrogates, as JSON ``"\ud800"`` gives) are written as ``\ud800``
    escapes rather than failing half-way.
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8", errors="backslashreplace", newline="") as handle:
            yield handle
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)

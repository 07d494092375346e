"""Mutated reader inputs built from real files, for the fuzz test and benchmark.

:func:`seeds` gives one real input per reader format (the bundled sample, the
vendor fixtures, the twcs example); :func:`mutate` damages one the way files
get damaged or crafted: byte flips, truncation, inserted and deleted spans,
invalid UTF-8, and, for JSON, a value swapped for a wrong type, a huge number,
deep nesting or a lone surrogate escape. :func:`expected_records` says how
many rows + errors a read must give, where that is well defined.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
FIXTURES = ROOT / "fixtures"
SAMPLE = ROOT.parent / "src" / "servicescore" / "data" / "sample.jsonl"

#: Reader format of each seed: the name passed to ``read(..., format=)``.
FORMATS = {
    "jsonl": "jsonl",
    "json": "json",
    "csv": "csv",
    "twcs": "twcs",
    "contact_lens": "json",
    "transcribe": "json",
    "ccai": "json",
}

TWCS = """tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
2,AcmeHelp,False,Tue Oct 31 22:12:00 +0000 2017,@115712 Sorry! Which plan are you on?,"3,4",1
1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@AcmeHelp my bill is wrong again,2,
3,115712,True,Tue Oct 31 22:20:00 +0000 2017,"@AcmeHelp the basic one, thanks",,2
9,999,True,Wed Nov 01 08:00:00 +0000 2017,@AcmeHelp hello?,,
"""

_WEIRD_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    "",
    "x",
    '=HYPERLINK("http://x")',
    "\ud800",
    "\x1b[31mred",
    [],
    ["AGENT"],
    {},
    {"a": 1},
    1.5,
    10**309,
    -(10**309),
    10**400,
    1e308,
    2**1024,
)
_TOKENS = (
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\x00",
    b"\n",
    b"\r",
    b'"',
    b",",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\\",
    b'"\\ud800"',
    b"1" + b"0" * 400,
    b"1e400",
    b"NaN",
    b"-Infinity",
    b"[" * 1200,
    b"\xef\xbb\xbf",
)


def seeds() -> dict[str, bytes]:
    """One real input per format (small, so a read takes about a millisecond)."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()[:8]
    records = [json.loads(line) for line in lines]
    return {
        "jsonl": ("\n".join(lines) + "\n").encode(),
        "json": json.dumps(records[:4], indent=1).encode(),
        "csv": _as_csv(records[:4]).encode(),
        "twcs": TWCS.encode(),
        "contact_lens": (FIXTURES / "contact_lens_chat.json").read_bytes(),
        "transcribe": (FIXTURES / "transcribe_call_analytics.json").read_bytes(),
        "ccai": (FIXTURES / "ccai_conversation.json").read_bytes(),
    }


def _as_csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "role", "text", "time", "channel", "agent"])
    for record in records:
        for turn in record["turns"]:
            writer.writerow(
                [
                    record["id"],
                    turn["role"],
                    turn["text"],
                    turn.get("time", ""),
                    record["channel"],
                    record["metadata"].get("agent", ""),
                ]
            )
    return out.getvalue()


def mutate(data: bytes, rng: random.Random, kind: str) -> bytes:
    """Return *data* damaged by one to four random mutations."""
    for _ in range(rng.randint(1, 4)):
        if FORMATS[kind] in ("json", "jsonl") and rng.random() < 0.35:
            data = _swap_json_value(data, rng, kind)
        else:
            data = _mutate_bytes(data, rng, kind)
    return data


def _mutate_bytes(data: bytes, rng: random.Random, kind: str) -> bytes:
    size = len(data)
    at = rng.randrange(size + 1)
    op = rng.randrange(7)
    if op == 0 and size:  # flip bytes
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(size)] = rng.randrange(256)
        return bytes(out)
    if op == 1:  # truncate
        return data[:at]
    if op == 2:  # delete a span
        return data[:at] + data[at + rng.randint(1, 64) :]
    if op == 3:  # duplicate a span
        return data[:at] + data[max(0, at - 64) : at] + data[at:]
    if op == 4 and kind in ("csv", "twcs") and rng.random() < 0.05:  # a cell over the csv limit
        return data[:at] + b"x" * 140_000 + data[at:]
    return data[:at] + rng.choice(_TOKENS) + data[at:]


def _swap_json_value(data: bytes, rng: random.Random, kind: str) -> bytes:
    """Replace one value of a JSON record (one line for JSON Lines) by a weird one."""
    lines = data.split(b"\n")
    number = rng.randrange(len(lines)) if kind == "jsonl" else None
    text = lines[number] if number is not None else data
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return _mutate_bytes(data, rng, kind)
    slots = list(_slots(document, 0))
    if not slots:
        return _mutate_bytes(data, rng, kind)
    container, key = rng.choice(slots)
    container[key] = rng.choice(_WEIRD_VALUES)
    out = json.dumps(document).encode("utf-8", errors="surrogatepass")
    if number is None:
        return out
    lines[number] = out
    return b"\n".join(lines)


def _slots(node: Any, depth: int) -> Any:
    if depth > 6:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            yield node, key
            yield from _slots(value, depth + 1)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield node, index
            yield from _slots(value, depth + 1)


def expected_records(data: bytes, kind: str) -> int | None:
    """Rows + errors a read with the seed's format must give, or ``None`` if not fixed.

    JSON Lines: one per non-blank line. JSON: the array's length, else one.
    Gzip-looking data (a mutation wrote ``1f 8b`` first) is not counted.
    """
    if data.startswith(b"\x1f\x8b"):
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    fmt = FORMATS[kind]
    if fmt == "jsonl":
        return sum(1 for line in data.split(b"\n") if line.decode("utf-8", errors="replace").strip())
    if fmt == "json":
        try:
            document = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):
            return 1 if data.decode("utf-8", errors="replace").strip() else 0
        return len(document) if isinstance(document, list) else 1
    return None

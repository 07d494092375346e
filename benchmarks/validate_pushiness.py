"""Validate PushinessScorer's offer and refusal detection on PersuasionForGood.

Usage::

    python benchmarks/validate_pushiness.py /work/shared/data/persuasionforgood/annotated_sentences.csv
    python benchmarks/validate_pushiness.py annotated_sentences.csv --dev-only --errors 40   # for tuning

PersuasionForGood (Wang et al., ACL 2019) has 300 dialogs annotated sentence by
sentence: a persuader (``B4 = 0``) asks a persuadee (``B4 = 1``) to donate to
Save the Children. Each dialog becomes one transcript (persuader = agent,
persuadee = customer; the sentences of one speaker's turn are joined by line
breaks, so every annotated sentence is a sentence of the analysis) and is scored
by ``PushinessScorer(products=DONATION_TERMS)``. The scorer's evidence is then
read back sentence by sentence:

* offer detection: a persuader sentence holding ``offer``, ``retention`` or
  ``requested_offer`` evidence, against the acts proposition-of-donation,
  ask-donation-amount and ask-donate-more (floor: F1 0.70 on held-out dialogs);
* refusal detection: a persuadee sentence holding ``refusal`` evidence, against
  negative-reaction-to-donation, disagree-donation and disagree-donation-more.

The data has no official split: a dialog is in ``dev`` when the MD5 of its id
is even, else ``held-out``. Cues were tuned on dev only (``--dev-only`` scores
and prints the dev split alone, so held-out dialogs stay unseen while tuning).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from _metrics import f1
from servicescore import Role, Transcript, Turn
from servicescore.scorers import PushinessScorer

#: The company's "products" in this data: the donation asked for.
DONATION_TERMS = ("donat*", "contribut*", "pledge", "give", "giving", "spare")
OFFER_ACTS = frozenset({"proposition-of-donation", "ask-donation-amount", "ask-donate-more"})
REFUSAL_ACTS = frozenset({"negative-reaction-to-donation", "disagree-donation", "disagree-donation-more"})
OFFER_EVIDENCE = frozenset({"offer", "retention", "requested_offer"})
REFUSAL_EVIDENCE = frozenset({"refusal"})
OFFER_FLOOR = 0.70


class Unit(NamedTuple):
    """One annotated sentence and where it sits in its dialog's transcript."""

    dialog: str
    role: Role
    text: str
    labels: frozenset[str]
    turn: int = -1
    start: int = 0
    end: int = 0


def split_of(dialog: str) -> str:
    """``dev`` or ``held-out``, fixed by the MD5 of the dialog id."""
    return "dev" if int(hashlib.md5(dialog.encode()).hexdigest(), 16) % 2 == 0 else "held-out"


def read_dialogs(path: Path) -> Iterator[list[Unit]]:
    """The annotated sentences, dialog by dialog, in order."""
    dialog: list[Unit] = []
    with path.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            role = Role.AGENT if row["B4"].strip() == "0" else Role.CUSTOMER
            keys = ("er_label_1", "er_label_2") if role is Role.AGENT else ("ee_label_1", "ee_label_2")
            labels = frozenset(row[k].strip() for k in keys if row.get(k, "").strip())
            # The release escapes some apostrophes as \' (a scraping artefact); undo that.
            text = row["Unit"].replace("\\'", "'").replace('\\"', '"').strip()
            unit = Unit(row["B2"], role, text, labels, int(row["Turn"]))
            if dialog and dialog[0].dialog != unit.dialog:
                yield dialog
                dialog = []
            dialog.append(unit)
    if dialog:
        yield dialog


def transcript_of(units: list[Unit]) -> tuple[Transcript, list[Unit]]:
    """One transcript per dialog; returns the units with their turn index and character span."""
    turns: list[Turn] = []
    placed: list[Unit] = []
    texts: list[str] = []
    key: tuple[int, Role] | None = None
    for unit in units:
        if (unit.turn, unit.role) != key:
            if texts:
                turns.append(Turn(placed[-1].role, "\n".join(texts)))
            texts, key = [], (unit.turn, unit.role)
        start = sum(len(t) + 1 for t in texts)
        texts.append(unit.text)
        placed.append(unit._replace(turn=len(turns), start=start, end=start + len(unit.text)))
    if texts:
        turns.append(Turn(placed[-1].role, "\n".join(texts)))
    return Transcript(units[0].dialog, turns, channel="chat"), placed


def detected(
    units: list[Unit], evidence_spans: dict[int, list[tuple[int, str]]], categories: frozenset[str]
) -> list[bool]:
    """For each unit, whether evidence of *categories* starts inside it."""
    result = []
    for unit in units:
        spans = evidence_spans.get(unit.turn, [])
        result.append(
            any(unit.start <= start < max(unit.end, unit.start + 1) and c in categories for start, c in spans)
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="annotated_sentences.csv of PersuasionForGood")
    parser.add_argument("--errors", type=int, default=0, help="print this many dev errors of each kind")
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="score and print the dev split only (for tuning, so held-out dialogs stay unseen)",
    )
    args = parser.parse_args(argv)

    scorer = PushinessScorer(products=DONATION_TERMS)
    rows: dict[str, dict[str, tuple[list[bool], list[bool]]]] = {
        split: {"offers": ([], []), "refusals": ([], [])} for split in ("dev", "held-out")
    }
    errors: dict[str, list[str]] = {"offer FP": [], "offer FN": [], "refusal FP": [], "refusal FN": []}
    dialogs = {"dev": 0, "held-out": 0}
    for units in read_dialogs(args.csv):
        split = split_of(units[0].dialog)
        if args.dev_only and split != "dev":
            continue
        dialogs[split] += 1
        transcript, placed = transcript_of(units)
        spans: dict[int, list[tuple[int, str]]] = {}
        for e in scorer(transcript).evidence:
            spans.setdefault(e.turn, []).append((e.start, e.category))
        offers = detected(placed, spans, OFFER_EVIDENCE)
        refusals = detected(placed, spans, REFUSAL_EVIDENCE)
        for unit, offer, refusal in zip(placed, offers, refusals, strict=True):
            if unit.role is Role.AGENT:
                truth, found, task = bool(unit.labels & OFFER_ACTS), offer, "offers"
            else:
                truth, found, task = bool(unit.labels & REFUSAL_ACTS), refusal, "refusals"
            rows[split][task][0].append(truth)
            rows[split][task][1].append(found)
            if split == "dev" and truth != found:
                kind = ("offer " if task == "offers" else "refusal ") + ("FN" if truth else "FP")
                errors[kind].append(f"{unit.text}  [{', '.join(sorted(unit.labels)) or '-'}]")

    print(f"PushinessScorer(products={DONATION_TERMS!r}) on PersuasionForGood ({args.csv.name})")
    print()
    print("| split | dialogs | detection | sentences | positives | precision | recall | F1 |")
    print("|---|---|---|---|---|---|---|---|")
    failed = False
    for split, tasks in rows.items():
        if args.dev_only and split != "dev":
            continue
        for task, (truth, found) in tasks.items():
            precision, recall, score = f1(truth, found, True)
            print(
                f"| {split} | {dialogs[split]} | {task} | {len(truth)} | {sum(truth)} "
                f"| {precision:.3f} | {recall:.3f} | {score:.3f} |"
            )
            if split == "held-out" and task == "offers" and score < OFFER_FLOOR:
                failed = True
    print()
    if not args.dev_only:
        print(f"Floor: offer F1 >= {OFFER_FLOOR:.2f} on held-out dialogs: {'FAILED' if failed else 'met'}.")
    if args.errors:
        for kind, items in errors.items():
            print(f"\n## dev {kind} ({len(items)})")
            for item in items[: args.errors]:
                print("-", item)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

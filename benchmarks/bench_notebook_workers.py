"""``score_many(..., workers=2)`` against ``workers=1`` inside a real Jupyter kernel.

Usage::

    python benchmarks/bench_notebook_workers.py ../shared/data/ibm-twitter-cdp/dialogs.jsonl [--copies 3]

A Jupyter kernel runs threads of its own, so servicescore cannot fork worker
processes there and spawns them instead; a spawned worker spends seconds
importing nltk and building its lexicons before its first score. This
benchmark runs one notebook in an ipykernel (through nbclient): it reads the
dialogs, makes ``--copies`` copies of them with every text varied (so no
cache is warm, and new texts for every run), scores them with ``workers=1``
and with ``workers=2`` (alternating, best of ``--repeats``), checks that
both settings give equal tables on one more batch and prints the seconds
and the ratio. Needs the test extra
(nbclient, nbformat, ipykernel).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CODE = """
import json, time
import attrs
from servicescore import Transcript, io, score_many

base = list(io.read({path!r}))
def copies(k, tag):
    out = []
    for c in range(k):
        for t in base:
            turns = [attrs.evolve(u, text=f"{{u.text}} ({{tag}}{{c}})") for u in t.turns]
            out.append(Transcript(f"{{t.id}}-{{c}}", turns, t.channel, t.meta))
    return out

best = {{1: float("inf"), 2: float("inf")}}
for run in range({repeats}):
    for workers in (1, 2):
        batch = copies({copies}, f"r{{run}}w{{workers}}-")
        start = time.perf_counter()
        score_many(batch, workers=workers)
        best[workers] = min(best[workers], time.perf_counter() - start)
batch = copies({copies}, "same-")
two, one = score_many(batch, workers=2), score_many(batch, workers=1)
equal = all(str(one[c].tolist()) == str(two[c].tolist()) for c in one.columns)
print(json.dumps({{"n": len(batch), "one": best[1], "two": best[2], "equal": equal}}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dialogs", type=Path, help="a JSON Lines file of transcripts (the IBM dialogs)")
    parser.add_argument("--copies", type=int, default=3, help="copies of the dialogs (default 3)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each setting (default 2)")
    args = parser.parse_args()
    code = CODE.format(path=str(args.dialogs.resolve()), copies=args.copies, repeats=args.repeats)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(notebook, timeout=1800, kernel_name="python3").execute()
    text = "".join(o.get("text", "") for o in notebook.cells[0].outputs if o.get("output_type") == "stream")
    result = json.loads(text.strip().splitlines()[-1])
    print(f"Jupyter kernel, {result['n']:,} transcripts (fresh texts), best of {args.repeats}:")
    print(f"  workers=1  {result['one']:6.2f} s")
    print(f"  workers=2  {result['two']:6.2f} s   ratio {result['two'] / result['one']:.2f} (target <= 1.0)")
    print(f"  tables equal: {result['equal']}")
    return 0 if result["equal"] else 1


if __name__ == "__main__":
    sys.exit(main())

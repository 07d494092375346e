"""Per-turn cost of LiveSession on 10-turn against 200-turn conversations.

Usage::

    python benchmarks/bench_live.py [--repeats 5]

Builds chat conversations from the turns of the bundled sample (each text made
unique, so no cache is warm), feeds them to a :class:`LiveSession` with the
default suite and prints the mean cost per turn, best of several repeats, for:

* ``add``: :meth:`LiveSession.add` only (per-turn analysis and alerts);
* ``add+scorecard``: ``add`` and a read of the scorecard after every turn
  (agent-assist refreshing the scores on every turn);
* ``add, 1000 turns``: ``add`` on 1000-turn conversations, against 200;
* ``add by position``: ``add`` timed at each position of a 1000-turn conversation;
* ``batch rescoring``: scoring the whole conversation so far from scratch
  after every turn with ``suite(transcript)``, the reference without a session.

Then the ratio of the 200-turn to the 10-turn cost per turn (1.0 = constant
cost per turn; 20 would be linear growth) and the final scorecard's cost
against one batch scoring of the whole conversation.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import time
from collections.abc import Callable
from importlib import resources

from servicescore import Channel, Role, Transcript, Turn, default_suite
from servicescore._live import LiveSession

_counter = itertools.count()


def sample_turns() -> list[tuple[Role, str]]:
    text = resources.files("servicescore").joinpath("data/sample.jsonl").read_text(encoding="utf-8")
    turns = []
    for line in text.splitlines():
        if line.strip():
            turns.extend((Role.parse(t["role"]), t["text"]) for t in json.loads(line)["turns"])
    return [(role, text) for role, text in turns if role in (Role.CUSTOMER, Role.AGENT)]


def conversation(pool: list[tuple[Role, str]], n: int) -> Transcript:
    """*n* alternating customer/agent turns, 20 s apart, every text unique (cold caches)."""
    customers = itertools.cycle([text for role, text in pool if role is Role.CUSTOMER])
    agents = itertools.cycle([text for role, text in pool if role is Role.AGENT])
    offset = next(_counter) * 7
    for _ in range(offset % 50):
        next(customers), next(agents)
    turns = []
    for i in range(n):
        role = Role.CUSTOMER if i % 2 == 0 else Role.AGENT
        base = next(customers) if role is Role.CUSTOMER else next(agents)
        turns.append(Turn(role, f"{base} (ref {next(_counter)})", time=20.0 * i))
    return Transcript("bench", turns, Channel.CHAT)


def per_turn(
    run: Callable[[Transcript], object], pool: list[tuple[Role, str]], n: int, repeats: int
) -> float:
    """Best mean seconds per turn of *run* over fresh *n*-turn conversations."""
    best = float("inf")
    conversations = max(1, 400 // n)  # about 400 turns per repeat (at least one conversation)
    for _ in range(repeats):
        items = [conversation(pool, n) for _ in range(conversations)]
        start = time.perf_counter()
        for item in items:
            run(item)
        best = min(best, (time.perf_counter() - start) / (n * conversations))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per figure (best is kept)")
    args = parser.parse_args()
    suite = default_suite()
    pool = sample_turns()
    suite(conversation(pool, 4))  # load lexicons and sentiment once

    def add_only(t: Transcript) -> None:
        session = LiveSession(suite, transcript_id=t.id, channel=t.channel)
        for turn in t.turns:
            session.add(turn)

    def add_and_read(t: Transcript) -> None:
        session = LiveSession(suite, transcript_id=t.id, channel=t.channel)
        for turn in t.turns:
            session.add(turn)
            session.scorecard  # noqa: B018

    def rescore(t: Transcript) -> None:
        for k in range(1, len(t.turns) + 1):
            suite(Transcript(t.id, t.turns[:k], t.channel))

    def final_live(t: Transcript) -> None:
        session = LiveSession(suite, transcript_id=t.id, channel=t.channel)
        for turn in t.turns:
            session.add(turn)
        start = time.perf_counter()
        session.scorecard  # noqa: B018
        final_live.seconds += time.perf_counter() - start  # type: ignore[attr-defined]

    print(f"{'mode':<18}{'10 turns':>14}{'200 turns':>14}{'ratio 200/10':>14}")
    for name, run in (("add", add_only), ("add+scorecard", add_and_read), ("batch rescoring", rescore)):
        short = per_turn(run, pool, 10, args.repeats)
        long = per_turn(run, pool, 200, args.repeats)
        print(f"{name:<18}{short * 1e6:>11.0f} us{long * 1e6:>11.0f} us{long / short:>14.2f}")
        if run is add_only:
            longer = per_turn(run, pool, 1000, args.repeats)
            print(f"{'add, 1000 turns':<18}{longer * 1e6:>11.0f} us{'':>14}{longer / long:>14.2f} (1000/200)")

    # Cost of add() by position in one 1000-turn conversation: flat when add() is O(1) per turn.
    buckets: list[list[float]] = [[] for _ in range(10)]
    for _ in range(2):
        t = conversation(pool, 1000)
        session = LiveSession(suite, transcript_id=t.id, channel=t.channel)
        for i, turn in enumerate(t.turns):
            start = time.perf_counter()
            session.add(turn)
            buckets[i // 100].append(time.perf_counter() - start)
    medians = [statistics.median(b) * 1e6 for b in buckets]
    print("add by position (median us per 100 turns):", " ".join(f"{m:.0f}" for m in medians))
    print(f"  turns 900-999 against turns 100-199: {medians[9] / medians[1]:.2f}")

    # The final scorecard after 200 live turns against one batch scoring of the same conversation.
    best_live = best_batch = float("inf")
    for _ in range(args.repeats):
        t = conversation(pool, 200)
        final_live.seconds = 0.0  # type: ignore[attr-defined]
        final_live(t)
        best_live = min(best_live, final_live.seconds)  # type: ignore[attr-defined]
        t = conversation(pool, 200)
        start = time.perf_counter()
        suite(t)
        best_batch = min(best_batch, time.perf_counter() - start)
    print(
        f"final scorecard after 200 live turns: {best_live * 1e3:.1f} ms; "
        f"batch scoring of the same conversation: {best_batch * 1e3:.1f} ms "
        f"(ratio {best_live / best_batch:.2f})"
    )


if __name__ == "__main__":
    main()

"""Contrastive pairs: the same conversation with and without empathy in the decisive turn.

Most of the empathetic turns avoid the stock keywords ("sorry", "I understand");
each pair differs only in the agent's wording, never in the facts.
"""

from __future__ import annotations

import pytest

from servicescore import Channel, Role, Transcript, Turn
from servicescore.scorers import EmpathyScorer

C, A = Role.CUSTOMER, Role.AGENT
SCORER = EmpathyScorer()

# (customer turn, empathetic agent turn, plain agent turn, channel)
PAIRS = [
    (
        "My dad passed away last month and I need to close his account.",
        "Please accept my condolences. I can close it for you today.",
        "I can close it for you today.",
        Channel.PHONE,
    ),
    (
        "I've been on hold for two hours and I'm at my wits' end.",
        "Two hours is far too long to wait, you must be exhausted. Let's fix this now.",
        "Let's fix this now.",
        Channel.PHONE,
    ),
    (
        "I missed my daughter's recital because the train was cancelled.",
        "Missing her recital is heartbreaking. I've refunded your ticket.",
        "I've refunded your ticket.",
        Channel.EMAIL,
    ),
    (
        "The heating's been out for a week, the kids are freezing.",
        "A week without heat with little ones is awful. I'm sending an engineer today.",
        "An engineer visit is booked for today.",
        Channel.CHAT,
    ),
    (
        "This is the third time I'm explaining this.",
        "You shouldn't have to repeat yourself, that's on us.",
        "Please explain the issue again.",
        Channel.CHAT,
    ),
    (
        "@AcmeBank my card got declined at the pharmacy in front of everyone 😳",
        "@jo_k that must have been so embarrassing. DM us and we'll look at it right away.",
        "@jo_k DM us and we'll look at it.",
        Channel.SOCIAL,
    ),
    (
        "um yeah so my internet's been cutting out all week and i work from home",
        "oh that's rough when you work from home, let's get it sorted",
        "ok let's get it sorted",
        Channel.PHONE,
    ),
    (
        "I was charged twice and now my rent payment bounced.",
        "A bounced rent payment on top of a double charge, no wonder you're worried. "
        "I've reversed the duplicate.",
        "I've reversed the duplicate charge.",
        Channel.CHAT,
    ),
    (
        "My wedding dress order still hasn't arrived and the wedding is Saturday!!",
        "With the big day on Saturday, I'd be panicking too. I've upgraded it to next-day delivery.",
        "I've upgraded it to next-day delivery.",
        Channel.EMAIL,
    ),
    (
        "Our flight got cancelled and we're stuck at the airport with two toddlers.",
        "Being stranded with two toddlers is exhausting. How are the little ones holding up? "
        "I'm rebooking you now.",
        "I'm rebooking you now.",
        Channel.MESSAGING,
    ),
    (
        "I'm really nervous, someone used my card in another country.",
        "That's a scary thing to find. Can you tell me when you last used the card yourself?",
        "What is the card number?",
        Channel.PHONE,
    ),
    (
        "The app deleted all my notes from this year.",
        "Losing a year of notes is a nightmare. Did you have sync turned on before it happened?",
        "Notes are restored from sync only.",
        Channel.CHAT,
    ),
    (
        "I've called four times and nobody has fixed my broadband.",
        "Four calls with nothing to show for it, I can see why you're fed up. "
        "I'll stay on this until it works.",
        "The ticket is open.",
        Channel.PHONE,
    ),
    (
        "hi, I'm a carer for my mum and the meter reader keeps coming when we're at the hospital",
        "That sounds like a lot to juggle alongside caring for your mum. Shall we set a fixed appointment?",
        "You can set a fixed appointment online.",
        Channel.EMAIL,
    ),
]


@pytest.mark.parametrize(("customer", "warm", "plain", "channel"), PAIRS)
def test_empathetic_wording_scores_higher(customer: str, warm: str, plain: str, channel: Channel) -> None:
    """The warm reply outscores the plain one to the same customer turn."""
    good = SCORER(Transcript("g", [Turn(C, customer), Turn(A, warm)], channel))
    bad = SCORER(Transcript("b", [Turn(C, customer), Turn(A, plain)], channel))
    assert good.value is not None
    assert bad.value is not None
    assert good.value > bad.value
    assert good.value > 0.5

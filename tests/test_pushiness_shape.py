"""Pitches recognised by their shape, not by a list of product words.

Customer-service transcripts where the agent pitches something the shipped
lexicon never names (a store credit card to a patient who cannot pay a bill,
rooftop solar in answer to a billing question, a personal loan, a home
security system): a proposal to buy, sign up, apply, switch or install; a
named product or programme; a price, a financing term or a discount;
urgency. Each *ordered* case holds a pushier and a calmer transcript that
share their context; each *service* case is a remedy the customer asked for
(a refund, a payment plan, a replacement), which is not a pitch. The cases
were written before the scorer was changed for them.
"""

from __future__ import annotations

import pytest

from servicescore import Role, Transcript, Turn
from servicescore.scorers import PushinessScorer

C, A = Role.CUSTOMER, Role.AGENT
SCORER = PushinessScorer()
#: A remedy the customer asked for must stay below this (as the requested offers of the pairs).
SERVICE_CEILING = 0.35

Lines = tuple[tuple[Role, str], ...]

MEDICAL_BILL = (C, "I just got a bill for $840 from the ER visit and honestly I can't pay that right now.")
ENERGY_BILL = (C, "Why is my electricity bill $60 higher than last month? Nothing changed at home.")
ENERGY_ANSWER = "Your usage went up by about 310 kWh during the cold snap, which explains most of it."

#: name -> (pushier transcript, calmer transcript)
ORDERED: dict[str, tuple[Lines, Lines]] = {
    # ---------------------------------------------------------------- the two failures named in the issue
    "healthcare/store credit card to a patient who cannot pay": (
        (
            MEDICAL_BILL,
            (
                A,
                "I understand. You could apply for our CareFirst credit card today and get 12 months "
                "with no interest on the balance.",
            ),
        ),
        (
            MEDICAL_BILL,
            (
                A,
                "I understand. I can split the $840 into monthly payments with no interest, "
                "and I can also check whether you qualify for financial assistance.",
            ),
        ),
    ),
    "utilities/rooftop solar answering a billing question": (
        (
            ENERGY_BILL,
            (
                A,
                f"{ENERGY_ANSWER} Have you thought about rooftop solar? Our partner SunPath installs "
                "panels with nothing down and most homes save around 40% on their bills.",
            ),
        ),
        (
            ENERGY_BILL,
            (
                A,
                f"{ENERGY_ANSWER} I can email you the daily usage breakdown so you can see which days "
                "it spiked.",
            ),
        ),
    ),
    # ---------------------------------------------------------------- similar unseen pitches
    "healthcare/wellness membership to a patient asking about a claim": (
        (
            (C, "My insurance denied the claim for my MRI and now you're billing me the full amount."),
            (
                A,
                "I'm sorry about that. Would you be interested in joining our Wellness Circle programme? "
                "Members get 20% off imaging.",
            ),
        ),
        (
            (C, "My insurance denied the claim for my MRI and now you're billing me the full amount."),
            (
                A,
                "I'm sorry about that. I'll resubmit the claim with the referral attached and put the "
                "bill on hold for 30 days.",
            ),
        ),
    ),
    "utilities/smart home energy kit after an outage": (
        (
            (C, "We lost power for six hours last night, is it back for good?"),
            (
                A,
                "Yes, the crew replaced the transformer at 2am. By the way, you can order the "
                "HomeSense energy kit for just $9.99 a month.",
            ),
        ),
        (
            (C, "We lost power for six hours last night, is it back for good?"),
            (A, "Yes, the crew replaced the transformer at 2am, so it should stay on now."),
        ),
    ),
    "banking/personal loan after an overdraft fee": (
        (
            (C, "Why was I charged a $35 overdraft fee? My paycheck came in the same day."),
            (
                A,
                "The payment cleared before your deposit. Have you considered a FlexCash personal loan? "
                "You'd be approved in minutes at 7.9% APR.",
            ),
        ),
        (
            (C, "Why was I charged a $35 overdraft fee? My paycheck came in the same day."),
            (
                A,
                "The payment cleared a few hours before your deposit. As a one-off I've refunded "
                "the $35 fee.",
            ),
        ),
    ),
    "telecom/home security after a slow connection complaint": (
        (
            (C, "My internet has been crawling all week, I work from home and this is a nightmare."),
            (
                A,
                "I've reset the line on our side. While I have you, we're now partnering with "
                "ShieldHome so you can add 24/7 home monitoring to your bill.",
            ),
        ),
        (
            (C, "My internet has been crawling all week, I work from home and this is a nightmare."),
            (
                A,
                "I've reset the line on our side. Please run a speed test in ten minutes and tell me "
                "the result.",
            ),
        ),
    ),
    "retail/store card on a return": (
        (
            (C, "I need to return these boots, they split at the seam after a week."),
            (
                A,
                "No problem, I've started the return. If you sign up for the Trailhead Rewards card "
                "today you'd save 15% on a new pair.",
            ),
        ),
        (
            (C, "I need to return these boots, they split at the seam after a week."),
            (A, "No problem, I've started the return. The prepaid label is in your email."),
        ),
    ),
    "airline/co-branded card after a lost bag": (
        (
            (C, "My bag didn't arrive in Denver and I have a wedding tomorrow."),
            (
                A,
                "I've filed the claim and the bag is on the next flight. You should also apply for "
                "the SkyPoints Visa, you'd get free checked bags and 50,000 bonus miles.",
            ),
        ),
        (
            (C, "My bag didn't arrive in Denver and I have a wedding tomorrow."),
            (
                A,
                "I've filed the claim and the bag is on the next flight; it will be delivered to your "
                "hotel by 9pm.",
            ),
        ),
    ),
    "insurance/life cover on a claim call": (
        (
            (C, "I'm calling about my car claim, the repair shop says they haven't heard from you."),
            (
                A,
                "Let me check. Also, have you looked at protecting your family with a term life policy? "
                "It starts at $12 a month.",
            ),
        ),
        (
            (C, "I'm calling about my car claim, the repair shop says they haven't heard from you."),
            (A, "Let me check. The adjuster approved it this morning; I'll call the shop now."),
        ),
    ),
    "software/annual prepay with urgency during a bug report": (
        (
            (C, "The sync keeps failing with error 409 since this morning."),
            (
                A,
                "Thanks, I'm looking into it. If you switch to annual billing before Friday you lock in "
                "two months free.",
            ),
        ),
        (
            (C, "The sync keeps failing with error 409 since this morning."),
            (A, "Thanks, I'm looking into it. Could you send me the time of the last failed sync?"),
        ),
    ),
    "utilities/heat pump financing to a customer in arrears": (
        (
            (C, "I'm behind on my gas bill and I got a disconnection notice, please help."),
            (
                A,
                "I see the notice. You might want to look into our GreenHeat financing, you can get a "
                "heat pump installed for $0 down.",
            ),
        ),
        (
            (C, "I'm behind on my gas bill and I got a disconnection notice, please help."),
            (
                A,
                "I see the notice. I've paused the disconnection while we set up an arrangement "
                "for the balance.",
            ),
        ),
    ),
    # ---------------------------------------------------------------- timing: after a refusal is worse
    "healthcare/credit card after a refusal": (
        (
            MEDICAL_BILL,
            (A, "You could apply for our CareFirst credit card and spread the cost."),
            (C, "No, I don't want another card, I just want to sort out this bill."),
            (A, "The CareFirst card really is the easiest way, approval takes two minutes."),
        ),
        (
            MEDICAL_BILL,
            (A, "You could apply for our CareFirst credit card and spread the cost."),
            (C, "No, I don't want another card, I just want to sort out this bill."),
            (A, "Of course. I can set up monthly payments of $70 with no interest."),
        ),
    ),
    "utilities/solar pitch after the customer declined": (
        (
            ENERGY_BILL,
            (A, f"{ENERGY_ANSWER} Have you thought about rooftop solar with SunPath?"),
            (C, "I'm not interested in solar, I rent this place."),
            (A, "SunPath works with renters too, they can do a free home assessment this week."),
        ),
        (
            ENERGY_BILL,
            (A, f"{ENERGY_ANSWER} Have you thought about rooftop solar with SunPath?"),
            (C, "I'm not interested in solar, I rent this place."),
            (A, "Understood. I can email you the daily usage breakdown instead."),
        ),
    ),
    "banking/loan pitch after a refusal versus before it": (
        (
            (C, "Please just tell me why the fee was charged, I'm not looking for any new products."),
            (A, "The payment cleared first. A FlexCash personal loan would stop this happening."),
        ),
        (
            (C, "Please just tell me why the fee was charged."),
            (A, "The payment cleared first. A FlexCash personal loan would stop this happening."),
        ),
    ),
    # ---------------------------------------------------------------- timing: to an upset customer is worse
    "utilities/solar pitch to an upset customer": (
        (
            (C, "This is the third estimated bill in a row, I'm furious, nobody ever reads the meter!"),
            (A, "I'm sorry. Have you considered rooftop solar? SunPath panels could cut the bill in half."),
        ),
        (
            (C, "Thanks, the meter reading is in and the bill looks right now."),
            (A, "Great. Have you considered rooftop solar? SunPath panels could cut the bill in half."),
        ),
    ),
}

#: name -> (customer turn, pushier agent answer, calmer agent answer): one-exchange pitches of a second batch,
#: written after the first changes and before the scorer saw them (all but two were ordered on first run).
ONE_EXCHANGE: dict[str, tuple[str, str, str]] = {
    "telecom/device protection after a warranty question": (
        "My phone screen cracked, is it covered under warranty?",
        "Accidental damage isn't covered, sorry. Going forward, AppleCare+ would cover "
        "this for $9.99 a month, "
        "want me to add it?",
        "Accidental damage isn't covered, sorry. The nearest repair centre can replace the screen for $129.",
    ),
    "banking/cash back card after a waived late fee": (
        "I was charged a late fee but I paid on time.",
        "I see the payment posted a day late, I've waived the fee. You can also sign up "
        "for our Platinum Cash Back "
        "card and never miss a due date with autopay.",
        "I see the payment posted a day late, I've waived the fee.",
    ),
    "retail/delivery membership on a shipping question": (
        "My pharmacy order hasn't shipped yet.",
        "It ships tomorrow. By the way, with MedPlus Prime you'd get free two-day "
        "delivery for only $6.99 a month.",
        "It ships tomorrow and you'll get a tracking email once it leaves.",
    ),
    "insurance/bundle on a premium question": (
        "Why did my car insurance premium go up?",
        "Rates rose across your area this year. If you bundle your home and auto with us "
        "you could save up to 25%.",
        "Rates rose across your area this year, about 8% on average; your driving record "
        "didn't change anything.",
    ),
    "retail/suite upgrade versus a goodwill reduction": (
        "The hotel room I booked has no hot water.",
        "I'm so sorry, maintenance is on the way. Would you like to upgrade to an "
        "ocean-view suite for just $40 "
        "more per night?",
        "I'm so sorry, maintenance is on the way and I've taken $40 off tonight's rate.",
    ),
    "retail/personal training on a billing error": (
        "My gym membership charged me after I froze it.",
        "I've reversed the charge. While you're here, have you considered personal "
        "training sessions? Our coaches "
        "have a 3-for-2 deal this month.",
        "I've reversed the charge and confirmed the freeze runs until March 1.",
    ),
    "telecom/streaming add-on with a replacement box": (
        "The cable box keeps rebooting.",
        "I'll send a replacement box. Also, now's a great time to add HBO Max, first "
        "three months are half price.",
        "I'll send a replacement box, it should arrive Tuesday.",
    ),
    "banking/retention counter-offer on a closure": (
        "I want to close my savings account, I'm moving abroad.",
        "Before you do, our Global Saver account lets you keep earning 4.5% from "
        "anywhere. Shall I switch you "
        "instead?",
        "Sure, I can close it today and transfer the balance to your checking account.",
    ),
    "healthcare/dental credit on a bill above the estimate": (
        "My dental bill is much higher than the estimate.",
        "The crown wasn't in the estimate. You could open a SmileCredit account and pay "
        "it off over 18 months.",
        "The crown wasn't in the estimate. I've asked the office to review the coding and I'll call you back "
        "Thursday.",
    ),
    "telecom/paid priority line to an upset caller": (
        "I'm on hold forever every time I call, this is ridiculous.",
        "I'm sorry about the wait. Members of our Priority Circle skip the queue "
        "entirely, it's just $5 a month.",
        "I'm sorry about the wait. I've noted your callback number so you won't have to hold next time.",
    ),
}
ORDERED.update(
    {
        name: (((C, customer), (A, pushy)), ((C, customer), (A, calm)))
        for name, (customer, pushy, calm) in ONE_EXCHANGE.items()
    }
)
ORDERED.update(
    {
        "retail/travel protection again after a no": (
            (
                (C, "Is my refund processed?"),
                (
                    A,
                    "Yes, it's done. Would you like to add our Travel Shield protection to your next "
                    "trip for $19?",
                ),
                (C, "No thanks, just the refund."),
                (A, "Travel Shield also covers cancellations, honestly most travellers find it's worth it."),
            ),
            (
                (C, "Is my refund processed?"),
                (
                    A,
                    "Yes, it's done. Would you like to add our Travel Shield protection to your next "
                    "trip for $19?",
                ),
                (C, "No thanks, just the refund."),
                (A, "No problem, the $220 will reach your card in 3-5 days."),
            ),
        ),
        "retail/delivery club again after a pass": (
            (
                (C, "My order arrived damaged."),
                (A, "I've sent a replacement. Could I interest you in our VIP delivery club?"),
                (C, "I'll pass, thanks."),
                (A, "VIP members get free express shipping on every order, it's only $4 a month."),
            ),
            (
                (C, "My order arrived damaged."),
                (A, "I've sent a replacement. Could I interest you in our VIP delivery club?"),
                (C, "I'll pass, thanks."),
                (A, "Understood. The replacement arrives Friday."),
            ),
        ),
    }
)

#: The ordered cases about timing (the same pitch after a refusal or to an upset customer).
TIMING = frozenset(
    {
        "healthcare/credit card after a refusal",
        "utilities/solar pitch after the customer declined",
        "banking/loan pitch after a refusal versus before it",
        "utilities/solar pitch to an upset customer",
        "retail/travel protection again after a no",
        "retail/delivery club again after a pass",
    }
)

#: name -> a transcript where the agent gives the remedy the customer asked for.
SERVICE: dict[str, Lines] = {
    "healthcare/payment plan the patient asked for": (
        (C, "Can I get a payment plan for the $840 bill? I can't pay it all at once."),
        (
            A,
            "Yes, I can set up a payment plan of $70 a month for 12 months with no interest, "
            "starting on the 1st.",
        ),
    ),
    "retail/refund the customer asked for": (
        (C, "The blender arrived broken, I'd like a refund please."),
        (A, "I'm sorry about that. I've refunded the $89.99 to your card; you'll see it in 3-5 days."),
    ),
    "utilities/assistance programme the customer asked about": (
        (C, "I lost my job, is there any help with paying my gas bill?"),
        (
            A,
            "I'm sorry to hear that. Yes, you can apply for our hardship fund, which covers up to "
            "$300; I'll email you the form now.",
        ),
    ),
    "telecom/replacement router the customer asked for": (
        (C, "My router is completely dead, the lights won't come on. Can you send a new one?"),
        (A, "I've ordered a replacement router at no cost, it ships today and should arrive by Thursday."),
    ),
    "airline/rebooking the customer asked for": (
        (C, "My flight was cancelled, can you put me on the next one to Chicago?"),
        (A, "I've rebooked you on the 4:15pm flight, seat 12C, at no extra charge."),
    ),
}

#: name -> advice, troubleshooting or a remedy phrased like a pitch: not a sale (at most a requested offer).
NOT_A_PITCH: dict[str, Lines] = {
    "telecom/have you considered restarting": (
        (C, "My wifi keeps dropping."),
        (A, "Have you considered restarting the router? That often clears it."),
    ),
    "telecom/have you thought about where": (
        (C, "My wifi keeps dropping."),
        (A, "Have you thought about where the router sits? Walls can block the signal."),
    ),
    "utilities/have you considered the batteries": (
        (C, "The heating isn't working."),
        (A, "Have you considered the thermostat batteries? They often run flat in winter."),
    ),
    "banking/apply for a replacement card": (
        (C, "I lost my debit card yesterday."),
        (A, "I've frozen it. You can apply for a replacement card in the app and it arrives in 3 days."),
    ),
    "retail/partner courier": (
        (C, "Where is my parcel?"),
        (A, "Would you like our partner courier to collect it tomorrow instead?"),
    ),
    "retail/financing the customer asked for": (
        (C, "Can I pay the $200 in parts?"),
        (A, "Yes, would you like to set up financing over 6 months? There's no interest."),
    ),
    "software/advice on a password manager": (
        (C, "My account is locked."),
        (A, "You might want to consider a password manager so it doesn't happen again."),
    ),
    "insurance/direct deposit for a payout": (
        (C, "Is my claim approved?"),
        (A, "Yes, approved. You could enrol in direct deposit to get the payout faster."),
    ),
    "banking/joint account the customer asked for": (
        (C, "I need to open a joint account with my wife."),
        (A, "Sure, you can open a joint account online or in branch; it takes ten minutes."),
    ),
    "utilities/budget billing to a customer who cannot pay": (
        (C, "I can't afford this month's bill."),
        (
            A,
            "I understand. You may qualify for our Budget Billing programme, which spreads costs evenly. "
            "Would you like me to enrol you?",
        ),
    ),
}


def _score(lines: Lines) -> float:
    value = SCORER(Transcript("t", [Turn(role, text) for role, text in lines])).value
    assert value is not None
    return value


@pytest.mark.parametrize("name", ORDERED)
def test_pushier_member_scores_higher(name: str) -> None:
    pushy, calm = ORDERED[name]
    assert _score(pushy) > _score(calm), (_score(pushy), _score(calm))


@pytest.mark.parametrize("name", [n for n in ORDERED if n not in TIMING])
def test_a_pitch_is_found(name: str) -> None:
    """The pushier member holds an offer even when none of its product words is in the lexicon."""
    pushy, _ = ORDERED[name]
    score = SCORER(Transcript("t", [Turn(role, text) for role, text in pushy]))
    assert score.details["offers"] >= 1, score.evidence


@pytest.mark.parametrize("name", SERVICE)
def test_a_remedy_the_customer_asked_for_is_not_a_pitch(name: str) -> None:
    assert _score(SERVICE[name]) < SERVICE_CEILING


def test_the_named_failures_are_pushy() -> None:
    """The issue's two examples score clearly above zero (they scored 0.0 before)."""
    for name in (
        "healthcare/store credit card to a patient who cannot pay",
        "utilities/rooftop solar answering a billing question",
    ):
        assert _score(ORDERED[name][0]) >= 0.3, name


@pytest.mark.parametrize("name", NOT_A_PITCH)
def test_advice_and_remedies_are_not_pitches(name: str) -> None:
    score = SCORER(Transcript("t", [Turn(role, text) for role, text in NOT_A_PITCH[name]]))
    assert score.details["offers"] == 0, score.evidence


#: Customer replies to a pitch: refusals in customer-service wording, then replies that are not refusals.
PITCH = "Would you like to add our Travel Shield protection for $19?"
REFUSALS = (
    "I'll pass.",
    "That's not why I called.",
    "I didn't call to buy anything.",
    "Please stop trying to sell me stuff.",
    "Can we focus on my actual problem?",
    "Why are you trying to upsell me?",
    "I'm not paying more for anything.",
    "No, I just need the refund.",
    "I'll stick with what I have.",
)
NOT_REFUSALS = ("Sounds good, add it.", "Ok, but when will my refund arrive?", "How much is it per year?")


def _refusals(reply: str) -> float:
    lines = ((C, "My flight got cancelled, I need a refund."), (A, PITCH), (C, reply))
    return SCORER(Transcript("t", [Turn(role, text) for role, text in lines])).details["refusals"]


@pytest.mark.parametrize("reply", REFUSALS)
def test_a_refusal_after_a_pitch_is_found(reply: str) -> None:
    assert _refusals(reply) == 1


@pytest.mark.parametrize("reply", NOT_REFUSALS)
def test_a_question_or_an_acceptance_is_not_a_refusal(reply: str) -> None:
    assert _refusals(reply) == 0


def test_a_product_the_customer_asks_to_buy_is_requested() -> None:
    lines = ((C, "Can you sell me a new charger?"), (A, "Sure, the fast charger is $25."))
    score = SCORER(Transcript("t", [Turn(role, text) for role, text in lines]))
    assert score.value == 0.0 and score.details["requested_offers"] == 1

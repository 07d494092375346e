"""Contrastive pairs for PushinessScorer: realistic transcripts that differ only in the decisive turns.

Each pair shares its context (and, where given, its closing turns); the
*pushy* member sells at the customer, the *calm* one serves them. Pairs cover
offers framed as help or small talk, the timing of a pitch (before the fix,
to an upset customer), persistence after a soft refusal, pressure without
the stock keywords, retention pushes after a cancel request, and offers the
customer asked for. Most decisive turns avoid the obvious keywords
("upgrade", "offer", "deal", "limited time"). The pairs were written before
the scorer was tuned on them and are not rewritten to fit it.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

from servicescore import Channel, Role, Transcript, Turn
from servicescore.scorers import PushinessScorer

C, A = Role.CUSTOMER, Role.AGENT
SCORER = PushinessScorer()
#: An offer the customer asked for is service: it must stay below this.
REQUESTED_CEILING = 0.35

Lines = tuple[tuple[Role, str], ...]


class Pair(NamedTuple):
    """A shared context, the pushier and the calmer decisive turns, and shared closing turns."""

    channel: Channel
    context: Lines
    pushy: Lines
    calm: Lines
    after: Lines = ()
    #: The calm member answers a customer's request for an offer: it must stay below REQUESTED_CEILING.
    requested: bool = False


PAIRS: dict[str, Pair] = {
    # ---------------------------------------------------------------- offers framed as help
    "telecom/chat/plus tier sorts it out": Pair(
        Channel.CHAT,
        ((C, "My wifi drops every evening around 8, it's driving me mad."),),
        (
            (
                A,
                "I've moved your router to a less crowded channel, that should stop the drops. "
                "A lot of customers in your situation find the Plus tier sorts this out for good.",
            ),
        ),
        (
            (
                A,
                "I've moved your router to a less crowded channel, that should stop the drops. "
                "If it happens again tonight just message us here.",
            ),
        ),
    ),
    "software/chat/family bundle while loading": Pair(
        Channel.CHAT,
        (
            (C, "The export to PDF keeps timing out on big reports."),
            (A, "Let me pull up your workspace, one moment."),
        ),
        ((A, "While we wait for that to load, have you seen what the family bundle includes?"),),
        ((A, "While we wait for that to load, roughly how many pages is the report?"),),
    ),
    "airline/email/lounge card pays for itself": Pair(
        Channel.EMAIL,
        (
            (
                C,
                "Hi,\n\nI fly every week for work and the app has logged me out of my account."
                "\n\nThanks,\nDan",
            ),
        ),
        (
            (
                A,
                "Hi Dan,\n\nI've restored your access. Honestly, with how much you travel, "
                "the lounge card would pay for itself.\n\nBest,\nMaria",
            ),
        ),
        (
            (
                A,
                "Hi Dan,\n\nI've restored your access. You can log in again with your usual "
                "password.\n\nBest,\nMaria",
            ),
        ),
    ),
    "banking/phone/cashback card after fraud hold": Pair(
        Channel.PHONE,
        ((C, "hi yeah my card got declined at the shop even though there's money in the account"),),
        (
            (
                A,
                "ok so there was a fraud hold on it i've lifted that now and you know for someone who "
                "shops as much as you do our gold card gives you two percent back on everything",
            ),
        ),
        (
            (
                A,
                "ok so there was a fraud hold on it i've lifted that now so it should go through if you "
                "try again",
            ),
        ),
    ),
    "retail/chat/case would have prevented it": Pair(
        Channel.CHAT,
        ((C, "My order arrived with a cracked screen protector."),),
        (
            (
                A,
                "Sorry about that, a replacement is on its way. Customers who get the Pro case with it "
                "tend not to have this happen at all, and it's only $12 more.",
            ),
        ),
        (
            (
                A,
                "Sorry about that, a replacement is on its way and you don't need to send the "
                "cracked one back.",
            ),
        ),
    ),
    "utilities/email/thermostat households like yours": Pair(
        Channel.EMAIL,
        ((C, "Hello, my bill jumped this month and I don't understand why. Regards, Ann"),),
        (
            (
                A,
                "Dear Ann, the jump comes from the cold snap: your usage was up 30%. Households like "
                "yours usually cut that a lot with our smart thermostat, and I can have one sent out "
                "this week. Kind regards, Lee",
            ),
        ),
        (
            (
                A,
                "Dear Ann, the jump comes from the cold snap: your usage was up 30%. I've attached a "
                "week-by-week breakdown so you can see where it came from. Kind regards, Lee",
            ),
        ),
    ),
    "insurance/messaging/move home cover over": Pair(
        Channel.MESSAGING,
        ((C, "hi, can you send me a copy of my car policy documents"),),
        (
            (
                A,
                "Sent to your email now 👍 Since your car is with us, you'd get 15% off if you moved "
                "your home cover over too. Want me to run a quote?",
            ),
        ),
        ((A, "Sent to your email now 👍 Let me know if anything's missing."),),
    ),
    "telecom/social/signal booster": Pair(
        Channel.SOCIAL,
        ((C, "@TelcoHelp 3rd time this week my signal's gone in the kitchen"),),
        (
            (
                A,
                "@jo_b Sorry to hear that! A signal booster is how most people fix this for good, we "
                "can ship one today for £5 a month. DM us?",
            ),
        ),
        (
            (
                A,
                "@jo_b Sorry to hear that! There's mast maintenance near you until Thursday. DM us "
                "your postcode and we'll check if that's the cause.",
            ),
        ),
    ),
    "software/email/teams your size move to scale": Pair(
        Channel.EMAIL,
        ((C, "We keep hitting the API rate limit during our nightly sync."),),
        (
            (
                A,
                "You can stagger the sync into batches of 500, which keeps you under the limit. That "
                "said, teams your size usually move to the Scale tier, which lifts the limit tenfold. "
                "I can switch you over today.",
            ),
        ),
        (
            (
                A,
                "You can stagger the sync into batches of 500, which keeps you under the limit. Here's "
                "the guide showing where to set the batch size.",
            ),
        ),
    ),
    "banking/chat/saver alongside standing order": Pair(
        Channel.CHAT,
        ((C, "How do I set up a standing order?"),),
        (
            (
                A,
                "Go to Payments, then Standing orders, then New. By the way, you'd earn 4% if you "
                "opened an Everyday Saver alongside it.",
            ),
        ),
        (
            (
                A,
                "Go to Payments, then Standing orders, then New. By the way, you can edit or stop it "
                "any time from the same screen.",
            ),
        ),
    ),
    "telecom/phone/bigger data allowance": Pair(
        Channel.PHONE,
        ((C, "yeah hi i got a text saying i've used all my data and i've still got a week to go"),),
        (
            (
                A,
                "right yeah i can see that you've been streaming a lot so what i'd do is put you on "
                "the thirty gig allowance it's only eight pound more and you'd never run out",
            ),
        ),
        (
            (
                A,
                "right yeah i can see that you've been streaming a lot it resets on the ninth and "
                "wifi calling still works until then",
            ),
        ),
    ),
    # ---------------------------------------------------------------- small talk turned into sales
    "insurance/phone/new place needs home cover": Pair(
        Channel.PHONE,
        (
            (C, "hi i've just moved house and need to update my address on the car policy"),
            (A, "no problem and congratulations on the move"),
            (C, "thanks it's been chaos but we love it"),
        ),
        (
            (
                A,
                "i bet how's the new place with a bigger place you'd want our home cover for that we "
                "can add it to your car policy today",
            ),
        ),
        ((A, "i bet ok i've updated your address that's all done"),),
    ),
    "telecom/chat/room for mesh": Pair(
        Channel.CHAT,
        (
            (C, "Just moving my broadband to my new flat."),
            (A, "Lovely! How are you finding the new neighbourhood?"),
            (C, "Loving it, loads more space than the old place."),
        ),
        (
            (
                A,
                "Amazing! With all that room you'll want whole-home mesh so every corner gets signal, "
                "it's £6 a month extra.",
            ),
        ),
        ((A, "Amazing! I've booked the move for the 14th, your service switches over that morning."),),
    ),
    "airline/messaging/treat yourself to comfort": Pair(
        Channel.MESSAGING,
        (
            (C, "Hi, can I change my seat on the flight to Lisbon?"),
            (A, "Of course! Off on holiday?"),
            (C, "Yes, first trip in ages"),
        ),
        (
            (
                A,
                "Lovely! For a trip like that a lot of people treat themselves to Comfort, extra "
                "legroom and a proper meal for 49 euros. Shall I put you in it?",
            ),
        ),
        ((A, "Lovely! I've moved you to 14A, a window seat."),),
    ),
    "retail/chat/runners love fast track": Pair(
        Channel.CHAT,
        (
            (C, "Where's my parcel? It said Tuesday."),
            (A, "Let me check. Anything nice in there?"),
            (C, "Running shoes, I'm training for a half marathon."),
        ),
        (
            (
                A,
                "Oh nice, good luck! Runners love our Fast Track membership, next-day delivery and "
                "free returns for a year.",
            ),
        ),
        ((A, "Oh nice, good luck! It's at your local depot and will be with you tomorrow."),),
    ),
    # ---------------------------------------------------------------- pitch before vs after the fix
    "telecom/chat/pitch before the line reset": Pair(
        Channel.CHAT,
        ((C, "No internet since this morning."),),
        (
            (A, "Before I look, have you seen our Fibre 500 package? It's far more reliable."),
            (A, "I've reset the line at the exchange, you're back online."),
        ),
        (
            (A, "I've reset the line at the exchange, you're back online."),
            (A, "Before I go, have you seen our Fibre 500 package? It's far more reliable."),
        ),
    ),
    "banking/email/protection before the reversal": Pair(
        Channel.EMAIL,
        ((C, "Hello, I was charged twice for the same purchase at a hardware store. Tom"),),
        (
            (
                A,
                "Dear Tom, while I look into this: our Premier account comes with purchase protection "
                "and would cover exactly this kind of thing. I'll be in touch shortly.",
            ),
            (A, "Dear Tom, I've reversed the duplicate charge. It will show within 2 days."),
        ),
        (
            (A, "Dear Tom, I've reversed the duplicate charge. It will show within 2 days."),
            (
                A,
                "Dear Tom, one more note: our Premier account comes with purchase protection and "
                "would cover exactly this kind of thing.",
            ),
        ),
    ),
    "software/chat/pro before the sync fix": Pair(
        Channel.CHAT,
        ((C, "My calendar isn't syncing with my phone anymore."),),
        (
            (A, "With Pro you'd get instant sync across every device, it's $4 a month."),
            (A, "I've re-linked your calendar, it should sync now."),
            (C, "ok"),
        ),
        (
            (A, "I've re-linked your calendar, it should sync now."),
            (C, "ok"),
            (A, "With Pro you'd get instant sync across every device, it's $4 a month."),
        ),
    ),
    "utilities/phone/tariff talk before the outage": Pair(
        Channel.PHONE,
        ((C, "hi my power's been off since six this morning"),),
        (
            (
                A,
                "ok while i check that have you thought about our green tariff it works out cheaper "
                "for most homes",
            ),
            (A, "right there was a fault at the substation it's been repaired and you should have power now"),
        ),
        (
            (A, "right there was a fault at the substation it's been repaired and you should have power now"),
            (
                A,
                "ok and while i have you have you thought about our green tariff it works out cheaper "
                "for most homes",
            ),
        ),
    ),
    "airline/chat/priority before rebooking": Pair(
        Channel.CHAT,
        ((C, "My flight to Rome got cancelled, I need to get there today."),),
        (
            (A, "For €15 I can add priority boarding so you're first on next time."),
            (A, "I've rebooked you on the 16:40, your new boarding pass is in the app."),
        ),
        (
            (A, "I've rebooked you on the 16:40, your new boarding pass is in the app."),
            (A, "For €15 I can add priority boarding so you're first on next time."),
        ),
    ),
    # ---------------------------------------------------------------- same pitch, upset vs calm customer
    "telecom/chat/business line to a furious customer": Pair(
        Channel.CHAT,
        (),
        ((C, "This is the fourth outage this month and I'm absolutely fed up, I work from home!"),),
        ((C, "Hi, my internet dropped for a bit this morning, just letting you know. I work from home."),),
        (
            (
                A,
                "I'm sorry. Customers who work from home often go for the business line, it comes "
                "with a 4-hour fix guarantee.",
            ),
        ),
    ),
    "retail/social/plus members to an angry poster": Pair(
        Channel.SOCIAL,
        (),
        ((C, "@ShopCo worst experience ever, my order is 2 weeks late and nobody answers. Disgusting."),),
        ((C, "@ShopCo hi, any news on order 5512? It's a few days late."),),
        (
            (
                A,
                "@cat_m We've chased the courier. Our Plus members get guaranteed next-day delivery, "
                "happy to set you up!",
            ),
        ),
    ),
    "airline/phone/flex fare to a stressed traveller": Pair(
        Channel.PHONE,
        (),
        (
            (
                C,
                "i've been on hold for an hour and i'm going to miss my connection this is a "
                "nightmare i'm so angry",
            ),
        ),
        ((C, "hi i just want to check my connection in frankfurt is still fine"),),
        (
            (
                A,
                "ok i can see that and for trips like this our flex fare lets you change for free "
                "want me to move you onto it for thirty euros",
            ),
        ),
    ),
    "banking/messaging/premium to a fraud victim": Pair(
        Channel.MESSAGING,
        (),
        ((C, "someone stole £900 from my account, I'm panicking, this is awful"),),
        ((C, "hi, I'd like to check a payment of £9 from yesterday"),),
        (
            (
                A,
                "I understand. You might like our Premium account, it has real-time alerts for every "
                "payment, £7 a month",
            ),
        ),
    ),
    # ---------------------------------------------------------------- persistence after a (soft) refusal
    "telecom/chat/fine as I am": Pair(
        Channel.CHAT,
        (
            (C, "My speed drops at night."),
            (A, "I've fixed the fault on your line. You could also move to Fibre 900 for £5 more."),
            (C, "I'm fine as I am, thanks."),
        ),
        ((A, "Totally get it, but you'd actually save about £8 a month on it. Worth a think?"),),
        ((A, "No problem at all. Anything else I can help with?"),),
    ),
    "retail/chat/just the refund please": Pair(
        Channel.CHAT,
        (
            (C, "The blender I bought stopped working after a week."),
            (A, "Sorry! Would you like to add 2-year protection to a replacement for $29?"),
            (C, "just the refund please"),
        ),
        ((A, "It covers drops and spills too, most people find it really handy. Sure you don't want it?"),),
        ((A, "Of course, your $54 refund has been issued."),),
    ),
    "software/email/only want the seat removed": Pair(
        Channel.EMAIL,
        (
            (C, "Hi, please remove Jake's seat from our account, he has left the company."),
            (
                A,
                "Hi! Before I do, you could keep his seat and turn it into a shared admin login for "
                "$8 a month.",
            ),
            (C, "I only want the seat removed, thanks."),
        ),
        ((A, "Understood. It's worth knowing a shared login saves you re-adding someone later though."),),
        ((A, "Understood, Jake's seat has been removed and your next invoice will be $8 lower."),),
    ),
    "banking/phone/not right now": Pair(
        Channel.PHONE,
        (
            (C, "hi i need to report my card lost"),
            (
                A,
                "ok i've cancelled that card and a new one is on its way would you also like our "
                "travel insurance on the new card",
            ),
            (C, "not right now"),
        ),
        ((A, "are you sure it's only three pounds a month and covers you abroad too"),),
        ((A, "no problem the new card will arrive in three to five working days"),),
    ),
    "insurance/messaging/nah I'm good": Pair(
        Channel.MESSAGING,
        (
            (C, "can I add my son as a named driver for the weekend?"),
            (A, "Done, he's covered Friday to Sunday. Want breakdown cover with that? It's £4."),
            (C, "nah I'm good"),
        ),
        ((A, "Really? If the car breaks down it can cost hundreds, £4 is nothing."),),
        ((A, "No worries! Have a good weekend."),),
    ),
    "airline/chat/stick with economy": Pair(
        Channel.CHAT,
        (
            (C, "I need to add a checked bag to my booking."),
            (A, "Added, that's €30. For €60 more you could sit in Premium with two bags included."),
            (C, "I'll stick with economy."),
        ),
        (
            (
                A,
                "The Premium seats have a lot more legroom, and it's a long flight. Let me know if you "
                "change your mind, I can switch you now.",
            ),
        ),
        ((A, "Sure, your bag is on the booking and the receipt is in your email."),),
    ),
    "utilities/social/no thanks then again": Pair(
        Channel.SOCIAL,
        (
            (C, "@PowerCo my meter reading looks way off this month"),
            (A, "@ravi_d We'll check it! Have you thought about a smart meter? No more readings at all."),
            (C, "@PowerCo no thanks, just check the reading"),
        ),
        ((A, "@ravi_d Totally understand, but it really is the easiest way, we can fit it free next week."),),
        ((A, "@ravi_d Of course, please DM us a photo of the meter and we'll correct the bill."),),
    ),
    # ---------------------------------------------------------------- pressure without the stock keywords
    "telecom/chat/prices go up on the first": Pair(
        Channel.CHAT,
        (
            (C, "Is there anything cheaper than what I'm paying now?"),
            (A, "Yes, Essentials is £18 a month with 20GB."),
        ),
        ((A, "Prices go up on the first, so I'd switch now."),),
        ((A, "There's no rush, it's there whenever you want it."),),
    ),
    "banking/phone/hold this rate on the call": Pair(
        Channel.PHONE,
        (
            (C, "hi i'm calling about remortgaging when my fix ends in june"),
            (A, "sure so i can do you a five year fix at four point one percent"),
        ),
        ((A, "but i can only hold this rate while we're on the call"),),
        ((A, "and that rate is held for you for the next two weeks"),),
    ),
    "airline/chat/two seats left at this fare": Pair(
        Channel.CHAT,
        (
            (C, "I need to move my flight to Tuesday."),
            (A, "Tuesday's 09:15 is available, the fare difference is €40."),
        ),
        ((A, "There are two seats left at this fare, so I'd book it now."),),
        ((A, "Take your time, I'll keep the chat open."),),
    ),
    "retail/email/flying off the shelves": Pair(
        Channel.EMAIL,
        (
            (C, "Hi, is the grey sofa back in stock? Thanks, Mel"),
            (A, "Hi Mel, yes, the grey sofa is back at £799."),
        ),
        ((A, "They're flying off the shelves and I can't promise there'll be any by the weekend."),),
        ((A, "It's in stock at the warehouse and delivery takes about a week."),),
    ),
    "software/messaging/yes today or full price": Pair(
        Channel.MESSAGING,
        (
            (C, "how much would it cost to add three people to our workspace?"),
            (A, "It's $10 per person per month, so $30."),
        ),
        ((A, "I'd need a yes today though, from tomorrow it's back to $15 each"),),
        ((A, "You can add them yourself from Settings whenever you're ready"),),
    ),
    "utilities/phone/whole street signed up": Pair(
        Channel.PHONE,
        (
            (C, "hi is the fixed tariff still available i've been thinking about it"),
            (A, "yes it's twenty eight pence a unit fixed for two years"),
        ),
        ((A, "most of your street has already signed up and it won't be around next week"),),
        ((A, "it's there whenever you decide so have a think and call us back"),),
    ),
    # ---------------------------------------------------------------- retention after a cancel request
    "telecom/phone/what would it take to keep you": Pair(
        Channel.PHONE,
        ((C, "hi i want to cancel my broadband please"),),
        ((A, "before i process that can i ask what it would take to keep you"),),
        ((A, "ok i can do that for you your last day of service will be the thirtieth"),),
    ),
    "software/chat/knock a third off": Pair(
        Channel.CHAT,
        ((C, "Please cancel our subscription, we've moved to another tool."),),
        ((A, "Sorry to hear that. What if we knocked a third off your next year?"),),
        ((A, "Sorry to hear that. I've cancelled it, you keep access until the 12th."),),
    ),
    "banking/email/waive the fee to keep it open": Pair(
        Channel.EMAIL,
        ((C, "Please close my current account, I've moved banks. Regards, Sue"),),
        (
            (
                A,
                "Dear Sue, before closing it I should mention we can waive the monthly fee if you "
                "keep the account open. Kind regards",
            ),
        ),
        (
            (
                A,
                "Dear Sue, I've closed the account and the remaining balance will be transferred "
                "within 3 working days. Kind regards",
            ),
        ),
    ),
    "insurance/phone/cheaper to keep it": Pair(
        Channel.PHONE,
        ((C, "i'd like to cancel my pet insurance please"),),
        ((A, "are you sure it's a lot cheaper to keep it going than to start again later"),),
        ((A, "no problem that's cancelled from today and you'll get back the unused month"),),
    ),
    "utilities/messaging/match their price": Pair(
        Channel.MESSAGING,
        ((C, "I'm switching supplier, please close my account"),),
        ((A, "We'd be sorry to see you go! I can match their price if you tell me what they quoted."),),
        ((A, "Sure, we'll take a final meter reading on your switch date and send the closing bill."),),
    ),
    "retail/chat/pause instead of ending membership": Pair(
        Channel.CHAT,
        ((C, "I'd like to end my membership."),),
        (
            (
                A,
                "You'd lose free delivery and member prices though. Maybe pause it for three months instead?",
            ),
        ),
        ((A, "Done, your membership ends today and you won't be charged again."),),
    ),
    # ---------------------------------------------------------------- offers the customer asked for
    "telecom/chat/is there anything cheaper": Pair(
        Channel.CHAT,
        (),
        ((C, "My bill's too high, can you check why?"),),
        ((C, "My bill's too high. Is there anything cheaper?"),),
        ((A, "The Essentials plan is £18 a month with 20GB, want me to switch you?"),),
        requested=True,
    ),
    "banking/phone/card without foreign fees": Pair(
        Channel.PHONE,
        (),
        ((C, "hi i'm going to spain next week can you put a travel note on my card"),),
        ((C, "hi i'm going to spain next week do you do a card that doesn't charge for spending abroad"),),
        (
            (
                A,
                "yes so the voyager card has no fees on spending abroad it's free for the first year "
                "and i can order it for you today",
            ),
        ),
        requested=True,
    ),
    "airline/chat/pay for more legroom": Pair(
        Channel.CHAT,
        (),
        ((C, "Can I change my seat to one near the front?"),),
        ((C, "Can I pay for a seat with more legroom?"),),
        ((A, "Extra-legroom seats in row 12 are €35. Shall I book one for you?"),),
        requested=True,
    ),
    "software/email/five more users": Pair(
        Channel.EMAIL,
        (),
        ((C, "Hi, how do I reset a user's two-factor login? Thanks, Raj"),),
        ((C, "Hi, what would it cost to add five more users to our account? Thanks, Raj"),),
        (
            (
                A,
                "Hi Raj, on the Business tier it's $12 per user a month, so $60 for five. I can add "
                "them for you straight away.",
            ),
        ),
        requested=True,
    ),
    "insurance/messaging/add partner to policy": Pair(
        Channel.MESSAGING,
        (),
        ((C, "can you update my address on the policy? just moved"),),
        ((C, "what would it cost to add my partner to the policy?"),),
        ((A, "Adding a second driver is £11 a month on your cover, want me to go ahead?"),),
        requested=True,
    ),
    "retail/social/bundle with the charger": Pair(
        Channel.SOCIAL,
        (),
        ((C, "@GadgetHQ my headphones came without a charging cable"),),
        ((C, "@GadgetHQ do you sell these headphones together with a charger?"),),
        ((A, "@lia_p Yes! The headphones + fast charger bundle is £89, link's in your DMs 😊"),),
        requested=True,
    ),
}


def _transcript(name: str, pair: Pair, middle: Lines) -> Transcript:
    lines = pair.context + middle + pair.after
    return Transcript(name, [Turn(role, text) for role, text in lines], pair.channel)


def _values(name: str, pair: Pair) -> tuple[float, float]:
    pushy = SCORER(_transcript(name, pair, pair.pushy)).value
    calm = SCORER(_transcript(name, pair, pair.calm)).value
    assert pushy is not None and calm is not None
    return pushy, calm


class TestPairs:
    """The pushier member of every pair scores higher."""

    def test_enough_pairs_across_channels_and_industries(self) -> None:
        assert len(PAIRS) >= 40
        assert {p.channel for p in PAIRS.values()} == set(Channel)
        assert {name.split("/")[0] for name in PAIRS} == {
            "telecom", "banking", "retail", "airline", "software", "utilities", "insurance",
        }  # fmt: skip

    @pytest.mark.parametrize("name", PAIRS)
    def test_pair(self, name: str) -> None:
        pushy, calm = _values(name, PAIRS[name])
        assert pushy > calm, (pushy, calm)

    @pytest.mark.parametrize("name", [n for n, p in PAIRS.items() if p.requested])
    def test_requested_offer_stays_low(self, name: str) -> None:
        _, calm = _values(name, PAIRS[name])
        assert calm < REQUESTED_CEILING, calm

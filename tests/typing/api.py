"""Documented usage that must type-check under mypy --strict."""

from servicescore import Channel, Role, Transcript, Turn
from servicescore.io import read


def usage() -> list[str]:
    transcript = Transcript("t1", [Turn(Role.CUSTOMER, "Hi", time=0.0)], channel=Channel.CHAT)
    again: Transcript = Transcript.from_dict(transcript.to_dict())
    return [again.id] + [t.id for t in read("calls.jsonl", on_error="skip")]

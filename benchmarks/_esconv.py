"""ESConv dialogues as transcripts, with the seekers' outcomes: one loader for every validation script."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

from servicescore import Channel, Role, Transcript, Turn


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def esconv_dialogues(path: str | Path) -> Iterator[tuple[Transcript, dict[str, float]]]:
    """Each dialogue of ``FailedESConv.json`` (seeker = customer, supporter = agent) and its outcomes.

    Outcomes (``nan`` when missing): ``"empathy rating"`` (the seeker's 1-5
    survey answer), ``"last feedback"`` (the seeker's last in-chat feedback,
    1-5) and ``"emotion improvement"`` (initial minus final emotion intensity).
    Empty turns are left out.
    """
    for number, item in enumerate(json.loads(Path(path).read_text(encoding="utf-8"))):
        turns, feedback = [], math.nan
        for turn in item["dialog"]:
            role = Role.CUSTOMER if turn["speaker"] == "speaker" else Role.AGENT
            text = turn["content"].strip()
            if not text:
                continue
            turns.append(Turn(role, text))
            rated = turn.get("annotation", {}).get("feedback")
            if role is Role.CUSTOMER and rated not in (None, ""):
                feedback = float(rated)
        survey = item.get("survey_score", {}).get("seeker", {})
        outcomes = {
            "empathy rating": _number(survey.get("empathy")),
            "last feedback": feedback,
            "emotion improvement": _number(survey.get("initial_emotion_intensity"))
            - _number(survey.get("final_emotion_intensity")),
        }
        yield Transcript(f"esconv-{number}", turns, Channel.CHAT), outcomes

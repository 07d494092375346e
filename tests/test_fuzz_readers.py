"""Fuzz every reader with bytes mutated from real files (see tests/fuzzing.py).

Property: ``read(..., on_error="collect")`` always returns, every input
record (JSON Lines line, JSON array item) is a row or an error, and
``on_error="raise"`` raises nothing but the library's own errors. The longer
run with 100,000 inputs per format is ``benchmarks/fuzz_readers.py``.
"""

from __future__ import annotations

import contextlib
import io
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicescore.exceptions import FormatError, ServiceScoreError
from servicescore.io import read

from .fuzzing import FORMATS, expected_records, mutate, seeds

SEEDS = seeds()
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("kind", list(FORMATS))
@FUZZ
@given(rng=st.randoms(use_true_random=False))
def test_collect_returns_and_accounts_for_every_record(kind: str, rng: random.Random) -> None:
    data = mutate(SEEDS[kind], rng, kind)
    fmt: object = FORMATS[kind]
    errors: list[FormatError] = []
    rows = list(read(io.BytesIO(data), fmt, on_error="collect", errors=errors))  # type: ignore[arg-type]
    assert all(isinstance(e, FormatError) and e.path for e in errors)
    expected = expected_records(data, kind)
    if expected is not None:
        assert len(rows) + len(errors) == expected
    inferred: list[FormatError] = []
    list(read(io.BytesIO(data), on_error="collect", errors=inferred))


@pytest.mark.parametrize("kind", list(FORMATS))
@FUZZ
@given(rng=st.randoms(use_true_random=False))
def test_raise_raises_only_library_errors(kind: str, rng: random.Random) -> None:
    data = mutate(SEEDS[kind], rng, kind)
    with contextlib.suppress(ServiceScoreError):
        list(read(io.BytesIO(data), FORMATS[kind]))  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", list(FORMATS))
def test_seeds_read_cleanly(kind: str) -> None:
    errors: list[FormatError] = []
    rows = list(read(io.BytesIO(SEEDS[kind]), FORMATS[kind], on_error="collect", errors=errors))  # type: ignore[arg-type]
    assert rows and not errors
    assert len(rows) == expected_records(SEEDS[kind], kind) or FORMATS[kind] in ("csv", "twcs")

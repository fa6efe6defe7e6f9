"""Scoring throughput on the bundled instrument (target: at least 10,000 assessments/s).

The baseline is a bare Python loop summing weight * credit over the same answer dicts:
the least any scorer must do. The ratio shows what visibility, levels, blocking, themes,
coverage and the explanation records cost on top of that.
"""

from __future__ import annotations

import random
import time

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.scoring import score_assessment
from assessment.queries.instruments import default_catalog

INSTRUMENT_REF = "sm-policing-maturity"
ASSESSMENTS = 10_000
TARGET_PER_SECOND = 10_000
SEED = 2024


def random_answer_sets(instrument: Instrument, count: int, seed: int) -> list[dict[str, Answer]]:
    """Answer sets with about 10% unanswered and, where allowed, 5% not applicable."""
    rng = random.Random(seed)
    answer_sets = []
    for _ in range(count):
        answers = {}
        for practice in instrument.practices():
            draw = rng.random()
            if draw < 0.10:
                continue
            if draw < 0.15 and practice.allow_not_applicable:
                answers[practice.id] = Answer(practice.id, not_applicable=True)
            else:
                option = rng.choice(practice.answer_set.options)
                answers[practice.id] = Answer(practice.id, option_id=option.id)
        answer_sets.append(answers)
    return answer_sets


def baseline_sums(instrument: Instrument, answer_sets: list[dict[str, Answer]]) -> float:
    """Seconds for a bare loop summing weight * credit per answer set."""
    credits = {
        practice.id: (practice.weight, {o.id: o.credit for o in practice.answer_set.options})
        for practice in instrument.practices()
    }
    started = time.perf_counter()
    for answers in answer_sets:
        total = 0.0
        for practice_id, answer in answers.items():
            if answer.option_id is not None:
                weight, options = credits[practice_id]
                total += weight * options[answer.option_id]
    return time.perf_counter() - started


def scoring(instrument: Instrument, answer_sets: list[dict[str, Answer]]) -> float:
    """Seconds to score every answer set with the engine."""
    score_assessment(instrument, answer_sets[0])  # builds the per-instrument plan once
    started = time.perf_counter()
    for answers in answer_sets:
        score_assessment(instrument, answers)
    return time.perf_counter() - started


def main() -> None:
    """Print assessments per second for the engine and the baseline, and their ratio."""
    instrument = default_catalog().get(INSTRUMENT_REF)
    practices = sum(1 for _ in instrument.practices())
    answer_sets = random_answer_sets(instrument, ASSESSMENTS, SEED)
    baseline = baseline_sums(instrument, answer_sets)
    engine = scoring(instrument, answer_sets)
    engine_rate = ASSESSMENTS / engine
    baseline_rate = ASSESSMENTS / baseline
    verdict = "meets" if engine_rate >= TARGET_PER_SECOND else "MISSES"
    print(f"   instrument {instrument.key}: {practices} practices, {ASSESSMENTS:,} answer sets")
    each = engine / ASSESSMENTS * 1e6
    print(f"   scoring engine: {engine_rate:,.0f} assessments/s ({each:.0f} µs each)")
    print(f"   baseline (bare weight * credit sum): {baseline_rate:,.0f} answer sets/s")
    print(f"   ratio engine / baseline time: {engine / baseline:.1f}x")
    print(f"   target >= {TARGET_PER_SECOND:,}/s on one core: {verdict}")

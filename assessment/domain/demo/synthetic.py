"""A deterministic synthetic population of agencies and their answers, for demos and benchmarks.

Every agency has a latent maturity per dimension that drifts from round to round (most
agencies improve a little, some fall back). A practice is met when the latent maturity of
its dimension, plus a persistent agency-and-practice disposition, clears a bar that rises
with the practice's level; so answers stay consistent over rounds and levels look real.
The written-policy practice is calibrated so that its share in the latest round matches the
published IACP 2015 figure (77.8% of agencies had a written policy).

Each agency draws from its own random stream (seeded with `seed` and its number), so the
first N agencies are the same whatever the population size.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument, Option, Practice
from assessment.domain.rules.scoring import visible_practices

DEFAULT_SEED = 2026
ROUND_NAMES = ("2024", "2025", "2026")
COUNTRIES = ("NL", "BE", "DE", "FR", "ES", "IT", "PT", "IE", "AT", "SE", "FI", "DK", "PL", "CZ")
CALIBRATED_SHARES = {"policy.written-policy": 0.778}
"""Practice id -> share of submitting agencies meeting it in the latest round."""

FALLBACK_TYPES = (
    ("national", "National"),
    ("regional", "Regional"),
    ("local", "Local"),
    ("specialist", "Specialist"),
)
FALLBACK_SIZES = ("under-100", "100-999", "1000-9999", "10000-plus")
TYPE_WEIGHTS = {"national": 1.0, "regional": 3.0, "local": 4.5, "specialist": 1.5}
TYPE_EFFECTS = {"national": 0.35, "regional": 0.15, "local": -0.15, "specialist": 0.0}
# Likely size bands (by position, smallest first) for each agency type.
SIZE_WEIGHTS_BY_TYPE = {
    "national": (0.0, 0.5, 2.0, 3.0),
    "regional": (0.2, 2.0, 3.0, 0.8),
    "local": (3.0, 3.0, 0.6, 0.0),
    "specialist": (1.0, 2.5, 1.0, 0.2),
}
SIZE_EFFECTS = (-0.35, -0.05, 0.2, 0.4)

BASE_MATURITY = 2.55
MATURITY_SPREAD = 0.55
DIMENSION_SPREAD = 0.35
DRIFT_MEAN = 0.16  # per round: most agencies improve a little...
DRIFT_SPREAD = 0.2  # ...and about one in five falls back
DIMENSION_DRIFT_SPREAD = 0.08
DISPOSITION_SPREAD = 0.45
ROUND_JITTER = 0.12
BAR_BELOW_LEVEL = 0.55  # a practice of level L is met when maturity + disposition > L - this
NOT_APPLICABLE_SHARE = 0.06
COMMENT_SHARE = 0.01
BEST_OPTION_SHARE = 0.65
NOT_STARTED_SHARE = 0.05
DRAFT_SHARE_CLOSED = 0.03
DRAFT_SHARE_LATEST = 0.07

COMMENTS = (
    "Synthetic demo comment: the approved document is kept on the intranet.",
    "Synthetic demo comment: in place for the central accounts, not yet for local teams.",
    "Synthetic demo comment: reviewed by the communications board last quarter.",
    "Synthetic demo comment: planned for next year's budget.",
    "Synthetic demo comment: shared arrangement with a neighbouring force.",
)


@dataclass(frozen=True)
class SyntheticAgency:
    """A made-up agency, clearly labelled synthetic in its name."""

    number: int
    name: str
    country: str
    agency_type: str
    size_band: str
    profile: dict[str, Any]


@dataclass(frozen=True)
class SyntheticRound:
    """A round of the synthetic population; only the latest is open."""

    name: str
    starts_on: date
    ends_on: date
    is_open: bool


@dataclass(frozen=True)
class SyntheticAssessment:
    """One agency's answers in one round; drafts are partly answered."""

    agency_number: int
    round_name: str
    submitted: bool
    answers: dict[str, Answer]


@dataclass(frozen=True)
class SyntheticPopulation:
    """Agencies, rounds and assessments; `lead_agency_number` has a draft in the latest round."""

    agencies: tuple[SyntheticAgency, ...]
    rounds: tuple[SyntheticRound, ...]
    assessments: tuple[SyntheticAssessment, ...]
    lead_agency_number: int


_Split = tuple[tuple[Option, ...], tuple[Option, ...]]


@dataclass(frozen=True)
class _Latent:
    """One agency's hidden state: maturity per round and dimension, persistent dispositions."""

    maturity: tuple[tuple[float, ...], ...]
    disposition: dict[str, float]
    not_applicable: frozenset[str]

    def strength(self, practice_id: str, round_index: int, dimension_index: int) -> float:
        """How strongly the agency leans towards meeting the practice in that round."""
        return self.maturity[round_index][dimension_index] + self.disposition[practice_id]


def synthetic_population(
    instrument: Instrument,
    *,
    agencies: int,
    seed: int = DEFAULT_SEED,
    round_names: tuple[str, ...] = ROUND_NAMES,
) -> SyntheticPopulation:
    """The deterministic synthetic population for this instrument, seed and size."""
    if agencies < 1:
        raise ValueError("the synthetic population needs at least one agency")
    streams = [random.Random(f"{seed}:{number}") for number in range(1, agencies + 1)]
    members = [_agency(instrument, number, stream) for number, stream in enumerate(streams, 1)]
    members = _cover_types_and_sizes(instrument, members)
    lead = _lead_agency(members)
    last = len(round_names) - 1
    rounds = tuple(_round(name, last=i == last) for i, name in enumerate(round_names))
    latents = [
        _latent(instrument, agency, stream, len(rounds))
        for agency, stream in zip(members, streams, strict=True)
    ]
    statuses = [[_status(stream, last=i == last) for i in range(len(rounds))] for stream in streams]
    statuses[lead.number - 1] = ["submitted"] * last + ["draft"]
    thresholds = _calibrated_thresholds(instrument, latents, statuses)
    assessments = _assessments(instrument, rounds, latents, streams, statuses, thresholds)
    return SyntheticPopulation(tuple(members), rounds, assessments, lead.number)


def _agency(instrument: Instrument, number: int, stream: random.Random) -> SyntheticAgency:
    types = _type_options(instrument)
    sizes = _size_options(instrument)
    type_id, type_label = stream.choices(types, [TYPE_WEIGHTS.get(t, 1.0) for t, _ in types])[0]
    size_weights = SIZE_WEIGHTS_BY_TYPE.get(type_id, (1.0,) * len(sizes))
    size_band = stream.choices(sizes, _fit(size_weights, len(sizes)))[0]
    country = COUNTRIES[(number - 1) % len(COUNTRIES)]
    return _named(number, country, type_id, type_label, size_band)


def _named(
    number: int, country: str, type_id: str, type_label: str, size_band: str
) -> SyntheticAgency:
    name = f"Synthetic {type_label} Police {number:02d} ({country})"
    profile = {
        "country": country,
        "agency_type": type_id,
        "size_band": size_band,
        "synthetic": True,
    }
    return SyntheticAgency(number, name, country, type_id, size_band, profile)


def _cover_types_and_sizes(
    instrument: Instrument, members: list[SyntheticAgency]
) -> list[SyntheticAgency]:
    """Give the first agencies each type and each size band, so every peer group exists."""
    types = _type_options(instrument)
    sizes = _size_options(instrument)
    covered = list(members)
    for index in range(min(len(members), max(len(types), len(sizes)))):
        type_id, type_label = types[index % len(types)]
        # Pair the k-th type with the size band it is least likely to miss.
        size_band = sizes[(len(sizes) - 1 - index) % len(sizes)]
        agency = members[index]
        covered[index] = _named(agency.number, agency.country, type_id, type_label, size_band)
    return covered


def _lead_agency(members: list[SyntheticAgency]) -> SyntheticAgency:
    # A mid-sized regional force makes the most telling demo; any agency will do otherwise.
    return next((a for a in members if a.agency_type == "regional"), members[0])


def _round(name: str, *, last: bool) -> SyntheticRound:
    year = int(name) if name.isdigit() else 2024
    return SyntheticRound(name, date(year, 1, 15), date(year, 4, 30), is_open=last)


def _latent(
    instrument: Instrument, agency: SyntheticAgency, stream: random.Random, rounds: int
) -> _Latent:
    sizes = _size_options(instrument)
    size_effect = _fit(SIZE_EFFECTS, len(sizes))[sizes.index(agency.size_band)]
    base = (
        BASE_MATURITY
        + TYPE_EFFECTS.get(agency.agency_type, 0.0)
        + size_effect
        + stream.gauss(0.0, MATURITY_SPREAD)
    )
    current = [base + stream.gauss(0.0, DIMENSION_SPREAD) for _ in instrument.dimensions]
    path = [tuple(current)]
    for _ in range(rounds - 1):
        drift = stream.gauss(DRIFT_MEAN, DRIFT_SPREAD)
        current = [m + drift + stream.gauss(0.0, DIMENSION_DRIFT_SPREAD) for m in current]
        path.append(tuple(current))
    practices = list(instrument.practices())
    disposition = {p.id: stream.gauss(0.0, DISPOSITION_SPREAD) for p in practices}
    not_applicable = frozenset(
        p.id for p in practices if stream.random() < NOT_APPLICABLE_SHARE and p.allow_not_applicable
    )
    return _Latent(tuple(path), disposition, not_applicable)


def _status(stream: random.Random, *, last: bool) -> str:
    draw = stream.random()
    if draw < NOT_STARTED_SHARE:
        return "none"
    if draw < NOT_STARTED_SHARE + (DRAFT_SHARE_LATEST if last else DRAFT_SHARE_CLOSED):
        return "draft"
    return "submitted"


def _calibrated_thresholds(
    instrument: Instrument, latents: list[_Latent], statuses: list[list[str]]
) -> dict[str, float]:
    """Bars for calibrated practices: the target share of latest-round submitters clears them."""
    last = len(statuses[0]) - 1
    thresholds: dict[str, float] = {}
    for practice_id, share in CALIBRATED_SHARES.items():
        practice = instrument.practice(practice_id)
        if practice is None:
            continue
        dimension = _dimension_index(instrument, practice)
        strengths = sorted(
            (
                latent.strength(practice_id, last, dimension)
                for latent, status in zip(latents, statuses, strict=True)
                if status[last] == "submitted"
            ),
            reverse=True,
        )
        if strengths:
            met = min(len(strengths), max(1, round(share * len(strengths))))
            below = strengths[met] if met < len(strengths) else strengths[-1] - 1.0
            thresholds[practice_id] = (strengths[met - 1] + below) / 2
    return thresholds


@dataclass(frozen=True)
class _AnswerRules:
    """Per practice: the bar to clear, whether it wobbles between rounds, its option split."""

    bars: dict[str, float]
    calibrated: frozenset[str]
    splits: dict[str, _Split]


def _answer_rules(instrument: Instrument, thresholds: dict[str, float]) -> _AnswerRules:
    bars = {p.id: thresholds.get(p.id, p.level - BAR_BELOW_LEVEL) for p in instrument.practices()}
    return _AnswerRules(bars, frozenset(thresholds), _option_splits(instrument))


def _assessments(
    instrument: Instrument,
    rounds: tuple[SyntheticRound, ...],
    latents: list[_Latent],
    streams: list[random.Random],
    statuses: list[list[str]],
    thresholds: dict[str, float],
) -> tuple[SyntheticAssessment, ...]:
    rules = _answer_rules(instrument, thresholds)
    result = []
    for number, (latent, stream, agency_statuses) in enumerate(
        zip(latents, streams, statuses, strict=True), 1
    ):
        for round_index, (round_, status) in enumerate(zip(rounds, agency_statuses, strict=True)):
            if status == "none":
                continue
            answers = _answers(instrument, rules, latent, stream, round_index)
            if status == "draft":
                answers = _partly(answers, stream)
            result.append(SyntheticAssessment(number, round_.name, status == "submitted", answers))
    return tuple(result)


def _answers(
    instrument: Instrument,
    rules: _AnswerRules,
    latent: _Latent,
    stream: random.Random,
    round_index: int,
) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    for dimension_index, dimension in enumerate(instrument.dimensions):
        for practice in dimension.practices:
            if practice.id in latent.not_applicable:
                answers[practice.id] = Answer(practice.id, not_applicable=True)
                continue
            margin = latent.strength(practice.id, round_index, dimension_index)
            margin -= rules.bars[practice.id]
            if practice.id not in rules.calibrated:
                margin += stream.gauss(0.0, ROUND_JITTER)
            option = _option(rules.splits[practice.id], margin, stream)
            answers[practice.id] = Answer(practice.id, option.id, comment=_comment(stream))
    visible = {p.id for p in visible_practices(instrument, answers)}
    return {pid: answer for pid, answer in answers.items() if pid in visible}


def _option_splits(instrument: Instrument) -> dict[str, _Split]:
    """Per practice: the options that count as met and those that do not, best first."""
    met_at = instrument.scoring.met_at
    splits = {}
    for practice in instrument.practices():
        ranked = sorted(practice.answer_set.options, key=lambda o: o.credit, reverse=True)
        met = tuple(o for o in ranked if o.credit >= met_at)
        splits[practice.id] = (met, tuple(o for o in ranked if o.credit < met_at))
    return splits


def _option(split: _Split, margin: float, stream: random.Random) -> Option:
    met, unmet = split
    if (margin > 0 and met) or not unmet:
        return (
            met[0]
            if len(met) == 1 or stream.random() < BEST_OPTION_SHARE
            else stream.choice(met[1:])
        )
    # Close misses are partly done; far misses are not done at all.
    nearness = 1.0 / (1.0 + math.exp(-3.0 * (margin + 0.6)))
    return unmet[0] if len(unmet) == 1 or stream.random() < nearness else unmet[-1]


def _comment(stream: random.Random) -> str:
    return stream.choice(COMMENTS) if stream.random() < COMMENT_SHARE else ""


def _partly(answers: dict[str, Answer], stream: random.Random) -> dict[str, Answer]:
    """A draft: the first part of the questionnaire answered, the rest still open."""
    keep = max(1, round(len(answers) * stream.uniform(0.2, 0.7)))
    return dict(list(answers.items())[:keep])


def _dimension_index(instrument: Instrument, practice: Practice) -> int:
    return next(i for i, d in enumerate(instrument.dimensions) if d.id == practice.dimension_id)


def _type_options(instrument: Instrument) -> list[tuple[str, str]]:
    question = instrument.profile_question("agency_type")
    if question is None or not question.options:
        return list(FALLBACK_TYPES)
    return [(option.id, str(option.label)) for option in question.options]


def _size_options(instrument: Instrument) -> list[str]:
    question = instrument.profile_question("size_band")
    if question is None or not question.options:
        return list(FALLBACK_SIZES)
    return [option.id for option in question.options]


def _fit(values: tuple[float, ...], length: int) -> list[float]:
    """`values` stretched or cut to `length` entries (instruments may list other bands)."""
    if length <= len(values):
        return list(values[:length])
    return list(values) + [values[-1]] * (length - len(values))

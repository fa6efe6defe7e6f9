"""A deterministic synthetic population of agencies and their answers, for demos and benchmarks.

The population is made up and illustrative: fictitious agencies in real European countries,
shaped like the country's policing (one national force per country at most; regional,
local, gendarmerie, national-unit and specialist forces where the country's model has
them), with enough agencies in each large country for a country peer group to be
published. Nothing in it describes a real agency or measures a real country.

Every agency has a latent maturity per dimension that drifts from round to round (most
agencies improve a little, some fall back). A practice is met when the latent maturity of
its dimension, plus a persistent agency-and-practice disposition, clears a bar that rises
with the practice's level; so answers stay consistent over rounds and levels look real.
Each round may use its own instrument version: dispositions belong to practice ids, so a
practice kept across versions keeps its answers' tendency. The written-policy practice is
tuned so that its share in the latest round that asks it is near 77.8%, the share of US
agencies with a written policy in the IACP 2015 survey: an anchor for a plausible demo,
not a claim about European agencies.

Each agency draws from its own random stream (seeded with `seed` and its number), so the
first N agencies are the same whatever the population size.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from assessment.domain.model.agency_profile import WORKFORCE_BANDS
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument, Option
from assessment.domain.rules.record_profile import agency_answers
from assessment.domain.rules.scoring import Profile, visible_practices

DEFAULT_SEED = 2026
ROUND_NAMES = ("2024", "2025", "2026")
CALIBRATED_SHARES = {"policy.written-policy": 0.778}
"""Practice id -> share of submitting agencies meeting it in the latest round that asks it."""

COUNTRY_PLANS: dict[str, tuple[str, tuple[tuple[str, int], ...]]] = {
    "DE": ("regional", (("national", 1), ("regional", 5), ("specialist", 1), ("local", 1))),
    "FR": ("dual", (("national", 1), ("gendarmerie", 1), ("national-unit", 3), ("local", 3))),
    "ES": ("mixed", (("national", 1), ("gendarmerie", 1), ("regional", 2), ("local", 4))),
    "IT": ("dual", (("national", 1), ("gendarmerie", 1), ("national-unit", 2), ("local", 4))),
    "GB": ("regional", (("regional", 6), ("specialist", 2))),
    "PL": ("single-national", (("national", 1), ("national-unit", 4), ("local", 3))),
    "NL": ("single-national", (("national", 1), ("national-unit", 2))),
    "BE": ("mixed", (("national", 1), ("local", 2))),
    "IE": ("single-national", (("national", 1), ("national-unit", 2))),
    "SE": ("single-national", (("national", 1), ("national-unit", 2))),
}
"""Country -> (policing model, how many synthetic agencies of each type).

Illustrative shapes for a demo, not a census: the six large countries have eight agencies
each (enough for a country peer group at the default threshold of five), the four small
ones three. A country has at most one national force.
"""

TYPE_NAMES = {
    "national": "National Police",
    "regional": "Regional Police",
    "local": "Municipal Police",
    "gendarmerie": "Gendarmerie",
    "national-unit": "National Police Unit",
    "specialist": "Specialist Police",
}
TYPE_EFFECTS = {
    "national": 0.35,
    "regional": 0.15,
    "local": -0.15,
    "gendarmerie": 0.2,
    "national-unit": 0.05,
    "specialist": 0.0,
}
# Likely workforce bands (smallest first, as WORKFORCE_BANDS) for each agency type.
SIZE_WEIGHTS_BY_TYPE = {
    "national": (0.0, 0.0, 0.6, 2.0, 3.0),
    "regional": (0.0, 0.4, 2.0, 3.0, 0.8),
    "local": (3.0, 2.0, 0.4, 0.0, 0.0),
    "gendarmerie": (0.0, 0.0, 0.0, 1.0, 3.0),
    "national-unit": (0.2, 1.5, 2.0, 0.5, 0.0),
    "specialist": (0.5, 2.0, 1.5, 0.3, 0.0),
}
SIZE_EFFECTS = (-0.35, -0.1, 0.1, 0.25, 0.4)

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
    policing_model: str
    profile: dict[str, Any]


@dataclass(frozen=True)
class SyntheticRound:
    """A round of the synthetic population on one instrument version; only the latest is open."""

    name: str
    starts_on: date
    ends_on: date
    is_open: bool
    instrument: Instrument


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
    """One agency's hidden state: maturity per round and dimension, and per practice a
    persistent disposition and whether it applies, drawn from the practice's own stream."""

    maturity: tuple[dict[str, float], ...]
    stream_key: str
    drawn: dict[str, tuple[float, bool]]

    def disposition(self, practice_id: str) -> tuple[float, bool]:
        """(disposition, not applicable) of a practice, the same in every instrument version."""
        if practice_id not in self.drawn:
            stream = random.Random(f"{self.stream_key}:{practice_id}")
            disposition = stream.gauss(0.0, DISPOSITION_SPREAD)
            self.drawn[practice_id] = (disposition, stream.random() < NOT_APPLICABLE_SHARE)
        return self.drawn[practice_id]

    def strength(self, practice_id: str, round_index: int, dimension_id: str) -> float:
        """How strongly the agency leans towards meeting the practice in that round."""
        maturity = self.maturity[round_index]
        level = maturity.get(dimension_id, sum(maturity.values()) / len(maturity))
        return level + self.disposition(practice_id)[0]


def synthetic_population(
    instrument: Instrument,
    *,
    agencies: int,
    seed: int = DEFAULT_SEED,
    round_names: tuple[str, ...] = ROUND_NAMES,
    latest: Instrument | None = None,
) -> SyntheticPopulation:
    """The deterministic synthetic population for this seed and size: every round on
    `instrument`, except the latest, which is on `latest` when given."""
    if agencies < 1:
        raise ValueError("the synthetic population needs at least one agency")
    streams = [random.Random(f"{seed}:{number}") for number in range(1, agencies + 1)]
    members = [_agency(number, stream) for number, stream in enumerate(streams, 1)]
    members = _cover_sizes(members)
    lead = _lead_agency(members)
    last = len(round_names) - 1
    rounds = tuple(
        _round(name, latest or instrument if i == last else instrument, last=i == last)
        for i, name in enumerate(round_names)
    )
    dimension_ids = list(dict.fromkeys(d.id for r in rounds for d in r.instrument.dimensions))
    latents = [
        _latent(agency, dimension_ids, f"{seed}:{agency.number}", stream, len(rounds))
        for agency, stream in zip(members, streams, strict=True)
    ]
    statuses = [[_status(stream, last=i == last) for i in range(len(rounds))] for stream in streams]
    statuses[lead.number - 1] = ["submitted"] * last + ["draft"]
    thresholds = _calibrated_thresholds(rounds, latents, statuses)
    assessments = _assessments(members, rounds, latents, streams, statuses, thresholds)
    return SyntheticPopulation(tuple(members), rounds, assessments, lead.number)


def _slots() -> list[tuple[str, str]]:
    """(country, agency type) for agency 1, 2, ...: the countries in turn, each's plan in order."""
    plans = [
        (country, [kind for kind, count in counts for _ in range(count)])
        for country, (_, counts) in COUNTRY_PLANS.items()
    ]
    longest = max(len(types) for _, types in plans)
    return [
        (country, types[index])
        for index in range(longest)
        for country, types in plans
        if index < len(types)
    ]


def _agency(number: int, stream: random.Random) -> SyntheticAgency:
    slots = _slots()
    country, agency_type = slots[(number - 1) % len(slots)]
    if number > len(slots) and agency_type == "national":
        agency_type = "national-unit"  # one national force per country
    size_band = stream.choices(WORKFORCE_BANDS, SIZE_WEIGHTS_BY_TYPE[agency_type])[0]
    return _named(number, country, agency_type, size_band)


def _named(number: int, country: str, agency_type: str, size_band: str) -> SyntheticAgency:
    name = f"Synthetic {TYPE_NAMES[agency_type]} {number:02d} ({country})"
    profile = {
        "country": country,
        "agency_type": agency_type,
        "size_band": size_band,
        "synthetic": True,
    }
    model = COUNTRY_PLANS[country][0]
    return SyntheticAgency(number, name, country, agency_type, size_band, model, profile)


def _cover_sizes(members: list[SyntheticAgency]) -> list[SyntheticAgency]:
    """Give a missing workforce band to the first agency whose type may have it and whose
    band another agency shares, so every band's peer group exists in a large enough demo."""
    covered = list(members)
    for band_index, band in enumerate(WORKFORCE_BANDS):
        if any(a.size_band == band for a in covered):
            continue
        for index, agency in enumerate(covered):
            shared = sum(a.size_band == agency.size_band for a in covered) > 1
            if shared and SIZE_WEIGHTS_BY_TYPE[agency.agency_type][band_index] > 0:
                covered[index] = _named(agency.number, agency.country, agency.agency_type, band)
                break
    return covered


def _lead_agency(members: list[SyntheticAgency]) -> SyntheticAgency:
    # A regional force makes the most telling demo; any agency will do otherwise.
    return next((a for a in members if a.agency_type == "regional"), members[0])


def _round(name: str, instrument: Instrument, *, last: bool) -> SyntheticRound:
    year = int(name) if name.isdigit() else 2024
    return SyntheticRound(name, date(year, 1, 15), date(year, 4, 30), last, instrument)


def _latent(
    agency: SyntheticAgency,
    dimension_ids: list[str],
    stream_key: str,
    stream: random.Random,
    rounds: int,
) -> _Latent:
    size_effect = SIZE_EFFECTS[WORKFORCE_BANDS.index(agency.size_band)]
    base = (
        BASE_MATURITY
        + TYPE_EFFECTS[agency.agency_type]
        + size_effect
        + stream.gauss(0.0, MATURITY_SPREAD)
    )
    current = [base + stream.gauss(0.0, DIMENSION_SPREAD) for _ in dimension_ids]
    path = [dict(zip(dimension_ids, current, strict=True))]
    for _ in range(rounds - 1):
        drift = stream.gauss(DRIFT_MEAN, DRIFT_SPREAD)
        current = [m + drift + stream.gauss(0.0, DIMENSION_DRIFT_SPREAD) for m in current]
        path.append(dict(zip(dimension_ids, current, strict=True)))
    return _Latent(tuple(path), stream_key, {})


def _status(stream: random.Random, *, last: bool) -> str:
    draw = stream.random()
    if draw < NOT_STARTED_SHARE:
        return "none"
    if draw < NOT_STARTED_SHARE + (DRAFT_SHARE_LATEST if last else DRAFT_SHARE_CLOSED):
        return "draft"
    return "submitted"


def _calibrated_thresholds(
    rounds: tuple[SyntheticRound, ...], latents: list[_Latent], statuses: list[list[str]]
) -> dict[str, float]:
    """Bars for calibrated practices: the target share of submitters in the latest round
    whose instrument asks the practice clears them."""
    thresholds: dict[str, float] = {}
    for practice_id, share in CALIBRATED_SHARES.items():
        asked = [i for i, r in enumerate(rounds) if r.instrument.practice(practice_id) is not None]
        if not asked:
            continue
        index = asked[-1]
        practice = rounds[index].instrument.practice(practice_id)
        assert practice is not None
        strengths = sorted(
            (
                latent.strength(practice_id, index, practice.dimension_id)
                for latent, status in zip(latents, statuses, strict=True)
                if status[index] == "submitted"
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
    members: list[SyntheticAgency],
    rounds: tuple[SyntheticRound, ...],
    latents: list[_Latent],
    streams: list[random.Random],
    statuses: list[list[str]],
    thresholds: dict[str, float],
) -> tuple[SyntheticAssessment, ...]:
    rules = {r.instrument.key: _answer_rules(r.instrument, thresholds) for r in rounds}
    result = []
    for agency, latent, stream, agency_statuses in zip(
        members, latents, streams, statuses, strict=True
    ):
        for round_index, (round_, status) in enumerate(zip(rounds, agency_statuses, strict=True)):
            if status == "none":
                continue
            instrument = round_.instrument
            profile = agency_answers(
                instrument, agency.country, agency.agency_type, agency.size_band
            )
            answers = _answers(
                instrument, rules[instrument.key], latent, stream, round_index, profile
            )
            if status == "draft":
                answers = _partly(answers, stream)
            submitted = status == "submitted"
            result.append(SyntheticAssessment(agency.number, round_.name, submitted, answers))
    return tuple(result)


def _answers(
    instrument: Instrument,
    rules: _AnswerRules,
    latent: _Latent,
    stream: random.Random,
    round_index: int,
    profile: Profile,
) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    for dimension in instrument.dimensions:
        for practice in dimension.practices:
            if latent.disposition(practice.id)[1] and practice.allow_not_applicable:
                answers[practice.id] = Answer(practice.id, not_applicable=True)
                continue
            margin = latent.strength(practice.id, round_index, dimension.id)
            margin -= rules.bars[practice.id]
            if practice.id not in rules.calibrated:
                margin += stream.gauss(0.0, ROUND_JITTER)
            option = _option(rules.splits[practice.id], margin, stream)
            answers[practice.id] = Answer(practice.id, option.id, comment=_comment(stream))
    visible = {p.id for p in visible_practices(instrument, answers, profile)}
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

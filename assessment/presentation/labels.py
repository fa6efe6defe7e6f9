"""Words for figures, levels and answers, the same on pages, in reports and on the CLI."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assessment.domain.model.instrument import Instrument, OverallLevelRule, Practice, PracticeKind
from assessment.domain.model.results import BaselineResult, DimensionResult, PracticeStatus
from assessment.domain.rules.headline import Headline, Ranked

OVERALL = "Overall"


def whole_points(value: float) -> int:
    """The one rounding rule of every displayed figure: whole points, halves up (62.5 -> 63).

    Python's round() and "%.0f" round halves to even (62.5 -> 62); a score must read the
    same on every page, report and chart.
    """
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def points(value: float | None, missing: str = "n/a") -> str:
    """A score or percentage for display, in whole points; `missing` when there is none."""
    return missing if value is None else str(whole_points(value))


NOT_ANSWERED = "Not answered"
NOT_APPLICABLE = "Not applicable"
STATUS_WORDS = {
    PracticeStatus.MET: "Met",
    PracticeStatus.UNMET: "Not met",
    PracticeStatus.UNANSWERED: NOT_ANSWERED,
    PracticeStatus.NOT_APPLICABLE: NOT_APPLICABLE,
    PracticeStatus.HIDDEN: "Not asked",
    PracticeStatus.ANSWERED: "Answered",
}
"""A practice outcome in words."""


def level_name(instrument: Instrument, number: int) -> str:
    """A level's name, e.g. 'Defined'."""
    return str(instrument.level(number).name)


def level_label(instrument: Instrument, number: int) -> str:
    """A level with its number, e.g. 'Level 3 · Defined'."""
    return f"Level {number} · {level_name(instrument, number)}"


BASELINE_LABEL = "Legal or safety duty · met or not met, reported apart"
SCREENING_LABEL = "Screening question · not scored, decides which questions apply"


def practice_label(instrument: Instrument, practice: Practice) -> str:
    """What kind of question a practice is: its level, or baseline / screening (off the ladder)."""
    if practice.kind is PracticeKind.BASELINE:
        return BASELINE_LABEL
    if practice.kind is PracticeKind.SCREENING:
        return SCREENING_LABEL
    return level_label(instrument, practice.level)


def dimension_titles(instrument: Instrument) -> dict[str, str]:
    """Each dimension's title keyed by its id, in instrument order."""
    return {dimension.id: str(dimension.title) for dimension in instrument.dimensions}


@dataclass(frozen=True)
class FigureNames:
    """Titles of the figures and levels of one instrument (ids when it is unknown)."""

    instrument: Instrument | None

    def figure(self, scope: str, key: str) -> str:
        """'Overall', a dimension's or a theme's title, or the key itself."""
        if scope == "overall":
            return OVERALL
        if self.instrument is not None:
            if scope == "dimension":
                dimension = self.instrument.dimension(key)
                if dimension is not None:
                    return str(dimension.title)
            theme = self.instrument.themes.get(key) if scope == "theme" else None
            if theme is not None:
                return str(theme.title)
        return key

    def level(self, number: int | None) -> str:
        """'3 · Defined', or a dash when there is no level."""
        if number is None:
            return "—"
        if self.instrument is not None:
            known = [level for level in self.instrument.levels if level.number == number]
            if known:
                return f"{number} · {known[0].name}"
        return str(number)

    def dimension_ids(self) -> list[str]:
        """The instrument's dimensions in order (empty when the instrument is unknown)."""
        return [d.id for d in self.instrument.dimensions] if self.instrument else []


BASELINE_TITLE = "Baseline: legal and safety obligations"
BASELINE_MEANING = "Not met means a legal or safety obligation is open."


def headline_lines(instrument: Instrument, facts: Headline) -> list[str]:
    """The headline in words, one line each: index, overall level under its rule, ranks."""
    index = "-" if facts.index is None else f"{facts.index:.1f}"
    lines = [f"Index {index} / 100 (coverage {facts.coverage:.0%})"]
    names = dimension_titles(instrument)
    floor = f"level {facts.floor} · {level_name(instrument, facts.floor)}"
    floor += f", set by {join_words(names[d] for d in facts.floor_dimensions)}"
    if facts.capped_by:
        floor += f"; capped by the baseline: {', '.join(facts.capped_by)} not met"
    if facts.blocked_by:
        floor += f"; blocked by {', '.join(facts.blocked_by)}"
    if facts.rule is OverallLevelRule.LOWEST:
        lines.append(f"Floor: {floor}")
    elif facts.rule is OverallLevelRule.WEIGHTED_MEAN and facts.level is not None:
        lines.append(
            f"Overall level {facts.level} · {level_name(instrument, facts.level)} "
            "(weighted mean of the dimension levels, rounded down)"
        )
        lines.append(f"Floor: {floor}")
    else:
        lines.append("No overall level: this instrument reports dimension levels only")
        lines.append(f"Lowest: {floor}")
    ranks = rank_line(instrument, facts)
    if ranks:
        lines.append(ranks)
    return lines


def rank_line(instrument: Instrument, facts: Headline) -> str | None:
    """'Strongest: ...; weakest: ...' with ties said as ties; None when nothing to compare."""
    names = dimension_titles(instrument)
    if facts.all_equal and facts.index is not None:
        return "Every scored dimension shows the same score: no strongest or weakest"
    if facts.strongest is None or facts.weakest is None:
        return None
    return f"Strongest: {_ranked(names, facts.strongest)}; weakest: {_ranked(names, facts.weakest)}"


def _ranked(names: dict[str, str], ranked: Ranked) -> str:
    who = join_words(names[d] for d in ranked.dimension_ids)
    return f"{who} (tied at {ranked.score:.1f})" if ranked.tied else f"{who} ({ranked.score:.1f})"


def join_words(items: Iterable[str]) -> str:
    """Words as a reader lists them: "Policy", "Policy and Staffing", "A, B and C"."""
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def quoted_practices(instrument: Instrument, practice_ids: Sequence[str], limit: int = 3) -> str:
    """Up to `limit` question texts in quotes, then how many more: never a practice id."""
    texts = []
    for practice_id in practice_ids[:limit]:
        practice = instrument.practice(practice_id)
        texts.append(f"“{str(practice.text).rstrip('.')}”" if practice is not None else practice_id)
    more = len(practice_ids) - len(texts)
    return "; ".join(texts) + (f"; and {more} more" if more > 0 else "")


def baseline_lines(instrument: Instrument, baseline: BaselineResult) -> list[str]:
    """The baseline panel in words: shown first, in plain terms; empty without a baseline."""
    if not baseline.dimensions:
        return []
    met = sum(len(d.met) for d in baseline.dimensions.values())
    lines = [
        f"{BASELINE_TITLE}: {met} of {baseline.applicable} met. {BASELINE_MEANING}",
    ]
    if baseline.cap is not None:
        lines.append(
            f"An obligation not shown to be met caps its dimension at level {baseline.cap} · "
            f"{level_name(instrument, baseline.cap)}."
        )
    names = dimension_titles(instrument)
    for dimension_id, dimension in baseline.dimensions.items():
        parts = [
            f"{label}: {', '.join(ids)}"
            for label, ids in (
                ("not met", dimension.not_met),
                ("not answered", dimension.unanswered),
                ("met", dimension.met),
                ("not applicable", dimension.not_applicable),
            )
            if ids
        ]
        lines.append(f"{names[dimension_id]}: {'; '.join(parts)}")
    return lines


def cap_note(instrument: Instrument, dimension: DimensionResult) -> str | None:
    """What to say next to a capped dimension's level; None when the baseline did not cap it."""
    if not dimension.capped_by or dimension.uncapped_level is None:
        return None
    return (
        f"capped at level {dimension.level} by the baseline ({', '.join(dimension.capped_by)} "
        f"not met); level {dimension.uncapped_level} · "
        f"{level_name(instrument, dimension.uncapped_level)} without the cap"
    )


def no_longer_applicable_note(instrument: Instrument, practice_ids: Iterable[str]) -> str | None:
    """After a profile change: which answers stopped applying (kept, not deleted), named by
    their question text (people read questions, not practice ids)."""
    ids = list(practice_ids)
    if not ids:
        return None
    texts = [f'"{practice.text}"' if (practice := instrument.practice(pid)) else pid for pid in ids]
    return (
        "With the new profile these answers no longer apply; they are kept and count again "
        f"if the profile changes back: {'; '.join(texts)}"
    )


def carried_over_note(share: float) -> str:
    """What a figure computed on answers carried over from another version must say."""
    return (
        f"computed on answers carried over from an earlier questionnaire version; "
        f"{share:.0%} of this questionnaire had an equivalent"
    )


def carried_over_round(name: str, share: float) -> str:
    """A round's name when its figures were computed on carried-over answers."""
    return f"{name} (carried over, {share:.0%} equivalent)"


def carried_over_axis(name: str) -> str:
    """The same round on a chart axis, where the long name does not fit: `2025*`."""
    return f"{name}*"

"""Words for figures, levels and answers, the same on pages, in reports and on the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.domain.model.instrument import Instrument
from assessment.domain.model.results import PracticeStatus

OVERALL = "Overall"
NOT_ANSWERED = "Not answered"
NOT_APPLICABLE = "Not applicable"
STATUS_WORDS = {
    PracticeStatus.MET: "Met",
    PracticeStatus.UNMET: "Not met",
    PracticeStatus.UNANSWERED: NOT_ANSWERED,
    PracticeStatus.NOT_APPLICABLE: NOT_APPLICABLE,
    PracticeStatus.HIDDEN: "Not asked",
}
"""A practice outcome in words."""


def level_name(instrument: Instrument, number: int) -> str:
    """A level's name, e.g. 'Defined'."""
    return str(instrument.level(number).name)


def level_label(instrument: Instrument, number: int) -> str:
    """A level with its number, e.g. 'Level 3 · Defined'."""
    return f"Level {number} · {level_name(instrument, number)}"


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


def carried_over_note(share: float) -> str:
    """What a figure computed on answers carried over from another version must say."""
    return (
        f"computed on answers carried over from an earlier questionnaire version; "
        f"{share:.0%} of this questionnaire had an equivalent"
    )


def carried_over_round(name: str, share: float) -> str:
    """A round's short name when its figures were computed on carried-over answers."""
    return f"{name} (carried over, {share:.0%} equivalent)"

"""Names of benchmark figures and levels from an instrument, for pages, reports and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.domain.model.instrument import Instrument


@dataclass(frozen=True)
class FigureNames:
    """Titles of the figures and levels of one instrument (ids when it is unknown)."""

    instrument: Instrument | None

    def figure(self, scope: str, key: str) -> str:
        """'Overall', a dimension's or a theme's title, or the key itself."""
        if scope == "overall":
            return "Overall"
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

"""A crosswalk: how the practices and options of one instrument version map to another's.

Pure data, built by `loading/crosswalk.py` from a `*.crosswalk.yaml` file and used by
`rules/carry.py` to carry answers from one version to the next.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

NO_EQUIVALENT = "no equivalent"


class CombineRule(StrEnum):
    """Which carried answer a practice keeps when several old practices map to it."""

    HIGHEST = "highest"  # the option with the highest credit in the new answer set
    LOWEST = "lowest"  # the option with the lowest credit


@dataclass(frozen=True)
class PracticeLink:
    """One old practice mapped to one new practice, option by option."""

    source: str
    target: str
    options: Mapping[str, str]  # old option id -> new option id


@dataclass(frozen=True)
class Crosswalk:
    """Maps instrument `source` (id@version) to `target`; old practices left out have none."""

    source: str
    target: str
    links: tuple[PracticeLink, ...]
    combine: Mapping[str, CombineRule] = field(default_factory=dict)
    description: str = ""

    @property
    def key(self) -> str:
        """`A@x -> B@y`, the crosswalk's name in messages."""
        return f"{self.source} -> {self.target}"

    def links_by_target(self) -> dict[str, tuple[PracticeLink, ...]]:
        """The links grouped by the new practice they carry answers to, in file order."""
        grouped: dict[str, list[PracticeLink]] = {}
        for link in self.links:
            grouped.setdefault(link.target, []).append(link)
        return {target: tuple(links) for target, links in grouped.items()}

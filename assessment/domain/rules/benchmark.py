"""Peer benchmarking: statistics of a peer group over one round's stored results.

The input is a long frame with one row per submitted assessment and figure, as
`assessment.store.queries.round_results_frame` returns it; the columns used here are
agency_id, country, agency_type, size_band, scope ("overall" | "dimension" | "theme"),
key (dimension or theme id, or "overall"), score and level.

Anonymity (K agencies, default 5, never below 3):

- A figure backed by fewer than K agencies is withheld: "not enough peers (n < K)".
- A group is refused when some coarser group (one or more of its filters dropped)
  holds 1 to K-1 agencies more: subtracting the two would expose those few agencies.
- A single figure is withheld when the same subtraction on that figure alone (agencies
  without a score for it leave its n) would expose 1 to K-1 agencies.
- Level counts below K are suppressed, and then at least two of them, so that none can
  be recovered from n and the counts shown.
- An agency's percentile rank is given only where the figure itself is shown.

These rules stop one group being subtracted from another. Chaining three or more groups
(a country less each of its agency types in turn) can still narrow in on a few agencies:
every group published is itself at least K, but a small remainder is not checked for.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

MIN_ANONYMITY_K = 3
DEFAULT_ANONYMITY_K = 5
SCOPES = ("overall", "dimension", "theme")
FILTERS = ("country", "agency_type", "size_band")
FILTER_LABELS = {"country": "country", "agency_type": "type", "size_band": "size"}
_CELL = ["scope", "key"]


class AnonymityError(ValueError):
    """An anonymity threshold that is not allowed."""


class GroupRefused(ValueError):
    """A peer group whose figures, set against a coarser group's, would expose agencies."""

    def __init__(self, group: PeerGroup, coarser: PeerGroup, k: int) -> None:
        self.group = group
        self.coarser = coarser
        self.k = k
        super().__init__(
            f"this group ({group.describe()}) differs from {coarser.describe()} by fewer "
            f"than {k} agencies, so comparing the two would expose them; widen or change "
            "the filters"
        )


def validate_k(k: object) -> int:
    """The anonymity threshold as an int, or AnonymityError naming what is wrong."""
    if isinstance(k, bool) or not isinstance(k, int):
        raise AnonymityError(f"anonymity threshold K must be a whole number, got {k!r}")
    if k < MIN_ANONYMITY_K:
        raise AnonymityError(f"anonymity threshold K must be at least {MIN_ANONYMITY_K}, got {k}")
    return k


def not_enough_peers(k: int) -> str:
    """The text shown in place of a figure backed by fewer than K agencies."""
    return f"not enough peers (n < {k})"


@dataclass(frozen=True)
class PeerGroup:
    """Agencies of a round selected by country, type and size band (None = any)."""

    country: str | None = None
    agency_type: str | None = None
    size_band: str | None = None

    def __post_init__(self) -> None:
        for name in FILTERS:
            value = getattr(self, name)
            if value is not None and not value.strip():
                object.__setattr__(self, name, None)

    @property
    def filters(self) -> dict[str, str]:
        """The filters that are set, in the order country, type, size."""
        values = {name: getattr(self, name) for name in FILTERS}
        return {name: value for name, value in values.items() if value is not None}

    def describe(self) -> str:
        """A human-readable name: 'all agencies' or e.g. 'country NL, type local'."""
        if not self.filters:
            return "all agencies"
        return ", ".join(f"{FILTER_LABELS[name]} {value}" for name, value in self.filters.items())

    def coarser(self) -> tuple[PeerGroup, ...]:
        """Every group obtained by dropping one or more filters, the nearest first."""
        names = list(self.filters)
        groups = []
        for size in range(len(names) - 1, -1, -1):
            for kept in itertools.combinations(names, size):
                groups.append(PeerGroup(**{name: self.filters[name] for name in kept}))
        return tuple(groups)

    def admits(self, country: object, agency_type: object, size_band: object) -> bool:
        """True when an agency with this profile belongs to the group."""
        profile = {"country": country, "agency_type": agency_type, "size_band": size_band}
        return all(profile[name] == value for name, value in self.filters.items())


@dataclass(frozen=True)
class Summary:
    """The distribution of one figure over a group's agencies."""

    n: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    mean: float


@dataclass(frozen=True)
class LevelCount:
    """How many agencies of a group are at one level; None when suppressed (below K)."""

    level: int
    count: int | None
    share: float | None  # count / n, 0..1


@dataclass(frozen=True)
class CellStatistics:
    """One figure (overall, a dimension or a theme) over a peer group."""

    scope: str
    key: str
    n: int | None  # None when fewer than K agencies stand behind the figure
    summary: Summary | None  # None when withheld
    levels: tuple[LevelCount, ...]  # empty for themes and withheld figures
    withheld_reason: str | None = None

    @property
    def withheld(self) -> bool:
        """True when the figure is not shown."""
        return self.summary is None


@dataclass(frozen=True)
class PeerStatistics:
    """Every figure of a round over one peer group, with the anonymity threshold used."""

    group: PeerGroup
    k: int
    n_agencies: int | None  # None when fewer than K
    cells: tuple[CellStatistics, ...]
    _index: Mapping[tuple[str, str], CellStatistics] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(c.scope, c.key): c for c in self.cells})

    def cell(self, scope: str, key: str) -> CellStatistics | None:
        """The figure for a scope and key, or None when the round has none."""
        return self._index.get((scope, key))

    def in_scope(self, scope: str) -> list[CellStatistics]:
        """The figures of one scope, in frame order."""
        return [c for c in self.cells if c.scope == scope]


@dataclass(frozen=True)
class FigurePosition:
    """Where one agency stands on one figure within a peer group."""

    scope: str
    key: str
    score: float | None
    level: int | None
    percentile_rank: float | None  # 0..100; None when the figure is withheld
    withheld_reason: str | None = None


@dataclass(frozen=True)
class PeerPosition:
    """An agency's figures against one peer group's statistics."""

    agency_id: int
    statistics: PeerStatistics
    figures: tuple[FigurePosition, ...]

    def figure(self, scope: str, key: str) -> FigurePosition | None:
        """The agency's position on one figure, or None."""
        return next((f for f in self.figures if (f.scope, f.key) == (scope, key)), None)


def peer_statistics(
    frame: pd.DataFrame,
    group: PeerGroup,
    k: int = DEFAULT_ANONYMITY_K,
    *,
    levels: Sequence[int] = (),
) -> PeerStatistics:
    """Statistics per figure for a group of one round; raises GroupRefused or AnonymityError.

    `levels` lists the scale so that empty levels show as 0; by default only the levels
    that occur are listed.
    """
    k = validate_k(k)
    frame = prepare_frame(frame)
    population = _Population.of(frame)
    n_agencies = population.count(group)
    if n_agencies >= k:
        population.refuse_differencing(group, n_agencies, k)
    scored = _scored(frame)
    members = population.members(scored, group)
    differenced = population.differenced_cells(scored, group, k) if n_agencies >= k else {}
    cells = tuple(_cells(_figure_keys(frame), members, k, levels, differenced))
    return PeerStatistics(group, k, n_agencies if n_agencies >= k else None, cells)


def prepare_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with scope and key as categories, so grouping by figure is cheap.

    Idempotent and cheap on a prepared frame: prepare once when several groups are asked.
    """
    textual = [
        name
        for name in _CELL
        if name in frame.columns and not isinstance(frame[name].dtype, pd.CategoricalDtype)
    ]
    return frame.astype(dict.fromkeys(textual, "category")) if textual else frame


def agency_position(
    frame: pd.DataFrame,
    group: PeerGroup,
    agency_id: int,
    k: int = DEFAULT_ANONYMITY_K,
    *,
    levels: Sequence[int] = (),
) -> PeerPosition:
    """An agency's figures and percentile ranks within a group (ties count half)."""
    frame = prepare_frame(frame)
    statistics = peer_statistics(frame, group, k, levels=levels)
    own = frame[frame["agency_id"] == agency_id].set_index(_CELL)
    members = _Population.of(frame).members(_scored(frame), group)
    ranks = _percentile_ranks(members, own["score"].dropna())
    figures = []
    for cell in statistics.cells:
        score = _optional_float(own["score"].get((cell.scope, cell.key)))
        level = _optional_int(own["level"].get((cell.scope, cell.key)))
        rank = None if cell.withheld or score is None else ranks.get((cell.scope, cell.key))
        figures.append(
            FigurePosition(cell.scope, cell.key, score, level, rank, cell.withheld_reason)
        )
    return PeerPosition(agency_id, statistics, tuple(figures))


def percentile_rank(scores: Iterable[float], score: float) -> float:
    """The share (0-100) of `scores` below `score`, ties counting half."""
    values = np.asarray(list(scores), dtype=float)
    if values.size == 0:
        raise ValueError("percentile rank of an empty group")
    below = np.count_nonzero(values < score)
    equal = np.count_nonzero(values == score)
    return float(100.0 * (below + 0.5 * equal) / values.size)


def _percentile_ranks(
    members: pd.DataFrame, own_scores: pd.Series[float]
) -> dict[tuple[str, str], float]:
    if own_scores.empty or members.empty:
        return {}
    joined = members.join(own_scores.rename("own"), on=_CELL, how="inner")
    below = (joined["score"] < joined["own"]).astype(float)
    points = below + 0.5 * (joined["score"] == joined["own"]).astype(float)
    by_cell = points.groupby([joined["scope"], joined["key"]], sort=False, observed=True)
    tally = by_cell.agg(["sum", "count"])
    tally["rank"] = 100.0 * tally["sum"] / tally["count"]
    return {(str(row["scope"]), str(row["key"])): float(row["rank"]) for row in _records(tally)}


def _scored(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows with a score, narrowed to the columns statistics need (text is costly to copy)."""
    return frame.loc[frame["score"].notna(), ["agency_id", *_CELL, "score", "level"]]


def _records(table: pd.DataFrame | pd.Series[Any]) -> list[dict[Hashable, Any]]:
    """The rows of a small grouped table, index levels included, as plain dicts."""
    return table.reset_index().to_dict("records")


Profile = tuple[object, object, object]
"""An agency's (country, agency_type, size_band)."""


@dataclass(frozen=True)
class _Population:
    """A round's agencies by profile: groups are counted and selected per agency, not per row."""

    agencies: pd.DataFrame  # one row per agency: agency_id, the filters, its profile number
    profiles: tuple[Profile, ...]  # indexed by profile number
    counts: tuple[int, ...]  # agencies per profile number

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Population:
        """The agencies of a results frame (one row each) and their profiles."""
        agencies = frame.drop_duplicates("agency_id")[["agency_id", *FILTERS]]
        by_profile = agencies.groupby(list(FILTERS), sort=False, dropna=False, observed=True)
        numbers = by_profile.ngroup().to_numpy()
        agencies = agencies.assign(profile=numbers)
        table = _records(by_profile.size().rename("n"))
        profiles = tuple((row["country"], row["agency_type"], row["size_band"]) for row in table)
        return cls(agencies, profiles, tuple(int(row["n"]) for row in table))

    def count(self, group: PeerGroup) -> int:
        """How many agencies the group holds."""
        return sum(
            n
            for profile, n in zip(self.profiles, self.counts, strict=True)
            if group.admits(*profile)
        )

    def members(self, rows: pd.DataFrame, group: PeerGroup) -> pd.DataFrame:
        """The rows of the group's agencies."""
        if not group.filters:
            return rows
        admitted = [i for i, profile in enumerate(self.profiles) if group.admits(*profile)]
        ids = self.agencies.loc[self.agencies["profile"].isin(admitted), "agency_id"]
        return rows[rows["agency_id"].isin(ids)]

    def refuse_differencing(self, group: PeerGroup, n_agencies: int, k: int) -> None:
        """Raise GroupRefused when a coarser group holds 1..K-1 agencies more."""
        for coarser in group.coarser():
            if 0 < self.count(coarser) - n_agencies < k:
                raise GroupRefused(group, coarser, k)

    def differenced_cells(
        self, scored: pd.DataFrame, group: PeerGroup, k: int
    ) -> dict[tuple[str, str], str]:
        """Figures whose n differs from a coarser group's by 1..K-1, with the reason."""
        if not group.filters:
            return {}
        cube = self._cube(scored)
        own = _cell_totals(cube, self.profiles, group)
        reasons: dict[tuple[str, str], str] = {}
        for coarser in group.coarser():
            for cell, n in _cell_totals(cube, self.profiles, coarser).items():
                if 0 < n - own.get(cell, 0) < k and cell not in reasons:
                    reasons[cell] = (
                        f"withheld: differs from {coarser.describe()} by fewer than {k} agencies"
                    )
        return reasons

    def _cube(self, scored: pd.DataFrame) -> list[tuple[int, tuple[str, str], int]]:
        """Scored rows per (profile number, figure)."""
        positions = pd.Index(self.agencies["agency_id"]).get_indexer(scored["agency_id"])
        profile = self.agencies["profile"].to_numpy()[positions]
        sizes = scored.groupby([profile, scored["scope"], scored["key"]], observed=True).size()
        return [
            (int(number), (str(scope), str(key)), int(n))
            for (number, scope, key), n in zip(sizes.index, sizes.to_numpy(), strict=True)
        ]


def _cell_totals(
    cube: Sequence[tuple[int, tuple[str, str], int]],
    profiles: Sequence[Profile],
    group: PeerGroup,
) -> dict[tuple[str, str], int]:
    admitted = {i for i, profile in enumerate(profiles) if group.admits(*profile)}
    totals: dict[tuple[str, str], int] = {}
    for number, cell, n in cube:
        if number in admitted:
            totals[cell] = totals.get(cell, 0) + n
    return totals


def _figure_keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """Every figure of the round in first-seen order, scored or not."""
    table = frame.groupby(_CELL, sort=False, observed=True).size()
    return [(str(row["scope"]), str(row["key"])) for row in _records(table.rename("rows"))]


def _cells(
    keys: Sequence[tuple[str, str]],
    members: pd.DataFrame,
    k: int,
    scale: Sequence[int],
    differenced: Mapping[tuple[str, str], str],
) -> Iterator[CellStatistics]:
    figures = {(str(row["scope"]), str(row["key"])): row for row in _figures(members)}
    level_counts = _level_counts(members)
    for scope in SCOPES:
        for cell in keys:
            if cell[0] != scope:
                continue
            row = figures.get(cell)
            n = int(row["count"]) if row else 0
            if row is None or n < k:
                yield CellStatistics(*cell, None, None, (), not_enough_peers(k))
            elif cell in differenced:
                yield CellStatistics(*cell, n, None, (), differenced[cell])
            else:
                summary = Summary(
                    n,
                    *(float(row[name]) for name in ("min", "q1", "median", "q3", "max", "mean")),
                )
                levels = _suppress_levels(level_counts.get(cell, {}), n, k, scale)
                yield CellStatistics(*cell, n, summary, levels)


def _figures(members: pd.DataFrame) -> list[dict[Hashable, Any]]:
    """Count, extremes, mean and quartiles of the score per figure, one groupby pass each."""
    if members.empty:
        return []
    grouped = members.groupby(_CELL, sort=False, observed=True)["score"]
    figures = grouped.agg(["count", "min", "max", "mean"])
    quartiles = grouped.quantile(np.array([0.25, 0.5, 0.75])).unstack()
    quartiles.columns = pd.Index(["q1", "median", "q3"])
    return _records(figures.join(quartiles))


def _level_counts(members: pd.DataFrame) -> dict[tuple[str, str], dict[int, int]]:
    counts: dict[tuple[str, str], dict[int, int]] = {}
    leveled = members.dropna(subset=["level"])
    table = leveled.groupby([*_CELL, "level"], sort=False, observed=True).size()
    for row in _records(table.rename("count")):
        cell = (str(row["scope"]), str(row["key"]))
        counts.setdefault(cell, {})[int(row["level"])] = int(row["count"])
    return counts


def _suppress_levels(
    counts: Mapping[int, int], n: int, k: int, scale: Sequence[int]
) -> tuple[LevelCount, ...]:
    """Level counts with those below K hidden; never exactly one hidden (n would reveal it)."""
    if not counts:
        return ()
    levels = sorted(set(scale) | set(counts))
    hidden = {level for level in levels if 0 < counts.get(level, 0) < k}
    shown = [level for level in levels if counts.get(level, 0) >= k]
    if len(hidden) == 1 and shown:
        hidden.add(min(shown, key=lambda level: (counts[level], level)))
    return tuple(
        LevelCount(level, None, None)
        if level in hidden
        else LevelCount(level, counts.get(level, 0), counts.get(level, 0) / n)
        for level in levels
    )


def _optional_float(value: object) -> float | None:
    if isinstance(value, int | float | np.number):
        number = float(value)
        return None if math.isnan(number) else number
    return None


def _optional_int(value: object) -> int | None:
    number = _optional_float(value)
    return None if number is None else int(number)


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def group_to_dict(group: PeerGroup) -> dict[str, Any]:
    """A peer group as JSON-ready data."""
    return {**{name: getattr(group, name) for name in FILTERS}, "description": group.describe()}


def cell_to_dict(cell: CellStatistics) -> dict[str, Any]:
    """One figure's statistics as JSON-ready data (scores rounded to 0.1)."""
    summary = cell.summary
    figures = {
        "min": summary.minimum if summary else None,
        "q1": summary.q1 if summary else None,
        "median": summary.median if summary else None,
        "q3": summary.q3 if summary else None,
        "max": summary.maximum if summary else None,
        "mean": summary.mean if summary else None,
    }
    return {
        "scope": cell.scope,
        "key": cell.key,
        "n": cell.n,
        "withheld": cell.withheld,
        "reason": cell.withheld_reason,
        **{name: _rounded(value) for name, value in figures.items()},
        "levels": [
            {"level": lc.level, "count": lc.count, "share": _rounded(lc.share, 3)}
            for lc in cell.levels
        ],
    }


def statistics_to_dict(statistics: PeerStatistics) -> dict[str, Any]:
    """A group's statistics as JSON-ready data."""
    return {
        "group": group_to_dict(statistics.group),
        "k": statistics.k,
        "n_agencies": statistics.n_agencies,
        "figures": [cell_to_dict(cell) for cell in statistics.cells],
    }


def position_to_dict(position: PeerPosition) -> dict[str, Any]:
    """An agency's position in a group as JSON-ready data: its figures and ranks only."""
    return {
        "group": group_to_dict(position.statistics.group),
        "k": position.statistics.k,
        "n_agencies": position.statistics.n_agencies,
        "figures": [
            {
                **cell_to_dict(cell),
                "score": _rounded(figure.score),
                "level": figure.level,
                "percentile_rank": _rounded(figure.percentile_rank),
            }
            for cell, figure in zip(position.statistics.cells, position.figures, strict=True)
        ],
    }

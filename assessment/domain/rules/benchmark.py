"""Peer benchmarking: statistics of a peer group over one round's stored results.

The input is a long frame with one row per submitted assessment and figure, as
`assessment.services.benchmarking.round_frame` returns it (its columns are defined once,
`assessment.domain.model.results.RESULT_COLUMNS`); the columns used here are
agency_id, country, agency_type, size_band, scope ("overall" | "dimension" | "theme"),
key (dimension or theme id, or "overall"), score and level, and, when present,
submission (the order of submission), release (the closing of the round that published
the agency; missing while it waits) and round_open. A frame without them is taken as a
closed round published at once.

Disclosure rule (K agencies, default 5, never below 3; the precise guarantee about
groups, closings and chains of differences is in `assessment.domain.rules.disclosure`):

- Never a minimum, maximum or mean: each extreme is one agency's score, a mean is a sum.
- A figure over n agencies: n < K withheld; K <= n < 2K the median alone; from 2K the
  lower quartile, median and upper quartile, and level counts (those below K
  suppressed, never exactly one). Published figures are rounded to whole points.
- Only closed rounds publish statistics, so one submission cannot be isolated by
  snapshots before and after it; a round closed again publishes its new submissions
  under the same lattice as the earlier closing's.
- A group, or a figure within it, is published only where no combination of the
  round's requestable groups, however chained, singles out 1 to K-1 agencies;
  otherwise it is refused (a figure: withheld).
- An agency's percentile rank is given only where the figure itself is shown.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from assessment.domain.rules.disclosure import (
    GroupKey,
    Profile,
    published_cuts,
    quartiles_from,
)

MIN_ANONYMITY_K = 3
DEFAULT_ANONYMITY_K = 5
SCOPES = ("overall", "dimension", "theme")
FILTERS = ("country", "agency_type", "size_band")
FILTER_LABELS = {"country": "country", "agency_type": "type", "size_band": "size"}
PRECISION = 1  # published scores are whole points
_CELL = ["scope", "key"]


class AnonymityError(ValueError):
    """An anonymity threshold that is not allowed."""


class GroupRefused(ValueError):
    """A peer group whose figures, set against other groups of the round, would expose agencies."""

    def __init__(self, group: PeerGroup, k: int) -> None:
        self.group = group
        self.k = k
        super().__init__(
            f"this group ({group.describe()}) is not published: set against the other groups "
            f"of the round it would single out fewer than {k} agencies; widen or change the "
            "filters"
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


def singles_out(k: int) -> str:
    """The text shown in place of a figure that other groups' figures would expose."""
    return f"withheld: set against other groups it would single out fewer than {k} agencies"


def round_still_open() -> str:
    """The text shown in place of an open round's figures."""
    return "published when the round closes, so that no single submission can be singled out"


def median_only(k: int) -> str:
    """Why a figure shows its median alone."""
    return f"median only: quartiles need at least {quartiles_from(k)} agencies"


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
    """The published distribution of one figure: median, and quartiles from 2K agencies."""

    n: int
    median: float
    q1: float | None = None  # None below 2K agencies
    q3: float | None = None

    @property
    def has_quartiles(self) -> bool:
        """True when the quartiles are published too."""
        return self.q1 is not None and self.q3 is not None


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
    n: int | None  # None when withheld
    summary: Summary | None  # None when withheld
    levels: tuple[LevelCount, ...]  # empty for themes, small groups and withheld figures
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
    as_of: int | None = None  # the figures cover the round's first `as_of` submissions
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
    return _statistics(prepare_frame(frame), group, validate_k(k), levels)[0]


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
    """An agency's figures and percentile ranks (whole percent) within a group (ties count half)."""
    frame = prepare_frame(frame)
    statistics, shown = _statistics(frame, group, validate_k(k), levels)
    own = frame[frame["agency_id"] == agency_id].set_index(_CELL)
    figures = []
    for cell in statistics.cells:
        score = _optional_float(own["score"].get((cell.scope, cell.key)))
        level = _optional_int(own["level"].get((cell.scope, cell.key)))
        scores = shown.get((cell.scope, cell.key))
        rank = None
        if scores is not None and score is not None and not cell.withheld:
            rank = float(round(percentile_rank(scores, score)))
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


def whole_points(value: float) -> float:
    """A score rounded half up to the published precision (whole points)."""
    return float(math.floor(value / PRECISION + 0.5) * PRECISION)


def _records(table: pd.DataFrame | pd.Series[Any]) -> list[dict[Hashable, Any]]:
    """The rows of a small grouped table, index levels included, as plain dicts."""
    return table.reset_index().to_dict("records")


def _key(group: PeerGroup) -> GroupKey:
    return (group.country, group.agency_type, group.size_band)


@dataclass(frozen=True)
class _Release:
    """A round's published agencies, each with the index of the first cut covering it."""

    ids: np.ndarray[Any, Any]  # agency ids
    profiles: tuple[Profile, ...]
    cut_of: np.ndarray[Any, Any]
    is_open: bool
    distinct: tuple[Profile, ...] = ()  # the profiles that occur
    codes: np.ndarray[Any, Any] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Release:
        """The published agencies of a results frame; one cut per closing of the round."""
        agencies = frame.drop_duplicates("agency_id")
        is_open = (
            "round_open" in frame.columns and len(frame) > 0 and bool(frame["round_open"].iloc[0])
        )
        if "release" in agencies.columns:
            agencies = agencies[agencies["release"].notna()]
            cut_of = np.unique(agencies["release"].to_numpy(dtype=float), return_inverse=True)[1]
        elif is_open:
            agencies = agencies.iloc[0:0]
            cut_of = np.zeros(0, dtype=int)
        else:
            cut_of = np.zeros(len(agencies), dtype=int)
        columns = (agencies[name].astype(str).tolist() for name in FILTERS)
        profiles = tuple(zip(*columns, strict=True))
        ids = agencies["agency_id"].to_numpy(dtype=np.int64)
        numbers: dict[Profile, int] = {}
        codes = np.asarray(
            [numbers.setdefault(profile, len(numbers)) for profile in profiles], dtype=np.int64
        )
        cuts = np.asarray(cut_of, dtype=int).reshape(-1)
        return cls(ids, profiles, cuts, is_open, tuple(numbers), codes)

    def published(self, k: int, counted: np.ndarray[Any, Any] | None = None) -> dict[GroupKey, int]:
        """Per publishable group, the latest cut it is published at."""
        flags = None if counted is None else counted.tolist()
        return published_cuts(self.profiles, self.cut_of.tolist(), k, flags)

    def in_group(self, group: PeerGroup) -> np.ndarray[Any, Any]:
        """Which agencies belong to the group (decided once per distinct profile)."""
        admitted = [i for i, profile in enumerate(self.distinct) if group.admits(*profile)]
        flags: np.ndarray[Any, Any] = np.isin(self.codes, admitted)
        return flags

    def members(
        self, group: PeerGroup, cut: int | None, counted: np.ndarray[Any, Any] | None = None
    ) -> np.ndarray[Any, Any]:
        """The ids of the group's agencies covered by a cut (the latest when None)."""
        admitted = self.in_group(group)
        if cut is not None:
            admitted &= self.cut_of <= cut
        if counted is not None:
            admitted &= counted
        chosen: np.ndarray[Any, Any] = self.ids[admitted]
        return chosen


def _statistics(
    frame: pd.DataFrame, group: PeerGroup, k: int, scale: Sequence[int]
) -> tuple[PeerStatistics, dict[tuple[str, str], np.ndarray[Any, Any]]]:
    """The group's statistics and, per shown figure, the scores behind it."""
    release = _Release.of(frame)
    key = _key(group)
    index = release.published(k).get(key)
    keys = _figure_keys(frame)
    if index is None:
        if len(release.members(group, None)) >= k:
            raise GroupRefused(group, k)
        reason = round_still_open() if release.is_open else not_enough_peers(k)
        withheld = tuple(CellStatistics(*cell, None, None, (), reason) for cell in keys)
        return PeerStatistics(group, k, None, withheld), {}
    n_agencies = len(release.members(group, index))
    as_of = int(np.count_nonzero(release.cut_of <= index))
    by_figure = _scores_by_figure(frame)
    cells, shown = [], {}
    for cell in keys:
        scores = by_figure.get(cell, pd.DataFrame(columns=["agency_id", "score", "level"]))
        counted = np.isin(release.ids, scores["agency_id"].to_numpy())
        everyone = bool(counted.all())
        figure_index = index if everyone else release.published(k, counted).get(key)
        if figure_index is None:
            count = len(release.members(group, None, counted))
            reason = not_enough_peers(k) if count < k else singles_out(k)
            cells.append(CellStatistics(*cell, None, None, (), reason))
            continue
        ids = release.members(group, figure_index, counted)
        rows = scores[scores["agency_id"].isin(ids)]
        values = rows["score"].to_numpy(dtype=float)
        shown[cell] = values
        cells.append(_cell(cell, values, rows["level"], k, scale))
    return PeerStatistics(group, k, n_agencies, tuple(cells), as_of), shown


def _scores_by_figure(frame: pd.DataFrame) -> dict[tuple[str, str], pd.DataFrame]:
    """The scored rows of each figure: agency_id, score, level."""
    scored = frame.loc[frame["score"].notna(), ["agency_id", *_CELL, "score", "level"]]
    return {
        (str(scope), str(key)): rows[["agency_id", "score", "level"]]
        for (scope, key), rows in scored.groupby(_CELL, sort=False, observed=True)
    }


def _cell(
    cell: tuple[str, str],
    values: np.ndarray[Any, Any],
    levels: pd.Series[Any],
    k: int,
    scale: Sequence[int],
) -> CellStatistics:
    """One shown figure: the median, quartiles and level counts from 2K agencies."""
    n = int(values.size)
    median = whole_points(float(np.quantile(values, 0.5)))
    if n < quartiles_from(k):
        return CellStatistics(*cell, n, Summary(n, median), ())
    q1, q3 = (whole_points(float(q)) for q in np.quantile(values, [0.25, 0.75]))
    counts: dict[int, int] = {}
    for level in levels.dropna():
        counts[int(level)] = counts.get(int(level), 0) + 1
    return CellStatistics(
        *cell, n, Summary(n, median, q1, q3), _suppress_levels(counts, n, k, scale)
    )


def _figure_keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """Every figure of the round, scopes in order overall, dimension, theme, scored or not."""
    pairs = frame[_CELL].drop_duplicates()
    keys = list(zip(pairs["scope"].astype(str), pairs["key"].astype(str), strict=True))
    return [cell for scope in SCOPES for cell in keys if cell[0] == scope]


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

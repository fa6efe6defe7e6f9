"""The disclosure rule: which peer groups of a round may be published.

K is the anonymity threshold (default 5, never below 3).

1. Closed rounds only. A round's statistics are published when it is closed, over the
   submissions made until then; an open round publishes nothing new. Snapshots taken
   before and after one submission therefore never differ. Each closing of a round
   (from the audit trail) is a cut: the agencies submitted up to it. A round reopened
   and closed again adds a cut, and the lattice below spans all cuts: a group that grew
   by fewer than K agencies keeps showing the figures of its earlier cut. (Batches of K
   submissions in an open round were considered: each batch becomes an atom of the
   lattice, and no group smaller than the whole round could be published beside it.)
2. Lattice. The candidates are every group a viewer can request (each combination of
   the round's country, type and size values, or none) at every cut, cut by cut, groups
   with fewer filters first and, among those, agency type before size before country
   (the groups an agency is compared with claim their place first). A candidate is
   published only if, together with every candidate published before it, each atom of
   the set algebra they generate (the agencies that belong to exactly the same
   published sets) holds none or at least K agencies. A group that fails at a cut shows
   its latest published cut; a group never published is refused, however large.
3. Per figure, the same lattice is built over the agencies with a score for it.

Guarantee: any set of agencies a viewer can form from the published groups, at any of
their cuts, by union, intersection and difference, in chains of any length, is a union
of atoms, so it holds none or at least K agencies; the viewer is assumed to know every
agency's country, type and size and who submitted. Every count derived from published
figures therefore concerns none or at least K agencies (only the numbers of agencies
without a score for some figure come from two lattices). Order statistics are not
linear; what keeps them from pinning one agency is in `assessment.domain.rules.benchmark`
(no extremes, the median alone below 2K, whole points) and is tested by playing the
attacks, not proved.

Not covered: an assessment reopened by an admin after its round was closed and submitted
again moves to a later cut, which changes an earlier cut's set; rescoring a closed round
changes every agency's figures. Both are admin actions, outside a viewer's reach.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np

GroupKey = tuple[str | None, str | None, str | None]
"""A requestable group as (country, agency type, size band); None means any."""

Profile = tuple[str, str, str]
"""An agency's (country, agency type, size band)."""


def quartiles_from(k: int) -> int:
    """The smallest group whose quartiles are published (below it, the median alone)."""
    return 2 * k


def release_numbers(
    submitted: Sequence[datetime | None], closings: Sequence[datetime], *, is_open: bool
) -> list[int | None]:
    """Per submission, the closing of the round that first published it (0 = the first).

    None while it waits for the round to close. A round closed without a recorded
    closing (loaded data) publishes everything at once.
    """
    closes = sorted(_naive(at) for at in closings)
    numbers: list[int | None] = []
    for at in submitted:
        number = bisect.bisect_left(closes, _naive(at)) if at is not None else 0
        if number == len(closes):
            numbers.append(None if is_open else len(closes))
        else:
            numbers.append(number)
    return numbers


def _naive(at: datetime) -> datetime:
    """A UTC time without its zone, so stored and fresh times compare."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo is not None else at


def requestable_groups(profiles: Sequence[Profile]) -> list[GroupKey]:
    """Every group a viewer can ask for in the round, coarser groups first."""
    countries, types, sizes = ([None, *sorted({p[i] for p in profiles})] for i in range(3))
    groups = list(itertools.product(countries, types, sizes))
    # Fewer filters first; among equals, agency type before size before country (the
    # groups an agency is compared with come first), then by value.
    return sorted(groups, key=_claim_order)


def _claim_order(group: GroupKey) -> tuple[int, tuple[bool, ...], tuple[str, ...]]:
    """Sort key: the order in which requestable groups claim their place in the lattice."""
    country, agency_type, size_band = group
    ranked = (agency_type, size_band, country)
    return (
        sum(value is not None for value in ranked),
        tuple(value is None for value in ranked),
        tuple(value or "" for value in ranked),
    )


def admits(group: GroupKey, profile: Profile) -> bool:
    """True when an agency with this profile belongs to the group."""
    return all(value is None or value == own for value, own in zip(group, profile, strict=True))


def published_cuts(
    profiles: Sequence[Profile],
    cut_of: Sequence[int],
    k: int,
    counted: Sequence[bool] | None = None,
) -> dict[GroupKey, int]:
    """Per publishable group, the index of the latest cut it is published at.

    Agency i has profile `profiles[i]` and is first covered by cut `cut_of[i]` (cuts are
    nested: cut j covers every agency with `cut_of` up to j); `counted` leaves out the
    agencies without a score for a figure (all count by default).
    """
    flags = [True] * len(profiles) if counted is None else counted
    cells = Counter(
        (*profile, cut)
        for profile, cut, counts in zip(profiles, cut_of, flags, strict=True)
        if counts
    )
    return dict(_published(tuple(sorted(cells.items())), k))


Cell = tuple[str, str, str, int]
"""Agencies of one profile first covered by one cut: (country, type, size band, cut)."""


@lru_cache(maxsize=256)
def _published(cells: tuple[tuple[Cell, int], ...], k: int) -> tuple[tuple[GroupKey, int], ...]:
    """The lattice over cells of agencies (the same profile and cut), cut by cut."""
    if not cells:
        return ()
    profiles = [cell[:3] for cell, _ in cells]
    cut_of = np.array([cell[3] for cell, _ in cells])
    counts = np.array([n for _, n in cells])
    distinct = sorted(set(profiles))
    number = {profile: i for i, profile in enumerate(distinct)}
    codes = np.array([number[profile] for profile in profiles])
    groups = requestable_groups(distinct)
    in_group = {
        group: np.isin(codes, [number[p] for p in distinct if admits(group, p)]) for group in groups
    }
    atoms = np.full(len(cells), -1)  # the atom of each cell; -1: in no published group yet
    published: dict[GroupKey, int] = {}
    published_sets: dict[GroupKey, np.ndarray[Any, Any]] = {}
    for cut in range(int(cut_of.max()) + 1):
        covered = cut_of <= cut
        for group in groups:
            members = in_group[group] & covered
            if counts[members].sum() < k:
                continue
            earlier = published_sets.get(group)
            if earlier is not None and np.array_equal(earlier, members):
                published[group] = cut  # the same agencies: nothing new is shown
                continue
            split = _split(atoms, members, counts, k)
            if split is None:
                continue
            atoms = split
            published[group], published_sets[group] = cut, members
    return tuple(published.items())


def _split(
    atoms: np.ndarray[Any, Any], members: np.ndarray[Any, Any], counts: np.ndarray[Any, Any], k: int
) -> np.ndarray[Any, Any] | None:
    """The atoms once `members` is published, or None if one would hold 1 to K-1 agencies."""
    pieces = np.where(atoms < 0, np.where(members, -2, -1), atoms * 2 + members)
    inside = pieces != -1
    _, labels = np.unique(pieces[inside], return_inverse=True)
    if np.bincount(labels, weights=counts[inside]).min() < k:
        return None
    relabelled = np.full(len(atoms), -1)
    relabelled[inside] = labels
    return relabelled

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
of atoms, so it holds none or at least K agencies. Every count, sum or difference of
published figures therefore concerns at least K agencies. Order statistics are not
linear; what keeps them from pinning one agency is in `assessment.domain.benchmark`
(no extremes, the median alone below 2K, whole points).

Not covered: an assessment reopened by an admin after its round was closed and submitted
again moves to a later cut, which changes an earlier cut's set; rescoring a closed round
changes every agency's figures. Both are admin actions, outside a viewer's reach.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache

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


def release_cuts(submitted: int, *, closed: bool) -> tuple[int, ...]:
    """The submission counts whose statistics are published: all of a closed round's, once."""
    return (submitted,) if closed and submitted > 0 else ()


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
    profiles: Sequence[Profile], cuts: Sequence[int], k: int, present: int | None = None
) -> dict[GroupKey, int]:
    """Per publishable group, the index in `cuts` of the latest cut it is published at.

    `profiles` are the round's agencies in order of submission (agency i is bit i);
    `present` is the bit mask of the agencies counted (those with a score for a figure),
    all of them by default.
    """
    return dict(_published(tuple(profiles), tuple(cuts), k, present))


@lru_cache(maxsize=64)
def _published(
    profiles: tuple[Profile, ...], cuts: tuple[int, ...], k: int, present: int | None
) -> tuple[tuple[GroupKey, int], ...]:
    everyone = (1 << len(profiles)) - 1 if present is None else present
    groups = requestable_groups(profiles)
    by_profile = _profile_masks(profiles)
    masks = {
        group: sum(mask for profile, mask in by_profile.items() if admits(group, profile))
        & everyone
        for group in groups
    }
    atoms: list[int] = []
    union = 0
    published: dict[GroupKey, int] = {}
    published_sets: dict[GroupKey, int] = {}
    for index, cut in enumerate(cuts):
        window = (1 << cut) - 1
        for group in groups:
            members = masks[group] & window
            if members.bit_count() < k:
                continue
            if published_sets.get(group) == members:
                published[group] = index  # the same agencies: nothing new is shown
                continue
            split = _split(atoms, union, members, k)
            if split is None:
                continue
            atoms, union = split, union | members
            published[group], published_sets[group] = index, members
    return tuple(published.items())


def _profile_masks(profiles: Sequence[Profile]) -> dict[Profile, int]:
    """The bit mask of the agencies of each distinct profile."""
    numbers: dict[Profile, int] = {}
    codes = np.fromiter((numbers.setdefault(p, len(numbers)) for p in profiles), dtype=np.int64)
    return {
        profile: int.from_bytes(np.packbits(codes == number, bitorder="little").tobytes(), "little")
        for profile, number in numbers.items()
    }


def _split(atoms: list[int], union: int, members: int, k: int) -> list[int] | None:
    """The atoms once `members` is published, or None if one would hold 1 to K-1 agencies."""
    pieces = [piece for atom in atoms for piece in (atom & members, atom & ~members) if piece]
    fresh = members & ~union
    if fresh:
        pieces.append(fresh)
    if any(piece.bit_count() < k for piece in pieces):
        return None
    return pieces

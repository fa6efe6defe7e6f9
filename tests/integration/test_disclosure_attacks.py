"""The attacker's side of the peer benchmark: the published figures must pin no agency.

Synthetic demo populations of several seeds are loaded into a real database; the
attacker requests every peer group a viewer can ask for in every round, through the
functions behind the pages, the API and the PDFs (`round_frame` + `peer_statistics`,
`statistics_to_dict` is the API's JSON), and knows every agency's country, type and
size. The attacks:

- inversion: a group's published order statistics covering all its ranks give its scores;
- linking: bounds (minimum, maximum) and inverted score sets of every group an agency
  belongs to, with the agencies already pinned taken out, narrow its score;
- differencing: union, intersection and difference of published groups, in chains of any
  length, must never leave 1 to K-1 agencies (the atoms of the set algebra);
- snapshots: statistics read before and after one submission in an open round, and
  before and after a closed round is reopened for one more submission and closed again.

"Pinned" means an agency's score for a figure is known to within one point.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.formats.figures_dict import statistics_to_dict
from assessment.domain.rules.benchmark import (
    GroupRefused,
    PeerGroup,
    peer_statistics,
)
from assessment.services import benchmarking, demo_data, rounds
from assessment.store.db import Database
from assessment.store.models import Agency, Round
from tests.conftest import (
    BACKENDS,
    migrated_database,
)
from tests.peer_data import instrument_of_round, submit_at

K = 5
SEEDS = (2026, 7, 311)
RANKS = {"min": 0.0, "q1": 0.25, "median": 0.5, "q3": 0.75, "max": 1.0}


@pytest.fixture(scope="module", params=[(b, s) for b in BACKENDS for s in SEEDS])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A demo population of one seed, loaded once per module, backend and seed."""
    backend, seed = request.param
    with migrated_database(backend, tmp_path_factory.mktemp("attack")) as database:
        with database.session() as session:
            demo_data.load_demo_data(session, seed=seed)
        yield database


@pytest.fixture
def session(demo: Database) -> Iterator[Session]:
    with demo.session() as session:
        yield session


@dataclass(frozen=True)
class Release:
    """What the attacker read of one group in one round: its members and its JSON."""

    group: PeerGroup
    members: frozenset[int]
    data: dict[str, Any] | None  # None when refused


def requestable(frame: pd.DataFrame) -> list[PeerGroup]:
    """Every group with at least one agency of the round (others are empty)."""
    agencies = frame.drop_duplicates("agency_id")
    columns = (agencies[name] for name in ("country", "agency_type", "size_band"))
    profiles = set(zip(*columns, strict=True))
    groups = set()
    for profile in profiles:
        for mask in itertools.product((True, False), repeat=3):
            kept = [value if keep else None for value, keep in zip(profile, mask, strict=True)]
            groups.add(PeerGroup(*kept))
    return sorted(groups, key=lambda g: [v or "" for v in (g.country, g.agency_type, g.size_band)])


def members_of(frame: pd.DataFrame, group: PeerGroup) -> frozenset[int]:
    agencies = frame.drop_duplicates("agency_id")
    return frozenset(
        int(row.agency_id)
        for row in agencies.itertuples()
        if group.admits(row.country, row.agency_type, row.size_band)
    )


_HARVESTS: dict[tuple[str, int], tuple[pd.DataFrame, list[Release]]] = {}


def harvest(
    session: Session, round_: Round, *, fresh: bool = False
) -> tuple[pd.DataFrame, list[Release]]:
    """Every group of the round as a viewer gets it (closed rounds read once per database)."""
    key = (str(session.get_bind().url), round_.id)
    if not round_.is_open and key in _HARVESTS and not fresh:
        return _HARVESTS[key]
    frame = benchmarking.round_frame(session, round_.id)
    levels = benchmarking.round_levels(round_)
    releases = []
    for group in requestable(frame):
        try:
            statistics = peer_statistics(frame, group, K, levels=levels)
            data: dict[str, Any] | None = statistics_to_dict(statistics)
        except GroupRefused:
            data = None
        releases.append(Release(group, members_of(frame, group), data))
    _HARVESTS[key] = (frame, releases)
    return frame, releases


def shown(release: Release) -> bool:
    return release.data is not None and release.data["n_agencies"] is not None


def figures(release: Release) -> dict[tuple[str, str], dict[str, Any]]:
    assert release.data is not None
    return {(f["scope"], f["key"]): f for f in release.data["figures"] if not f["withheld"]}


def inverted(figure: dict[str, Any]) -> dict[int, float]:
    """The ranks whose scores the published order statistics give exactly."""
    n = int(figure["n"])
    exact = {}
    for name, p in RANKS.items():
        position = (n - 1) * p
        if figure.get(name) is not None and position == int(position):
            exact[int(position)] = float(figure[name])
    return exact


def pinned(releases: list[Release], weights: dict[str, float]) -> dict[tuple[int, str, str], float]:
    """Scores the attacker pins to within one point, by agency and figure."""
    found: dict[tuple[int, str, str], float] = {}
    cells = {cell for release in releases if shown(release) for cell in figures(release)}
    for cell in cells:
        for agency, value in _pinned_in(releases, cell).items():
            found[(agency, *cell)] = value
    # the overall index is the weighted mean of the dimension scores
    agencies = {agency for agency, scope, _ in found if scope == "dimension"}
    for agency in agencies:
        scores = {key: found.get((agency, "dimension", key)) for key in weights}
        if weights and all(score is not None for score in scores.values()):
            total = sum(weights[key] * float(scores[key] or 0) for key in weights)
            found.setdefault((agency, "overall", "overall"), total / sum(weights.values()))
    return found


def _pinned_in(releases: list[Release], cell: tuple[str, str]) -> dict[int, float]:
    """Linking within one figure: bounds from extremes, inverted sets, elimination."""
    low: dict[int, float] = {}
    high: dict[int, float] = {}
    sets: list[tuple[frozenset[int], list[float]]] = []
    for release in filter(shown, releases):
        figure = figures(release).get(cell)
        if figure is None:
            continue
        for agency in release.members:
            if figure.get("min") is not None:
                low[agency] = max(low.get(agency, 0.0), float(figure["min"]))
            if figure.get("max") is not None:
                high[agency] = min(high.get(agency, 100.0), float(figure["max"]))
        exact = inverted(figure)
        if len(exact) == figure["n"] == len(release.members):
            sets.append((release.members, sorted(exact.values())))
    known = {
        agency: low[agency] for agency in set(low) & set(high) if high[agency] - low[agency] <= 1
    }
    changed = True
    while changed:  # take the agencies already pinned out of each inverted set
        changed = False
        for agencies, values in sets:
            left = list(values)
            for agency in agencies & known.keys():
                left.remove(min(left, key=lambda v, a=agency: abs(v - known[a])))  # type: ignore[misc]
            for agency in agencies - known.keys():
                lo, hi = low.get(agency, 0.0), high.get(agency, 100.0)
                fits = [v for v in left if lo - 0.05 <= v <= hi + 0.05]
                if fits and max(fits) - min(fits) <= 1:
                    known[agency] = fits[0]
                    changed = True
    return known


def atoms(releases: list[Release]) -> list[frozenset[int]]:
    """The atoms of the set algebra the published groups generate (within their union)."""
    published = [release.members for release in releases if shown(release)]
    union = frozenset().union(*published)
    signature: dict[int, tuple[bool, ...]] = {
        agency: tuple(agency in members for members in published) for agency in union
    }
    groups: dict[tuple[bool, ...], set[int]] = {}
    for agency, key in signature.items():
        groups.setdefault(key, set()).add(agency)
    return [frozenset(agencies) for agencies in groups.values()]


def closed_rounds(session: Session) -> list[Round]:
    return [r for r in benchmarking.rounds_with_results(session) if not r.is_open]


def test_no_published_statistic_inverts_to_a_groups_scores(session: Session) -> None:
    for round_ in benchmarking.rounds_with_results(session):
        _, releases = harvest(session, round_)
        for release in filter(shown, releases):
            for figure in figures(release).values():
                assert len(inverted(figure)) < figure["n"], (round_.name, release.group)
                assert not {"min", "max", "mean"} & figure.keys()


def test_linking_overlapping_groups_pins_no_agency_to_within_one_point(session: Session) -> None:
    for round_ in benchmarking.rounds_with_results(session):
        _, releases = harvest(session, round_)
        instrument = instrument_of_round(round_)
        found = pinned(releases, {d.id: d.weight for d in instrument.dimensions})
        assert found == {}, f"round {round_.name}: {len(found)} figures pinned"


def test_no_chain_of_differences_isolates_fewer_than_k_agencies(session: Session) -> None:
    for round_ in benchmarking.rounds_with_results(session):
        _, releases = harvest(session, round_)
        small = [sorted(atom) for atom in atoms(releases) if len(atom) < K]
        assert small == [], f"round {round_.name}: sets of {[len(a) for a in small]} agencies"


def test_a_group_less_its_published_refinements_leaves_none_or_k(session: Session) -> None:
    # e.g. type local less local of each size in turn: a chain of three or more groups
    for round_ in benchmarking.rounds_with_results(session):
        _, releases = harvest(session, round_)
        published = {release.group: release.members for release in releases if shown(release)}
        for group, members in published.items():
            for name in ("country", "agency_type", "size_band"):
                if getattr(group, name) is not None:
                    continue
                finer = [
                    other_members
                    for other, other_members in published.items()
                    if getattr(other, name) is not None
                    and all(
                        getattr(other, f) == getattr(group, f)
                        for f in ("country", "agency_type", "size_band")
                        if f != name
                    )
                ]
                if not finer:
                    continue
                remainder = members.difference(*finer)
                assert len(remainder) == 0 or len(remainder) >= K, (round_.name, group, name)


def test_a_submission_in_an_open_round_changes_no_published_figure(
    session: Session,
) -> None:
    open_round = next(iter(rounds.open_rounds(session)), None)
    assert open_round is not None
    _, before = harvest(session, open_round)
    profile = session.scalars(select(Agency)).first()
    assert profile is not None
    newcomer = Agency(
        name="Snapshot Police",
        country=profile.country,
        agency_type=profile.agency_type,
        size_band=profile.size_band,
    )
    session.add(newcomer)
    session.commit()
    submit_at(session, newcomer, open_round, 3)

    _, after = harvest(session, open_round)

    old = {r.group: r.data for r in before}
    for release in after:
        earlier = old.get(release.group)
        if earlier is None or release.data is None:
            continue
        assert release.data["figures"] == earlier["figures"], release.group
        assert release.data["n_agencies"] == earlier["n_agencies"], release.group


def test_the_service_gives_what_the_attacker_read(session: Session) -> None:
    round_ = closed_rounds(session)[-1]
    _, releases = harvest(session, round_)
    for release in releases[:12]:
        try:
            served = statistics_to_dict(
                benchmarking.round_statistics(session, round_id=round_.id, group=release.group, k=K)
            )
        except GroupRefused:
            served = None
        if served is None or release.data is None:
            assert served == release.data
        else:
            assert served["figures"] == release.data["figures"]


def test_closing_a_round_again_after_one_submission_exposes_no_one(session: Session) -> None:
    # Last in the module: it changes a closed round.
    round_ = closed_rounds(session)[-1]
    _, before = harvest(session, round_, fresh=True)
    newcomer = Agency(
        name="Latecomer Police", country="NL", agency_type="local", size_band="250-999"
    )
    session.add(newcomer)
    session.commit()
    rounds.set_round_open(session, round_id=round_.id, is_open=True, actor=None)
    submit_at(session, newcomer, round_, 4)
    rounds.set_round_open(session, round_id=round_.id, is_open=False, actor=None)

    _, after = harvest(session, round_, fresh=True)

    old = {r.group: r.data for r in before}
    for release in after:
        earlier = old.get(release.group)
        if earlier is None or release.data is None or earlier["n_agencies"] is None:
            continue
        grew = (release.data["n_agencies"] or 0) - earlier["n_agencies"]
        assert grew == 0 or grew >= K, release.group
        if grew == 0:
            assert release.data["figures"] == earlier["figures"], release.group

"""Peer benchmarks, an agency's peer position and trajectory, read from stored results.

Reads only: nothing here commits; the queries live in `assessment.queries`. Statistics
and trajectories come from the stored Result rows of submitted assessments; practices
newly met or lost are named from the locked answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.agency_profile import has_country_peers_of_type
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.benchmark import (
    GroupRefused,
    PeerGroup,
    PeerPosition,
    PeerStatistics,
    agency_position,
    peer_statistics,
)
from assessment.domain.rules.disclosure import release_numbers
from assessment.domain.rules.trajectory import (
    CohortRound,
    RoundInfo,
    Trajectory,
    build_trajectory,
    cohort_medians,
)
from assessment.presentation.profiles import country_name, size_label, type_label
from assessment.queries.agencies import get_agency
from assessment.queries.assessments import assessments_of_agency
from assessment.queries.carried import (
    Carrier,
    agency_carry,
    carried_round_frame,
    instrument_key,
)
from assessment.queries.instruments import round_instrument, round_levels
from assessment.queries.results import agency_progress, round_results_frame
from assessment.queries.rounds import (
    get_round,
    round_closings,
    round_info,
    round_submissions,
    rounds_with_results,
)
from assessment.services.errors import NotFound
from assessment.services.permissions import can_view_agency
from assessment.store.models import Agency, Assessment, User


@dataclass(frozen=True)
class GroupComparison:
    """An agency against one peer group: its position, or why the group is refused."""

    label: str
    group: PeerGroup
    position: PeerPosition | None
    refused: str | None = None


@dataclass(frozen=True)
class AgencyBenchmark:
    """An agency's position in one round against several peer groups."""

    agency_id: int
    round: RoundInfo
    comparisons: tuple[GroupComparison, ...]

    def comparison(self, label: str) -> GroupComparison | None:
        """The comparison with this label, or None."""
        return next((c for c in self.comparisons if c.label == label), None)


def round_frame(session: Session, round_id: int) -> pd.DataFrame:
    """The stored results of a round's submitted assessments, one row per figure.

    With each agency's place in the order of submission and the closing of the round
    that first published it (`release`, missing while it waits for the round to close):
    see `assessment.domain.rules.disclosure`.
    """
    round_ = get_round(session, round_id)
    frame = round_results_frame(session, round_id)
    submissions = round_submissions(session, round_id)
    releases = release_numbers(
        [at for _, at in submissions], round_closings(session, round_id), is_open=round_.is_open
    )
    order = {agency_id: number for number, (agency_id, _) in enumerate(submissions)}
    released = {
        agency_id: release for (agency_id, _), release in zip(submissions, releases, strict=True)
    }
    # Submitted between the reads: last, and waiting for the next closing.
    return frame.assign(
        submission=frame["agency_id"].map(lambda agency_id: order.get(agency_id, len(order))),
        release=frame["agency_id"].map(lambda agency_id: released.get(agency_id)).astype(float),
        round_open=bool(round_.is_open),
    )


def round_statistics(
    session: Session,
    *,
    round_id: int,
    group: PeerGroup,
    k: int,
    catalog: InstrumentCatalog | None = None,
) -> PeerStatistics:
    """A peer group's statistics in one round; raises GroupRefused or AnonymityError."""
    round_ = get_round(session, round_id)
    frame = round_frame(session, round_id)
    return peer_statistics(frame, group, k, levels=round_levels(round_, catalog))


def peer_groups_for(
    agency: Agency, instrument: Instrument | None = None
) -> list[tuple[str, PeerGroup]]:
    """The groups an agency is compared with, broadest first: everyone, its type, its
    country, its workforce, type and workforce, and type within its country.

    A national force has no other force of its type in its country (one per country), so
    it gets no type-within-country group (`country_peers_note` says so). Labels use the
    record's words, else the instrument's.
    """
    kind = type_label(instrument, agency.agency_type)
    size = size_label(instrument, agency.size_band)
    country = country_name(agency.country)
    groups = [
        ("all agencies", PeerGroup()),
        (f"same type ({kind})", PeerGroup(agency_type=agency.agency_type)),
        (f"same country ({country})", PeerGroup(country=agency.country)),
        (f"same workforce ({size})", PeerGroup(size_band=agency.size_band)),
        (
            f"same type and workforce ({kind}, {size})",
            PeerGroup(agency_type=agency.agency_type, size_band=agency.size_band),
        ),
    ]
    if has_country_peers_of_type(agency.agency_type):
        groups.append(
            (
                f"same type in {country} ({kind})",
                PeerGroup(country=agency.country, agency_type=agency.agency_type),
            )
        )
    return groups


def agency_benchmark(
    session: Session,
    *,
    viewer: User,
    agency_id: int,
    round_id: int,
    k: int,
    groups: Sequence[tuple[str, PeerGroup]] | None = None,
    catalog: InstrumentCatalog | None = None,
) -> AgencyBenchmark:
    """An agency's figures and percentile ranks against anonymous peer groups."""
    agency = visible_agency(session, viewer, agency_id)
    round_ = get_round(session, round_id)
    frame = round_frame(session, round_id)
    levels = round_levels(round_, catalog)
    if groups is None:
        groups = peer_groups_for(agency, round_instrument(round_, catalog))
    comparisons = []
    for label, group in groups:
        try:
            position = agency_position(frame, group, agency.id, k, levels=levels)
            comparisons.append(GroupComparison(label, group, position))
        except GroupRefused as refused:
            comparisons.append(GroupComparison(label, group, None, str(refused)))
    return AgencyBenchmark(agency.id, round_info(round_), tuple(comparisons))


def agency_assessments(session: Session, *, viewer: User, agency_id: int) -> list[Assessment]:
    """The agency's assessments (drafts too), oldest round first."""
    visible_agency(session, viewer, agency_id)
    return assessments_of_agency(session, agency_id)


def agency_trajectory(
    session: Session,
    *,
    viewer: User,
    agency_id: int,
    catalog: InstrumentCatalog | None = None,
) -> Trajectory:
    """The agency's submitted rounds, oldest first, with their stored figures."""
    visible_agency(session, viewer, agency_id)
    progress = agency_progress(session, agency_id, catalog)
    carry = agency_carry(session, agency_id, catalog)
    return build_trajectory([(info, results.score) for info, results in progress], carry)


def cohort_trend(
    session: Session, *, group: PeerGroup, k: int, catalog: InstrumentCatalog | None = None
) -> tuple[CohortRound, ...]:
    """A peer group's statistics in every round with results, oldest first.

    A round on an earlier version that a crosswalk leads from is counted on its agencies'
    answers carried to the latest round's questionnaire, and marked with the share.
    """
    rounds = [round_info(r) for r in rounds_with_results(session)]
    carrier = Carrier(catalog)
    entries: list[tuple[RoundInfo, pd.DataFrame]] = []
    shares: dict[int, float] = {}
    for info in rounds:
        frame = round_frame(session, info.round_id)
        if info.lineage != rounds[-1].lineage:
            target = instrument_key(rounds[-1])
            carried = carried_round_frame(session, frame, carrier, info, target)
            if carried is not None:
                frame, shares[info.round_id] = carried
        entries.append((info, frame))
    return cohort_medians(entries, group, k, shares)


def visible_agency(session: Session, viewer: User, agency_id: int) -> Agency:
    """The agency, if the viewer may see it; NotFound otherwise."""
    # A lead asking for another agency learns nothing, not even that it exists.
    if not can_view_agency(viewer, agency_id):
        raise NotFound(f"there is no agency with id {agency_id}")
    return get_agency(session, agency_id)

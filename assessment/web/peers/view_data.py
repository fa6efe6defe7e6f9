"""The lead's benchmark page's view data: the own agency against anonymous peer groups."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from markupsafe import Markup
from sqlalchemy.orm import Session

from assessment.presentation.labels import FigureNames
from assessment.presentation.peer_charts import position_bars
from assessment.queries.rounds import latest_submitted_round
from assessment.services import benchmarking
from assessment.store.models import Agency, Round, User
from assessment.web.catalog import names_for, web_catalog

OUR_AGENCY = "Our agency"


@dataclass(frozen=True)
class LeadBenchmarkPage:
    """The lead's agency, its latest submitted round and its position in each peer group."""

    agency: Agency
    round: Round | None
    names: FigureNames
    benchmark: benchmarking.AgencyBenchmark | None
    bars: list[tuple[str, Markup]]


def lead_page(session: Session, lead: User, k: int) -> LeadBenchmarkPage:
    """The figures of the lead's own agency against anonymous peer statistics."""
    if lead.agency_id is None:
        abort(404)
    agency = benchmarking.visible_agency(session, lead, lead.agency_id)
    round_ = latest_submitted_round(session, agency.id)
    if round_ is None:
        return LeadBenchmarkPage(agency, None, FigureNames(None), None, [])
    names = names_for(round_)
    result = benchmarking.agency_benchmark(
        session,
        viewer=lead,
        agency_id=agency.id,
        round_id=round_.id,
        k=k,
        groups=benchmarking.peer_groups_for(agency, names.instrument)[:3],
        catalog=web_catalog(),
    )
    everyone = result.comparisons[0].position
    return LeadBenchmarkPage(
        agency, round_, names, result, position_bars(everyone, names, agency_label=OUR_AGENCY)
    )

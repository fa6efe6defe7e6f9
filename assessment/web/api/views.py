"""The read-only JSON API, /api/v1: agencies, rounds, results, benchmarks, trajectories.

Authorisation is the pages': staff see every agency; a lead sees only their own agency,
and peer statistics only as anonymous figures (never another agency's name or score).
The OpenAPI document at /api/v1/openapi.json describes every response.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from assessment.domain.formats.figures_dict import (
    baseline_to_dict,
    cohort_to_dict,
    group_to_dict,
    headline_to_dict,
    position_to_dict,
    round_to_dict,
    rounded,
    share,
    statistics_to_dict,
    trajectory_to_dict,
)
from assessment.domain.model.results import ScoreResult
from assessment.domain.rules.benchmark import (
    GroupRefused,
    PeerGroup,
)
from assessment.domain.rules.headline import headline
from assessment.queries.agencies import AgencyOverview, agency_overview
from assessment.queries.instruments import instrument_of
from assessment.queries.results import assessment_results, submitted_assessment
from assessment.queries.rounds import (
    latest_result_round,
    latest_submitted_round,
    round_info,
    rounds_in_order,
)
from assessment.services import benchmarking, rounds
from assessment.services.errors import NotFound, ServiceError
from assessment.services.permissions import can_view_all
from assessment.store.models import Round
from assessment.web.api.access import ApiError, api_error_response, api_user, api_view
from assessment.web.api.openapi import openapi_document
from assessment.web.catalog import web_catalog
from assessment.web.database import db_session
from assessment.web.errors import status_for

bp = Blueprint("api", __name__)

MAX_FILTER_LENGTH = 40
COUNTRY_CODE = re.compile(r"^[A-Za-z]{2}$")


@bp.route("/openapi.json")
@api_view
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())


@bp.route("/agencies")
@api_view
def agencies() -> Response:
    """The agencies the caller may see (a lead: only their own), with latest figures."""
    user = api_user()
    if can_view_all(user):
        rows = agency_overview(db_session(), catalog=web_catalog())
    else:
        rows = agency_overview(
            db_session(), agency_ids=[user.agency_id or 0], catalog=web_catalog()
        )
    return jsonify(agencies=[_agency(row) for row in rows])


@bp.route("/agencies/<int:agency_id>")
@api_view
def agency(agency_id: int) -> Response:
    """One agency with its latest overall figures."""
    benchmarking.visible_agency(db_session(), api_user(), agency_id)
    (row,) = agency_overview(db_session(), agency_ids=[agency_id], catalog=web_catalog())
    return jsonify(_agency(row))


@bp.route("/agencies/<int:agency_id>/results")
@api_view
def results(agency_id: int) -> Response:
    """The stored results of the agency's submitted assessment in a round (latest by default)."""
    agency = benchmarking.visible_agency(db_session(), api_user(), agency_id)
    round_ = _round_argument() or latest_submitted_round(db_session(), agency_id)
    if round_ is None:
        raise ApiError(404, f"agency {agency_id} has no submitted assessment in any round")
    try:
        assessment = submitted_assessment(db_session(), agency, round_)
    except NotFound:
        raise ApiError(
            404, f"agency {agency_id} has no submitted assessment in round {round_.name}"
        ) from None
    found = assessment_results(db_session(), assessment, web_catalog())
    return jsonify(
        agency_id=agency_id,
        round=round_to_dict(round_info(round_)),
        stale=found.stale,
        scored_with=found.scored_with,
        profile=found.profile,
        **_figures(found.score),
        headline=headline_to_dict(headline(instrument_of(assessment, web_catalog()), found.score)),
        baseline=baseline_to_dict(found.score.baseline),
    )


@bp.route("/agencies/<int:agency_id>/benchmark")
@api_view
def agency_benchmark(agency_id: int) -> Response:
    """The agency's position against anonymous peer groups in a round."""
    user = api_user()
    benchmarking.visible_agency(db_session(), user, agency_id)
    round_ = _round_argument() or latest_submitted_round(db_session(), agency_id)
    if round_ is None:
        raise ApiError(404, f"agency {agency_id} has no submitted assessment yet")
    result = benchmarking.agency_benchmark(
        db_session(),
        viewer=user,
        agency_id=agency_id,
        round_id=round_.id,
        k=current_app.config["ANONYMITY_K"],
        catalog=web_catalog(),
    )
    return jsonify(
        agency_id=agency_id,
        round=round_to_dict(result.round),
        comparisons=[
            {
                "label": c.label,
                "refused": c.refused,
                "position": position_to_dict(c.position) if c.position else None,
            }
            for c in result.comparisons
        ],
    )


@bp.route("/agencies/<int:agency_id>/trajectory")
@api_view
def trajectory(agency_id: int) -> Response:
    """The agency's submitted rounds, oldest first, with changes and practices met or lost."""
    path = benchmarking.agency_trajectory(
        db_session(), viewer=api_user(), agency_id=agency_id, catalog=web_catalog()
    )
    return jsonify(agency_id=agency_id, **trajectory_to_dict(path))


@bp.route("/rounds")
@api_view
def round_list() -> Response:
    """Every round, oldest first."""
    return jsonify(rounds=[_round(r) for r in rounds_in_order(db_session())])


@bp.route("/benchmarks")
@api_view
def benchmark() -> Response:
    """Anonymous peer statistics of a round (latest with results by default) for a group."""
    group = _group_argument()
    round_ = _round_argument() or latest_result_round(db_session())
    if round_ is None:
        raise ApiError(404, "no round has submitted results yet")
    statistics = benchmarking.round_statistics(
        db_session(),
        round_id=round_.id,
        group=group,
        k=current_app.config["ANONYMITY_K"],
        catalog=web_catalog(),
    )
    return jsonify(round=round_to_dict(round_info(round_)), **statistics_to_dict(statistics))


@bp.route("/benchmarks/history")
@api_view
def benchmark_history() -> Response:
    """A group's statistics in every round with results; other major versions flagged."""
    group = _group_argument()
    k = current_app.config["ANONYMITY_K"]
    cohort = benchmarking.cohort_trend(db_session(), group=group, k=k, catalog=web_catalog())
    return jsonify(group=group_to_dict(group), k=k, **cohort_to_dict(cohort))


def _round_argument() -> Round | None:
    reference = request.args.get("round", "").strip()
    return rounds.find_round(db_session(), reference) if reference else None


def _group_argument() -> PeerGroup:
    values = {
        name: request.args.get(parameter, "").strip()
        for name, parameter in (
            ("country", "country"),
            ("agency_type", "type"),
            ("size_band", "size"),
        )
    }
    for name, value in values.items():
        if len(value) > MAX_FILTER_LENGTH:
            raise ApiError(400, f"{name}: at most {MAX_FILTER_LENGTH} characters")
    country = values["country"]
    if country and not COUNTRY_CODE.match(country):
        raise ApiError(400, f"country: a two-letter code such as NL, not {country!r}")
    return PeerGroup(
        country=country.upper() or None,
        agency_type=values["agency_type"] or None,
        size_band=values["size_band"] or None,
    )


def _agency(row: AgencyOverview) -> dict[str, Any]:
    return {
        "id": row.agency_id,
        "name": row.name,
        "country": row.country,
        "agency_type": row.agency_type,
        "size_band": row.size_band,
        "synthetic": row.synthetic,
        "latest_round": row.latest_round,
        "overall_score": rounded(row.score),
        "overall_level": row.level,
        "change": rounded(row.change),
        "change_comparable": row.change_comparable,
        "change_carried_share": share(row.change_carried_share),
    }


def _round(round_: Round) -> dict[str, Any]:
    return {
        **round_to_dict(round_info(round_)),
        "is_open": round_.is_open,
        "state": round_.state.value,
        "starts_on": round_.starts_on.isoformat() if round_.starts_on else None,
        "ends_on": round_.ends_on.isoformat() if round_.ends_on else None,
        "deadline": round_.deadline.isoformat() if round_.deadline else None,
    }


def _figures(score: ScoreResult) -> dict[str, Any]:
    overall = score.overall
    return {
        "overall": _figure("overall", overall.score, overall.level, overall.coverage),
        "dimensions": [
            _figure(key, d.score, d.level, d.coverage) for key, d in score.dimensions.items()
        ],
        "themes": [_figure(key, t.score, None, t.coverage) for key, t in score.themes.items()],
    }


def _figure(key: str, score: float | None, level: int | None, coverage: float) -> dict[str, Any]:
    return {"key": key, "score": rounded(score), "level": level, "coverage": round(coverage, 3)}


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return api_error_response(error.status, error.message)


@bp.errorhandler(ServiceError)
def _service_error(error: ServiceError) -> Response:
    return api_error_response(status_for(error), str(error))


@bp.errorhandler(GroupRefused)
def _refused(error: GroupRefused) -> Response:
    return api_error_response(403, str(error))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    return api_error_response(error.code or 500, error.description or error.name)

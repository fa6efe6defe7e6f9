"""Report pages: the list, an agency's PDF and HTML preview, a peer group's cohort PDF."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)

from assessment.domain.rules.benchmark import PeerGroup
from assessment.queries.agencies import get_agency, submitted_agencies
from assessment.queries.rounds import get_round, rounds_with_results
from assessment.reporting.agency import build_agency_report
from assessment.reporting.batch import report_filename
from assessment.reporting.cohort import build_cohort_report
from assessment.reporting.pdf_cache import PdfCache
from assessment.reporting.render import BASE_FOLDER, render_html, stylesheet_path
from assessment.reporting.view_data import AgencyReport
from assessment.services import report_access
from assessment.services.errors import InvalidInput
from assessment.store.ids import id_from_text
from assessment.store.models import Role, Round
from assessment.web.auth.access import roles_required, signed_in_user
from assessment.web.catalog import web_catalog
from assessment.web.consultant import view_data
from assessment.web.consultant.forms import GroupFilters
from assessment.web.database import db_session

bp = Blueprint("reports", __name__, template_folder="templates")

STAFF = (Role.CONSULTANT, Role.ADMIN)
PDF = "application/pdf"
REPORT_NAMES = ("agency", "cohort")


@bp.route("/")
@roles_required(*STAFF)
def index() -> str:
    """Rounds with results; for the chosen one, each agency's report and the cohort form."""
    rounds = rounds_with_results(db_session())
    chosen = _chosen_round(rounds)
    agencies = submitted_agencies(db_session(), chosen.id) if chosen is not None else []
    filters = GroupFilters()
    view_data.offer_filters(db_session(), filters)
    return render_template(
        "reports/index.html",
        rounds=list(reversed(rounds)),
        chosen=chosen,
        agencies=agencies,
        filters=filters,
    )


@bp.route("/agency/<int:agency_id>/<int:round_id>.pdf")
@roles_required(*STAFF)
def agency_pdf(agency_id: int, round_id: int) -> Response:
    """The agency's report for the round as a PDF download."""
    report = _agency_report(agency_id, round_id)
    pdf = _pdf("agency", render_html("agency", report))
    report_access.record_agency_report(
        db_session(), actor=signed_in_user(), agency_id=agency_id, round_id=round_id, form="pdf"
    )
    agency = get_agency(db_session(), agency_id)
    round_ = get_round(db_session(), round_id)
    filename = report_filename(agency, round_)
    return _download(pdf, filename)


@bp.route("/agency/<int:agency_id>/<int:round_id>")
@roles_required(*STAFF)
def agency_preview(agency_id: int, round_id: int) -> Response:
    """The same report as an HTML page, for reading on screen."""
    report = _agency_report(agency_id, round_id)
    report_access.record_agency_report(
        db_session(), actor=signed_in_user(), agency_id=agency_id, round_id=round_id, form="html"
    )
    stylesheet = url_for("reports.stylesheet", name="agency")
    response = Response(render_html("agency", report, stylesheet=stylesheet), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/cohort.pdf")
@roles_required(*STAFF)
def cohort_pdf() -> Response:
    """The anonymised cohort report of a round and peer group (?round=&country=&type=&size=)."""
    round_id = _round_parameter()
    group = PeerGroup(
        country=request.args.get("country") or None,
        agency_type=request.args.get("type") or None,
        size_band=request.args.get("size") or None,
    )
    report = build_cohort_report(
        db_session(), round_id, group, current_app.config["ANONYMITY_K"], catalog=web_catalog()
    )
    pdf = _pdf("cohort", render_html("cohort", report))
    report_access.record_cohort_report(
        db_session(), actor=signed_in_user(), round_id=round_id, group=group
    )
    return _download(pdf, f"cohort-{round_id}.pdf")


@bp.route("/assets/<name>/report.css")
@roles_required(*STAFF)
def stylesheet(name: str) -> Response:
    """A report's print stylesheet, for the HTML preview."""
    if name not in (*REPORT_NAMES, BASE_FOLDER):
        abort(404)
    response = Response(stylesheet_path(name).read_bytes(), mimetype="text/css")
    response.cache_control.max_age = 300
    return response


def _pdf(name: str, html: str) -> bytes:
    """The report's PDF, laid out only when no identical document is in the cache."""
    pdf, _ = PdfCache(Path(current_app.config["PDF_CACHE_DIR"])).pdf(name, html)
    return pdf


def _agency_report(agency_id: int, round_id: int) -> AgencyReport:
    return build_agency_report(
        db_session(), agency_id, round_id, current_app.config["ANONYMITY_K"], catalog=web_catalog()
    )


def _round_parameter() -> int:
    raw = request.args.get("round", "")
    round_id = id_from_text(raw)
    if round_id is None:
        raise InvalidInput({"round": f"give the round as its number, e.g. ?round=3 (got {raw!r})"})
    return round_id


def _chosen_round(rounds: list[Round]) -> Round | None:
    """The round named by ?round=, else the newest with results."""
    if not request.args.get("round", "").strip():
        return rounds[-1] if rounds else None
    round_id = _round_parameter()
    chosen = next((r for r in rounds if r.id == round_id), None)
    if chosen is None:
        abort(404)
    return chosen


def _download(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype=PDF)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response

"""Consultant pages: agencies, one agency over time, side-by-side comparison, peer benchmark."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for

from assessment.domain.rules.benchmark import PeerGroup
from assessment.services import export, report_access
from assessment.services.errors import InvalidInput
from assessment.store.models import Role
from assessment.web.auth.access import roles_required, signed_in_user
from assessment.web.catalog import web_catalog
from assessment.web.consultant import view_data
from assessment.web.consultant.forms import (
    MAX_COMPARED,
    AgencyListForm,
    BenchmarkForm,
    CompareForm,
    ExportForm,
)
from assessment.web.database import db_session

bp = Blueprint("consultant", __name__, template_folder="templates")

STAFF = (Role.CONSULTANT, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/agencies")
@roles_required(*STAFF)
def agencies() -> tuple[str, int]:
    """The portfolio: every agency's state in the open rounds and its latest results;
    filtered, counted by status, sorted, paged."""
    form = AgencyListForm()
    view_data.offer_filters(db_session(), form)
    open_rounds = view_data.offer_open_rounds(db_session(), form)
    valid = form.checked()
    portfolio = view_data.portfolio(db_session(), form if valid else None, open_rounds)
    return render_template(
        "consultant/agencies.html",
        form=form,
        portfolio=portfolio,
        page=portfolio.page,
        status_labels=view_data.STATUS_LABELS,
    ), 200 if valid else 400


@bp.route("/agencies/<int:agency_id>")
@roles_required(*STAFF)
def agency(agency_id: int) -> str:
    """One agency: profile, rounds, trend, latest results and peer position."""
    page = view_data.agency_page(
        db_session(), signed_in_user(), agency_id, current_app.config["ANONYMITY_K"]
    )
    return render_template("consultant/agency.html", page=page, report_url=_report_url(page))


@bp.route("/agencies/<int:agency_id>/rounds/<int:round_id>/answers")
@roles_required(*STAFF)
def agency_answers(agency_id: int, round_id: int) -> str:
    """A submitted round's answers, read-only: the same access and audit as its PDF report."""
    page = view_data.answers_page(db_session(), agency_id, round_id)
    report_access.record_agency_report(
        db_session(), actor=signed_in_user(), agency_id=agency_id, round_id=round_id, form="answers"
    )
    return render_template(
        "answers.html",
        page=page,
        only_changed=request.args.get("show") == "changed" and page.review.previous is not None,
        round_url=lambda r: url_for("consultant.agency_answers", agency_id=agency_id, round_id=r),
        back=(page.agency.name, url_for("consultant.agency", agency_id=agency_id)),
    )


@bp.route("/compare")
@roles_required(*STAFF)
def compare() -> tuple[str, int]:
    """Up to six agencies side by side in one round."""
    form = CompareForm()
    latest = view_data.offer_compare_choices(db_session(), form)
    valid = form.checked()
    chosen = valid and latest and form.chosen_ids()
    k = current_app.config["ANONYMITY_K"]
    table = view_data.comparison(db_session(), form, k) if chosen else None
    return render_template(
        "consultant/compare.html",
        form=form,
        chooser=view_data.compare_chooser(db_session(), form),
        table=table,
        max_compared=MAX_COMPARED,
    ), 200 if valid else 400


@bp.route("/compare.csv")
@roles_required(*STAFF)
def compare_csv() -> Response:
    """The compared agencies' results in the round, one row per agency, as CSV."""
    table = _compared_table()
    stream = io.StringIO()
    export.write_csv(table, stream)
    body = stream.getvalue().encode("utf-8")
    return _download(body, "text/csv; charset=utf-8", f"comparison-{table.round_name}", "csv")


@bp.route("/compare.xlsx")
@roles_required(*STAFF)
def compare_xlsx() -> Response:
    """The compared agencies' results as a workbook with a sheet defining the columns."""
    table = _compared_table()
    body = export.workbook_bytes({f"comparison {table.round_name}": table})
    return _download(body, XLSX, f"comparison-{table.round_name}", "xlsx")


def _compared_table() -> export.RoundExport:
    """The export rows of the agencies the query string chooses; a wrong choice is a 400."""
    form = CompareForm()
    view_data.offer_compare_choices(db_session(), form)
    if not form.checked() or not form.chosen_ids():
        errors = {name: "; ".join(messages) for name, messages in form.errors.items()}
        raise InvalidInput(errors or {"agency": "choose at least one agency to compare"})
    return export.round_export(
        db_session(), form.round.data, web_catalog(), agency_ids=form.chosen_ids()
    )


@bp.route("/benchmark")
@roles_required(*STAFF)
def benchmark() -> tuple[str, int]:
    """A round's peer statistics for a group chosen with filters."""
    form = BenchmarkForm()
    view_data.offer_filters(db_session(), form)
    latest = view_data.offer_rounds(db_session(), form)
    if not form.checked() or latest is None:
        return render_template("consultant/benchmark.html", form=form, view=None), (
            400 if form.errors else 200
        )
    view, history = view_data.benchmark_page(
        db_session(), form.round.data, form.group(), current_app.config["ANONYMITY_K"]
    )
    return render_template(
        "consultant/benchmark.html",
        form=form,
        view=view,
        history=history,
        cohort_url=_cohort_report_url(view.round.id, form.group()),
    ), 200


@bp.route("/rounds/<int:round_id>/export.csv")
@roles_required(*STAFF)
def export_csv(round_id: int) -> Response:
    """One table of the round (results or answers) for the filtered agencies, as CSV."""
    form = _export_form()
    tables = _export_tables(round_id, form)
    table = tables[form.table.data or "results"]
    stream = io.StringIO()
    export.write_csv(table, stream)
    body = stream.getvalue().encode("utf-8")
    return _download(
        body, "text/csv; charset=utf-8", f"{form.table.data}-{table.round_name}", "csv"
    )


@bp.route("/rounds/<int:round_id>/export.xlsx")
@roles_required(*STAFF)
def export_xlsx(round_id: int) -> Response:
    """The round's results and answers for the filtered agencies, with column definitions."""
    form = _export_form()
    tables = _export_tables(round_id, form)
    name = tables["results"].round_name
    return _download(export.workbook_of(tables), XLSX, f"round-{name}", "xlsx")


def _export_form() -> ExportForm:
    """The download's options from the query string; a wrong one is a 400 naming it."""
    form = ExportForm()
    view_data.offer_filters(db_session(), form)
    if not form.checked():
        raise InvalidInput({name: "; ".join(errors) for name, errors in form.errors.items()})
    return form


def _export_tables(round_id: int, form: ExportForm) -> dict[str, export.RoundExport]:
    return export.round_tables(
        db_session(), round_id, web_catalog(), form.group(), comments=bool(form.comments.data)
    )


def _download(body: bytes, mimetype: str, name: str, suffix: str) -> Response:
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "round"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_name}.{suffix}"'
    return response


def _cohort_report_url(round_id: int, group: PeerGroup) -> str | None:
    """The cohort PDF of the round and group, once the reports area is installed."""
    if "reports.cohort_pdf" not in current_app.view_functions:
        return None
    filters = {"country": group.country, "type": group.agency_type, "size": group.size_band}
    given: dict[str, Any] = {name: value for name, value in filters.items() if value}
    return url_for("reports.cohort_pdf", round=round_id, **given)


def _report_url(page: view_data.AgencyPage) -> str | None:
    """The PDF report of the agency's latest round, once the reports area is installed."""
    if "reports.agency_pdf" not in current_app.view_functions or page.latest_round is None:
        return None
    return url_for("reports.agency_pdf", agency_id=page.agency.id, round_id=page.latest_round.id)

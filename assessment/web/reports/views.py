"""Report pages: the list, an agency's PDF and HTML preview, a peer group's cohort PDF."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as WerkzeugResponse

from assessment.config import branding
from assessment.domain.rules.benchmark import PeerGroup
from assessment.queries import report_jobs as job_queries
from assessment.queries.agencies import get_agency, submitted_agencies
from assessment.queries.commentary import final_report, report_notes
from assessment.queries.instruments import instrument_of
from assessment.queries.report_inputs import agency_report_inputs
from assessment.queries.results import submitted_assessment
from assessment.queries.rounds import get_round, rounds_with_results
from assessment.reporting.agency import build_agency_report
from assessment.reporting.archive import archive_filename, batch_archive
from assessment.reporting.batch import cohort_filename, report_filename
from assessment.reporting.cohort import build_cohort_report
from assessment.reporting.pdf_cache import PdfCache, input_key, templates_digest
from assessment.reporting.render import BASE_FOLDER, render_html, stylesheet_path
from assessment.reporting.view_data import AgencyReport
from assessment.services import commentary as commentary_service
from assessment.services import export, report_access, report_jobs
from assessment.services.errors import InvalidInput
from assessment.store.ids import id_from_text
from assessment.store.models import Assessment, JobState, ReportJob, Role, Round
from assessment.web.auth.access import roles_required, signed_in_user
from assessment.web.catalog import web_catalog
from assessment.web.consultant import view_data
from assessment.web.consultant.forms import GroupFilters
from assessment.web.database import db_session
from assessment.web.report_queue import report_queue
from assessment.web.reports.forms import BatchForm, FinalForm, commentary_form

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
    batch_form = BatchForm(formdata=None)
    view_data.offer_filters(db_session(), batch_form)
    return render_template(
        "reports/index.html",
        rounds=list(reversed(rounds)),
        chosen=chosen,
        agencies=agencies,
        filters=filters,
        batch_form=batch_form,
    )


@bp.route("/agency/<int:agency_id>/<int:round_id>.pdf")
@roles_required(*STAFF)
def agency_pdf(agency_id: int, round_id: int) -> Response:
    """The agency's report for the round as a PDF (as issued once it is final); while a
    worker renders it, a page saying so that reloads itself."""
    return _queued_agency_pdf(_submitted(agency_id, round_id), with_commentary=True)


@bp.route("/agency/<int:agency_id>/<int:round_id>")
@roles_required(*STAFF)
def agency_preview(agency_id: int, round_id: int) -> Response:
    """The same report as an HTML page, for reading on screen, with a way back."""
    assessment = _submitted(agency_id, round_id)
    report = _agency_report(assessment)
    report_access.record_agency_report(
        db_session(), actor=signed_in_user(), agency_id=agency_id, round_id=round_id, form="html"
    )
    links = (
        ("All reports of the round", url_for("reports.index", round=round_id)),
        ("Commentary", url_for("reports.commentary", agency_id=agency_id, round_id=round_id)),
        ("Download the PDF", url_for("reports.agency_pdf", agency_id=agency_id, round_id=round_id)),
    )
    stylesheet = url_for("reports.stylesheet", name="agency")
    html = render_html("agency", report, stylesheet=stylesheet, links=links)
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/agency/<int:agency_id>/<int:round_id>/commentary", methods=["GET", "POST"])
@roles_required(*STAFF)
def commentary(agency_id: int, round_id: int) -> WerkzeugResponse | str:
    """The consultant's commentary on the report (overall and per dimension); mark final."""
    assessment = _submitted(agency_id, round_id)
    instrument = instrument_of(assessment, web_catalog())
    notes = report_notes(db_session(), assessment.id)
    final = final_report(db_session(), assessment.id)
    form = commentary_form(instrument, {section: note.body for section, note in notes.items()})
    if final is None and form.validate_on_submit():
        commentary_service.save_notes(
            db_session(),
            actor=signed_in_user(),
            assessment_id=assessment.id,
            notes=form.notes(),
            sections={dimension.id for dimension in instrument.dimensions},
        )
        flash("Commentary saved. It appears in the preview and the PDF.", "success")
        return redirect(url_for("reports.commentary", agency_id=agency_id, round_id=round_id))
    return render_template(
        "reports/commentary.html",
        assessment=assessment,
        form=form,
        final_form=FinalForm(),
        notes=notes,
        final=final,
        dimensions=instrument.dimensions,
    )


@bp.route("/agency/<int:agency_id>/<int:round_id>/final", methods=["POST"])
@roles_required(*STAFF)
def mark_final(agency_id: int, round_id: int) -> WerkzeugResponse:
    """Render the report once more, marked final, and keep those bytes as issued."""
    assessment = _submitted(agency_id, round_id)
    back = url_for("reports.commentary", agency_id=agency_id, round_id=round_id)
    if not FinalForm().validate_on_submit():
        flash("The form expired: mark the report final again.", "error")
        return redirect(back)
    pdf = _agency_pdf(_agency_report(assessment, final=True))
    commentary_service.issue_final_report(
        db_session(), actor=signed_in_user(), assessment_id=assessment.id, pdf=pdf
    )
    flash("The report is final. Its PDF is kept as issued and served unchanged.", "success")
    return redirect(back)


@bp.route("/mine/<int:round_id>.pdf")
@roles_required(Role.LEAD)
def my_report(round_id: int) -> Response:
    """A lead's own agency report of a submitted round: the final one, else without the
    consultant's draft commentary. Peer figures follow the usual anonymity rules."""
    lead = signed_in_user()
    return _queued_agency_pdf(_submitted(lead.agency_id or 0, round_id), with_commentary=False)


@bp.route("/mine/<int:round_id>/answers")
@roles_required(Role.LEAD)
def my_answers_page(round_id: int) -> str:
    """A lead's own submitted answers on the web, compared with the previous round."""
    lead = signed_in_user()
    page = view_data.answers_page(db_session(), lead.agency_id or 0, round_id)
    report_access.record_agency_report(
        db_session(), actor=lead, agency_id=page.agency.id, round_id=round_id, form="answers"
    )
    return render_template(
        "answers.html",
        page=page,
        only_changed=request.args.get("show") == "changed" and page.review.previous is not None,
        round_url=lambda r: url_for("reports.my_answers_page", round_id=r),
        back=("Our results", url_for("answering.results", round_id=round_id)),
    )


@bp.route("/mine/<int:round_id>/answers.<any(csv, json):form>")
@roles_required(Role.LEAD)
def my_answers(round_id: int, form: str) -> Response:
    """A lead's own submitted answers with questions, comments and who gave them."""
    lead = signed_in_user()
    assessment = _submitted(lead.agency_id or 0, round_id)
    table = export.answers_export(db_session(), assessment, web_catalog())
    name = report_filename(assessment.agency, assessment.round).removesuffix(".pdf")
    if form == "json":
        response = Response(export.to_json(table), mimetype="application/json")
    else:
        stream = io.StringIO()
        export.write_csv(table, stream)
        response = Response(stream.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-answers.{form}"'
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
    return _download(pdf, cohort_filename(report.group, get_round(db_session(), round_id)))


@bp.route("/rounds/<int:round_id>/batch", methods=["POST"])
@roles_required(*STAFF)
def start_batch(round_id: int) -> WerkzeugResponse:
    """Start rendering every submitted report of the round (or of a peer group) (audited)."""
    round_ = get_round(db_session(), round_id)
    form = BatchForm()
    view_data.offer_filters(db_session(), form)
    if not form.validate_on_submit():
        flash(_batch_refusal(form), "error")
        return redirect(url_for("reports.index", round=round_id))
    started = report_jobs.start_round_batch(
        db_session(),
        round_id=round_.id,
        group=form.group(),
        k=current_app.config["ANONYMITY_K"],
        templates=templates_digest(),
        actor=signed_in_user(),
    )
    report_queue().enqueue(started.to_enqueue)
    if not started.job.items:
        flash("No agency of this group has submitted its assessment in the round.", "error")
        return redirect(url_for("reports.index", round=round_id))
    return redirect(url_for("reports.batch", job_id=started.job.id))


@bp.route("/batches/<int:job_id>")
@roles_required(*STAFF)
def batch(job_id: int) -> Response | str:
    """A round's reports being rendered: progress, failures with their reasons, the ZIP."""
    job = _round_job(job_id)
    _recover_stalled()
    progress = job_queries.job_progress(db_session(), job)
    items = job_queries.job_items(db_session(), job)
    if _wants_json():
        return _json_response(
            {
                "state": "done" if progress.finished else "running",
                "total": progress.total,
                "done": progress.done,
                "failed": progress.failed,
                "percent": progress.percent,
                "failures": [
                    {"agency": item.agency.name, "reason": item.error}
                    for item in items
                    if item.state == JobState.FAILED
                ],
            }
        )
    return render_template(
        "reports/batch.html",
        job=job,
        round=get_round(db_session(), job.round_id),
        group=PeerGroup(**job.group_filters),
        progress=progress,
        items=items,
    )


@bp.route("/batches/<int:job_id>.zip")
@roles_required(*STAFF)
def batch_zip(job_id: int) -> Response:
    """The rendered PDFs of a round's batch in one ZIP (failed ones listed in FAILED.txt)."""
    job = _round_job(job_id)
    round_ = get_round(db_session(), job.round_id)
    archive = batch_archive(db_session(), job, round_)
    report_access.record_batch_download(
        db_session(), actor=signed_in_user(), round_id=round_.id, job_id=job.id
    )
    response = Response(archive, mimetype="application/zip")
    name = archive_filename(round_, job)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/assets/<name>/report.css")
@roles_required(*STAFF)
def stylesheet(name: str) -> Response:
    """A report's print stylesheet, for the HTML preview."""
    if name not in (*REPORT_NAMES, BASE_FOLDER):
        abort(404)
    response = Response(stylesheet_path(name).read_bytes(), mimetype="text/css")
    response.cache_control.max_age = 300
    return response


def _queued_agency_pdf(assessment: Assessment, *, with_commentary: bool) -> Response:
    """The PDF when it is final, cached or rendered; else its job is queued and a page
    (or, to a script, JSON) says how far it is. The cache is looked up by the report's
    inputs as stored, so a cached PDF is served without building the report."""
    final = final_report(db_session(), assessment.id)
    if final is not None:
        return _served(assessment, final.pdf, final=True)
    key = input_key(
        "agency",
        agency_report_inputs(db_session(), assessment, with_commentary=with_commentary),
        issuer=branding(),
        k=current_app.config["ANONYMITY_K"],
        today=date.today(),
    )
    cache = PdfCache(Path(current_app.config["PDF_CACHE_DIR"]))
    pdf = cache.get(key)
    if pdf is not None:
        return _served(assessment, pdf, final=False)
    html = render_html("agency", _agency_report(assessment, with_commentary=with_commentary))
    started = report_jobs.start_agency_pdf(
        db_session(),
        key=key,
        html=html,
        agency_id=assessment.agency_id,
        round_id=assessment.round_id,
        k=current_app.config["ANONYMITY_K"],
        with_commentary=with_commentary,
        actor=signed_in_user(),
    )
    report_queue().enqueue(started.to_enqueue)
    item = job_queries.single_item(db_session(), started.job)
    if item.state == JobState.DONE and item.pdf is not None:
        cache.put(key, item.pdf)
        return _served(assessment, item.pdf, final=False)
    _recover_stalled()
    progress = job_queries.job_progress(db_session(), started.job)
    if _wants_json():
        return _json_response(
            {"state": item.state.value, "ahead": progress.ahead, "reason": item.error}
        )
    page = render_template(
        "reports/preparing.html", assessment=assessment, item=item, progress=progress
    )
    return Response(page, status=202 if item.state != JobState.FAILED else 200)


def _served(assessment: Assessment, pdf: bytes, *, final: bool) -> Response:
    """The PDF as a download, its taking audited."""
    if _wants_json():
        return _json_response({"state": "done"})
    report_access.record_agency_report(
        db_session(),
        actor=signed_in_user(),
        agency_id=assessment.agency_id,
        round_id=assessment.round_id,
        form="pdf",
    )
    return _download(pdf, report_filename(assessment.agency, assessment.round, final=final))


def _recover_stalled() -> None:
    """Queue again the reports of workers that stopped (looking at progress is a check)."""
    report_queue().enqueue(report_jobs.reclaim_stalled(db_session()))


def _wants_json() -> bool:
    """True for the progress script, which asks for JSON."""
    return request.accept_mimetypes.best == "application/json"


def _json_response(body: dict[str, object]) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _round_job(job_id: int) -> ReportJob:
    job = job_queries.get_job(db_session(), job_id)
    if job is None or job.kind != "round":
        abort(404)
    return job


def _batch_refusal(form: BatchForm) -> str:
    problems = [f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items()]
    return "The reports were not started. " + "; ".join(problems)


def _pdf(name: str, html: str) -> bytes:
    """The report's PDF, laid out only when no identical document is in the cache."""
    pdf, _ = PdfCache(Path(current_app.config["PDF_CACHE_DIR"])).pdf(name, html)
    return pdf


def _agency_pdf(report: AgencyReport) -> bytes:
    """Laid out in the request: only for marking final, which keeps the bytes at once."""
    return _pdf("agency", render_html("agency", report))


def _submitted(agency_id: int, round_id: int) -> Assessment:
    """The agency's submitted assessment of the round (404 when there is none)."""
    agency = get_agency(db_session(), agency_id)
    round_ = get_round(db_session(), round_id)
    return submitted_assessment(db_session(), agency, round_)


def _agency_report(
    assessment: Assessment, *, with_commentary: bool = True, final: bool = False
) -> AgencyReport:

    return build_agency_report(
        db_session(),
        assessment.agency_id,
        assessment.round_id,
        current_app.config["ANONYMITY_K"],
        catalog=web_catalog(),
        with_commentary=with_commentary,
        final=final,
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

"""Administration: agencies, users, invitation and reset links, rounds, reopening."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from assessment.domain.rules.schedule import RoundState
from assessment.queries.accounts import get_user, recent_invitations, users_by_email
from assessment.queries.agencies import agencies_with_leads, agency_choices, agency_counts
from assessment.queries.assessments import get_assessment
from assessment.queries.rounds import get_round, round_assessments, rounds_with_counts
from assessment.services import accounts, assessments, notifications, rounds
from assessment.services.errors import InvalidInput
from assessment.store.models import AssessmentStatus, Role, Round, utc_today
from assessment.web.admin.forms import (
    AgencyForm,
    InvitationForm,
    ReopenForm,
    RoundForm,
    instrument_choices,
)
from assessment.web.auth.access import roles_required, signed_in_user
from assessment.web.catalog import web_catalog
from assessment.web.database import db_session
from assessment.web.form_errors import attach_service_errors
from assessment.web.mail import deliver_local, site

bp = Blueprint("admin", __name__, template_folder="templates")

ADMIN = Role.ADMIN
Page = Response | str | tuple[str, int]


@bp.route("/")
@roles_required(ADMIN)
def index() -> str:
    """The administration start page."""
    return render_template("admin/index.html")


AGENCY_FILTERS = {"all": None, "real": False, "synthetic": True}
"""The agencies page's filter: every agency, the real ones, or the synthetic (demo) ones."""


@bp.route("/agencies")
@roles_required(ADMIN)
def agencies() -> str:
    """The agencies with their number of lead accounts; synthetic ones marked, filterable."""
    shown = request.args.get("show", "all")
    if shown not in AGENCY_FILTERS:
        shown = "all"
    rows = agencies_with_leads(db_session(), synthetic=AGENCY_FILTERS[shown])
    counts = agency_counts(db_session())
    return render_template("admin/agencies.html", rows=rows, shown=shown, counts=counts)


@bp.route("/agencies/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_agency() -> Page:
    """Register an agency."""
    form = AgencyForm()
    if form.validate_on_submit():
        try:
            agency = accounts.create_agency(
                db_session(),
                name=form.name.data or "",
                country=form.country.data or "",
                agency_type=form.agency_type.data or "",
                size_band=form.size_band.data or "",
                policing_model=form.policing_model.data or "",
                actor=signed_in_user(),
            )
        except InvalidInput as invalid:
            attach_service_errors(form, invalid)
        else:
            flash(f"Agency {agency.name} added. Invite its lead next.", "success")
            return redirect(url_for("admin.invitations", agency_id=agency.id))
    return _form_page("admin/agency_form.html", form)


@bp.route("/users")
@roles_required(ADMIN)
def users() -> str:
    """Every user account with its role and agency."""
    rows = users_by_email(db_session())
    return render_template("admin/users.html", users=rows, reset_form=FlaskForm())


@bp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@roles_required(ADMIN)
def password_reset(user_id: int) -> Page:
    """Issue a single-use password-reset link and show it once to pass on."""
    user = get_user(db_session(), user_id)
    token = accounts.create_password_reset(db_session(), user_id=user_id, actor=signed_in_user())
    link = url_for("auth.reset_password", token=token, _external=True)
    return render_template(
        "admin/link.html",
        heading="Password-reset link",
        intro=f"Pass this link on to {user.email}. It works once, for "
        f"{accounts.PASSWORD_RESET_VALIDITY.total_seconds() / 3600:.0f} hours.",
        link=link,
        back=url_for("admin.users"),
    )


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@roles_required(ADMIN)
def disable_user(user_id: int) -> Response:
    """Disable an account: its sessions end and its API tokens are revoked."""
    return _set_active(user_id, active=False)


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@roles_required(ADMIN)
def enable_user(user_id: int) -> Response:
    """Let a disabled account sign in again (its revoked API tokens stay revoked)."""
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool) -> Response:
    try:
        user = accounts.set_user_active(
            db_session(), user_id=user_id, active=active, actor=signed_in_user()
        )
    except InvalidInput as invalid:
        flash(f"Nothing changed: {'; '.join(invalid.errors.values())}.", "error")
    else:
        if active:
            flash(f"{user.email} can sign in again.", "success")
        else:
            flash(
                f"{user.email} is disabled: signed out everywhere, API tokens revoked.", "success"
            )
    return redirect(url_for("admin.users"))


@bp.route("/invitations", methods=["GET", "POST"])
@roles_required(ADMIN)
def invitations() -> Page:
    """Invite a new agency lead; list recent invitations."""
    form = InvitationForm()
    form.agency_id.choices = agency_choices(db_session())
    if not form.is_submitted():
        form.agency_id.data = _int_arg("agency_id")
    if form.validate_on_submit():
        try:
            token = accounts.create_invitation(
                db_session(),
                email=form.email.data or "",
                agency_id=form.agency_id.data or 0,
                actor=signed_in_user(),
            )
        except InvalidInput as invalid:
            attach_service_errors(form, invalid)
        else:
            email = (form.email.data or "").strip().lower()
            notifications.invitation(
                db_session(), site(), email=email, agency_id=form.agency_id.data or 0, token=token
            )
            deliver_local()
            return render_template(
                "admin/link.html",
                heading="Invitation link",
                intro=f"The invitation is on its way to {email} by e-mail. You can also pass this "
                f"link on yourself. It works once, for {accounts.INVITATION_VALIDITY.days} days.",
                link=url_for("auth.accept_invitation", token=token, _external=True),
                back=url_for("admin.invitations"),
            )
    rows = recent_invitations(db_session())
    status = 400 if form.errors else 200
    return render_template("admin/invitations.html", form=form, rows=rows), status


@bp.route("/rounds")
@roles_required(ADMIN)
def rounds_list() -> str:
    """Every round with its progress."""
    rows = rounds_with_counts(db_session())
    return render_template("admin/rounds.html", rows=rows, toggle_form=FlaskForm())


@bp.route("/rounds/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_round() -> Page:
    """Create a round on one instrument version."""
    form = RoundForm()
    instruments = web_catalog().all()
    form.instrument.choices = instrument_choices(instruments)
    if not form.is_submitted() and instruments:
        form.instrument.data = instruments[-1].key
    if form.validate_on_submit():
        instrument_id, _, version = (form.instrument.data or "").partition("@")
        try:
            created = rounds.create_round(
                db_session(),
                name=form.name.data or "",
                instrument_id=instrument_id,
                instrument_version=version,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                actor=signed_in_user(),
                catalog=web_catalog(),
            )
        except InvalidInput as invalid:
            attach_service_errors(form, invalid)
        else:
            _notify_rounds()
            flash(f"Round {created.name} created: {_state_text(created)}.", "success")
            return redirect(url_for("admin.round_detail", round_id=created.id))
    return _form_page("admin/round_form.html", form)


@bp.route("/rounds/<int:round_id>")
@roles_required(ADMIN)
def round_detail(round_id: int) -> str:
    """A round's assessments, with reopening for submitted ones."""
    round_ = get_round(db_session(), round_id)
    rows = round_assessments(db_session(), round_id)
    return render_template(
        "admin/round.html", round=round_, assessments=rows, toggle_form=FlaskForm()
    )


@bp.route("/rounds/<int:round_id>/open", methods=["POST"])
@roles_required(ADMIN)
def open_round(round_id: int) -> Response:
    """Open a round for answers."""
    return _set_open(round_id, is_open=True)


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@roles_required(ADMIN)
def close_round(round_id: int) -> Response:
    """Close a round: no more answers or submissions."""
    return _set_open(round_id, is_open=False)


@bp.route("/assessments/<int:assessment_id>/reopen", methods=["GET", "POST"])
@roles_required(ADMIN)
def reopen(assessment_id: int) -> Page:
    """Open a submitted assessment again for changes, with a reason."""
    assessment = get_assessment(db_session(), assessment_id)
    form = ReopenForm()
    if assessment.status != AssessmentStatus.SUBMITTED:
        flash("This assessment is not submitted; there is nothing to reopen.", "warning")
        return redirect(url_for("admin.round_detail", round_id=assessment.round_id))
    if form.validate_on_submit():
        reopened = assessments.reopen_assessment(
            db_session(),
            assessment_id=assessment_id,
            actor=signed_in_user(),
            reason=form.reason.data or "",
        )
        notifications.assessment_reopened(
            db_session(),
            site(),
            reopened,
            reopened_by=signed_in_user(),
            reason=form.reason.data or "",
        )
        deliver_local()
        flash(f"The assessment of {assessment.agency.name} is open again.", "success")
        return redirect(url_for("admin.round_detail", round_id=assessment.round_id))
    status = 400 if form.errors else 200
    return render_template("admin/reopen.html", form=form, assessment=assessment), status


def _set_open(round_id: int, *, is_open: bool) -> Response:
    changed = rounds.set_round_open(
        db_session(), round_id=round_id, is_open=is_open, actor=signed_in_user()
    )
    if is_open:
        _notify_rounds()
    flash(f"Round {changed.name} is {_state_text(changed)}.", "success")
    return redirect(url_for("admin.rounds_list"))


def _notify_rounds() -> None:
    """Queue the notices of rounds open now (each sent once), without waiting for cron."""
    notifications.queue_round_notices(db_session(), site(), today=utc_today())
    deliver_local()


def _state_text(round_: Round) -> str:
    """The round's state in words, with the date that changes it next."""
    if round_.state == RoundState.SCHEDULED:
        return f"scheduled, it opens on {round_.starts_on}"
    if round_.deadline is not None:
        return f"open for answers until {round_.deadline}"
    return "open for answers" if round_.is_open else "closed"


def _form_page(template: str, form: FlaskForm) -> tuple[str, int]:
    status = 400 if form.errors else 200
    return render_template(template, form=form), status


def _int_arg(name: str) -> int | None:
    value: int | None = request.args.get(name, type=int)
    return value

"""The agency's team: the lead invites colleagues as contributors, assigns each the
dimensions they answer, and follows who answered what and when.

Contributors answer only their assigned dimensions (the service checks every saved
question); they read everything else, see their own progress and never submit.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from assessment.queries.accounts import agency_contributors
from assessment.queries.answers import answer_authors, assessment_answers
from assessment.queries.profiles import assessment_profile
from assessment.services import accounts
from assessment.services.errors import InvalidInput, NotFound
from assessment.services.permissions import can_invite_contributor
from assessment.web.answering import view_data
from assessment.web.answering.forms import ContributorInviteForm, assignment_form
from assessment.web.answering.views import Page, _route, answering_url
from assessment.web.answering.workspace import Workspace, load_workspace
from assessment.web.database import db_session
from assessment.web.form_errors import attach_service_errors


def _team_workspace(agency_id: int | None, round_id: int | None) -> Workspace:
    """The workspace, for the agency's lead or an administrator only."""
    workspace = load_workspace(agency_id, round_id)
    if not can_invite_contributor(workspace.user, workspace.agency.id):
        abort(403)
    return workspace


@_route("/team", methods=["GET", "POST"])
def team(agency_id: int | None, round_id: int | None) -> Page:
    """The contributors with their dimensions and progress; the invitation form."""
    workspace = _team_workspace(agency_id, round_id)
    form = ContributorInviteForm()
    if form.validate_on_submit():
        try:
            token = accounts.invite_contributor(
                db_session(),
                email=form.email.data or "",
                agency_id=workspace.agency.id,
                actor=workspace.user,
            )
        except InvalidInput as invalid:
            attach_service_errors(form, invalid)
        else:
            return render_template(
                "answering/team_link.html",
                ws=workspace,
                email=form.email.data,
                days=accounts.INVITATION_VALIDITY.days,
                link=url_for("auth.accept_invitation", token=token, _external=True),
            )
    status = 400 if form.errors else 200
    return _team_page(workspace, form, status)


def _team_page(workspace: Workspace, form: ContributorInviteForm, status: int) -> tuple[str, int]:
    contributors = agency_contributors(db_session(), workspace.agency.id)
    instrument, assessment = workspace.instrument, workspace.assessment
    rows = []
    if instrument is not None and assessment is not None:
        answers = assessment_answers(assessment)
        progress = view_data.answering_progress(
            instrument, answers, assessment_profile(assessment, instrument)
        )
        authors = answer_authors(db_session(), assessment.id)
        for person in contributors:
            rows.append(
                (
                    view_data.contributor_progress(
                        instrument,
                        progress,
                        person.id,
                        person.email,
                        person.active,
                        person.dimensions,
                        authors,
                    ),
                    assignment_form(
                        instrument, person.id, formdata=None, data={"dimensions": person.dimensions}
                    ),
                )
            )
    page = render_template(
        "answering/team.html",
        ws=workspace,
        form=form,
        rows=rows,
        unassigned=[person.email for person in contributors] if not rows else [],
    )
    return page, status


@_route("/team/<int:user_id>/dimensions", methods=["POST"])
def assign(agency_id: int | None, round_id: int | None, user_id: int) -> Response:
    """Set the dimensions one contributor answers."""
    workspace = _team_workspace(agency_id, round_id)
    if workspace.instrument is None:
        abort(404)
    contributors = {p.id: p for p in agency_contributors(db_session(), workspace.agency.id)}
    if user_id not in contributors:
        abort(404)
    form = assignment_form(workspace.instrument, user_id)
    if not form.validate():
        abort(400)
    try:
        accounts.assign_dimensions(
            db_session(),
            user_id=user_id,
            dimension_ids=form.dimensions.data or [],
            actor=workspace.user,
        )
    except NotFound:
        abort(404)
    titles = [
        str(d.title)
        for d in workspace.instrument.dimensions
        if d.id in (form.dimensions.data or [])
    ]
    email = contributors[user_id].email
    flash(
        f"{email} now answers: {', '.join(titles)}."
        if titles
        else f"{email} answers no dimension now.",
        "success",
    )
    return redirect(answering_url("team"))

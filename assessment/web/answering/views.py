"""The agency lead's questionnaire: overview, one page per dimension, background save,
submission and results.

Every page exists for a lead's own agency (`/assessment/...`) and for anyone allowed to
see an agency (`/agencies/<agency_id>/assessment/...`; admins may answer, consultants only
read), and each names its round (`.../rounds/<round_id>/...`). `/assessment/` itself lists
every round that concerns the agency; the other paths without a round work on the
agency's current round (see workspace). Routes check the agency on every request.
Reading a page never changes anything: the assessment of a round starts with a POST of
its own, offered on the round's page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Dimension, Instrument
from assessment.domain.rules.roadmap import build_roadmap
from assessment.domain.rules.schedule import RoundState
from assessment.domain.rules.scoring import Profile, visible_practices
from assessment.presentation.charts import MIN_RADAR_AXES, radar_chart
from assessment.presentation.headline_view import baseline_view, headline_view
from assessment.presentation.labels import no_longer_applicable_note
from assessment.presentation.roadmap import roadmap_view
from assessment.queries.answers import (
    AnswerSheet,
    answer_authors,
    answer_sheet,
    assessment_answers,
    carried_practices,
)
from assessment.queries.carried import carry_source, previous_round_score
from assessment.queries.profiles import assessment_profile
from assessment.queries.results import assessment_results
from assessment.services import notifications
from assessment.services.assessments import (
    prefill_from_previous,
    save_answers,
    save_profile,
    start_assessment,
    submit_assessment,
)
from assessment.services.errors import (
    AnswerConflict,
    Conflict,
    Forbidden,
    InvalidAnswers,
    InvalidInput,
    Locked,
    NotFound,
    RoundClosed,
    ServiceError,
)
from assessment.services.permissions import can_answer_for_agency
from assessment.store.models import Assessment, Role, Round
from assessment.web.answering import round_list, view_data
from assessment.web.answering.forms import (
    KEEP_STORED,
    DimensionForm,
    PrefillForm,
    ProfileForm,
    SubmitForm,
    answer_changes,
    dimension_form_class,
    initial_data,
    profile_form_class,
    profile_initial_data,
    resolve_field_name,
)
from assessment.web.answering.payload import PayloadError, parse_autosave
from assessment.web.answering.workspace import (
    Workspace,
    last_visit,
    load_workspace,
    remember_visit,
    visible_agency,
)
from assessment.web.auth.access import login_required, signed_in_user
from assessment.web.catalog import web_catalog
from assessment.web.database import db_session
from assessment.web.mail import deliver_local, site
from assessment.web.request_checks import reads_json

bp = Blueprint("answering", __name__, template_folder="templates")

Page = Response | str | tuple[str, int]
INVALID_STATUS = 422
REOPEN_RULE = (
    "Only an administrator can reopen it to change an answer; the reason is then shown on "
    "the assessment's overview."
)
CONFLICT_MESSAGE = (
    "These answers were changed elsewhere (another tab or a colleague) since you opened "
    "this page, so nothing was saved. Reload the page to see the latest answers, then "
    "make your changes again."
)
ANSWER_CONFLICT_MESSAGE = (
    "Someone else (a colleague or another tab) saved some of these answers after you "
    "opened this page, so nothing was saved. Each is shown below beside yours: choose "
    "which to keep, then save again."
)
REVIEW_CHANGED_MESSAGE = (
    "The answers were changed (by a colleague or in another tab) after you opened this "
    "page, so the assessment was not submitted. The page now shows them as they are: "
    "review them, then submit again."
)
UNKNOWN_FIELDS_MESSAGE = (
    "The form contained fields this page does not have ({names}); nothing was saved. "
    "Reload the page and try again."
)


def _route(path: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view under the lead's short URL and the agency's URL, each with and
    without a round."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        guarded = login_required(view)
        for agency_part in ("", "/agencies/<int:agency_id>"):
            for round_part in ("", "/rounds/<int:round_id>"):
                rule = f"{agency_part}/assessment{round_part}{path}"
                defaults = {
                    key: None for key in ("agency_id", "round_id") if f"<int:{key}>" not in rule
                }
                if defaults:
                    options["defaults"] = defaults
                else:
                    options.pop("defaults", None)
                bp.add_url_rule(rule, view_func=guarded, **options)
        return guarded

    return decorate


@bp.app_context_processor
def _url_helper() -> dict[str, Any]:
    return {"answering_url": answering_url}


def answering_url(endpoint: str, **values: Any) -> str:
    """A URL in the answering area that keeps the agency and round of the current URL."""
    kept = {key: (request.view_args or {}).get(key) for key in ("agency_id", "round_id")}
    return url_for(f"answering.{endpoint}", **(kept | values))


@_route("/")
def overview(agency_id: int | None, round_id: int | None) -> Page:
    """Without a round: every round of the agency. With one: progress per dimension, what
    is left, where to continue, status and next steps."""
    if round_id is None:
        return _rounds_page(agency_id)
    workspace = load_workspace(agency_id, round_id)
    if workspace.assessment is None or workspace.instrument is None:
        return render_template("answering/not_started.html", ws=workspace)
    answers = assessment_answers(workspace.assessment)
    instrument = workspace.instrument
    carried = carried_practices(workspace.assessment)
    profile = assessment_profile(workspace.assessment, instrument)
    last = last_visit(workspace.assessment.id)
    statuses = view_data.dimension_statuses(instrument, answers, profile)
    user = workspace.user
    return render_template(
        "answering/overview.html",
        mine=[s for s in statuses if s.id in user.dimensions]
        if user.role == Role.CONTRIBUTOR
        else None,
        ws=workspace,
        instrument=instrument,
        profile_rows=view_data.profile_answers(instrument, profile),
        profile_missing=view_data.missing_required(instrument, profile),
        progress=view_data.answering_progress(instrument, answers, profile),
        statuses=statuses,
        resume=view_data.resume_point(instrument, answers, last, profile),
        reopening=round_list.reopening_of(db_session(), workspace.assessment),
        unconfirmed=view_data.unconfirmed_items(instrument, answers, carried),
        prefill=_prefill_offer(workspace),
    )


def _rounds_page(agency_id: int | None) -> str:
    """The agency's rounds: open ones first with deadline and progress, closed ones read-only."""
    user = signed_in_user()
    agency = visible_agency(user, agency_id)
    entries = round_list.agency_round_entries(db_session(), agency.id, web_catalog())
    return render_template(
        "answering/rounds.html",
        agency=agency,
        entries=entries,
        may_edit=can_answer_for_agency(user, agency.id),
    )


@dataclass(frozen=True)
class PrefillOffer:
    """Last round's answers that the lead may start the draft from."""

    round_name: str
    count: int  # answers that would be filled in
    note: str  # how much of this questionnaire had an equivalent
    form: PrefillForm


def _may_prefill(workspace: Workspace) -> bool:
    """Only the agency's own lead starts a draft from last round's answers."""
    user = workspace.user
    return (
        workspace.editable
        and user.role == Role.LEAD
        and user.agency_id == workspace.agency.id
        and workspace.assessment is not None
    )


def _prefill_offer(workspace: Workspace) -> PrefillOffer | None:
    """What starting from last round's answers would fill in, when the lead may do it."""
    if not _may_prefill(workspace) or workspace.assessment is None:
        return None
    source = carry_source(db_session(), workspace.assessment, web_catalog())
    if source is None:
        return None
    given = {row.practice_id for row in workspace.assessment.answers}
    count = sum(1 for practice_id in source.carried.answers if practice_id not in given)
    if not count:
        return None
    form = PrefillForm(formdata=None)
    form.revision.data = str(workspace.assessment.revision)
    note = _equivalence_note(source.instrument, workspace, source.carried.equivalent_share)
    return PrefillOffer(source.round_name, count, note, form)


def _equivalence_note(source: str, workspace: Workspace, share: float) -> str:
    """How last round's questionnaire relates to this one, for the lead."""
    if workspace.instrument is not None and source == workspace.instrument.key:
        return "the same questionnaire version"
    return f"{share:.0%} of this questionnaire had an equivalent"


@_route("/prefill", methods=["POST"])
def prefill(agency_id: int | None, round_id: int | None) -> Response:
    """Fill the draft's untouched questions from the agency's last submitted answers."""
    workspace = load_workspace(agency_id, round_id)
    assessment, _ = workspace.require()
    _require_editable(workspace)
    if not _may_prefill(workspace):
        abort(403)
    form = PrefillForm()
    if not form.validate():
        abort(400)
    try:
        done = prefill_from_previous(
            db_session(),
            assessment_id=assessment.id,
            revision=form.revision_value,
            actor=workspace.user,
            catalog=web_catalog(),
        )
    except Conflict:
        flash(CONFLICT_MESSAGE, "error")
        return redirect(answering_url("overview", round_id=assessment.round_id))
    except NotFound as missing:
        flash(str(missing)[:1].upper() + str(missing)[1:] + ".", "error")
        return redirect(answering_url("overview", round_id=assessment.round_id))
    count = len(done.carried)
    note = _equivalence_note(done.from_questionnaire, workspace, done.equivalent_share)
    flash(
        f"{count} {'answer was' if count == 1 else 'answers were'} carried over from round "
        f'{done.round_name} ({note}). Each is marked "carried over, please confirm" until '
        "you save or confirm it.",
        "success",
    )
    return redirect(answering_url("overview", round_id=assessment.round_id))


@_route("/start", methods=["POST"])
def start(agency_id: int | None, round_id: int | None) -> Response:
    """Start the agency's draft in the open round (once; again changes nothing)."""
    workspace = load_workspace(agency_id, round_id)
    if not workspace.may_edit:
        abort(403)
    if workspace.round is None:
        flash("No assessment round is open, so the assessment cannot start yet.", "error")
    elif workspace.assessment is None and not workspace.round.is_open:
        state = workspace.round.state.value
        flash(f"Round {workspace.round.name} is {state}, so its assessment cannot start.", "error")
    elif workspace.assessment is None:
        start_assessment(
            db_session(),
            agency_id=workspace.agency.id,
            round_id=workspace.round.id,
            actor=workspace.user,
            catalog=web_catalog(),
        )
        flash(f"The assessment of round {workspace.round.name} has started.", "success")
    return redirect(answering_url("overview"))


def _started(workspace: Workspace) -> tuple[Assessment, Instrument]:
    """The assessment and its instrument; before it starts, pages lead to the overview."""
    # The overview offers to start it; a change to an assessment that does not exist is 404.
    if workspace.assessment is None and request.method == "GET":
        abort(redirect(answering_url("overview")))
    return workspace.require()


@_route("/profile", methods=["GET", "POST"])
def profile(agency_id: int | None, round_id: int | None) -> Page:
    """The agency's profile answers, asked first: a form while editable, read-only
    otherwise. Saving a change says which answers stop applying (nothing is deleted)."""
    workspace = load_workspace(agency_id, round_id)
    assessment, instrument = _started(workspace)
    form_class = profile_form_class(instrument)
    if request.method == "POST":
        _require_editable(workspace)
        return _save_profile(workspace, assessment, instrument, form_class())
    current = assessment_profile(assessment, instrument)
    form = form_class(formdata=None, data=profile_initial_data(instrument, current))
    form.revision.data = str(assessment.revision)
    return _profile_page(workspace, instrument, form, current)


def _save_profile(
    workspace: Workspace, assessment: Assessment, instrument: Instrument, form: ProfileForm
) -> Page:
    unknown = sorted(set(request.form) - form.expected_keys())
    if unknown:
        names = ", ".join(repr(name[:60]) for name in unknown[:5])
        form.form_errors.append(UNKNOWN_FIELDS_MESSAGE.format(names=names))
    current = assessment_profile(assessment, instrument)
    if not form.validate() or unknown:
        status = 400 if form.malformed_request else INVALID_STATUS
        return _profile_page(workspace, instrument, form, current, status=status)
    try:
        change = save_profile(
            db_session(),
            assessment_id=assessment.id,
            profile=form.submitted_profile(),
            revision=form.revision_value,
            actor=workspace.user,
            catalog=web_catalog(),
        )
    except InvalidInput as invalid:
        for question_id, message in invalid.errors.items():
            question = instrument.profile_question(question_id)
            if question is None:
                form.form_errors.append(f"{question_id}: {message}.")
            else:
                form.add_question_error(question_id, f"{question.label}: {message}.")
        return _profile_page(workspace, instrument, form, current, status=INVALID_STATUS)
    except Conflict:
        form.form_errors.append(CONFLICT_MESSAGE)
        return _profile_page(workspace, instrument, form, current, status=409)
    flash("Profile: your answers are saved.", "success")
    note = no_longer_applicable_note(instrument, change.no_longer_applicable)
    if note:
        flash(note, "warning")
    if request.form.get("action") == "next" and instrument.dimensions:
        return redirect(answering_url("dimension", dimension_id=instrument.dimensions[0].id))
    return redirect(answering_url("profile"))


def _profile_page(
    workspace: Workspace,
    instrument: Instrument,
    form: ProfileForm,
    current: Profile,
    *,
    status: int = 200,
) -> tuple[str, int]:
    page = render_template(
        "answering/profile.html",
        ws=workspace,
        instrument=instrument,
        form=form,
        rows=view_data.profile_answers(instrument, current),
        first_dimension=instrument.dimensions[0] if instrument.dimensions else None,
    )
    return page, status


@_route("/dimensions/<dimension_id>", methods=["GET", "POST"])
def dimension(agency_id: int | None, round_id: int | None, dimension_id: str) -> Page:
    """One dimension's questions: a form while editable, the answers read-only otherwise."""
    workspace = load_workspace(agency_id, round_id, dimension_id)
    assessment, instrument = _started(workspace)
    found = instrument.dimension(dimension_id) or abort(404)
    if request.method == "POST":
        _require_editable(workspace)
        return _save_dimension(workspace, assessment, instrument, found)
    sheet = answer_sheet(db_session(), assessment.id)
    form_class = dimension_form_class(instrument, found)
    form = form_class(formdata=None, data=initial_data(found, sheet.answers))
    form.show_revisions(sheet.revisions)
    if workspace.editable:
        remember_visit(assessment.id, found.id)
    return _dimension_page(workspace, instrument, found, form, sheet=sheet)


def _save_dimension(
    workspace: Workspace, assessment: Assessment, instrument: Instrument, found: Dimension
) -> Page:
    form = dimension_form_class(instrument, found)()
    unknown = sorted(set(request.form) - form.expected_keys())
    if unknown:
        names = ", ".join(repr(name[:60]) for name in unknown[:5])
        form.form_errors.append(UNKNOWN_FIELDS_MESSAGE.format(names=names))
    if not form.validate() or unknown:
        status = 400 if form.malformed_request else INVALID_STATUS
        return _dimension_page(workspace, instrument, found, form, status=status)
    stored = assessment_answers(assessment)
    submitted = _keeping_stored(form, stored)
    profile = assessment_profile(assessment, instrument)
    changes = answer_changes(instrument, found, stored, submitted, profile)
    # Saving the page confirms the carried-over answers it showed, left as they were.
    confirm = sorted(
        practice_id
        for practice_id in carried_practices(assessment)
        if submitted.get(practice_id) is not None
        and submitted.get(practice_id) == stored.get(practice_id)
    )
    if changes or confirm:
        try:
            save_answers(
                db_session(),
                assessment_id=assessment.id,
                answers=changes.answers,
                based_on=form.based_on(),
                clear=changes.clear,
                confirm=confirm,
                actor=workspace.user,
                catalog=web_catalog(),
            )
        except InvalidAnswers as invalid:
            for problem in invalid.problems:
                _attach_problem(form, problem.practice_id, problem.message)
            return _dimension_page(workspace, instrument, found, form, status=INVALID_STATUS)
        except AnswerConflict as conflict:
            # Saving again keeps the user's answers; each conflict offers the stored one.
            form.show_revisions(
                form.based_on() | {item.practice_id: item.revision for item in conflict.stored}
            )
            form.form_errors.append(ANSWER_CONFLICT_MESSAGE)
            conflicts = view_data.conflict_views(instrument, conflict.stored, submitted)
            page = _dimension_page(workspace, instrument, found, form, conflicts=conflicts)
            return page[0], 409
    flash(f"{found.title}: your answers are saved.", "success")
    return redirect(_after_saving(instrument, found))


def _keeping_stored(form: DimensionForm, stored: dict[str, Answer]) -> dict[str, Answer | None]:
    """The answers the page sent, with the stored answer where a conflict's "keep the
    stored answer" was chosen."""
    submitted = form.submitted_answers()
    for practice_id in form.practice_ids:
        if request.form.get(resolve_field_name(practice_id)) == KEEP_STORED:
            submitted[practice_id] = stored.get(practice_id)
    return submitted


def _after_saving(instrument: Instrument, found: Dimension) -> str:
    """The same page after "Save draft"; the next dimension (or the overview) after "next"."""
    if request.form.get("action") != "next":
        return answering_url("dimension", dimension_id=found.id)
    following = view_data.neighbours(instrument, found.id).next
    if following is None:
        return answering_url("overview")
    return answering_url("dimension", dimension_id=following.id)


def _attach_problem(form: DimensionForm, practice_id: str, message: str) -> None:
    if practice_id in form.practice_ids:
        form.add_practice_error(practice_id, message[:1].upper() + message[1:] + ".")
    else:
        form.form_errors.append(f"{practice_id}: {message}.")


def _dimension_page(
    workspace: Workspace,
    instrument: Instrument,
    found: Dimension,
    form: DimensionForm,
    *,
    status: int = 200,
    conflicts: list[view_data.ConflictView] | None = None,
    sheet: AnswerSheet | None = None,
) -> tuple[str, int]:
    """The page of a dimension; the answer sheet is read as stored now if not given
    (after a refused save, answers may have changed meanwhile)."""
    assert workspace.assessment is not None
    if sheet is None:
        sheet = answer_sheet(db_session(), workspace.assessment.id)
    stored = sheet.answers
    if form.is_submitted():
        # Visibility follows what the user just sent, so a re-shown form stays consistent.
        shown = dict(stored)
        for practice_id, answer in form.submitted_answers().items():
            if answer is None:
                shown.pop(practice_id, None)
            else:
                shown[practice_id] = answer
    else:
        shown = stored
    profile = assessment_profile(workspace.assessment, instrument)
    page = render_template(
        "answering/dimension.html",
        ws=workspace,
        instrument=instrument,
        dimension=found,
        carried={p.id for p in found.practices if p.id in sheet.carried},
        form=form,
        conflicts={conflict.practice_id: conflict for conflict in conflicts or []},
        practices=view_data.practice_views(instrument, found, shown, profile),
        progress=view_data.answering_progress(instrument, stored, profile),
        neighbours=view_data.neighbours(instrument, found.id),
    )
    return page, status


@_route("/answers", methods=["POST"])
@reads_json
def autosave(agency_id: int | None, round_id: int | None) -> tuple[Response, int]:
    """Background save of changed practices (JSON); answers with the new revision and progress."""
    workspace = load_workspace(agency_id, round_id)
    # A contributor's saves are checked per question by the service.
    if not workspace.may_edit and workspace.user.role != Role.CONTRIBUTOR:
        return _json_error(403, "Your account can read this assessment but not change it.")
    assessment, instrument = workspace.require()
    if workspace.round is not None and not workspace.round.is_open:
        return _json_error(423, closed_message(workspace.round))
    try:
        parsed = parse_autosave(request.get_json(silent=True), instrument)
    except PayloadError as error:
        return _json_error(400, "The save request was not understood.", problems=error.problems)
    try:
        saved = save_answers(
            db_session(),
            assessment_id=assessment.id,
            answers=parsed.answers,
            based_on=parsed.based_on,
            clear=parsed.clear,
            actor=workspace.user,
            catalog=web_catalog(),
        )
    except InvalidAnswers as invalid:
        problems = [str(problem) for problem in invalid.problems]
        return _json_error(INVALID_STATUS, "Some answers were refused.", problems=problems)
    except AnswerConflict as conflict:
        mine: dict[str, Answer | None] = {pid: None for pid in parsed.clear}
        mine |= parsed.answers
        conflicts = view_data.conflict_views(instrument, conflict.stored, mine)
        return _json_error(
            409,
            ANSWER_CONFLICT_MESSAGE,
            conflicts=[item.as_json() for item in conflicts],
            revisions={item.practice_id: item.revision for item in conflict.stored},
        )
    except Locked as locked:
        return _json_error(423, str(locked))
    except Forbidden as refused:
        return _json_error(403, str(refused))
    sheet = answer_sheet(db_session(), saved.id)
    answers, revisions = sheet.answers, sheet.revisions
    profile = assessment_profile(saved, instrument)
    visible = [p.id for p in visible_practices(instrument, answers, profile)]
    body = {
        "ok": True,
        "revisions": {pid: revisions.get(pid, 0) for pid in parsed.based_on},
        "progress": view_data.progress_summary(
            view_data.answering_progress(instrument, answers, profile)
        ),
        "visible": visible,
    }
    return jsonify(body), 200


def _json_error(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    return jsonify(ok=False, message=message, **extra), status


@_route("/submit", methods=["GET", "POST"])
def submit(agency_id: int | None, round_id: int | None) -> Page:
    """Ask for confirmation, then score and lock the assessment."""
    workspace = load_workspace(agency_id, round_id)
    assessment, instrument = _started(workspace)
    if workspace.submitted and request.method == "GET":
        flash("This assessment is already submitted.", "info")
        return redirect(answering_url("results"))
    _require_editable(workspace)
    form = SubmitForm()
    if not form.is_submitted():
        form.revision.data = str(assessment.revision)
        return _submit_page(workspace, assessment, instrument, form)
    if not form.validate():
        status = 400 if form.malformed_request else INVALID_STATUS
        return _submit_page(workspace, assessment, instrument, form, status=status)
    try:
        submitted = submit_assessment(
            db_session(),
            assessment_id=assessment.id,
            revision=form.revision_value,
            actor=workspace.user,
            catalog=web_catalog(),
        )
    except Conflict:
        # The page now shows the answers as they are; submitting again submits those.
        db_session().refresh(assessment)
        form.revision.data = str(assessment.revision)
        form.form_errors.append(REVIEW_CHANGED_MESSAGE)
        return _submit_page(workspace, assessment, instrument, form, status=409)
    notifications.assessment_submitted(db_session(), site(), submitted)
    deliver_local()
    flash(f"The assessment is submitted and locked. {REOPEN_RULE}", "success")
    return redirect(answering_url("results"))


def _submit_page(
    workspace: Workspace,
    assessment: Assessment,
    instrument: Instrument,
    form: SubmitForm,
    *,
    status: int = 200,
) -> tuple[str, int]:
    answers = assessment_answers(assessment)
    carried = carried_practices(assessment)
    profile = assessment_profile(assessment, instrument)
    session = db_session()
    previous = previous_round_score(session, assessment, web_catalog())
    now = assessment_results(session, assessment, web_catalog()).score
    page = render_template(
        "answering/submit.html",
        ws=workspace,
        instrument=instrument,
        previous_round=previous[0] if previous else None,
        review=view_data.review_dimensions(
            instrument,
            answers,
            profile,
            carried,
            answer_authors(session, assessment.id),
            now,
            previous[1] if previous else None,
        ),
        unconfirmed=view_data.unconfirmed_items(instrument, answers, carried),
        profile_missing=view_data.missing_required(instrument, profile),
        form=form,
        progress=view_data.answering_progress(instrument, answers, profile),
        statuses=view_data.dimension_statuses(instrument, answers, profile),
    )
    return page, status


@_route("/results")
def results(agency_id: int | None, round_id: int | None) -> Page:
    """Overall index and level, radar chart, dimension and theme figures, and the roadmap."""
    workspace = load_workspace(agency_id, round_id)
    assessment, instrument = _started(workspace)
    try:
        results = assessment_results(db_session(), assessment, web_catalog())
    except ServiceError as error:
        flash(str(error), "error")
        return redirect(answering_url("overview"))
    score = results.score
    answers = assessment_answers(assessment)
    profile = results.profile
    roadmap = build_roadmap(instrument, answers, score, profile=profile)
    return render_template(
        "answering/results.html",
        ws=workspace,
        instrument=instrument,
        score=score,
        figures_note=results.status_note,
        headline=headline_view(instrument, score),
        baseline=baseline_view(instrument, score),
        progress=view_data.answering_progress(instrument, answers, profile),
        radar=(
            radar_chart(
                [(workspace.agency.name, view_data.radar_scores(score))],
                view_data.radar_axes(instrument),
                title="Score by dimension (0-100)",
            )
            if len(instrument.dimensions) >= MIN_RADAR_AXES
            else None
        ),
        dimensions=view_data.dimension_outcomes(instrument, score),
        themes=view_data.theme_outcomes(instrument, score),
        phases=roadmap_view(instrument, score, roadmap).phases,
    )


def _require_editable(workspace: Workspace) -> None:
    """403 for users who may not change answers; Locked (423) once submitted or closed."""
    if not workspace.may_edit:
        abort(403)
    if workspace.submitted:
        raise Locked(f"This assessment is submitted and locked. {REOPEN_RULE}")
    if not workspace.editable and workspace.round is not None:
        raise RoundClosed(closed_message(workspace.round))


def closed_message(round_: Round) -> str:
    """Why the round takes no answers now; whatever the request carried was not saved."""
    if round_.state == RoundState.SCHEDULED:
        why = f"has not opened yet (it opens on {round_.starts_on:%d %B %Y})"
    elif round_.decided_state == RoundState.CLOSED:
        why = "was closed by an administrator"
    elif round_.ends_on is not None:
        why = f"is closed (its last day was {round_.ends_on:%d %B %Y})"
    else:
        why = "is closed"
    return (
        f"Round {round_.name} {why}, so nothing on this page was saved; the answers "
        "stored before stay as they were."
    )

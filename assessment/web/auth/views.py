"""Sign in, sign out, the start page, invitation acceptance and password resets."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from assessment.services import accounts, notifications
from assessment.services.errors import InvalidInput, InvalidToken
from assessment.services.login_sessions import end_login_sessions
from assessment.store.models import TokenKind
from assessment.web.auth.access import (
    current_user,
    end_login_session,
    login_required,
    public,
    safe_next_url,
    start_login_session,
)
from assessment.web.auth.forms import ChoosePasswordForm, ForgotPasswordForm, LoginForm
from assessment.web.database import db_session
from assessment.web.errors import ERROR_PAGES, ErrorPage, error_response
from assessment.web.form_errors import attach_service_errors
from assessment.web.mail import deliver_local, site
from assessment.web.navigation import navigation_for
from assessment.web.security import (
    RESET_ANSWER_SECONDS,
    limit_login_per_account,
    limit_login_per_address,
    limit_reset_per_account,
    limit_reset_per_address,
    steady_timing,
)

bp = Blueprint("auth", __name__, template_folder="templates")

WRONG_CREDENTIALS = "The email address or password is not correct."


@bp.route("/")
@login_required
def home() -> Response | str:
    """The start page: the first area the user's role works in."""
    links = navigation_for(current_user())
    if links:
        return redirect(links[0].url)
    return render_template("auth/home.html")


@bp.route("/login", methods=["GET", "POST"])
@public
@limit_login_per_address
@limit_login_per_account
def login() -> Response | str | tuple[str, int]:
    """Email and password sign-in; a new session starts on success."""
    next_url = safe_next_url(request.values.get("next"))
    if current_user() is not None and request.method == "GET":
        return redirect(next_url or url_for("auth.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/login.html", form=form, next_url=next_url), status
    user = accounts.authenticate(db_session(), form.email.data or "", form.password.data or "")
    if user is None:
        form.form_errors.append(WRONG_CREDENTIALS)
        return render_template("auth/login.html", form=form, next_url=next_url), 401
    start_login_session(user)
    return redirect(next_url or url_for("auth.home"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """End the session here and every copy of its cookie elsewhere."""
    user = current_user()
    if user is not None:
        end_login_sessions(db_session(), user_id=user.id)
    end_login_session()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> Response | tuple[str, int]:
    """A new agency lead follows their invitation link and chooses a password."""

    def accept(password: str) -> Response:
        start_login_session(accounts.accept_invitation(db_session(), token, password))
        flash("Welcome. Your account is ready.", "success")
        return redirect(url_for("auth.home"))

    return _choose_password(
        token,
        TokenKind.INVITATION,
        heading="Accept your invitation",
        intro="Choose a password for {email}.",
        use=accept,
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limit_reset_per_address
@limit_reset_per_account
def forgot_password() -> tuple[str, int]:
    """Ask for a password-reset link by e-mail; the answer never tells whether an account exists."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/forgot_password.html", form=form), status
    email = form.email.data or ""
    with steady_timing(RESET_ANSWER_SECONDS):
        notifications.password_reset_requested(db_session(), site(), email)
        deliver_local()
    minutes = int(accounts.SELF_SERVICE_RESET_VALIDITY.total_seconds() // 60)
    return render_template("auth/reset_requested.html", email=email, minutes=minutes), 200


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> Response | tuple[str, int]:
    """A user follows a password-reset link and chooses a new password."""

    def reset(password: str) -> Response:
        accounts.reset_password(db_session(), token, password)
        # The service raised the user's session version: every old session has ended.
        end_login_session()
        flash("Your password has been changed. Sign in with the new password.", "success")
        return redirect(url_for("auth.login"))

    return _choose_password(
        token,
        TokenKind.PASSWORD_RESET,
        heading="Choose a new password",
        intro="Choose a new password for {email}.",
        use=reset,
    )


def _choose_password(
    token: str, kind: TokenKind, *, heading: str, intro: str, use: Callable[[str], Response]
) -> Response | tuple[str, int]:
    """The choose-a-password page of a single-use link; `use` spends the link on a valid form."""
    try:
        link = accounts.usable_link(db_session(), token, kind)
    except InvalidToken as refused:
        return _link_refused(refused)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            return use(form.password.data or "")
        except InvalidToken as refused:
            return _link_refused(refused)
        except InvalidInput as invalid:
            attach_service_errors(form, invalid)
    page = render_template(
        "auth/choose_password.html",
        form=form,
        heading=heading,
        intro=intro.format(email=link.email),
        action=url_for(str(request.endpoint), token=token),
    )
    return page, 400 if form.errors else 200


def _link_refused(refused: InvalidToken) -> Response:
    base = ERROR_PAGES[410]
    return error_response(410, ErrorPage(base.title, refused.message))

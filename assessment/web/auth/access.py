"""Who is signed in, and the decorators every view carries to say who may call it.

Each decorator marks the view with an ``access_rule`` attribute; a test walks the URL
map and fails for any endpoint without one, so no route is left open by accident.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from assessment.queries.accounts import find_user
from assessment.store.models import Role, User
from assessment.web.database import db_session
from assessment.web.errors import wants_json

P = ParamSpec("P")
R = TypeVar("R")

ACCESS_RULE = "access_rule"
PUBLIC = "public"
SIGNED_IN = "signed-in"
SESSION_MAX_AGE_SECONDS = 12 * 60 * 60


def mark_access(rule: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Record how a view is protected (for views guarded by other means, e.g. API tokens)."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        setattr(view, ACCESS_RULE, rule)
        return view

    return decorate


def access_rule(view: Callable[..., Any]) -> str | None:
    """The access rule a view was marked with, or None when it has none."""
    rule = getattr(view, ACCESS_RULE, None)
    return rule if isinstance(rule, str) else None


def public(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view as deliberately open to anonymous visitors."""
    return mark_access(PUBLIC)(view)


def current_user() -> User | None:
    """The signed-in user of this request, or None (checked once per request)."""
    if "current_user" not in g:
        g.current_user = _session_user()
    user: User | None = g.current_user
    return user


def signed_in_user() -> User:
    """The signed-in user, for views behind `login_required` (401 if there is none)."""
    user = current_user()
    if user is None:
        abort(401)
    return user


def start_login_session(user: User) -> None:
    """Begin a fresh session for `user`: nothing from before the login survives."""
    session.clear()
    session["user_id"] = user.id
    session["session_version"] = user.session_version
    session["sid"] = secrets.token_urlsafe(16)
    session["login_at"] = int(time.time())
    g.current_user = user


def end_login_session() -> None:
    """Forget the signed-in user in this browser."""
    session.clear()
    g.current_user = None


def login_required(view: Callable[P, R]) -> Callable[P, R | Response]:
    """Let only signed-in users call the view; send others to the login page."""

    @wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        if current_user() is None:
            return _ask_to_sign_in()
        return view(*args, **kwargs)

    return mark_access(SIGNED_IN)(guarded)


def roles_required(*roles: Role | str) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Let only signed-in users with one of `roles` call the view (others get 403)."""
    allowed = frozenset(Role(role) for role in roles)
    if not allowed:
        raise ValueError("roles_required needs at least one role")

    def decorate(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            user = current_user()
            if user is None:
                return _ask_to_sign_in()
            if user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        rule = "roles: " + ", ".join(sorted(role.value for role in allowed))
        return mark_access(rule)(guarded)

    return decorate


def safe_next_url(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


SIGNED_OUT_WHILE_SENDING = (
    "Your session had ended, so what you just sent was not saved. Sign in again: with "
    "scripts enabled, a questionnaire page then offers back the answers this browser kept; "
    "enter anything else once more."
)


def _ask_to_sign_in() -> Response:
    if wants_json():
        abort(401)
    if request.method not in ("GET", "HEAD"):
        # Say so plainly: the login page must not look as if the change went through.
        flash(SIGNED_OUT_WHILE_SENDING, "error")
    next_path = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=next_path))


def _session_user() -> User | None:
    user_id = session.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = find_user(db_session(), user_id)
    login_at = session.get("login_at")
    if (
        user is None
        or not user.active
        or session.get("session_version") != user.session_version
        or not isinstance(login_at, int)
        or time.time() - login_at > SESSION_MAX_AGE_SECONDS
    ):
        session.clear()
        return None
    return user

"""Who calls the API: a bearer token (Authorization: Bearer <token>) or the browser session.

Every API route is read-only (GET). Bearer requests carry no cookie, so cross-site
request forgery does not apply to them; session requests are limited to GET, which
changes nothing. Errors are JSON: {"error": {"status": ..., "message": ...}}.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Response, g, request

from assessment.services.accounts import user_for_api_token
from assessment.store.models import User
from assessment.web.auth.access import current_user, mark_access
from assessment.web.database import db_session
from assessment.web.errors import json_error

P = ParamSpec("P")
R = TypeVar("R")

API_ACCESS_RULE = "api: bearer token or signed-in session, read-only"


class ApiError(Exception):
    """A refused API request with its HTTP status and a message for the caller."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def api_error_response(status: int, message: str) -> Response:
    """The documented JSON error (status and message); 401 also names the expected scheme."""
    response = json_error(status, message)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def api_user() -> User:
    """The caller: from a bearer token when one is sent, else the signed-in session."""
    if "api_user" in g:
        user: User = g.api_user
        return user
    header = request.headers.get("Authorization", "").strip()
    found = _token_user(header) if header else current_user()
    if found is None:
        raise ApiError(401, "sign in, or send Authorization: Bearer <token>")
    g.api_user = found
    return found


def _token_user(header: str) -> User:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "malformed Authorization header; use: Authorization: Bearer <token>")
    user = user_for_api_token(db_session(), token.strip())
    if user is None:
        raise ApiError(401, "unknown or revoked API token")
    return user


def api_view(view: Callable[P, R]) -> Callable[P, R]:
    """Require a caller (token or session) before the view runs; mark the access rule."""

    @wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        api_user()
        return view(*args, **kwargs)

    return mark_access(API_ACCESS_RULE)(guarded)

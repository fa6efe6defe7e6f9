"""Friendly error pages (or JSON for API and script requests), and service errors to status codes.

The one place where a `ServiceError` becomes an HTTP status:
InvalidToken 410, NotFound 404, Forbidden 403, Conflict 409, Locked (and RoundClosed) 423,
InvalidInput / InvalidAnswers 400. Views that can re-render a form with the messages
catch InvalidInput themselves; whatever is not caught lands here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Flask, g, jsonify, render_template, request
from flask import Response as JsonResponse
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from assessment.services.errors import (
    Conflict,
    Forbidden,
    InvalidAnswers,
    InvalidInput,
    InvalidToken,
    Locked,
    NotFound,
    ServiceError,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorPage:
    """What an error page says."""

    title: str
    message: str


ERROR_PAGES = {
    400: ErrorPage("Request not understood", "The request was incomplete or malformed."),
    401: ErrorPage(
        "Please sign in",
        "Your session has ended, so nothing sent with this request was saved. Sign in "
        "again to continue.",
    ),
    403: ErrorPage("Not allowed", "Your account does not give access to this page."),
    404: ErrorPage("Page not found", "There is nothing at this address, or it is not yours."),
    405: ErrorPage("Not possible here", "This address does not accept that kind of request."),
    409: ErrorPage("Changed meanwhile", "Someone changed this in the meantime. Reload and retry."),
    410: ErrorPage("Link no longer valid", "This link has expired or has already been used."),
    413: ErrorPage("Too large", "What you sent is larger than this site accepts (1 MB)."),
    423: ErrorPage("Locked", "This assessment has been submitted and can no longer change."),
    429: ErrorPage(
        "Too many attempts", "There were too many attempts. Wait a minute, then try again."
    ),
    500: ErrorPage("Something went wrong", "The error has been logged. Please try again later."),
}
CSRF_PAGE = ErrorPage(
    "Your form expired",
    "For your security the form timed out, or you were signed out meanwhile, so nothing "
    "it carried was saved. Go back: your browser may still show what you entered (a "
    "questionnaire page also keeps unsaved answers in this browser and offers them back). "
    "Copy any other text you typed, reload the page (signing in again if asked) and submit "
    "again.",
)
SERVICE_STATUS: tuple[tuple[type[ServiceError], int], ...] = (
    (InvalidToken, 410),
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (Locked, 423),
    (InvalidInput, 400),
    (InvalidAnswers, 400),
)


def register_error_handlers(app: Flask) -> None:
    """Install the error pages and the service-error mapping on `app`."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(InternalServerError, _internal_error)
    app.register_error_handler(HTTPException, _http_error)


def status_for(error: ServiceError) -> int:
    """The HTTP status a service error is shown with."""
    return next((status for kind, status in SERVICE_STATUS if isinstance(error, kind)), 400)


def json_error(
    status: int, message: str, *, title: str | None = None, details: Sequence[str] = ()
) -> JsonResponse:
    """The one JSON error body, {"error": {"status": ..., "message": ...}}, sent with `status`.

    Pages add the page title as "error" and the problems as "details"; the API sends the
    documented two fields only.
    """
    body: dict[str, object] = {"status": status, "message": message}
    if title is not None:
        body["error"] = title
    if details:
        body["details"] = list(details)
    response = jsonify(error=body)
    response.status_code = status
    return response


def error_response(status: int, page: ErrorPage, *, details: list[str] | None = None) -> Response:
    """An error page with `status`, or a JSON body for API and script requests."""
    if wants_json():
        return json_error(status, page.message, title=page.title, details=details or ())
    html = render_template("errors/error.html", status=status, page=page, details=details)
    return Response(html, status=status, mimetype="text/html")


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    page = ERROR_PAGES.get(status) or ErrorPage(error.name, error.description or "")
    response = error_response(status, page)
    for name in ("Retry-After", "Allow"):
        value = error.get_response().headers.get(name)
        if value:
            response.headers[name] = value
    return response


def _csrf_error(_error: CSRFError) -> Response:
    return error_response(400, CSRF_PAGE)


def _service_error(error: ServiceError) -> Response:
    status = status_for(error)
    base = ERROR_PAGES[status]
    details = _details(error)
    return error_response(
        status, ErrorPage(base.title, str(error) or base.message), details=details
    )


def _internal_error(error: InternalServerError) -> Response:
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=error)
    _rollback()
    return error_response(500, ERROR_PAGES[500])


def _details(error: ServiceError) -> list[str]:
    if isinstance(error, InvalidInput):
        return [f"{field}: {message}" for field, message in error.errors.items()]
    if isinstance(error, InvalidAnswers):
        return [str(problem) for problem in error.problems]
    return []


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def wants_json() -> bool:
    """True for API and script requests, which get JSON instead of HTML pages."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"

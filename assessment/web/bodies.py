"""The request bodies this site takes: web forms, JSON only where a view reads it, no files.

Flask-WTF reads uploaded files and JSON bodies as form data too, so a text field could
receive a file, a number or a list and fail inside a validator. No page takes uploads and
only views marked `reads_json` take JSON; everything else is refused with 415 up front.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

V = TypeVar("V", bound=Callable[..., object])

READS_JSON = "reads_json"
WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def reads_json(view: V) -> V:
    """Mark a view that takes a JSON body (put it below the route and access decorators)."""
    setattr(view, READS_JSON, True)
    return view


def install_body_check(app: Flask) -> None:
    """Check every request body before its view runs (after the CSRF check)."""
    app.before_request(check_request_body)


def check_request_body() -> None:
    """Refuse uploads, and JSON for views that do not read it; parse JSON once, safely."""
    if request.method not in WITH_BODY or request.routing_exception is not None:
        return
    if request.files:
        raise UnsupportedMediaType("This site takes no file uploads.")
    if not request.is_json:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, READS_JSON, False):
        raise UnsupportedMediaType("This address takes a web form, not JSON.")
    try:
        # Parsed and cached here, so the view's own get_json() sees the same result.
        request.get_json(silent=True)
    except RecursionError:
        raise BadRequest("The JSON body is nested too deeply.") from None

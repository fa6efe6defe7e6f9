"""What a request may carry, checked before any view or form reads it.

Bodies: web forms everywhere, JSON only for views marked `reads_json`, never files.
Flask-WTF reads uploaded files and JSON bodies as form data too, so a text field could
receive a file, a number or a list and fail inside a validator; such requests get 415.

Texts: no NUL character and no unpaired surrogate anywhere (address, query string,
form, JSON). No field means one; PostgreSQL refuses to compare or store NUL, and neither
database driver can encode a lone surrogate (JSON can write one as "\\ud800"). Both are
refused up front with 400 naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TypeVar

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from assessment.services.errors import InvalidInput

V = TypeVar("V", bound=Callable[..., object])

READS_JSON = "reads_json"
WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = (
    "contains a NUL character (\\0) or an unpaired surrogate, which no text here may contain"
)


def reads_json(view: V) -> V:
    """Mark a view that takes a JSON body (put it below the route and access decorators)."""
    setattr(view, READS_JSON, True)
    return view


def install_request_checks(app: Flask) -> None:
    """Check every request before its view runs (after the CSRF check)."""
    app.before_request(check_request)


def check_request() -> None:
    """Refuse bodies no view takes and texts that cannot be stored."""
    if request.routing_exception is not None:
        return  # no view will run: the 404 or 405 follows
    if request.method in WITH_BODY:
        _check_body()
    names = [name for name, text in _texts() if UNSTORABLE.search(text)]
    if names:
        shown = (UNSTORABLE.sub("?", name)[:60] for name in names)
        raise InvalidInput(dict.fromkeys(shown, UNSTORABLE_MESSAGE))


def _check_body() -> None:
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


def _texts() -> Iterator[tuple[str, str]]:
    """(where, text) of every text the request carries."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield name, value
    for name, value in request.args.items(multi=True):
        yield name, name + value
    if request.method not in WITH_BODY:
        return
    for name, value in request.form.items(multi=True):
        yield name, name + value
    if request.is_json:
        yield from (("JSON body", text) for text in _json_texts(request.get_json(silent=True)))


def _json_texts(document: object) -> Iterator[str]:
    """Every string of a decoded JSON document, keys included (no recursion: depth is free)."""
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)

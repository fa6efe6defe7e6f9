"""Hostile inputs for the robustness walk: URL segments, query strings, form and JSON bodies.

Bodies are built per request from the client's CSRF token and the `FormShape` of the page
the route belongs to (read from its HTML), so a form can be sent with plausible values
in every field but the hostile ones. A body builder returns None where it does not apply.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

from werkzeug.datastructures import MultiDict

from assessment.web.security import MAX_CONTENT_LENGTH

LONG = "x" * 5000
HOSTILE_SEGMENTS = (
    "0",
    "-1",
    str(2**63),
    str(2**31),
    "abc",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "%ff%fe",
    LONG,
    "ünïcødé-✓-名前",
    "²",
    "1' OR '1'='1",
    "1;DROP TABLE agency--",
)
HOSTILE_VALUES = (
    "",
    "0",
    "-1",
    str(2**63),
    "abc",
    LONG,
    "../../etc/passwd",
    "\x00",
    "ünïcødé ✓ 名前",
    "²",
    "nul\x00@example.org",
    "' OR '1'='1' --",
    "<script>alert(1)</script>",
    "1e309",
    "NaN",
    "9999-99-99",
)
QUERY_NAMES = (
    "round",
    "country",
    "type",
    "size",
    "sort",
    "order",
    "agency",
    "agency_id",
    "next",
    "agency_type",
    "size_band",
)
RAW_QUERIES = (
    "round=%ff%fe&country=%C0%AF&next=%00",
    "round=1&round=2&agency=-1&agency=abc&agency=2&sort=__class__&order=sideways",
    "next=//evil.example/&next=/%2F%2Fevil.example",
    "next=https://evil.example/x",
    "next=/\\evil.example",
    "%00=%00&&&=&round",
)
GENERIC_FIELDS = (
    "name",
    "country",
    "agency_type",
    "size_band",
    "email",
    "agency_id",
    "password",
    "confirm",
    "reason",
    "revision",
    "action",
    "instrument",
    "starts_on",
    "ends_on",
    "next",
)
JSON_BODIES: tuple[str | bytes, ...] = (
    "",
    "{",
    '{"revision": 0,',
    "null",
    "[]",
    '"text"',
    "1e999",
    "NaN",
    '{"revision": 0, "revision": 1, "answers": {}}',
    '{"revision": "0", "answers": []}',
    '{"revision": 123456789012345678901234567890, "answers": {"x": 1}}',
    '{"revision": -1, "answers": {"policy.written-policy": {"choice": ["not"], "comment": {}}}}',
    '{"revision": 0, "answers": {"policy.written-policy": {"choice": "x", "comment": "%s"}}}'
    % ("y" * 20000),
    '{"revision": 0, "answers": {"policy.written-policy": {"choice": "n/a"}}, "x": 1}',
    '{"revision": 0, "answers": {"../../etc/passwd": null, "\\u0000": {}}}',
    '{"revision": 0, "answers": {"\\ud800": {"comment": "\\udfff"}}}',
    '{"revision": true, "answers": {"policy.written-policy": {"choice": "fully"}}}',
    b'{"revision": 0, "answers": {"policy.written-policy": {"comment": "\xff\xfe"}}}',
    "[" * 50_000 + "]" * 50_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000,
)
TEXT_INPUTS = frozenset({"text", "email", "password", "date", "search", "url", "tel", "number"})
CHOICE_INPUTS = frozenset({"radio", "checkbox", "submit"})


def plausible_text(name: str) -> str:
    """A value a person might type into the field called `name`."""
    for part, value in (
        ("email", "new.person@example.org"),
        ("password", "correct horse battery staple"),
        ("confirm", "correct horse battery staple"),
        ("country", "NL"),
        ("starts_on", "2026-01-01"),
        ("ends_on", "2026-12-31"),
        ("name", "Walk 2026"),
    ):
        if part in name:
            return value
    return "Plausible text"


@dataclass(frozen=True)
class FormShape:
    """The fields of the form a page posts back to its own address."""

    texts: tuple[str, ...] = ()  # typed by a person: text inputs and textareas
    fixed: Mapping[str, str] = field(default_factory=dict)  # hidden, and the first choice

    def names(self) -> tuple[str, ...]:
        """Every field name of the form, and the names other forms of the site use."""
        return tuple(sorted(({*self.texts, *self.fixed} | set(GENERIC_FIELDS)) - {"csrf_token"}))

    def plausible(self) -> dict[str, str]:
        """A filled-in form as a person would send it."""
        filled = {name: value for name, value in self.fixed.items() if name != "csrf_token"}
        return filled | {name: plausible_text(name) for name in self.texts}


class _FormReader(HTMLParser):
    """Collects the POST forms of a page: action, free-text fields, fixed values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[str], dict[str, str]]] = []
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            if values.get("method", "get").lower() == "post":
                self.forms.append((values.get("action", ""), [], {}))
            return
        if not self.forms or not (name := values.get("name")):
            if tag == "option" and self.forms and self.select:
                self._choose(self.select, values.get("value", ""), "selected" in values)
            return
        texts, fixed = self.forms[-1][1], self.forms[-1][2]
        kind = values.get("type", "submit" if tag == "button" else "text").lower()
        if tag == "textarea" or (tag == "input" and kind in TEXT_INPUTS):
            texts.append(name)
        elif tag == "input" and kind == "hidden":
            fixed[name] = values.get("value", "")
        elif tag in ("input", "button") and kind in CHOICE_INPUTS:
            self._choose(name, values.get("value", "on"), "checked" in values)
        elif tag == "select":
            self.select = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None

    def _choose(self, name: str, value: str, chosen: bool) -> None:
        fixed = self.forms[-1][2]
        if chosen or (value and not fixed.get(name)):
            fixed[name] = value


def form_shape(html: str, url: str) -> FormShape:
    """The shape of the page's largest POST form whose action is the page's own address."""
    reader = _FormReader()
    reader.feed(html)
    path = urlsplit(url).path
    own = [
        (texts, fixed)
        for action, texts, fixed in reader.forms
        if not action or urlsplit(action).path == path
    ]
    if not own:
        return FormShape()
    texts, fixed = max(own, key=lambda form: len(form[0]) + len(form[1]))
    return FormShape(tuple(texts), fixed)


Body = Callable[[str, FormShape], dict[str, Any] | None]
"""Request keyword arguments from the CSRF token and the form's shape (None: not here)."""


def only_token(token: str, _shape: FormShape) -> dict[str, Any]:
    """A form with nothing but the CSRF token."""
    return {"data": {"csrf_token": token}}


def accept_json(_token: str, _shape: FormShape) -> dict[str, Any]:
    """No body; the client asks for JSON instead of a page."""
    return {"headers": {"Accept": "application/json"}}


HOSTILE_HEADERS: tuple[dict[str, str], ...] = (
    {"Authorization": "Bearer " + LONG},
    {"Authorization": "Bearer"},
    {"Authorization": "Basic YWRtaW46YWRtaW4="},
    {"Authorization": "Bearer ' OR '1'='1"},
    {"Accept": "application/json;q=0.9, text/html;q=0.1, */*;q=abc"},
    {"Accept-Language": "x" * 2000, "Accept-Encoding": "gzip;q=-1"},
    {"Content-Type": "application/json", "X-Forwarded-For": "1.2.3.4, ../, \u0000"},
)
"""Request headers for read requests (no body); the API takes bearer tokens."""


def with_headers(headers: Mapping[str, str]) -> Body:
    """No body; the given request headers."""

    def body(_token: str, _shape: FormShape) -> dict[str, Any]:
        return {"headers": dict(headers)}

    return body


def _plausible(token: str, shape: FormShape) -> dict[str, Any] | None:
    if not shape.texts and not shape.fixed:
        return None
    return {"data": {**shape.plausible(), "csrf_token": token}}


def _everywhere(value: str) -> Body:
    def body(token: str, shape: FormShape) -> dict[str, Any]:
        return {"data": {**dict.fromkeys(shape.names(), value), "csrf_token": token}}

    return body


def _in_texts(value: str) -> Body:
    def body(token: str, shape: FormShape) -> dict[str, Any] | None:
        if not shape.texts:
            return None
        hostile = dict.fromkeys(shape.texts, value)
        return {"data": {**shape.plausible(), **hostile, "csrf_token": token}}

    return body


def _in_choices(value: str) -> Body:
    def body(token: str, shape: FormShape) -> dict[str, Any] | None:
        chosen = [name for name in shape.fixed if name != "csrf_token"]
        if not chosen:
            return None
        hostile = dict.fromkeys(chosen, value)
        return {"data": {**shape.plausible(), **hostile, "csrf_token": token}}

    return body


def _arrays(token: str, shape: FormShape) -> dict[str, Any]:
    pairs = [(name, value) for name in shape.names() for value in ("1", "abc", "")]
    return {"data": MultiDict([*pairs, ("csrf_token", token)])}


def _files(token: str, shape: FormShape) -> dict[str, Any]:
    files = {name: (io.BytesIO(b"\x00\xff" * 100), "evil.bin") for name in shape.names()}
    return {"data": {**files, "csrf_token": token}, "content_type": "multipart/form-data"}


def _invalid_utf8(token: str, shape: FormShape) -> dict[str, Any]:
    fields = b"&".join(name.encode() + b"=%ff%fe\xff\xfe" for name in shape.names())
    return {
        "data": b"csrf_token=" + token.encode() + b"&" + fields,
        "content_type": "application/x-www-form-urlencoded",
    }


def _oversized(token: str, _shape: FormShape) -> dict[str, Any]:
    return {"data": {"csrf_token": token, "name": "x" * (MAX_CONTENT_LENGTH + 10)}}


def _json(raw: str | bytes) -> Body:
    def body(token: str, _shape: FormShape) -> dict[str, Any]:
        return {"data": raw, "content_type": "application/json", "headers": {"X-CSRFToken": token}}

    return body


def _shown(value: str | bytes) -> str:
    return repr(value[:24])


BODIES: tuple[tuple[str, Body], ...] = (
    ("missing fields", only_token),
    ("plausible form", _plausible),
    *((f"every field {_shown(value)}", _everywhere(value)) for value in HOSTILE_VALUES),
    *((f"text fields {_shown(value)}", _in_texts(value)) for value in HOSTILE_VALUES),
    *((f"choices {_shown(value)}", _in_choices(value)) for value in HOSTILE_VALUES),
    ("arrays for fields", _arrays),
    ("files for fields", _files),
    ("invalid UTF-8", _invalid_utf8),
    ("over the size limit", _oversized),
    *((f"json {_shown(raw)}", _json(raw)) for raw in JSON_BODIES),
)
"""Every hostile body, with a label for messages."""


def hostile_queries(round_id: int) -> list[str]:
    """Query strings: each hostile value in every known parameter, also next to a real round."""
    queries = [urlencode(dict.fromkeys(QUERY_NAMES, value)) for value in HOSTILE_VALUES]
    queries += [
        urlencode({**dict.fromkeys(QUERY_NAMES, value), "round": str(round_id)})
        for value in ("abc", LONG, "\x00", "' OR '1'='1' --")
    ]
    return queries + list(RAW_QUERIES)

"""URL converters: `<int:...>` in every route matches only numbers a row id can be."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from assessment.store.ids import MAX_ID


class IdConverter(IntegerConverter):
    """A non-negative whole number up to MAX_ID; larger numbers match no route (404)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def install_converters(app: Flask) -> None:
    """Make `<int:...>` the id converter; call before any route is added."""
    app.url_map.converters["int"] = IdConverter

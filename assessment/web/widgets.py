"""WTForms widgets that write the same HTML as WTForms' own, at a fraction of the cost.

WTForms formats every attribute through `Markup.format`, which escapes each piece in
Python; on the questionnaire page (dozens of radio buttons and a comment box per
practice) that was a third of the request. These widgets build the attributes with one
`escape` per value and keep WTForms' output byte for byte (tests/unit/test_widgets.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from markupsafe import Markup, escape
from wtforms import Field, widgets


@cache
def _attribute_name(key: str) -> str:
    # As WTForms' clean_key: `class_` -> `class`, `data_x_y` -> `data-x-y`, `aria_x` -> `aria-x`.
    key = key.rstrip("_")
    if key.startswith(("data_", "aria_")):
        key = key.replace("_", "-")
    return key


def html_attributes(**attributes: Any) -> Markup:
    """HTML attributes sorted by name; True writes the bare name, False leaves it out."""
    parts = []
    for key, value in sorted(attributes.items()):
        if value is False:
            continue
        name = escape(_attribute_name(key))
        parts.append(name if value is True else f'{name}="{escape(value)}"')
    return Markup(" ".join(parts))


class RadioInput(widgets.RadioInput):
    """One radio button of a RadioField (WTForms' RadioInput, faster attributes).

    WTForms looks for validation flags with `dir(field.flags)` on every button; asking
    for the two flags a radio button can carry gives the same attributes for less.
    """

    html_params = staticmethod(html_attributes)

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        if getattr(field, "checked", False):
            kwargs.setdefault("checked", True)
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("type", self.input_type)
        if "value" not in kwargs:
            kwargs["value"] = field._value()
        flags = field.flags
        for name in self.validation_attrs:
            value = getattr(flags, name, None)
            if name not in kwargs and value is not None:
                kwargs[name] = value() if callable(value) else value
        return Markup(f"<input {html_attributes(name=field.name, **kwargs)}>")


class HiddenInput(widgets.HiddenInput):
    """A hidden input (WTForms' HiddenInput, faster attributes)."""

    html_params = staticmethod(html_attributes)


class TextArea(widgets.TextArea):
    """A textarea (WTForms' TextArea, faster attributes)."""

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        flags = field.flags
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, None) is not None:
                kwargs[name] = getattr(flags, name)
        params = html_attributes(name=field.name, **kwargs)
        return Markup(f"<textarea {params}>\r\n{escape(field._value())}</textarea>")

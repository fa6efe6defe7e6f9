"""Service validation errors shown on the form that caused them."""

from __future__ import annotations

from flask_wtf import FlaskForm

from assessment.services.errors import InvalidInput


def attach_service_errors(form: FlaskForm, invalid: InvalidInput) -> None:
    """Put each field's message next to that field; messages for unknown fields go on top."""
    for name, message in invalid.errors.items():
        field = form._fields.get(name)
        text = _sentence(message)
        if field is not None:
            field.errors = [*field.errors, text]
        else:
            form.form_errors.append(text)


def _sentence(message: str) -> str:
    text = message.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."

"""Forms for signing in and for choosing a password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def strip_spaces(value: str | None) -> str | None:
    """Drop the spaces people paste around an address or a name."""
    return value.strip() if isinstance(value, str) else value


def email_field(label: str, *, missing: str, description: str = "") -> EmailField:
    """An email address field: spaces around it dropped, required (`missing` says so), at
    most 254 characters and shaped like name@example.org."""
    return EmailField(
        label,
        description=description,
        filters=[strip_spaces],
        validators=[
            DataRequired(missing),
            Length(max=254, message="An email address has at most 254 characters."),
            Regexp(EMAIL_PATTERN, message="Enter an email address like name@example.org."),
        ],
    )


class LoginForm(FlaskForm):
    """Email and password."""

    email = email_field("Email address", missing="Enter your email address.")
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password."),
            Length(max=MAX_PASSWORD_LENGTH, message="That password is too long."),
        ],
    )


class ForgotPasswordForm(FlaskForm):
    """The address to send a password-reset link to."""

    email = email_field(
        "Email address",
        missing="Enter your email address.",
        description="The address you sign in with.",
    )


class ChoosePasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(
        "New password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well.",
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use between {MIN_PASSWORD_LENGTH} and {MAX_PASSWORD_LENGTH} characters.",
            ),
        ],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired("Type the password a second time."),
            EqualTo("password", message="The two passwords are not the same."),
        ],
    )


class SignOutForm(FlaskForm):
    """An empty form: signing out is a POST that carries the CSRF token."""

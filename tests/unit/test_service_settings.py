"""Settings of the contact, privacy and help pages: defaults and clear refusals."""

from __future__ import annotations

import pytest

from assessment.config import (
    DEFAULT_ORGANISATION,
    DEFAULT_RETENTION_YEARS,
    ConfigError,
    contact_email,
    retention_years,
    web_settings,
)


def test_defaults() -> None:
    settings = web_settings({})
    assert settings["ORGANISATION_NAME"] == DEFAULT_ORGANISATION
    assert settings["CONTACT_EMAIL"] == ""
    assert settings["RETENTION_YEARS"] == DEFAULT_RETENTION_YEARS


def test_values_from_the_environment() -> None:
    settings = web_settings(
        {
            "REPORT_ORGANISATION": " Police Digital Service ",
            "CONTACT_EMAIL": " help@example.org ",
            "RETENTION_YEARS": "7",
        }
    )
    assert settings["ORGANISATION_NAME"] == "Police Digital Service"
    assert settings["CONTACT_EMAIL"] == "help@example.org"
    assert settings["RETENTION_YEARS"] == 7


@pytest.mark.parametrize(
    "raw", ["help", "help@localhost", "@example.org", "a@b.org, c@d.org", "Help <h@x.org>"]
)
def test_a_contact_address_that_is_not_one_address_is_refused(raw: str) -> None:
    with pytest.raises(ConfigError, match="CONTACT_EMAIL must be one e-mail address"):
        contact_email(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("five", "RETENTION_YEARS must be a whole number of years, not 'five'"),
        ("2.5", "RETENTION_YEARS must be a whole number"),
        ("0", "RETENTION_YEARS must be from 1 to 100 years, not 0"),
        ("101", "RETENTION_YEARS must be from 1 to 100 years, not 101"),
    ],
)
def test_a_retention_period_out_of_range_is_refused(raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        retention_years(raw)

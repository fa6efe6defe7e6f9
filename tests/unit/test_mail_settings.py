"""Mail settings: defaults without a server, ports by TLS mode, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.config import ConfigError, mail_settings, web_settings


def test_without_a_host_messages_go_to_the_instance_mail_folder(tmp_path: Path) -> None:
    settings = mail_settings({"ASSESSMENT_INSTANCE": str(tmp_path)})
    assert not settings.uses_server
    assert settings.folder == tmp_path.resolve() / "mail"
    assert settings.site_url == ""  # the web app then uses the request's address
    assert web_settings({"ASSESSMENT_INSTANCE": str(tmp_path)})["MAIL"] == settings


@pytest.mark.parametrize(("tls", "port"), [("starttls", 587), ("tls", 465), ("none", 25)])
def test_the_default_port_follows_the_tls_mode(tls: str, port: int) -> None:
    settings = mail_settings({"SMTP_HOST": "smtp.example.org", "SMTP_TLS": tls})
    assert settings.uses_server and settings.port == port and settings.tls == tls


def test_values_from_the_environment() -> None:
    settings = mail_settings(
        {
            "SMTP_HOST": " smtp.example.org ",
            "SMTP_PORT": "2525",
            "SMTP_USER": "mailer",
            "SMTP_PASSWORD": "secret words",
            "MAIL_FROM": "maturity@example.org",
            "SITE_URL": "https://maturity.example.org/",
            "REPORT_ORGANISATION": "Police Digital Service",
        }
    )
    assert (settings.host, settings.port, settings.user) == ("smtp.example.org", 2525, "mailer")
    assert settings.password == "secret words" and "secret words" not in repr(settings)
    assert settings.site_url == "https://maturity.example.org"
    assert settings.product_name == "Police Digital Service"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SMTP_TLS": "ssl"}, "SMTP_TLS must be one of starttls, tls, none, not 'ssl'"),
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT must be a port number, not 'smtp'"),
        ({"SMTP_PORT": "70000"}, "SMTP_PORT must be from 1 to 65535, not 70000"),
        ({"MAIL_FROM": "maturity"}, "MAIL_FROM must be one e-mail address, not 'maturity'"),
        ({"SITE_URL": "maturity.example.org"}, "SITE_URL must start with http:// or https://"),
    ],
)
def test_bad_values_are_refused_by_name(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        mail_settings(environ)

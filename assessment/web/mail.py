"""E-mail from the web app: the site the links point to, and delivery of a local outbox.

With an SMTP server set, queued messages wait for `assessment mail send` (cron), so no
request waits on the mail server. Without one they are written to the mail folder at once.
"""

from __future__ import annotations

from flask import current_app, request

from assessment.config import MailSettings
from assessment.services.mail import FolderTransport, deliver_due
from assessment.services.notifications import Site
from assessment.web.database import db_session


def mail_settings() -> MailSettings:
    """The app's mail settings (``MAIL``, from `assessment.config.mail_settings`)."""
    settings: MailSettings = current_app.config["MAIL"]
    return settings


def site() -> Site:
    """The product name and the address links start with: SITE_URL, else this request's."""
    settings = mail_settings()
    return Site(settings.product_name, settings.site_url or request.url_root.rstrip("/"))


def deliver_local() -> None:
    """Write queued messages to the mail folder now when no mail server is set."""
    settings = mail_settings()
    if not settings.uses_server:
        deliver_due(db_session(), FolderTransport(settings.folder), settings)

"""Settings from the environment, read in one place for the web app and the CLI.

Environment variables:

- ``ASSESSMENT_INSTANCE``: folder for local state (SQLite database, secret key);
  default ``./instance``.
- ``DATABASE_URL``: SQLAlchemy URL; default a SQLite file in the instance folder.
- ``SECRET_KEY``: signs session cookies; when unset, one is generated once and kept
  in ``<instance>/secret_key`` (mode 0600) so that every worker shares it.
- ``SESSION_COOKIE_SECURE``: ``true`` (default) or ``false`` for local plain http.
- ``RATELIMIT_STORAGE_URI``: where login attempts are counted; ``database://`` (the
  application's database, shared by every worker and host) by default,
  ``redis://127.0.0.1:6379/0`` for Redis, ``memory://`` only for a single process.
- ``ANONYMITY_K``: smallest peer group shown in benchmarks; default 5, never below 3.
- ``INSTRUMENT_DIR``: folder of instrument files; default the bundled questionnaires.
- ``REPORT_ORGANISATION``: the organisation that runs the service and issues the PDF
  reports (their cover and metadata, and the contact, privacy and help pages); default
  "Social-media maturity assessment".
- ``REPORT_AUTHOR``: the author named on the cover; default the organisation.
- ``REPORT_LOGO``: path of a PNG, JPEG or SVG logo (at most 512 KB) for the cover;
  default none.
- ``CONTACT_EMAIL``: the address the contact and privacy pages give for questions and
  data requests; default none (the pages then say to ask the administrator).
- ``RETENTION_YEARS``: how many years after a round closes its assessments are kept, as
  stated by the privacy notice; a whole number from 1 to 100, default 5. The product
  deletes nothing by itself: the operator removes data past this period.
- ``PDF_CACHE_DIR``: folder of rendered report PDFs, kept by content and shared by the
  workers; default ``<instance>/pdf-cache``.
- ``REDIS_URL``: the report queue in Redis (``redis://host:6379/0``), shared by
  ``assessment worker`` processes on any number of machines; default none: the queue is
  the SQLite file ``<instance>/report-queue.db`` (one machine).
- ``REPORT_LEASE_SECONDS``: how long a worker holds a report without renewing its lease
  (renewed every third of it while rendering); a report whose worker died is taken over
  after this; default 60.
- ``TRUSTED_PROXY_COUNT``: how many reverse proxies (e.g. nginx) stand in front of the
  app; their X-Forwarded-For / -Proto headers then give the client address (for login
  rate limits) and the scheme. Default 0: such headers are ignored.

Mail (see `mail_settings`): messages wait in the database's outbox until
``assessment mail send`` (or the web app, when writing to a folder) delivers them.

- ``SMTP_HOST``: the mail server; when unset, messages are written as ``.eml`` files to
  ``MAIL_FOLDER`` instead (nothing needs a mail server).
- ``SMTP_PORT``: default 587 with STARTTLS, 465 with TLS, 25 without.
- ``SMTP_TLS``: ``starttls`` (default), ``tls`` (TLS from the first byte) or ``none``.
- ``SMTP_USER`` / ``SMTP_PASSWORD``: login at the server; default none (no login).
- ``MAIL_FROM``: the sender address; default ``no-reply@localhost``.
- ``MAIL_FOLDER``: where messages land without a server; default ``<instance>/mail``.
- ``SITE_URL``: the address links in messages start with, e.g.
  ``https://maturity.example.org``; default: the address a web request came in at, and
  ``http://127.0.0.1:5000`` for the commands.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Re-exported: the CLI and the web app read the threshold's default and floor from here.
from assessment.domain.rules.benchmark import DEFAULT_ANONYMITY_K as DEFAULT_ANONYMITY_K
from assessment.domain.rules.benchmark import MIN_ANONYMITY_K as MIN_ANONYMITY_K
from assessment.resources import questionnaires_dir
from assessment.store.db import default_database_url

SECRET_KEY_FILE = "secret_key"
PDF_CACHE_FOLDER = "pdf-cache"
REPORT_QUEUE_FILE = "report-queue.db"
DEFAULT_LEASE_SECONDS = 60
# Per-process memory would let each gunicorn worker count login attempts on its own.
DEFAULT_RATELIMIT_STORAGE_URI = "database://"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


DEFAULT_ORGANISATION = "Social-media maturity assessment"
DEFAULT_RETENTION_YEARS = 5
MAX_RETENTION_YEARS = 100
MAX_LOGO_BYTES = 512 * 1024
_LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


class ConfigError(ValueError):
    """A setting has a value the application cannot use."""


@dataclass(frozen=True)
class Branding:
    """Who issues the reports: organisation, author and an optional logo (a data: URL)."""

    organisation: str = DEFAULT_ORGANISATION
    author: str = DEFAULT_ORGANISATION
    logo: str | None = None


def branding(environ: Mapping[str, str] | None = None) -> Branding:
    """The report branding from ``REPORT_ORGANISATION``, ``REPORT_AUTHOR``, ``REPORT_LOGO``."""
    env = os.environ if environ is None else environ
    organisation = env.get("REPORT_ORGANISATION", "").strip() or DEFAULT_ORGANISATION
    author = env.get("REPORT_AUTHOR", "").strip() or organisation
    logo = env.get("REPORT_LOGO", "").strip()
    return Branding(organisation, author, logo_data_url(Path(logo)) if logo else None)


def logo_data_url(path: Path) -> str:
    """The logo file as a data: URL, so that rendering reads no file; checked first."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"REPORT_LOGO: cannot read {path}: {error.strerror}") from None
    if len(data) > MAX_LOGO_BYTES:
        raise ConfigError(f"REPORT_LOGO: {path} is larger than {MAX_LOGO_BYTES // 1024} KB")
    media_type = next((t for magic, t in _LOGO_TYPES.items() if data.startswith(magic)), None)
    if media_type is None and b"<svg" in data[:4096]:
        media_type = "image/svg+xml"
    if media_type is None:
        raise ConfigError(f"REPORT_LOGO: {path} is not a PNG, JPEG or SVG image")
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def instance_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder for local state: ``ASSESSMENT_INSTANCE`` or ``./instance``."""
    env = os.environ if environ is None else environ
    return Path(env.get("ASSESSMENT_INSTANCE") or "instance").resolve()


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """``DATABASE_URL``, or a SQLite file in the instance folder."""
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL", "").strip()
    if url:
        return url
    return default_database_url(instance_dir(env))


def parse_bool(name: str, raw: str) -> bool:
    """A boolean setting written as true/false, yes/no, on/off or 1/0."""
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def anonymity_k(raw: object) -> int:
    """The peer-group threshold as an integer of at least 3."""
    try:
        k = int(str(raw).strip())
    except ValueError:
        raise ConfigError(f"ANONYMITY_K must be a whole number, not {raw!r}") from None
    if k < MIN_ANONYMITY_K:
        raise ConfigError(f"ANONYMITY_K must be at least {MIN_ANONYMITY_K}, not {k}")
    return k


def proxy_count(raw: object) -> int:
    """The number of trusted reverse proxies, a whole number from 0."""
    try:
        count = int(str(raw).strip())
    except ValueError:
        raise ConfigError(f"TRUSTED_PROXY_COUNT must be a whole number, not {raw!r}") from None
    if count < 0:
        raise ConfigError(f"TRUSTED_PROXY_COUNT must be 0 or more, not {count}")
    return count


def contact_email(raw: object) -> str:
    """The contact address: empty (none configured) or one plain e-mail address."""
    email = str(raw).strip()
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() or c in "<>,;" for c in email):
        raise ConfigError(
            f"CONTACT_EMAIL must be one e-mail address like name@example.org, not {raw!r}"
        )
    return email


def retention_years(raw: object) -> int:
    """The data-retention period the privacy notice states: whole years from 1 to 100."""
    try:
        years = int(str(raw).strip())
    except ValueError:
        raise ConfigError(f"RETENTION_YEARS must be a whole number of years, not {raw!r}") from None
    if not 1 <= years <= MAX_RETENTION_YEARS:
        raise ConfigError(
            f"RETENTION_YEARS must be from 1 to {MAX_RETENTION_YEARS} years, not {years}"
        )
    return years


SMTP_TLS_MODES = ("starttls", "tls", "none")
_DEFAULT_SMTP_PORTS = {"starttls": 587, "tls": 465, "none": 25}
DEFAULT_MAIL_FROM = "no-reply@localhost"
DEFAULT_SITE_URL = "http://127.0.0.1:5000"
MAIL_FOLDER = "mail"


@dataclass(frozen=True)
class MailSettings:
    """How messages leave: an SMTP server, or (no host) a folder of ``.eml`` files."""

    host: str = ""
    port: int = 587
    tls: str = "starttls"
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = DEFAULT_MAIL_FROM
    folder: Path = Path(MAIL_FOLDER)
    site_url: str = ""  # empty: the web app uses the address it was reached at
    product_name: str = DEFAULT_ORGANISATION

    @property
    def uses_server(self) -> bool:
        """True when messages go to an SMTP server, False when they land in the folder."""
        return bool(self.host)


def mail_settings(environ: Mapping[str, str] | None = None) -> MailSettings:
    """The mail settings from ``SMTP_*``, ``MAIL_FROM``, ``MAIL_FOLDER`` and ``SITE_URL``."""
    env = os.environ if environ is None else environ
    tls = env.get("SMTP_TLS", "").strip().lower() or "starttls"
    if tls not in SMTP_TLS_MODES:
        raise ConfigError(f"SMTP_TLS must be one of {', '.join(SMTP_TLS_MODES)}, not {tls!r}")
    raw_port = env.get("SMTP_PORT", "").strip()
    try:
        port = int(raw_port) if raw_port else _DEFAULT_SMTP_PORTS[tls]
    except ValueError:
        raise ConfigError(f"SMTP_PORT must be a port number, not {raw_port!r}") from None
    if not 0 < port < 65536:
        raise ConfigError(f"SMTP_PORT must be from 1 to 65535, not {port}")
    sender = env.get("MAIL_FROM", "").strip() or DEFAULT_MAIL_FROM
    if "@" not in sender or any(c.isspace() for c in sender):
        raise ConfigError(f"MAIL_FROM must be one e-mail address, not {sender!r}")
    site_url = env.get("SITE_URL", "").strip().rstrip("/")
    if site_url and not site_url.startswith(("http://", "https://")):
        raise ConfigError(f"SITE_URL must start with http:// or https://, not {site_url!r}")
    folder = env.get("MAIL_FOLDER", "").strip()
    return MailSettings(
        host=env.get("SMTP_HOST", "").strip(),
        port=port,
        tls=tls,
        user=env.get("SMTP_USER", "").strip(),
        password=env.get("SMTP_PASSWORD", ""),
        sender=sender,
        folder=Path(folder).resolve() if folder else instance_dir(env) / MAIL_FOLDER,
        site_url=site_url,
        product_name=env.get("REPORT_ORGANISATION", "").strip() or DEFAULT_ORGANISATION,
    )


def lease_seconds(raw: object) -> float:
    """``REPORT_LEASE_SECONDS`` as a number of seconds, at least 1."""
    try:
        seconds = float(str(raw).strip())
    except ValueError:
        seconds = 0.0
    if not seconds >= 1:
        raise ConfigError(
            f"REPORT_LEASE_SECONDS must be a number of seconds, at least 1; got {raw!r}"
        )
    return seconds


def web_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Flask configuration taken from the environment (the secret key is added later)."""
    env = os.environ if environ is None else environ
    settings: dict[str, Any] = {
        "DATABASE_URL": database_url(env),
        "SESSION_COOKIE_SECURE": parse_bool(
            "SESSION_COOKIE_SECURE", env.get("SESSION_COOKIE_SECURE", "true")
        ),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "").strip()
        or DEFAULT_RATELIMIT_STORAGE_URI,
        "ANONYMITY_K": anonymity_k(env.get("ANONYMITY_K", DEFAULT_ANONYMITY_K)),
        "INSTRUMENT_DIR": env.get("INSTRUMENT_DIR", "").strip() or str(questionnaires_dir()),
        "PDF_CACHE_DIR": env.get("PDF_CACHE_DIR", "").strip()
        or str(instance_dir(env) / PDF_CACHE_FOLDER),
        "REDIS_URL": env.get("REDIS_URL", "").strip() or None,
        "REPORT_QUEUE_FILE": str(instance_dir(env) / REPORT_QUEUE_FILE),
        "REPORT_LEASE_SECONDS": lease_seconds(
            env.get("REPORT_LEASE_SECONDS", "").strip() or DEFAULT_LEASE_SECONDS
        ),
        "TRUSTED_PROXY_COUNT": proxy_count(env.get("TRUSTED_PROXY_COUNT", "0")),
        "ORGANISATION_NAME": env.get("REPORT_ORGANISATION", "").strip() or DEFAULT_ORGANISATION,
        "CONTACT_EMAIL": contact_email(env.get("CONTACT_EMAIL", "")),
        "RETENTION_YEARS": retention_years(env.get("RETENTION_YEARS", DEFAULT_RETENTION_YEARS)),
        "MAIL": mail_settings(env),
    }
    if env.get("SECRET_KEY"):
        settings["SECRET_KEY"] = env["SECRET_KEY"]
    return settings


def persistent_secret_key(instance: Path) -> str:
    """The secret key kept in the instance folder, created once (mode 0600) if missing."""
    path = instance / SECRET_KEY_FILE
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        _publish_new_key(path)
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ConfigError(f"{path} is empty; delete it or set SECRET_KEY")
    return key


def _publish_new_key(path: Path) -> None:
    # Written to a private temporary file and hard-linked into place: the link either
    # appears complete or fails because another worker won the race, whose key we then use.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            os.fchmod(file.fileno(), 0o600)
            file.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)

"""`assessment serve`: the web application on the local development server (plain http)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from assessment import config
from assessment.store.db import Database, is_sqlite
from assessment.store.migrate import current_revision, head_revision

PRODUCTION_HINT = 'gunicorn -w 2 -b 127.0.0.1:8000 "assessment.web:create_app()"'


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="Start an `assessment worker` process beside the web app to render queued reports.",
)
def serve(host: str, port: int, worker: bool) -> None:
    """Run the web application locally over http (for production use gunicorn)."""
    from assessment.cli.worker import start_worker_process, stop_worker_process
    from assessment.web import create_app
    from assessment.web.database import close_database

    url = config.database_url()
    check_database_ready(url)
    try:
        # Plain http: a Secure cookie would never come back and nobody could sign in.
        app = create_app({"SESSION_COOKIE_SECURE": False})
    except config.ConfigError as error:
        raise click.ClickException(str(error)) from None
    if not _is_loopback(host):
        click.secho(
            f"Warning: serving on {host} over plain http. For anything but a local trial "
            f"run behind HTTPS with: {PRODUCTION_HINT}",
            fg="yellow",
            err=True,
        )
    click.echo(f"Serving on http://{_url_host(host)}:{port}/ (Ctrl+C to stop)")
    reports = start_worker_process(quiet=True) if worker else None
    try:
        app.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        if reports is not None:
            stop_worker_process(reports)
        close_database(app)


def check_database_ready(url: str) -> None:
    """Stop with advice when the database is missing or lacks migrations."""
    try:
        make_url(url).get_dialect()
    except ArgumentError:
        # The value is not echoed: a URL that fails to parse may still hold a password.
        raise click.ClickException(
            "DATABASE_URL is not a database URL we can use, e.g. sqlite:///instance/assessment.db"
        ) from None
    if is_sqlite(url):
        path = make_url(url).database
        if path and path != ":memory:" and not Path(path).is_file():
            raise click.ClickException(
                f"there is no database at {path}; run `assessment init` first"
            )
    database = Database(url)
    try:
        current = current_revision(database.engine)
    except SQLAlchemyError as error:
        reason = str(error).strip().splitlines()[0]
        raise click.ClickException(f"cannot open the database {database!r}: {reason}") from None
    finally:
        database.dispose()
    if current is None:
        raise click.ClickException(
            f"the database {database!r} is not set up yet; run `assessment init` first"
        )
    if current != head_revision():
        raise click.ClickException(
            f"the database {database!r} needs an upgrade; run `assessment init` first"
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host

"""The Flask application: `create_app()` builds it; one blueprint per area plugs in below.

Run locally with `assessment serve`; in production under gunicorn:
`gunicorn -w 2 -b 127.0.0.1:8000 "assessment.web:create_app()"` (settings from the
environment, see assessment/config.py).

Adding an area: write a package `assessment/web/<area>/` whose `views.py` defines a
Blueprint `bp` (URL rules carry `login_required` / `roles_required` from
`assessment.web.auth`), then add ONE import and ONE line to `register_blueprints` below,
and append its routes to the access matrix in tests/web/test_access_matrix.py.

An area names its modules by role: `views.py` the routes (request in, response out),
`forms.py` its WTForms, `view_data.py` the view data (the frozen values its templates
read and the functions that build them), `templates/<area>/` the pages. What pages and
reports show alike (charts, level and figure names, roadmap rows) comes from
`assessment.presentation`.

Helpers for views: `db_session()` (the request's SQLAlchemy session), `web_catalog()`
(the instrument catalog of INSTRUMENT_DIR),
`assessment.web.auth.current_user()`, `login_required`, `roles_required(*roles)`.
A view that takes a JSON body is marked `assessment.web.request_checks.reads_json`;
every other POST gets 415 for JSON or uploaded files (see that module).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify

from assessment import config
from assessment.presentation.labels import carried_over_note
from assessment.store.db import database_answers
from assessment.web.auth.access import current_user, public
from assessment.web.catalog import init_catalog, install_profile_filters, web_catalog
from assessment.web.converters import install_converters
from assessment.web.database import db_session, init_database
from assessment.web.errors import register_error_handlers
from assessment.web.navigation import navigation_for, section_navigation_for
from assessment.web.request_checks import install_request_checks
from assessment.web.security import configure_security

__all__ = ["create_app", "db_session", "web_catalog"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web application from the environment, overridden by `test_config`."""
    instance = config.instance_dir()
    app = Flask(__name__, instance_path=str(instance))
    app.config.from_mapping(config.web_settings())
    if test_config is not None:
        app.config.from_mapping(test_config)
    _finish_config(app)
    install_converters(app)
    init_database(app)
    init_catalog(app)
    install_profile_filters(app)
    configure_security(app)
    install_request_checks(app)
    register_error_handlers(app)
    app.context_processor(_template_globals)
    # A global, not a context value: imported macro files see it too.
    app.jinja_env.globals["carried_over_note"] = carried_over_note
    app.add_url_rule("/healthz", "health", health)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    """Plug each area's blueprint into the app (one import and one line per area)."""
    from assessment.web.admin.views import bp as admin
    from assessment.web.answering import team  # noqa: F401  (its routes join answering's)
    from assessment.web.answering.views import bp as answering
    from assessment.web.api.views import bp as api
    from assessment.web.auth.views import bp as auth
    from assessment.web.consultant.views import bp as consultant
    from assessment.web.info.views import bp as info
    from assessment.web.peers.views import bp as peers
    from assessment.web.reports.views import bp as reports

    app.register_blueprint(auth)
    app.register_blueprint(admin, url_prefix="/admin")
    app.register_blueprint(answering)
    app.register_blueprint(consultant, url_prefix="/consultant")
    app.register_blueprint(peers)
    app.register_blueprint(reports, url_prefix="/reports")
    app.register_blueprint(api, url_prefix="/api/v1")
    app.register_blueprint(info)


def _finish_config(app: Flask) -> None:
    app.config["ANONYMITY_K"] = config.anonymity_k(app.config["ANONYMITY_K"])
    app.config["CONTACT_EMAIL"] = config.contact_email(app.config["CONTACT_EMAIL"])
    app.config["RETENTION_YEARS"] = config.retention_years(app.config["RETENTION_YEARS"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.persistent_secret_key(Path(app.instance_path))


def _template_globals() -> dict[str, Any]:
    user = current_user()
    return {
        "current_user": user,
        "navigation": navigation_for(user),
        "section_navigation": section_navigation_for(user),
    }


@public
def health() -> tuple[Response, int]:
    """Liveness and database reachability, for load balancers and monitoring."""
    if not database_answers(db_session()):
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200

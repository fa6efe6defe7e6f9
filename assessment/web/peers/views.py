"""An agency lead's own position against anonymous peer groups: no other agency is named."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from assessment.store.models import Role
from assessment.web.auth.access import roles_required, signed_in_user
from assessment.web.database import db_session
from assessment.web.peers.view_data import lead_page

bp = Blueprint("peers", __name__, template_folder="templates")


@bp.route("/my/benchmark")
@roles_required(Role.LEAD)
def my_benchmark() -> str:
    """The lead's agency against all agencies, its type and its country."""
    page = lead_page(db_session(), signed_in_user(), current_app.config["ANONYMITY_K"])
    return render_template("peers/my_benchmark.html", page=page)

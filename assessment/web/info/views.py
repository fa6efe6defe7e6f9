"""Help, contact, privacy notice and accessibility statement: public pages, linked from
every page's footer."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from assessment.reporting.pdf_cache import DEFAULT_MAX_ENTRIES
from assessment.web.auth.access import public
from assessment.web.catalog import web_catalog
from assessment.web.info.view_data import STORED_DATA, maturity_scales

bp = Blueprint("info", __name__, template_folder="templates")


def _settings() -> dict[str, object]:
    return {
        "organisation": current_app.config["ORGANISATION_NAME"],
        "contact_email": current_app.config["CONTACT_EMAIL"],
        "retention_years": current_app.config["RETENTION_YEARS"],
        "anonymity_k": current_app.config["ANONYMITY_K"],
    }


@bp.route("/help")
@public
def help_page() -> str:
    """How to answer the questionnaire and what the maturity levels mean."""
    return render_template("info/help.html", scales=maturity_scales(web_catalog()), **_settings())


@bp.route("/contact")
@public
def contact() -> str:
    """Who runs the service and how to reach them."""
    return render_template("info/contact.html", **_settings())


@bp.route("/privacy")
@public
def privacy() -> str:
    """What the service stores, who sees it and how long it is kept."""
    return render_template(
        "info/privacy.html",
        stored=STORED_DATA,
        cached_reports=DEFAULT_MAX_ENTRIES,
        **_settings(),
    )


@bp.route("/accessibility")
@public
def accessibility() -> str:
    """What was tested for accessibility and the known limits."""
    return render_template("info/accessibility.html", **_settings())

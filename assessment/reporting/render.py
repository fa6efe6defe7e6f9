"""Report view data -> HTML (Jinja, autoescaped) -> PDF (WeasyPrint, safe URL fetcher).

Templates and print CSS live in `reports/<name>/` (found through
`assessment.resources.reports_dir()`), each extending what `reports/_base/` holds; a
report's folder and the base folder are the only places its rendering may read files
from. Importing this module imports WeasyPrint (about 0.6 s): command-line code imports
it only in the commands that render.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from assessment.presentation.charts import chart_image
from assessment.presentation.labels import points
from assessment.reporting.fetcher import SafeURLFetcher
from assessment.reporting.view_data import AgencyReport, CohortReport
from assessment.resources import reports_dir

TEMPLATE_FILE = "report.html"
STYLESHEET_FILE = "report.css"
BASE_FOLDER = "_base"
# Tagged PDFs (PDF/UA structure) help screen readers; measured cost in tests/perf.
PDF_TAGS = True


class UnknownReport(LookupError):
    """No report folder by that name."""


def report_folder(name: str) -> Path:
    """The resolved folder of one report's template and stylesheet."""
    folder = (reports_dir() / name).resolve()
    if not (folder / TEMPLATE_FILE).is_file() or folder.parent != reports_dir().resolve():
        raise UnknownReport(f"no report named {name!r} under {reports_dir()}")
    return folder


@cache
def report_environment() -> Environment:
    """The Jinja environment for report templates, autoescaping HTML and SVG."""
    environment = Environment(
        loader=FileSystemLoader(reports_dir()),
        autoescape=select_autoescape(enabled_extensions=("html", "svg", "xml")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["chart_image"] = chart_image
    environment.filters["points"] = points
    return environment


def render_html(
    name: str,
    report: AgencyReport | CohortReport,
    *,
    stylesheet: str = "",
    links: Sequence[tuple[str, str]] = (),
) -> str:
    """The report's HTML; `stylesheet` is the CSS URL (default: the file beside the template).

    `links` (label, URL) make a navigation bar for the on-screen preview; PDFs have none.
    """
    report_folder(name)
    template = report_environment().get_template(f"{name}/{TEMPLATE_FILE}")
    return template.render(
        report=report,
        author=report.issuer.author,
        stylesheet=stylesheet or STYLESHEET_FILE,
        links=links,
    )


_fonts = threading.local()


def font_configuration() -> FontConfiguration:
    """This thread's font configuration, kept between reports.

    A fresh one per document starts Pango's font and shaping caches cold, which cost
    about 7% of a report's time; Pango font maps are not thread-safe, hence one a thread.
    Reports declare no @font-face, so nothing accumulates in it from one report to the next.
    """
    configuration: FontConfiguration | None = getattr(_fonts, "configuration", None)
    if configuration is None:
        configuration = _fonts.configuration = FontConfiguration()
    return configuration


def html_to_pdf(html: str, folder: Path, *, tagged: bool = PDF_TAGS) -> bytes:
    """Lay out HTML as PDF, reading only `data:` URLs and files under `folder` and the base."""
    fetcher = SafeURLFetcher(folder, report_folder(BASE_FOLDER))
    document = HTML(string=html, base_url=f"{folder.as_uri()}/", url_fetcher=fetcher)
    pdf = document.write_pdf(pdf_tags=tagged, font_config=font_configuration())
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when no target is given
        raise RuntimeError("WeasyPrint produced no PDF")
    return bytes(pdf)


def stylesheet_path(name: str) -> Path:
    """The print stylesheet of a report (served to the HTML preview)."""
    return report_folder(name) / STYLESHEET_FILE


def render_agency_pdf(report: AgencyReport) -> bytes:
    """The agency report as PDF bytes."""
    return html_to_pdf(render_html("agency", report), report_folder("agency"))


def render_cohort_pdf(report: CohortReport) -> bytes:
    """The cohort report as PDF bytes."""
    return html_to_pdf(render_html("cohort", report), report_folder("cohort"))

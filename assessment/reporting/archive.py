"""A round's batch of reports as one ZIP: every rendered PDF, and what failed and why."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy.orm import Session

from assessment.queries import report_jobs as job_queries
from assessment.reporting.batch import report_filename, slug
from assessment.store.models import JobState, ReportJob, Round

FAILURES_FILE = "FAILED.txt"


def batch_archive(session: Session, job: ReportJob, round_: Round) -> bytes:
    """The ZIP of the job's PDFs (stored as they are: PDFs are compressed already)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for agency, pdf in job_queries.finished_pdfs(session, job):
            archive.writestr(report_filename(agency, round_), pdf)
        failures = [
            f"{item.agency.name} (id {item.agency_id}): {item.error}"
            for item in job_queries.job_items(session, job)
            if item.state == JobState.FAILED
        ]
        if failures:
            archive.writestr(FAILURES_FILE, "\n".join(failures) + "\n")
    return buffer.getvalue()


def archive_filename(round_: Round, job: ReportJob) -> str:
    """The ZIP's file name, such as `reports-2025-7.zip`."""
    return f"reports-{slug(round_.name)}-{job.id}.zip"

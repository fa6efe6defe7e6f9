"""The app's report queue: made from its config on first use, one per app."""

from __future__ import annotations

from flask import current_app

from assessment.reporting.queue import ReportQueue, queue_settings

EXTENSION = "report_queue"


def report_queue() -> ReportQueue:
    """The queue report jobs of this app go to (Redis or the instance's SQLite file)."""
    queue: ReportQueue | None = current_app.extensions.get(EXTENSION)
    if queue is None:
        queue = current_app.extensions[EXTENSION] = ReportQueue(queue_settings(current_app.config))
    return queue

"""`assessment worker`: render queued reports (Huey consumer) until stopped."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import click

from assessment import config
from assessment.cli.serve import check_database_ready


@click.command()
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Reports rendered at once on this machine (one process each).",
)
@click.option("--quiet", is_flag=True, help="Log only warnings and errors.")
def worker(processes: int, quiet: bool) -> None:
    """Render queued reports (from the web and `report batch`) until stopped.

    Ctrl+C ends it after the current report, SIGTERM at once (another worker then takes
    the report over when its lease runs out).

    The queue is Redis when REDIS_URL is set (shared by every machine), else a SQLite file
    in the instance folder; reports are read from and stored in DATABASE_URL.
    """
    from assessment.reporting.queue import ReportQueue, queue_settings

    check_database_ready(config.database_url())
    try:
        settings = queue_settings(config.web_settings())
    except config.ConfigError as error:
        raise click.ClickException(str(error)) from None
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO, format="%(asctime)s %(name)s %(message)s"
    )
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # a line per page otherwise
    queue = ReportQueue(settings)
    if not quiet:
        click.echo(
            f"Rendering reports from the queue ({settings.description}) in {processes} "
            f"process{'es' if processes > 1 else ''}, pid {os.getpid()}",
            err=True,
        )
    consumer = queue.huey.create_consumer(
        workers=processes,
        worker_type="process" if processes > 1 else "thread",
        periodic=True,
        check_worker_health=True,
    )
    consumer.run()


def start_worker_process(
    *, database_url: str | None = None, processes: int = 1, quiet: bool = False
) -> subprocess.Popen[bytes]:
    """An `assessment worker` child process with this process's environment (and this
    database), which ends when this process ends (on Linux); for `assessment serve` and
    `assessment report batch`."""
    command = [sys.executable, "-m", "assessment.cli", "worker", "--processes", str(processes)]
    environment = dict(os.environ)
    if database_url is not None:
        environment["DATABASE_URL"] = database_url
    return subprocess.Popen(
        [*command, *(["--quiet"] if quiet else [])],
        env=environment,
        preexec_fn=_end_with_parent,
    )


def stop_worker_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """End the worker (SIGTERM), killing it if it does not end within `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # idle by now: huey stops at once
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _end_with_parent() -> None:
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

"""Storage figures: seeding the demo population, and loading a round's results into pandas.

1. `load_demo_data` for 1,000 agencies x 3 rounds (answers, scoring, results) into SQLite.
2. `round_results_frame` for one round of 10,000 agencies (130,000 result rows), next to a
   bare sqlite3 cursor fetching the same rows (baseline), with the ratio.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.dialects import sqlite as sqlite_dialect

from assessment.domain.demo.synthetic import synthetic_population
from assessment.domain.rules.scoring import score_assessment
from assessment.queries import results as queries
from assessment.queries.instruments import default_catalog
from assessment.services.assessments import result_rows
from assessment.services.demo_data import load_demo_data
from assessment.store.db import Database
from assessment.store.migrate import upgrade_database
from assessment.store.models import Agency, Assessment, AssessmentStatus, Result, Round

SEED_AGENCIES = 1_000
FRAME_AGENCIES = 10_000
REPEATS = 5
TARGET_SECONDS = 0.5


def main() -> None:
    """Print the seeding time and the results-frame time against a raw sqlite3 baseline."""
    with tempfile.TemporaryDirectory(prefix="perf-store-") as folder:
        seed_seconds = _seed_demo(Path(folder) / "demo.db")
        print(f"demo-data, {SEED_AGENCIES:,} agencies x 3 rounds: {seed_seconds:.2f} s")
        _frame_figures(Path(folder) / "frame.db")


def _seed_demo(path: Path) -> float:
    url = f"sqlite:///{path}"
    upgrade_database(url)
    database = Database(url)
    try:
        with database.session() as session:
            started = time.perf_counter()
            load_demo_data(session, agencies=SEED_AGENCIES, seed=1)
            return time.perf_counter() - started
    finally:
        database.dispose()


def _frame_figures(path: Path) -> None:
    url = f"sqlite:///{path}"
    upgrade_database(url)
    database = Database(url)
    try:
        round_id, seeded = _seed_results(database, FRAME_AGENCIES)
        print(f"seeded {seeded:,} result rows for {FRAME_AGENCIES:,} agencies (setup, not timed)")
        rows = 0

        def load_frame() -> None:
            nonlocal rows
            with database.session() as session:
                rows = len(queries.round_results_frame(session, round_id))

        frame_seconds = _median_seconds(load_frame)
        sql, parameters = _compiled(round_id)
        connection = sqlite3.connect(path)
        try:
            baseline_seconds = _median_seconds(
                lambda: connection.execute(sql, parameters).fetchall()
            )
        finally:
            connection.close()
    finally:
        database.dispose()
    verdict = "within" if frame_seconds < TARGET_SECONDS else "OVER"
    print(
        f"round_results_frame, {rows:,} rows: {frame_seconds:.3f} s "
        f"({verdict} the {TARGET_SECONDS} s target)"
    )
    print(f"baseline sqlite3 cursor fetchall of the same rows: {baseline_seconds:.3f} s")
    print(f"ratio frame / baseline: {frame_seconds / baseline_seconds:.1f}x")


def _seed_results(database: Database, agencies: int) -> tuple[int, int]:
    """One submitted round with stored results only (no answers), by bulk inserts."""
    instrument = default_catalog().get("sm-policing-maturity")
    population = synthetic_population(instrument, agencies=agencies, seed=11, round_names=("2026",))
    with database.session() as session:
        agency_ids = session.scalars(
            insert(Agency).returning(Agency.id, sort_by_parameter_order=True),
            [
                {
                    "name": a.name,
                    "country": a.country,
                    "agency_type": a.agency_type,
                    "size_band": a.size_band,
                    "profile": a.profile,
                    "synthetic": True,
                }
                for a in population.agencies
            ],
        ).all()
        round_ = Round(
            name="2026", instrument_id=instrument.id, instrument_version=instrument.version
        )
        session.add(round_)
        session.flush()
        # Every agency submits here (answer sets reused for the few that did not start):
        # the figure is about 10,000 result sets.
        answer_sets = [a.answers for a in population.assessments]
        assessment_ids = session.scalars(
            insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True),
            [
                {
                    "agency_id": agency_id,
                    "round_id": round_.id,
                    "instrument_id": instrument.id,
                    "instrument_version": instrument.version,
                    "status": AssessmentStatus.SUBMITTED,
                }
                for agency_id in agency_ids
            ],
        ).all()
        results: list[dict[str, Any]] = [
            {"assessment_id": assessment_id, **row}
            for index, assessment_id in enumerate(assessment_ids)
            for row in result_rows(
                score_assessment(instrument, answer_sets[index % len(answer_sets)])
            )
        ]
        session.execute(insert(Result), results)
        session.commit()
        # Fold the bulk load out of the write-ahead log, as a quiet database would have it.
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return round_.id, len(results)


def _compiled(round_id: int) -> tuple[str, tuple[Any, ...]]:
    """The frame's own SQL, compiled for sqlite3, so the baseline fetches the same rows."""
    statement = queries.results_select().where(Assessment.round_id == round_id)
    compiled = statement.compile(dialect=sqlite_dialect.dialect())
    parameters = tuple(compiled.params[name] for name in compiled.positiontup or ())
    return str(compiled), parameters


def _median_seconds(action: Callable[[], object]) -> float:
    action()  # warm caches: statement compilation, SQLite page cache
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)

"""Peer statistics of one round over 1,000, 10,000 and 100,000 agencies' stored results.

Seeds a temporary SQLite file with Core bulk inserts (agencies, one round, submitted
assessments, 13 result rows each), then times, end to end from the database, the
results query plus the peer statistics (all agencies and a filtered group, with the
anonymity and differencing checks), next to a bare pandas groupby-quantile over the
same frame in the same run. Target: 10,000 agencies under 0.5 s end to end, and a cost
per 1,000 agencies that stays flat as the round grows.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert

from assessment.domain.rules.benchmark import PeerGroup, peer_statistics, prepare_frame
from assessment.queries.results import round_results_frame
from assessment.store.db import Database
from assessment.store.migrate import upgrade_database
from assessment.store.models import Agency, Assessment, Result, Round, utcnow

SIZES = (1_000, 10_000, 100_000)
TARGET_SECONDS = 0.5  # for 10,000 agencies, end to end
REPEATS = 3
COUNTRIES = ("AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "NL", "PL", "PT")
TYPES = ("national", "regional", "local", "specialist")
SIZE_BANDS = ("under-250", "250-999", "1000-4999", "5000-19999")
DIMENSIONS = ("policy", "staffing", "training", "budget", "legal", "protocols")
THEMES = (
    "privacy-ethics",
    "tone-engagement",
    "crisis-gatherings",
    "co-production",
    "trolling-harassment",
    "dark-web",
)
# A group the disclosure lattice publishes at every size (NL local agencies are refused
# at 1,000: set against the type and size groups they would single out a few agencies).
FILTERED = PeerGroup(agency_type="local", size_band="250-999")


def seed(url: str, agencies: int, rng: random.Random) -> int:
    """Agencies with one submitted assessment each in one round; returns the round id."""
    database = Database(url)
    now = utcnow()
    try:
        with database.engine.begin() as connection:
            connection.execute(
                insert(Round),
                [
                    {
                        "id": 1,
                        "name": "2025",
                        "instrument_id": "sm-policing-maturity",
                        "instrument_version": "1.0.0",
                        "is_open": False,
                        "created_at": now,
                    }
                ],
            )
            connection.execute(insert(Agency), _agencies(agencies, rng, now))
            connection.execute(insert(Assessment), _assessments(agencies, now))
            connection.execute(insert(Result), _results(agencies, rng))
    finally:
        database.dispose()
    return 1


def _agencies(count: int, rng: random.Random, now: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "name": f"Synthetic Agency {i:06d}",
            "country": rng.choice(COUNTRIES),
            "agency_type": rng.choice(TYPES),
            "size_band": rng.choice(SIZE_BANDS),
            "profile": {},
            "synthetic": True,
            "created_at": now,
        }
        for i in range(1, count + 1)
    ]


def _assessments(count: int, now: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "agency_id": i,
            "round_id": 1,
            "instrument_id": "sm-policing-maturity",
            "instrument_version": "1.0.0",
            "status": "submitted",
            "revision": 1,
            "created_at": now,
            "updated_at": now,
            "submitted_at": now,
        }
        for i in range(1, count + 1)
    ]


def _results(count: int, rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for assessment_id in range(1, count + 1):
        maturity = rng.uniform(10, 90)
        scores = {d: min(100.0, max(0.0, rng.gauss(maturity, 12))) for d in DIMENSIONS}
        levels = {d: 1 + int(score // 25) for d, score in scores.items()}
        rows.append(_result(assessment_id, "overall", "overall", maturity, min(levels.values())))
        rows.extend(
            _result(assessment_id, "dimension", d, scores[d], levels[d]) for d in DIMENSIONS
        )
        rows.extend(_result(assessment_id, "theme", t, rng.uniform(0, 100), None) for t in THEMES)
    return rows


def _result(
    assessment_id: int, scope: str, key: str, score: float, level: int | None
) -> dict[str, Any]:
    return {
        "assessment_id": assessment_id,
        "scope": scope,
        "key": key,
        "score": score,
        "level": level,
        "coverage": 1.0,
    }


def median_seconds(action: Callable[[], object], repeats: int = REPEATS) -> float:
    """The median wall time of a few runs of `action`."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def end_to_end(database: Database, round_id: int) -> tuple[pd.DataFrame, float, float]:
    """Query + statistics for all agencies and a filtered group, from a fresh session."""
    with database.session() as session:
        frame = prepare_frame(round_results_frame(session, round_id))
    all_agencies = peer_statistics(frame, PeerGroup(), levels=range(1, 6))
    filtered = peer_statistics(frame, FILTERED, levels=range(1, 6))
    overall = all_agencies.cell("overall", "overall")
    assert overall is not None and overall.n is not None
    assert filtered.n_agencies is not None
    return frame, float(overall.n), float(filtered.n_agencies)


def bare_quantiles(frame: pd.DataFrame) -> pd.Series[float]:
    """The baseline: pandas groupby-quantile of the scores, nothing else."""
    quartiles = np.array([0.25, 0.5, 0.75])
    return frame.groupby(["scope", "key"], observed=True)["score"].quantile(quartiles)


def measure(size: int, folder: Path) -> dict[str, float]:
    """Seed a round of `size` agencies and time our pipeline against the baseline."""
    url = f"sqlite:///{folder / f'perf-{size}.db'}"
    upgrade_database(url)
    started = time.perf_counter()
    round_id = seed(url, size, random.Random(size))
    seeded = time.perf_counter() - started
    repeats = REPEATS if size <= 10_000 else 1
    database = Database(url)
    try:
        with database.session() as session:
            query = median_seconds(lambda: round_results_frame(session, round_id), repeats)
            frame = round_results_frame(session, round_id)
        ours = median_seconds(lambda: end_to_end(database, round_id), repeats)
        stats_only = median_seconds(
            lambda: (
                peer_statistics(frame, PeerGroup(), levels=range(1, 6)),
                peer_statistics(frame, FILTERED, levels=range(1, 6)),
            ),
            repeats,
        )
        baseline = median_seconds(lambda: bare_quantiles(frame))
    finally:
        database.dispose()
    return {
        "seed": seeded,
        "query": query,
        "end_to_end": ours,
        "statistics": stats_only,
        "baseline": baseline,
    }


def main() -> None:
    """Print the timings per size, the ratio to the baseline and the cost per 1,000 agencies."""
    print(
        f"{'agencies':>9} {'seed s':>7} {'query s':>8} {'stats s':>8} {'total s':>8} "
        f"{'bare q s':>9} {'stats/bare':>10} {'ms/1000':>8}"
    )
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in SIZES:
            figures = measure(size, Path(folder))
            results[size] = figures
            print(
                f"{size:>9,} {figures['seed']:>7.2f} {figures['query']:>8.3f} "
                f"{figures['statistics']:>8.3f} {figures['end_to_end']:>8.3f} "
                f"{figures['baseline']:>9.3f} "
                f"{figures['statistics'] / figures['baseline']:>9.1f}x "
                f"{1000 * figures['end_to_end'] / (size / 1000):>8.1f}",
                flush=True,
            )
    target = results[10_000]["end_to_end"]
    verdict = "met" if target < TARGET_SECONDS else "MISSED"
    print(
        f"   target: 10,000 agencies end to end under {TARGET_SECONDS} s: {target:.3f} s, {verdict}"
    )
    print("   (stats = peer statistics for all agencies and for one filtered group, incl. the")
    print("    anonymity and differencing checks; total = query + statistics; bare q = pandas")
    print("    groupby-quantile over the same frame; ms/1000 = total per 1,000 agencies)")

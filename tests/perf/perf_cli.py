"""Cold start of the `assessment` command: each run is a fresh interpreter, as a user starts it.

A temporary instance gets the schema (`assessment init`) and the synthetic population
(`assessment demo-data`); then each command runs `RUNS` times in turn and its minimum and
median wall time are printed. The operating system's file cache is warm after the first
run (as it is for anyone who uses the command twice); nothing else is kept between runs.

Targets on a 2-core machine: `assessment --help` <= 0.3 s, `assessment report agency`
<= 1.5 s (median).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tests.live_http import BIN

RUNS = 7
AGENCY = "Synthetic National Police 01 (DE)"
TARGETS = {"--help": 0.3, "report agency": 1.5}


def _commands(folder: Path) -> dict[str, list[str]]:
    questionnaires = sorted((Path(__file__).parents[2] / "questionnaires").glob("*.yaml"))
    return {
        "--help": ["--help"],
        "questionnaire validate": ["questionnaire", "validate", *map(str, questionnaires)],
        "report agency": ["report", "agency", AGENCY, "--round", "2025", "-o", f"{folder}/a.pdf"],
    }


def main() -> None:
    """Print the minimum and median cold time of each command."""
    assessment = str(BIN / "assessment")
    with tempfile.TemporaryDirectory(prefix="perf-cli-") as folder:
        env = {**os.environ, "ASSESSMENT_INSTANCE": folder}
        env.pop("DATABASE_URL", None)
        subprocess.run([assessment, "init"], env=env, check=True, capture_output=True)
        subprocess.run([assessment, "demo-data"], env=env, check=True, capture_output=True)
        commands = _commands(Path(folder))
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(RUNS):
            for name, arguments in commands.items():
                started = time.perf_counter()
                subprocess.run([assessment, *arguments], env=env, check=True, capture_output=True)
                times[name].append(time.perf_counter() - started)
    print(f"cold start, {RUNS} runs each (fresh interpreter per run)")
    for name, seconds in times.items():
        median = statistics.median(seconds)
        target = TARGETS.get(name)
        verdict = f"  target <= {target:.1f} s: {_verdict(median, target)}" if target else ""
        print(f"  assessment {name:24} min {min(seconds):5.2f} s  median {median:5.2f} s{verdict}")


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "NOT met"

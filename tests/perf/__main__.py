"""Run the performance benchmarks: `python -m tests.perf [NAME ...]` (all when no name is given).

Each module `tests/perf/perf_<name>.py` has a `main()` that prints its figures,
with ratios against a baseline measured in the same run. Each measurement runs in a
process of its own, so that one's memory and imports never colour another's figures.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import time

import tests.perf as package


def available() -> list[str]:
    """The names of the measurements, from the `perf_<name>` modules."""
    return sorted(
        m.name.removeprefix("perf_")
        for m in pkgutil.iter_modules(package.__path__)
        if m.name.startswith("perf_")
    )


def run_here(name: str) -> None:
    """Run one measurement in this process."""
    importlib.import_module(f"tests.perf.perf_{name}").main()


def main(names: list[str]) -> None:
    """Run the named measurements, or all of them, each in a fresh process."""
    known = available()
    unknown = [name for name in names if name not in known]
    if unknown:
        sys.exit(f"unknown measurement {', '.join(unknown)}; choose from {', '.join(known)}")
    failed = []
    for name in names or known:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", "tests.perf", "--in-process", name])
        if code:
            failed.append(name)
        print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--in-process"]:
        run_here(sys.argv[2])
    else:
        main(sys.argv[1:])

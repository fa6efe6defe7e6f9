"""Run the benchmarks: `python -m tests.bench [NAME ...]` (all when no name is given).

Each module `tests/bench/bench_<name>.py` has a `main()` that prints its figures,
with ratios against a baseline measured in the same run.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import tests.bench as package


def main(names: list[str]) -> None:
    """Run the named benchmarks, or all of them."""
    available = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(package.__path__)
        if m.name.startswith("bench_")
    )
    for name in names or available:
        if name not in available:
            sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(available)}")
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"tests.bench.bench_{name}").main()
        print(f"   ({time.perf_counter() - started:.1f} s)\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

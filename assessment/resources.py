"""Where the bundled data lives, in a source checkout and in an installed package.

`questionnaires/` and `reports/` sit at the top of the repository; the links under
`assessment/bundled/` point at them, and a built wheel carries their contents there.
"""

from __future__ import annotations

from pathlib import Path

_BUNDLED = Path(__file__).resolve().parent / "bundled"


def questionnaires_dir() -> Path:
    """The folder of bundled instrument files."""
    return _BUNDLED / "questionnaires"


def reports_dir() -> Path:
    """The folder of report templates, one sub-folder per report."""
    return _BUNDLED / "reports"

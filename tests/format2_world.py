"""The format-2 test instrument in a catalog of its own, for service and web tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from assessment.domain.loading.catalog import InstrumentCatalog

FOLDER = Path(__file__).parent / "data" / "format2"
FMT2 = "fmt2-mini@2.0.0"


def format2_catalog(folder: Path) -> InstrumentCatalog:
    """A catalog folder holding only tests/data/format2/fmt2-mini-2.0.0.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FOLDER / "fmt2-mini-2.0.0.yaml", folder / "fmt2-mini-2.0.0.yaml")
    return InstrumentCatalog(folder)

"""The crosswalk test pair: the bundled 1.0.0, a small 2.0.0 and the crosswalk between them."""

from __future__ import annotations

import shutil
from pathlib import Path

from assessment.resources import questionnaires_dir

PAIR_DIR = Path(__file__).resolve().parent / "data" / "crosswalk"
V1 = "sm-policing-maturity@1.0.0"
V2 = "sm-policing-maturity@2.0.0"
CROSSWALK_FILE = "sm-policing-maturity-1.0.0-to-2.0.0.crosswalk.yaml"


def pair_folder(folder: Path) -> Path:
    """`folder` as a catalog: 1.0.0, the test 2.0.0 and the crosswalk from one to the other."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(questionnaires_dir() / "sm-policing-maturity-1.0.0.yaml", folder)
    for path in PAIR_DIR.iterdir():
        shutil.copy(path, folder)
    return folder

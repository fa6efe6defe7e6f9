"""PDFs cached by content: a report whose document would come out the same is laid out once.

The key is a digest of the report's final HTML (which holds every answer, result, peer
figure, instrument text and date the report shows, so the assessment's revision, the
stored results, the instrument version and the published peer data all change it), of
every template and stylesheet under the report folders, of the WeasyPrint version and of
the PDF options. A cached PDF is therefore served only where a fresh render would give
the same document; nothing has to be invalidated by hand.

A download looks first under `input_key`, a digest of the report's inputs as stored (see
`assessment.queries.report_inputs`) with the day, the branding, the anonymity threshold and
the same template and renderer versions: a few small queries instead of building the
report. `REPORT_CODE_VERSION` is raised whenever code changes what a report shows.

Entries are files in one folder, written atomically, so every worker process of a
machine shares them; past `max_entries` the oldest are removed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from datetime import date
from functools import cache
from pathlib import Path

import weasyprint

from assessment.config import Branding
from assessment.reporting.render import PDF_TAGS, html_to_pdf, report_folder
from assessment.resources import reports_dir

DEFAULT_MAX_ENTRIES = 500
REPORT_CODE_VERSION = "1"
"""Raise when the code that builds or lays out a report changes what it shows."""
SUFFIX = ".pdf"


@cache
def templates_digest() -> str:
    """A digest of every file under the report folders (templates, CSS, data)."""
    digest = hashlib.sha256()
    root = reports_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def content_key(name: str, html: str) -> str:
    """The cache key of report `name` laid out from `html`."""
    return _digest([name, *_layout_versions(), html])


def input_key(name: str, inputs: Sequence[str], *, issuer: Branding, k: int, today: date) -> str:
    """The cache key of report `name` built from `inputs` (the stored state of its data) on
    `today` with `issuer`'s branding and peer figures over at least `k` agencies."""
    settings = [repr(issuer), f"k={k}", today.isoformat(), f"code={REPORT_CODE_VERSION}"]
    return _digest(["inputs", name, *_layout_versions(), *settings, *inputs])


def _layout_versions() -> list[str]:
    return [templates_digest(), weasyprint.__version__, f"tags={PDF_TAGS}"]


def _digest(parts: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


class PdfCache:
    """Rendered PDFs in a folder, one file per content key."""

    def __init__(self, folder: Path, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.folder = folder
        self.max_entries = max_entries

    def pdf(self, name: str, html: str) -> tuple[bytes, bool]:
        """The PDF of report `name` from `html`, and whether it came from the cache."""
        key = content_key(name, html)
        cached = self.get(key)
        if cached is not None:
            return cached, True
        pdf = html_to_pdf(html, report_folder(name))
        self.put(key, pdf)
        return pdf, False

    def get(self, key: str) -> bytes | None:
        """The cached PDF of this content key, or None."""
        try:
            return (self.folder / f"{key}{SUFFIX}").read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, pdf: bytes) -> None:
        """Keep a PDF rendered elsewhere (by a queue worker) under its content key."""
        self._store(self.folder / f"{key}{SUFFIX}", pdf)

    def _store(self, path: Path, pdf: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(pdf)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._prune()

    def _prune(self) -> None:
        entries = []
        for entry in self.folder.glob(f"*{SUFFIX}"):
            try:
                entries.append((entry.stat().st_mtime, entry))
            except FileNotFoundError:  # removed by another worker meanwhile
                continue
        entries.sort()
        for _, entry in entries[: max(0, len(entries) - self.max_entries)]:
            entry.unlink(missing_ok=True)

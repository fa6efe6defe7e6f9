"""Report files appear complete or not at all, under safe names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assessment.reporting.batch import report_filename, write_atomically
from assessment.store.models import Agency, Round


def test_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")

    write_atomically(target, b"new content")

    assert target.read_bytes() == b"new content"
    assert [path.name for path in tmp_path.iterdir()] == ["report.pdf"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")

    def refuse(source: str, destination: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, b"new content")

    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["report.pdf"]


def test_file_names_are_safe_and_readable() -> None:
    agency = Agency(id=12, name="Police ../../etc/passwd: Noord & Zuid")
    round_ = Round(id=3, name="2025/Q1")

    assert report_filename(agency, round_) == "police-etc-passwd-noord-zuid-12-2025-q1.pdf"

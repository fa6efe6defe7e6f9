"""The published baseline figures: about agencies, each with its country and year."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.reporting.baseline import BaselineError, load_baseline, published_baseline


def test_every_figure_names_its_country_year_and_agency_sample() -> None:
    figures = published_baseline()
    assert all(f.country and f.year[:4].isdigit() for f in figures)
    assert all("agencies" in f.sample for f in figures)  # agencies, not officers or platforms
    text = " ".join(f"{f.source} {f.sample} {f.figure}" for f in figures)
    for dropped in ("Europol", "Internet Referral Unit", "LexisNexis", "officers"):
        assert dropped not in text
    (urban,) = [f for f in figures if "Urban Institute" in f.source]
    assert (urban.year, urban.sample) == ("2016", "539 US agencies in 48 states")
    assert [f.year for f in figures if not f.verified] == ["2014"]


def test_a_figure_without_a_country_is_named(tmp_path: Path) -> None:
    path = tmp_path / "baseline.yaml"
    path.write_text(
        '- {year: "2015", source: S, sample: 5 agencies, figure: "all"}\n', encoding="utf-8"
    )
    with pytest.raises(BaselineError, match=r"entry 1 lacks country"):
        load_baseline(path)


def test_verified_must_be_a_yes_or_no(tmp_path: Path) -> None:
    path = tmp_path / "baseline.yaml"
    path.write_text(
        '- {year: "2015", country: US, source: S, sample: 5 agencies, figure: "all",'
        " verified: maybe}\n",
        encoding="utf-8",
    )
    with pytest.raises(BaselineError, match=r"entry 1: verified must be true or false"):
        load_baseline(path)

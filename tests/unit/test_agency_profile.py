"""The agency record's codes for Europe: jurisdiction from the country, words for every code."""

from __future__ import annotations

import pytest

from assessment.domain.model.agency_profile import (
    AGENCY_TYPES,
    EU_MEMBER_STATES,
    JURISDICTIONS,
    POLICING_MODELS,
    WORKFORCE_BANDS,
    jurisdiction_of,
)
from assessment.domain.rules.benchmark import PeerGroup
from assessment.presentation.profiles import (
    PROFILE_LABELS,
    country_peers_note,
    describe_group,
    profile_line,
    record_choices,
)
from tests.unit.instruments import make_instrument


@pytest.mark.parametrize(
    ("country", "jurisdiction"),
    [
        ("NL", "eu"),
        (" de ", "eu"),
        ("GR", "eu"),
        ("NO", "eu"),
        ("is", "eu"),
        ("LI", "eu"),
        ("GB", "uk"),
        ("CH", "other"),
        ("US", "other"),
    ],
)
def test_the_jurisdiction_follows_from_the_country(country: str, jurisdiction: str) -> None:
    assert jurisdiction_of(country) == jurisdiction


def test_the_eu_has_27_member_states() -> None:
    assert len(EU_MEMBER_STATES) == 27 and "GB" not in EU_MEMBER_STATES


def test_every_code_of_the_record_has_words_in_order() -> None:
    for field, codes in (
        ("agency_type", AGENCY_TYPES),
        ("size_band", WORKFORCE_BANDS),
        ("jurisdiction", JURISDICTIONS),
        ("policing_model", POLICING_MODELS),
    ):
        assert [code for code, _ in record_choices(field)] == list(codes)
        assert set(PROFILE_LABELS[field]) == set(codes)


def test_profiles_and_groups_read_as_words() -> None:
    instrument = make_instrument()
    assert profile_line(instrument, "GB", "regional", "20000-plus") == (
        "United Kingdom · Regional or state force · workforce: 20,000 staff or more"
    )
    assert profile_line(instrument, "NL", "national", "under-250").startswith(
        "Netherlands (EU member state) · National force"
    )
    assert profile_line(instrument, "NO", "local", "under-250").startswith(
        "Norway (EEA state) · Local or municipal police"
    )
    assert profile_line(instrument, "CH", "local", "under-250").startswith(
        "Switzerland (outside the EU, the EEA and the UK) · Local or municipal police"
    )
    group = PeerGroup(country="FR", agency_type="gendarmerie", size_band="250-999")
    assert describe_group(group, lambda c: PROFILE_LABELS["agency_type"][c], str) == (
        "Agencies of type gendarmerie or military-status force in France with 250-999"
    )


def test_only_a_national_force_is_told_it_has_no_home_peers_of_its_type() -> None:
    note = country_peers_note("IE", "national")
    assert note is not None and "no other national force in Ireland" in note
    assert all(country_peers_note("IE", t) is None for t in AGENCY_TYPES if t != "national")

"""An assessment's profile answers: prefilled from the agency, saved with the edit rules
of answers, and used by every score (format-2 test instrument, conditions on the profile)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.formats.answer_file import load_answers_file
from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.answers import Answer
from assessment.domain.model.instrument import Instrument
from assessment.domain.rules.record_profile import agency_answers
from assessment.domain.rules.scoring import score_assessment
from assessment.queries.profiles import assessment_profile, effective_profile
from assessment.queries.results import assessment_results, stored_figures
from assessment.services import assessments, rounds
from assessment.services.errors import Conflict, InvalidInput
from assessment.services.export import round_export
from assessment.store.models import Agency, Assessment, AuditEvent, Role, Round, User
from tests.format2_world import FMT2, FOLDER, format2_catalog


@pytest.fixture
def catalog(tmp_path: Path) -> InstrumentCatalog:
    return format2_catalog(tmp_path / "catalog")


@pytest.fixture
def instrument(catalog: InstrumentCatalog) -> Instrument:
    return catalog.get(FMT2)


@pytest.fixture
def lead(create_user: Callable[..., User], create_agency: Callable[..., Agency]) -> User:
    # Switzerland: a country that does not settle the legal regime, so the lead chooses it.
    return create_user(Role.LEAD, agency=create_agency(agency_type="local", country="CH"))


@pytest.fixture
def draft(session: Session, lead: User, catalog: InstrumentCatalog) -> Assessment:
    instrument_id, _, version = FMT2.partition("@")
    round_ = rounds.create_round(
        session,
        name="2026",
        instrument_id=instrument_id,
        instrument_version=version,
        catalog=catalog,
    )
    assert lead.agency_id is not None
    return assessments.start_assessment(
        session, agency_id=lead.agency_id, round_id=round_.id, actor=lead, catalog=catalog
    )


def eu_local_answers() -> dict[str, Answer]:
    return dict(load_answers_file(FOLDER / "eu-local.json").answers)


def test_a_draft_starts_with_the_agency_answers_the_questionnaire_asks(
    draft: Assessment, instrument: Instrument
) -> None:
    # fmt2-mini asks agency_type (local fits) but not country or size_band.
    assert draft.profile == {"agency_type": "local"}
    assert assessment_profile(draft, instrument) == {"agency_type": "local"}


def test_a_missing_answer_falls_back_to_the_agency_record(
    session: Session,
    draft: Assessment,
    instrument: Instrument,
    lead: User,
    catalog: InstrumentCatalog,
) -> None:
    assessments.save_profile(
        session,
        assessment_id=draft.id,
        profile={"jurisdiction": "eu", "agency_type": None},
        revision=draft.revision,
        actor=lead,
        catalog=catalog,
    )
    assert draft.profile == {"jurisdiction": "eu"}
    assert assessment_profile(draft, instrument) == {"jurisdiction": "eu", "agency_type": "local"}


def test_changing_the_jurisdiction_lists_the_answers_that_stop_applying(
    session: Session, draft: Assessment, lead: User, catalog: InstrumentCatalog
) -> None:
    first = assessments.save_profile(
        session,
        assessment_id=draft.id,
        profile={"jurisdiction": "eu", "agency_type": "local"},
        revision=draft.revision,
        actor=lead,
        catalog=catalog,
    )
    assert first.changed == ("jurisdiction",)
    assert first.no_longer_applicable == ()
    assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers=eu_local_answers(),
        actor=lead,
        catalog=catalog,
    )
    change = assessments.save_profile(
        session,
        assessment_id=draft.id,
        profile={"jurisdiction": "uk", "agency_type": "national"},
        revision=draft.revision,
        actor=lead,
        catalog=catalog,
    )
    assert change.changed == ("jurisdiction", "agency_type")
    assert change.no_longer_applicable == ("legal.eu-dpia", "staffing.volunteers")
    # Nothing is deleted: the answers are kept.
    assert {row.practice_id for row in draft.answers} >= {"legal.eu-dpia", "staffing.volunteers"}
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assessment.profile_saved")
    ).all()[-1]
    assert event.detail["no_longer_applicable"] == ["legal.eu-dpia", "staffing.volunteers"]
    assert event.detail["changed"] == {"jurisdiction": "uk", "agency_type": "national"}


def test_a_profile_answer_that_does_not_fit_is_refused_by_question(
    session: Session, draft: Assessment, lead: User, catalog: InstrumentCatalog
) -> None:
    with pytest.raises(InvalidInput) as refused:
        assessments.save_profile(
            session,
            assessment_id=draft.id,
            profile={"jurisdiction": "mars", "size": "big"},
            revision=draft.revision,
            actor=lead,
            catalog=catalog,
        )
    assert set(refused.value.errors) == {"jurisdiction", "size"}
    assert "is not one of: eu, uk, other" in refused.value.errors["jurisdiction"]


def test_a_stale_revision_is_refused(
    session: Session, draft: Assessment, lead: User, catalog: InstrumentCatalog
) -> None:
    stale = draft.revision
    assessments.save_profile(
        session,
        assessment_id=draft.id,
        profile={"jurisdiction": "eu"},
        revision=stale,
        actor=lead,
        catalog=catalog,
    )
    with pytest.raises(Conflict):
        assessments.save_profile(
            session,
            assessment_id=draft.id,
            profile={"jurisdiction": "uk"},
            revision=stale,
            actor=lead,
            catalog=catalog,
        )
    assert draft.profile == {"jurisdiction": "eu"}


def test_stored_and_live_results_are_scored_with_the_profile(
    session: Session,
    draft: Assessment,
    lead: User,
    catalog: InstrumentCatalog,
    instrument: Instrument,
) -> None:
    answers = load_answers_file(FOLDER / "eu-local.json").answers
    assessments.save_profile(
        session,
        assessment_id=draft.id,
        profile={"jurisdiction": "eu", "agency_type": "local"},
        revision=draft.revision,
        actor=lead,
        catalog=catalog,
    )
    assessments.save_answers(
        session,
        assessment_id=draft.id,
        answers=dict(answers),
        actor=lead,
        catalog=catalog,
    )
    expected = score_assessment(instrument, answers, {"jurisdiction": "eu", "agency_type": "local"})
    # Without the profile the EU impact assessment would not apply and legal is not capped.
    assert score_assessment(instrument, answers).dimensions["legal"].level == 4
    live = assessment_results(session, draft, catalog)
    assert live.provisional
    assert live.score.overall == expected.overall
    assert live.score.dimensions["legal"].level == 1

    assessments.submit_assessment(
        session, assessment_id=draft.id, revision=draft.revision, actor=lead, catalog=catalog
    )
    stored = stored_figures(session, draft.id)
    for key, dimension in expected.dimensions.items():
        figure = stored["dimension", key]
        assert (figure.score, figure.level, figure.coverage) == (
            pytest.approx(dimension.score),
            dimension.level,
            dimension.coverage,
        )
    overall = stored["overall", "overall"]
    assert (overall.score, overall.level) == (pytest.approx(62.5), 1)

    assert (
        assessments.rescore_round(session, round_id=draft.round_id, actor=None, catalog=catalog)
        == 1
    )
    assert stored_figures(session, draft.id) == stored

    # The export's baseline counts follow the profile too: the EU impact assessment
    # applies and is open (without the profile it would be hidden and nothing open).
    (row,) = round_export(session, draft.round_id, catalog).rows
    assert (row["baseline_met"], row["baseline_open"]) == (1, 1)
    assert (row["profile_jurisdiction"], row["profile_agency_type"]) == ("eu", "local")


def test_the_round_export_carries_the_profile_answers_that_decided_what_applied(
    session: Session, draft: Assessment, lead: User, catalog: InstrumentCatalog
) -> None:
    assessments.save_profile(
        session,
        assessment_id=draft.id,
        profile={"jurisdiction": "uk"},
        revision=draft.revision,
        actor=lead,
        catalog=catalog,
    )
    exported = round_export(session, draft.round_id, catalog)

    assert exported.columns[-3:] == ("profile_jurisdiction", "profile_agency_type", "scoring")
    (row,) = exported.rows
    assert (row["profile_jurisdiction"], row["profile_agency_type"]) == ("uk", "local")


def test_the_bundled_questionnaire_export_keeps_its_columns(
    session: Session, create_round: Callable[..., Round]
) -> None:
    round_ = create_round("2030")
    exported = round_export(session, round_.id)
    assert not [column for column in exported.columns if column.startswith("profile_")]


def test_the_agency_record_answers_only_questions_it_fits(instrument: Instrument) -> None:
    # fmt2-mini asks agency_type (national or local) and the legal regime, which an EU
    # member state's record settles; it asks neither country nor size_band.
    assert agency_answers(instrument, "NL", "local", "250-999") == {
        "agency_type": "local",
        "jurisdiction": "eu",
    }
    assert agency_answers(instrument, "CH", "regional", "250-999") == {}
    # Stored answers win; the record fills only what is missing.
    assert effective_profile(
        instrument, {"agency_type": "national", "unknown": "x"}, {"agency_type": "local"}
    ) == {"agency_type": "national"}
    assert effective_profile(instrument, {"jurisdiction": "uk"}, {"agency_type": "local"}) == {
        "jurisdiction": "uk",
        "agency_type": "local",
    }

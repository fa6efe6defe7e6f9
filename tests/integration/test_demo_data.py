"""The synthetic demo population as stored: shape, calibration, logins and determinism."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.agency_profile import AGENCY_TYPES, POLICING_MODELS, WORKFORCE_BANDS
from assessment.domain.rules.benchmark import DEFAULT_ANONYMITY_K as DEFAULT_K
from assessment.domain.rules.benchmark import PeerGroup
from assessment.presentation.profiles import country_name
from assessment.queries import results as queries
from assessment.queries.instruments import default_catalog
from assessment.reporting.agency import build_agency_report
from assessment.reporting.cohort import build_cohort_report
from assessment.services import accounts, assessments, benchmarking, demo_data, export
from assessment.services.errors import Conflict
from assessment.store.db import Database
from assessment.store.migrate import upgrade_database
from assessment.store.models import (
    Agency,
    Answer,
    Assessment,
    AssessmentStatus,
    Result,
    Role,
    Round,
    User,
)
from tests.conftest import (
    BACKENDS,
    BUNDLED_QUESTIONNAIRE,
    migrated_database,
)
from tests.crosswalk_pair import V2, pair_folder

WRITTEN_POLICY = "policy.written-policy"


@pytest.fixture(scope="module", params=BACKENDS)
def demo_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, demo_data.DemoSummary]]:
    """The default demo population, loaded once per module and backend (tests only read it)."""
    with migrated_database(request.param, tmp_path_factory.mktemp("demo")) as database:
        with database.session() as session:
            summary = demo_data.load_demo_data(session)
        yield database, summary


@pytest.fixture
def demo_session(demo_database: tuple[Database, demo_data.DemoSummary]) -> Iterator[Session]:
    with demo_database[0].session() as session:
        yield session


@pytest.fixture
def loaded(demo_database: tuple[Database, demo_data.DemoSummary]) -> demo_data.DemoSummary:
    return demo_database[1]


def rounds_by_name(session: Session) -> dict[str, Round]:
    return {r.name: r for r in session.scalars(select(Round))}


def written_policy_share(session: Session, round_id: int) -> float:
    """Share of the round's submitted assessments whose written-policy answer counts as met."""
    practice = default_catalog().get(BUNDLED_QUESTIONNAIRE).practice(WRITTEN_POLICY)
    assert practice is not None
    met_options = [o.id for o in practice.answer_set.options if o.credit >= 0.75]
    submitted = (Assessment.round_id == round_id, Assessment.status == AssessmentStatus.SUBMITTED)
    total = session.scalar(select(func.count()).select_from(Assessment).where(*submitted))
    met = session.scalar(
        select(func.count())
        .select_from(Answer)
        .join(Assessment)
        .where(*submitted, Answer.practice_id == WRITTEN_POLICY, Answer.option_id.in_(met_options))
    )
    assert total and met is not None
    return met / total


def test_population_shape(demo_session: Session, loaded: demo_data.DemoSummary) -> None:
    agencies = list(demo_session.scalars(select(Agency)))
    assert len(agencies) == loaded.agencies == 60
    assert all(a.synthetic and a.name.startswith("Synthetic ") for a in agencies)
    assert all(a.name.endswith(f"({a.country})") for a in agencies)
    assert len({a.country for a in agencies}) >= 8
    assert {a.agency_type for a in agencies} == set(AGENCY_TYPES)
    assert {a.size_band for a in agencies} == set(WORKFORCE_BANDS)
    assert {a.policing_model for a in agencies} == set(POLICING_MODELS)
    national = [a.country for a in agencies if a.agency_type == "national"]
    assert len(national) == len(set(national))  # one national force per country
    found = rounds_by_name(demo_session)
    assert {name: r.is_open for name, r in found.items()} == {
        "2024": False,
        "2025": False,
        "2026": True,
    }
    for round_ in found.values():
        statuses = list(
            demo_session.scalars(select(Assessment.status).where(Assessment.round_id == round_.id))
        )
        assert statuses.count(AssessmentStatus.SUBMITTED) >= 0.75 * len(agencies)
    drafts_2026 = demo_session.scalar(
        select(func.count())
        .select_from(Assessment)
        .where(Assessment.round_id == found["2026"].id, Assessment.status == AssessmentStatus.DRAFT)
    )
    assert drafts_2026 is not None and 2 <= drafts_2026 <= 10
    assert demo_session.scalar(
        select(func.count()).select_from(Answer).where(Answer.not_applicable)
    )
    assert demo_session.scalar(select(func.count()).select_from(Answer).where(Answer.comment != ""))


def test_demo_logins_and_the_leads_open_draft(
    demo_session: Session, loaded: demo_data.DemoSummary
) -> None:
    for email in (demo_data.ADMIN_EMAIL, demo_data.CONSULTANT_EMAIL, demo_data.LEAD_EMAIL):
        assert accounts.authenticate(demo_session, email, demo_data.DEFAULT_PASSWORD) is not None
    lead = demo_session.scalar(select(User).where(User.role == Role.LEAD))
    assert lead is not None and lead.agency is not None
    assert lead.agency.name == loaded.lead_agency
    by_round = {a.round.name: a.status for a in lead.agency.assessments}
    assert by_round == {
        "2024": AssessmentStatus.SUBMITTED,
        "2025": AssessmentStatus.SUBMITTED,
        "2026": AssessmentStatus.DRAFT,
    }


def test_written_policy_share_is_near_its_anchor_in_the_latest_round_asking_it(
    demo_session: Session, loaded: demo_data.DemoSummary
) -> None:
    asking = [
        r
        for r in sorted(rounds_by_name(demo_session).values(), key=lambda r: r.name)
        if default_catalog()
        .get(f"{r.instrument_id}@{r.instrument_version}")
        .practice(WRITTEN_POLICY)
        is not None
    ]
    shares = [written_policy_share(demo_session, r.id) for r in asking]
    assert len(shares) >= 2
    assert 0.70 <= shares[-1] <= 0.86
    assert shares[0] < shares[-1]  # adoption grows over the rounds


def test_every_large_country_has_enough_agencies_for_a_country_peer_group(
    demo_session: Session, loaded: demo_data.DemoSummary
) -> None:
    """Countries with eight synthetic agencies reach the default threshold in every closed
    round (whether the group is published also depends on the disclosure lattice, which
    lets type groups claim first); a national force has no type-in-country group."""
    agencies = list(demo_session.scalars(select(Agency)))
    large = {c for c in {a.country for a in agencies} if sum(a.country == c for a in agencies) >= 8}
    assert len(large) >= 6
    for round_ in rounds_by_name(demo_session).values():
        if round_.is_open:
            continue
        frame = benchmarking.round_frame(demo_session, round_.id).drop_duplicates("agency_id")
        submitted = frame["country"].value_counts()
        assert all(submitted[country] >= DEFAULT_K for country in large), submitted
    national = next(a for a in agencies if a.agency_type == "national")
    labels = [label for label, _ in benchmarking.peer_groups_for(national)]
    assert f"same country ({country_name(national.country)})" in labels
    assert not any(label.startswith("same type in ") for label in labels)
    regional = next(a for a in agencies if a.agency_type == "regional")
    labels = [label for label, _ in benchmarking.peer_groups_for(regional)]
    assert f"same type in {country_name(regional.country)} (Regional or state force)" in labels


def test_most_agencies_improve_a_little_and_some_fall_back(
    demo_session: Session, loaded: demo_data.DemoSummary
) -> None:
    found = rounds_by_name(demo_session)
    overall = {}
    for name in ("2024", "2025", "2026"):
        frame = queries.round_results_frame(demo_session, found[name].id)
        overall[name] = frame[frame["scope"] == "overall"].set_index("agency_id")["score"]
    change = (overall["2026"] - overall["2025"]).dropna()
    assert (change > 0).mean() > 0.6
    assert (change < 0).sum() >= 2
    assert 0 < change.median() < 10
    assert overall["2024"].mean() < overall["2025"].mean() < overall["2026"].mean()


def test_stored_results_are_what_rescoring_gives(
    demo_session: Session, loaded: demo_data.DemoSummary
) -> None:
    round_id = rounds_by_name(demo_session)["2025"].id
    before = queries.round_results_frame(demo_session, round_id)
    assert assessments.rescore_round(demo_session, round_id=round_id, actor=None) > 50
    after = queries.round_results_frame(demo_session, round_id)
    key = ["agency_id", "scope", "key"]
    pd.testing.assert_frame_equal(
        before.sort_values(key).reset_index(drop=True),
        after.sort_values(key).reset_index(drop=True),
    )


def test_loading_twice_is_refused(demo_session: Session, loaded: demo_data.DemoSummary) -> None:
    results = demo_session.scalar(select(func.count()).select_from(Result))
    with pytest.raises(Conflict, match="needs it empty"):
        demo_data.load_demo_data(demo_session)
    assert demo_session.scalar(select(func.count()).select_from(Result)) == results


def exported(session: Session) -> list[tuple[export.Cell, ...]]:
    rows = []
    for round_ in session.scalars(select(Round).order_by(Round.name)):
        rows += [tuple(row.values()) for row in export.round_export(session, round_.id).rows]
    return rows


def test_same_seed_same_figures_on_another_database(session: Session, tmp_path: Path) -> None:
    demo_data.load_demo_data(session, seed=7, agencies=12)
    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade_database(other_url)
    other = Database(other_url)
    try:
        with other.session() as other_session:
            demo_data.load_demo_data(other_session, seed=7, agencies=12)
            assert exported(other_session) == exported(session)
        different_url = f"sqlite:///{tmp_path / 'different.db'}"
        upgrade_database(different_url)
        different = Database(different_url)
        with different.session() as different_session:
            demo_data.load_demo_data(different_session, seed=8, agencies=12)
            assert exported(different_session) != exported(session)
        different.dispose()
    finally:
        other.dispose()


def test_the_latest_round_is_on_the_newest_version_and_compared_through_the_crosswalk(
    session: Session, tmp_path: Path
) -> None:
    """With a second version bundled (here the crosswalk test pair), 2024 and 2025 stay on
    the first version, 2026 is on the newest, and a trajectory measures 2026 against 2025
    carried over through the crosswalk."""
    catalog = InstrumentCatalog(pair_folder(tmp_path / "catalog"))
    summary = demo_data.load_demo_data(session, agencies=20, catalog=catalog)

    found = rounds_by_name(session)
    assert {name: r.instrument_version for name, r in found.items()} == {
        "2024": "1.0.0",
        "2025": "1.0.0",
        "2026": "2.0.0",
    }
    newest = catalog.get(V2)
    latest = list(
        session.scalars(select(Assessment).where(Assessment.round_id == found["2026"].id))
    )
    assert {a.instrument_version for a in latest} == {"2.0.0"}
    for assessment in latest:
        assert {answer.practice_id for answer in assessment.answers} <= {
            p.id for p in newest.practices()
        }
    admin = session.scalar(select(User).where(User.role == Role.ADMIN))
    assert admin is not None
    submitted_2025 = set(
        session.scalars(
            select(Assessment.agency_id).where(
                Assessment.round_id == found["2025"].id,
                Assessment.status == AssessmentStatus.SUBMITTED,
            )
        )
    )
    agency_id = next(
        a.agency_id
        for a in latest
        if a.status == AssessmentStatus.SUBMITTED and a.agency_id in submitted_2025
    )
    path = benchmarking.agency_trajectory(
        session, viewer=admin, agency_id=agency_id, catalog=catalog
    )
    points = {p.round.name: p for p in path.points}
    assert points["2025"].carried_share is not None and points["2025"].carried_share > 0
    assert points["2026"].compared_with == "2025"
    assert points["2026"].overall.score_change is not None
    assert summary.rounds == ("2024", "2025", "2026")


def test_reports_on_the_demo_say_it_is_synthetic_and_why_a_national_force_lacks_home_peers(
    demo_session: Session, loaded: demo_data.DemoSummary
) -> None:
    round_ = rounds_by_name(demo_session)["2025"]
    submitted = set(
        demo_session.scalars(
            select(Assessment.agency_id).where(
                Assessment.round_id == round_.id, Assessment.status == AssessmentStatus.SUBMITTED
            )
        )
    )
    agencies = [a for a in demo_session.scalars(select(Agency)) if a.id in submitted]
    national = next(a for a in agencies if a.agency_type == "national")
    regional = next(a for a in agencies if a.agency_type == "regional")

    report = build_agency_report(demo_session, national.id, round_.id, DEFAULT_K)
    assert report.synthetic_note is not None and "illustrative" in report.synthetic_note
    assert report.peer_note is not None
    assert f"no other national force in {country_name(national.country)}" in report.peer_note
    other = build_agency_report(demo_session, regional.id, round_.id, DEFAULT_K)
    assert other.peer_note is None
    cohort = build_cohort_report(demo_session, round_.id, PeerGroup(), DEFAULT_K)
    assert cohort.synthetic_note is not None and "fictitious" in cohort.synthetic_note

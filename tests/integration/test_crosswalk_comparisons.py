"""Trajectories, change since the previous round and cohort medians across versions."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.domain.formats.answer_file import load_answers_file
from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.model.answers import Answer
from assessment.domain.rules.benchmark import PeerGroup
from assessment.queries.agencies import agency_overview
from assessment.reporting.agency import build_agency_report
from assessment.reporting.cohort import build_cohort_report
from assessment.reporting.render import render_agency_pdf
from assessment.resources import questionnaires_dir
from assessment.services import benchmarking, rounds
from assessment.store.models import Agency, Role, Round, User
from tests.crosswalk_pair import V2, pair_folder
from tests.peer_data import answers_up_to, close, submit

EXAMPLES = questionnaires_dir() / "examples"


@pytest.fixture
def catalog(tmp_path: Path) -> InstrumentCatalog:
    """The test pair: 1.0.0, the small 2.0.0 and the crosswalk between them."""
    return InstrumentCatalog(pair_folder(tmp_path / "catalog"))


def example(name: str) -> dict[str, Answer]:
    """One bundled example's 1.0.0 answers."""
    return dict(load_answers_file(EXAMPLES / f"{name}.json").answers)


def make_round(session: Session, name: str, ref: str, catalog: InstrumentCatalog) -> Round:
    """A round on `ref` (id@version) of the pair's catalog."""
    instrument_id, _, version = ref.partition("@")
    return rounds.create_round(
        session,
        name=name,
        instrument_id=instrument_id,
        instrument_version=version,
        catalog=catalog,
    )


@pytest.fixture
def admin(create_user: Callable[..., User]) -> User:
    """An administrator."""
    return create_user(role=Role.ADMIN)


V2_ANSWERS = {
    "policy.written-policy": "fully",
    "policy.account-register": "fully",
    "policy.strategy-and-review": "fully",
    "policy.social-listening": "fully",
    "legal.data-protection": "fully",
    "legal.covert-authorisation": "all",
    "protocols.account-security": "yes",
    "protocols.verification": "yes",
}


def v2_answers() -> dict[str, Answer]:
    """Every 2.0.0 practice met."""
    return {pid: Answer(pid, option) for pid, option in V2_ANSWERS.items()}


@pytest.fixture
def starting_agency(
    session: Session, create_agency: Callable[..., Agency], catalog: InstrumentCatalog
) -> Agency:
    """The starting example submitted in 2025 (1.0.0), all met in 2026 (2.0.0)."""
    agency = create_agency(country="NL", agency_type="regional")
    round_2025 = make_round(session, "2025", "sm-policing-maturity@1.0.0", catalog)
    submit(session, agency, round_2025, example("starting-agency"), catalog)
    round_2026 = make_round(session, "2026", V2, catalog)
    submit(session, agency, round_2026, v2_answers(), catalog)
    return agency


def test_the_trajectory_carries_the_earlier_version_over(
    session: Session, starting_agency: Agency, catalog: InstrumentCatalog, admin: User
) -> None:
    path = benchmarking.agency_trajectory(
        session, viewer=admin, agency_id=starting_agency.id, catalog=catalog
    )

    before, latest = path.points
    # 2025 on 1.0.0, re-expressed in 2.0.0 (hand-computed in tests/unit/test_carry.py).
    assert before.comparable and before.carried_share == 0.75
    assert before.overall.score == pytest.approx((175 / 3 + 0) / 2)
    assert before.overall.level == 1
    # 2026: everything met in 2.0.0; changes measured against the carried-over figures.
    assert latest.compared_with == "2025" and latest.compared_carried_share == 0.75
    assert latest.carried_share is None
    assert latest.overall.score == 100.0
    assert latest.overall.score_change == pytest.approx(100 - (175 / 3) / 2)
    assert latest.overall.level_change == 2
    assert latest.dimension("policy").score_change == pytest.approx(100 - 175 / 3)
    assert latest.dimension("legal").score_change is None  # nothing applicable answered before
    # Met before: the written policy (fully) and the account register (largely).
    assert set(latest.newly_met) == set(V2_ANSWERS) - {
        "policy.written-policy",
        "policy.account-register",
    }


def test_the_overview_measures_the_change_against_carried_answers(
    session: Session, starting_agency: Agency, catalog: InstrumentCatalog
) -> None:
    (row,) = agency_overview(session, agency_ids=[starting_agency.id], catalog=catalog)

    assert row.latest_round == "2026" and row.score == 100.0
    assert row.change == pytest.approx(100 - (175 / 3) / 2)
    assert row.change_comparable and row.change_carried_share == 0.75


def test_without_a_crosswalk_the_earlier_version_stays_not_comparable(
    session: Session, starting_agency: Agency, catalog: InstrumentCatalog, admin: User
) -> None:
    bare = InstrumentCatalog(catalog.directory)
    next(bare.directory.glob("*.crosswalk.yaml")).unlink()

    path = benchmarking.agency_trajectory(
        session, viewer=admin, agency_id=starting_agency.id, catalog=bare
    )
    (row,) = agency_overview(session, agency_ids=[starting_agency.id], catalog=bare)

    assert [p.comparable for p in path.points] == [False, True]
    assert path.points[0].carried_share is None
    assert path.points[1].overall.score_change is None
    assert row.change is None and not row.change_comparable


def test_cohort_medians_carry_an_earlier_round_over(
    session: Session, create_agency: Callable[..., Agency], catalog: InstrumentCatalog
) -> None:
    round_2025 = make_round(session, "2025", "sm-policing-maturity@1.0.0", catalog)
    agencies = [create_agency(country="NL", agency_type="regional") for _ in range(5)]
    v1 = catalog.get("sm-policing-maturity@1.0.0")
    for agency in agencies:
        submit(session, agency, round_2025, answers_up_to(v1, 5), catalog)
    close(session, round_2025)
    round_2026 = make_round(session, "2026", V2, catalog)
    for agency in agencies:
        submit(session, agency, round_2026, v2_answers(), catalog)
    close(session, round_2026)

    cohort = benchmarking.cohort_trend(session, group=PeerGroup(), k=5, catalog=catalog)

    before, latest = cohort
    assert before.comparable and before.carried_share == 0.75
    assert latest.carried_share is None
    # 1.0.0 answered fully everywhere carries to 2.0.0 with the two new practices
    # unanswered: policy (1+1+1)/3, legal (1+1)/2, protocols 1/1 -> 100 each.
    assert before.median("dimension", "policy") == 100
    assert before.median("dimension", "legal") == 100
    assert before.statistics is not None
    assert {c.key for c in before.statistics.in_scope("dimension")} == {
        "policy",
        "legal",
        "protocols",
    }
    report = build_cohort_report(session, round_2026.id, PeerGroup(), 5, catalog=catalog)
    assert report.medians_over_rounds is not None
    assert [row.round_name for row in report.medians_over_rounds.rows] == [
        "2025 (carried over, 75% equivalent)",
        "2026",
    ]
    assert "2025*" in report.medians_over_rounds.chart


def test_the_agency_report_compares_with_the_carried_over_round(
    session: Session, starting_agency: Agency, catalog: InstrumentCatalog
) -> None:
    round_2026 = session.scalars(select(Round).where(Round.name == "2026")).one()

    report = build_agency_report(session, starting_agency.id, round_2026.id, 5, catalog=catalog)

    carried = "2025 (carried over, 75% equivalent)"
    assert report.summary.previous_round == carried
    assert report.summary.previous_overall == pytest.approx((175 / 3) / 2)
    assert report.trend is not None
    assert [row.round_name for row in report.trend.rows] == [carried, "2026"]
    pdf = pypdf.PdfReader(io.BytesIO(render_agency_pdf(report)))
    text = " ".join((page.extract_text() or "") for page in pdf.pages)
    assert "2025 (carried over, 75% equivalent)" in " ".join(text.split())
    assert "2025*" in report.trend.chart  # the chart's axis: the long name would not fit

"""Carried figures of the agency list are stored (`carried_result`) by the demo load,
submissions and rescoring, read back instead of computed, and never used when they were
computed from other inputs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.rules.benchmark import PeerGroup
from assessment.queries.agencies import AgencyOverview, agency_overview, unstored_carried_results
from assessment.queries.carried import Carrier
from assessment.resources import questionnaires_dir
from assessment.services import assessments, benchmarking, demo_data
from assessment.services.carried_results import store_carried_results
from assessment.store.models import Agency, Assessment, AssessmentStatus, CarriedResult, Round
from tests.conftest import BACKENDS, migrated_database

AGENCIES = 16


@pytest.fixture(params=BACKENDS)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Session]:
    """A small demo population (rounds on 1.0.0, then 2.0.0), freshly loaded."""
    folder = tmp_path_factory.mktemp("carried")
    with migrated_database(request.param, folder) as database, database.session() as session:
        demo_data.load_demo_data(session, agencies=AGENCIES)
        yield session


def fresh_catalog() -> InstrumentCatalog:
    """A catalog no process memory has seen (as after a start)."""
    return InstrumentCatalog(questionnaires_dir())


def no_carrying(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("carried and scored although a stored figure fits")

    monkeypatch.setattr(Carrier, "figures", refuse)


def carried_rows(overview: list[AgencyOverview]) -> list[AgencyOverview]:
    return [row for row in overview if row.change_carried_share is not None]


def test_the_demo_stores_every_carried_figure_and_a_fresh_process_reads_them(
    demo: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = demo.scalar(select(func.count()).select_from(CarriedResult))
    assert stored and stored >= AGENCIES // 2
    assert unstored_carried_results(demo) == []

    with monkeypatch.context() as patched:
        no_carrying(patched)
        from_store = agency_overview(demo, catalog=fresh_catalog())
    demo.execute(delete(CarriedResult))
    computed = agency_overview(demo, catalog=fresh_catalog())

    assert carried_rows(computed), "the demo should compare across versions"
    assert from_store == computed


def test_a_figure_stored_from_other_inputs_is_computed_again_and_rewritten(
    demo: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = demo.scalars(select(CarriedResult).order_by(CarriedResult.id)).first()
    assert row is not None
    old_basis = row.basis
    earlier = demo.get(Assessment, row.assessment_id)
    assert earlier is not None
    agency = demo.get(Agency, earlier.agency_id)
    assert agency is not None
    # The agency's record gives the profile defaults the earlier answers are scored under.
    agency.size_band = "under-250" if agency.size_band != "under-250" else "20000-plus"
    demo.flush()

    stale = unstored_carried_results(demo)
    assert [(entry.assessment_id, entry.target) for entry in stale] == [
        (row.assessment_id, row.target)
    ]
    with monkeypatch.context() as patched, pytest.raises(AssertionError, match="carried"):
        no_carrying(patched)
        agency_overview(demo, agency_ids=[agency.id], catalog=fresh_catalog())

    assert store_carried_results(demo, agency_ids=[agency.id]) == 1
    demo.commit()
    assert unstored_carried_results(demo) == []
    rewritten = demo.scalar(
        select(CarriedResult.basis).where(
            CarriedResult.assessment_id == row.assessment_id, CarriedResult.target == row.target
        )
    )
    assert rewritten not in (None, old_basis)


def test_rescoring_a_round_stores_its_agencies_carried_figures(demo: Session) -> None:
    latest = demo.scalars(select(Round).order_by(Round.name.desc())).first()
    assert latest is not None
    demo.execute(delete(CarriedResult))
    demo.commit()

    assessments.rescore_round(demo, round_id=latest.id, actor=None)

    assert demo.scalar(select(func.count()).select_from(CarriedResult))
    assert unstored_carried_results(demo) == []


def test_cohort_trend_carries_each_earlier_assessment_once_per_process(
    demo: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = fresh_catalog()
    everyone = PeerGroup()
    first = benchmarking.cohort_trend(demo, group=everyone, k=5, catalog=catalog)
    assert any(entry.carried_share is not None for entry in first), "no round was carried"

    calls: list[str] = []
    figures = Carrier.figures

    def counted(self: Carrier, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return figures(self, *args, **kwargs)

    monkeypatch.setattr(Carrier, "figures", counted)
    assert benchmarking.cohort_trend(demo, group=everyone, k=5, catalog=catalog) == first
    assert calls == []

    # An agency whose record changed is carried again (its profile defaults may differ).
    earlier = demo.get(Assessment, demo.scalars(select(CarriedResult.assessment_id)).first())
    assert earlier is not None
    agency = demo.get(Agency, earlier.agency_id)
    assert agency is not None
    agency.size_band = "under-250" if agency.size_band != "under-250" else "20000-plus"
    demo.flush()
    carried_rounds = demo.scalar(
        select(func.count()).where(
            Assessment.agency_id == agency.id,
            Assessment.status == AssessmentStatus.SUBMITTED,
            Assessment.instrument_version == earlier.instrument_version,
        )
    )
    benchmarking.cohort_trend(demo, group=everyone, k=5, catalog=catalog)
    assert len(calls) == carried_rounds >= 1

"""Benchmarks, positions, trajectories and the agency overview over a real database."""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from assessment.domain.loading.catalog import InstrumentCatalog
from assessment.domain.rules.benchmark import GroupRefused, PeerGroup, whole_points
from assessment.queries.agencies import agency_overview
from assessment.resources import questionnaires_dir
from assessment.services import benchmarking, rounds
from assessment.services.errors import NotFound
from assessment.services.rounds import set_round_open
from assessment.store.db import Database
from assessment.store.models import Agency, Result, ResultScope, Role, Round, User
from tests.peer_data import close, instrument_of_round, submit_at

CAPS = [1, 2, 2, 3, 4, 5]


@pytest.fixture
def round_2025(create_round: Callable[..., Round]) -> Round:
    """An open round on the bundled instrument."""
    return create_round("2025")


@pytest.fixture
def peers(
    session: Session, create_agency: Callable[..., Agency], round_2025: Round
) -> list[Agency]:
    """Six Dutch regional agencies submitted at rising maturity; the round then closed."""
    agencies = [create_agency(country="NL", agency_type="regional") for _ in CAPS]
    for agency, cap in zip(agencies, CAPS, strict=True):
        submit_at(session, agency, round_2025, cap)
    close(session, round_2025)
    return agencies


def stored_overall_scores(session: Session, round_: Round) -> list[float]:
    """The overall scores stored for the round, straight from the result table."""
    rows = session.scalars(
        select(Result.score).where(Result.scope == ResultScope.OVERALL, Result.key == "overall")
    )
    return [score for score in rows if score is not None]


def test_round_statistics_summarise_the_stored_results(
    session: Session, peers: list[Agency], round_2025: Round
) -> None:
    stats = benchmarking.round_statistics(session, round_id=round_2025.id, group=PeerGroup(), k=5)

    scores = stored_overall_scores(session, round_2025)
    overall = stats.cell("overall", "overall")
    assert overall is not None and overall.summary is not None
    assert overall.summary.n == 6
    assert overall.summary.median == whole_points(statistics.median(scores))
    # six agencies: the median alone, no quartiles and no level counts below 2K
    assert overall.summary.q1 is None and overall.levels == ()
    instrument = instrument_of_round(round_2025)
    assert [c.key for c in stats.in_scope("dimension")] == [d.id for d in instrument.dimensions]
    assert {c.key for c in stats.in_scope("theme")} == set(instrument.themes)


def test_a_group_below_k_is_withheld_and_a_near_copy_refused(
    session: Session,
    create_agency: Callable[..., Agency],
    round_2025: Round,
) -> None:
    for cap in CAPS:
        submit_at(session, create_agency(country="NL", agency_type="regional"), round_2025, cap)
    submit_at(session, create_agency(country="BE", agency_type="regional"), round_2025, 3)
    close(session, round_2025)

    small = benchmarking.round_statistics(
        session, round_id=round_2025.id, group=PeerGroup(country="BE"), k=5
    )
    assert small.cell("overall", "overall").withheld_reason == "not enough peers (n < 5)"  # type: ignore[union-attr]
    with pytest.raises(GroupRefused, match="would single out fewer than 5 agencies"):
        benchmarking.round_statistics(
            session, round_id=round_2025.id, group=PeerGroup(country="NL"), k=5
        )


def test_a_round_closed_again_after_one_more_submission_keeps_its_figures(
    session: Session,
    peers: list[Agency],
    round_2025: Round,
    create_agency: Callable[..., Agency],
) -> None:
    def overall(group: PeerGroup) -> tuple[int | None, float | None]:
        stats = benchmarking.round_statistics(session, round_id=round_2025.id, group=group, k=5)
        cell = stats.cell("overall", "overall")
        return stats.n_agencies, cell.summary.median if cell and cell.summary else None

    before = overall(PeerGroup())
    set_round_open(session, round_id=round_2025.id, is_open=True, actor=None)
    reopened = overall(PeerGroup())
    submit_at(session, create_agency(country="BE", agency_type="regional"), round_2025, 5)
    close(session, round_2025)

    # the seventh agency alone would be the difference: all agencies keep the six
    assert before[0] == 6
    assert reopened == before
    assert overall(PeerGroup()) == before
    assert overall(PeerGroup(country="NL")) == before
    assert overall(PeerGroup(country="BE"))[0] is None


def test_an_open_round_publishes_no_statistics_until_it_closes(
    session: Session, create_agency: Callable[..., Agency], round_2025: Round
) -> None:
    for cap in CAPS:
        submit_at(session, create_agency(country="NL", agency_type="regional"), round_2025, cap)

    pending = benchmarking.round_statistics(session, round_id=round_2025.id, group=PeerGroup(), k=5)
    close(session, round_2025)
    published = benchmarking.round_statistics(
        session, round_id=round_2025.id, group=PeerGroup(), k=5
    )

    assert pending.n_agencies is None
    assert {c.withheld_reason for c in pending.cells} == {
        "published when the round closes, so that no single submission can be singled out"
    }
    assert published.n_agencies == 6


def test_agency_benchmark_gives_positions_per_peer_group(
    session: Session,
    peers: list[Agency],
    round_2025: Round,
    create_user: Callable[..., User],
) -> None:
    lead = create_user(role=Role.LEAD, agency=peers[-1])

    result = benchmarking.agency_benchmark(
        session, viewer=lead, agency_id=peers[-1].id, round_id=round_2025.id, k=5
    )

    everyone = result.comparison("all agencies")
    assert everyone is not None and everyone.position is not None
    overall = everyone.position.figure("overall", "overall")
    assert overall is not None
    # the most mature of six: 5 below, itself half
    assert overall.percentile_rank == round(100 * 5.5 / 6)  # whole percent
    assert [c.label for c in result.comparisons] == [
        "all agencies",
        "same type (Regional or state force)",
        "same country (Netherlands)",
        "same workforce (250 to 999 staff)",
        "same type and workforce (Regional or state force, 250 to 999 staff)",
        "same type in Netherlands (Regional or state force)",
    ]


def test_a_lead_cannot_ask_for_another_agency(
    session: Session,
    peers: list[Agency],
    round_2025: Round,
    create_user: Callable[..., User],
) -> None:
    lead = create_user(role=Role.LEAD, agency=peers[0])

    with pytest.raises(NotFound):
        benchmarking.agency_benchmark(
            session, viewer=lead, agency_id=peers[1].id, round_id=round_2025.id, k=5
        )
    with pytest.raises(NotFound):
        benchmarking.agency_trajectory(session, viewer=lead, agency_id=peers[1].id)


def test_trajectory_rescores_each_round_and_names_practices_met_and_lost(
    session: Session,
    create_agency: Callable[..., Agency],
    create_round: Callable[..., Round],
    create_user: Callable[..., User],
) -> None:
    agency = create_agency()
    first, second = create_round("2024"), create_round("2025")
    instrument = instrument_of_round(first)
    level_3 = [p.id for p in instrument.practices() if p.level == 3]
    lost = next(p.id for p in instrument.practices() if p.level == 2)
    submit_at(session, agency, first, 2)
    submit_at(session, agency, second, 3, flipped=[lost])
    consultant = create_user(role=Role.CONSULTANT)

    trajectory = benchmarking.agency_trajectory(session, viewer=consultant, agency_id=agency.id)

    before, after = trajectory.points
    assert [before.round.name, after.round.name] == ["2024", "2025"]
    assert after.compared_with == "2024"
    assert after.overall.score_change == pytest.approx(
        after.overall.score - before.overall.score  # type: ignore[operator]
    )
    assert set(after.newly_met) == set(level_3)
    assert after.newly_lost == (lost,)


def test_rounds_on_another_major_version_are_flagged(
    session: Session,
    create_agency: Callable[..., Agency],
    create_round: Callable[..., Round],
    create_user: Callable[..., User],
    tmp_path: Path,
) -> None:
    catalog = catalog_with_major_two(tmp_path)
    agency = create_agency()
    old = create_round("2024")
    new = rounds.create_round(
        session,
        name="2025",
        instrument_id="sm-policing-maturity",
        instrument_version="2.0.0",
        catalog=catalog,
    )
    submit_at(session, agency, old, 2, catalog=catalog)
    submit_at(session, agency, new, 3, catalog=catalog)
    admin = create_user(role=Role.ADMIN)

    trajectory = benchmarking.agency_trajectory(
        session, viewer=admin, agency_id=agency.id, catalog=catalog
    )

    assert [p.comparable for p in trajectory.points] == [False, True]
    assert trajectory.points[1].compared_with is None
    assert trajectory.points[1].overall.score_change is None
    (overview,) = agency_overview(session, catalog=catalog)
    assert overview.latest_round == "2025"
    assert overview.change is None
    assert not overview.change_comparable


def catalog_with_major_two(folder: Path) -> InstrumentCatalog:
    """A catalog with the bundled instrument at 1.0.0 and a copy of it as 2.0.0."""
    source = questionnaires_dir() / "sm-policing-maturity-1.0.0.yaml"
    shutil.copyfile(source, folder / source.name)
    text = source.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 2.0.0", 1)
    (folder / "sm-policing-maturity-2.0.0.yaml").write_text(text, encoding="utf-8")
    return InstrumentCatalog(folder)


def test_cohort_trend_gives_medians_per_round(
    session: Session,
    create_agency: Callable[..., Agency],
    create_round: Callable[..., Round],
) -> None:
    agencies = [create_agency() for _ in range(5)]
    first, second = create_round("2024"), create_round("2025")
    for agency in agencies:
        submit_at(session, agency, first, 2)
        submit_at(session, agency, second, 3)
    close(session, first), close(session, second)

    cohort = benchmarking.cohort_trend(session, group=PeerGroup(), k=5)

    assert [entry.round.name for entry in cohort] == ["2024", "2025"]
    medians = [entry.median("dimension", "policy") for entry in cohort]
    assert medians[0] is not None and medians[1] is not None
    assert medians[1] > medians[0]


def test_agency_overview_reads_latest_figures_and_change_in_one_query(
    session: Session,
    database: Database,
    create_agency: Callable[..., Agency],
    create_round: Callable[..., Round],
) -> None:
    improving, new, silent = create_agency(), create_agency(), create_agency()
    first, second = create_round("2024"), create_round("2025")
    submit_at(session, improving, first, 2)
    submit_at(session, improving, second, 4)
    submit_at(session, new, second, 3)
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    rows = {row.agency_id: row for row in agency_overview(session)}

    assert len(statements) == 1
    scores = {
        (r.round_id, r.agency_id): r.score
        for r in benchmarking.round_frame(session, second.id).itertuples()
        if r.scope == "overall"
    }
    assert rows[improving.id].latest_round == "2025"
    assert rows[improving.id].score == scores[(second.id, improving.id)]
    change = rows[improving.id].change
    assert change is not None and change > 0
    assert rows[new.id].change is None and rows[new.id].change_comparable
    assert rows[silent.id].latest_round is None and rows[silent.id].score is None

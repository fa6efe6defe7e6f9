"""Results computed under an older scoring: flagged stale, found, and rescored by the CLI."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import update
from sqlalchemy.orm import Session

from assessment.cli import main
from assessment.domain.rules import scoring
from assessment.queries.results import assessment_results, stale_rounds
from assessment.store.models import Agency, Assessment, Round
from tests.peer_data import answers_up_to, instrument_of_round, submit


def run(database_url: str, *args: str) -> Result:
    """Run the `assessment` command on the test database."""
    return CliRunner().invoke(main, [*args, "--database-url", database_url])


@pytest.fixture
def submitted(
    session: Session,
    create_agency: Callable[..., Agency],
    create_round: Callable[..., Round],
) -> list[Assessment]:
    """Two rounds with one submitted assessment each, scored under today's rules."""
    made = []
    for name in ("2025", "2026"):
        round_ = create_round(name)
        answers = answers_up_to(instrument_of_round(round_), 3)
        made.append(submit(session, create_agency(), round_, answers))
    return made


def test_a_new_version_of_the_scoring_rules_makes_every_result_stale_until_rescored(
    session: Session,
    submitted: list[Assessment],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert stale_rounds(session) == []
    assert run(database_url, "round", "rescore", "--stale").output == (
        "No stored results were computed under an older scoring.\n"
    )

    monkeypatch.setattr(scoring, "SCORING_RULES_VERSION", scoring.SCORING_RULES_VERSION + 1)

    assert [(r.name, n) for r, n in stale_rounds(session)] == [("2025", 1), ("2026", 1)]
    assert all(assessment_results(session, a).stale for a in submitted)
    result = run(database_url, "round", "rescore", "--stale")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Rescored 1 submitted assessments of round 2025 (1 computed under an older scoring).",
        "Rescored 1 submitted assessments of round 2026 (1 computed under an older scoring).",
    ]
    session.expire_all()
    assert stale_rounds(session) == []
    assert not any(assessment_results(session, a).stale for a in submitted)


def test_results_stored_before_they_named_their_scoring_are_stale(
    session: Session, submitted: list[Assessment], database_url: str
) -> None:
    session.execute(
        update(Assessment).where(Assessment.id == submitted[0].id).values(scored_with=None)
    )
    session.commit()

    assert [(r.name, n) for r, n in stale_rounds(session)] == [("2025", 1)]
    assert run(database_url, "round", "rescore", "--stale").exit_code == 0
    session.expire_all()
    assert stale_rounds(session) == []


def test_rescore_needs_a_round_or_stale(database_url: str, submitted: list[Assessment]) -> None:
    for args in ((), ("2025", "--stale")):
        result = run(database_url, "round", "rescore", *args)
        assert result.exit_code == 2
        assert "give either a ROUND or --stale" in result.output

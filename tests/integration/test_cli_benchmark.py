"""`assessment benchmark` and `assessment token create` on a real database."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from assessment.cli import main
from assessment.services.accounts import user_for_api_token
from assessment.store.models import Agency, Role, Round, User
from tests.peer_data import close, submit_at


@pytest.fixture
def seeded_round(
    session: Session, create_agency: Callable[..., Agency], create_round: Callable[..., Round]
) -> Round:
    """Round 2025, closed, with five Dutch local agencies and two Belgian ones submitted."""
    round_ = create_round("2025")
    for cap in (1, 2, 3, 4, 5):
        submit_at(session, create_agency(country="NL", agency_type="local"), round_, cap)
    for cap in (2, 3):
        submit_at(session, create_agency(country="BE", agency_type="local"), round_, cap)
    return close(session, round_)


def run(database_url: str, *args: str) -> tuple[int, str, str]:
    """Run the command line on the test database: exit code, stdout, stderr."""
    result = CliRunner().invoke(main, [*args, "--database-url", database_url])
    return result.exit_code, result.stdout, result.stderr


def test_text_output_lists_every_figure(database_url: str, seeded_round: Round) -> None:
    code, out, _ = run(database_url, "benchmark", "--round", "2025")

    assert code == 0
    lines = out.splitlines()
    assert lines[0] == ("Round 2025 (sm-policing-maturity 1.0.0), all agencies: 7 agencies, K = 5")
    assert lines[2].split() == [*["figure", "n", "q1", "median", "q3", "levels"]]
    assert lines[-1].startswith("Whole points; the median from 5 agencies, quartiles from 10")
    overall = next(line for line in lines if line.startswith("Overall"))
    assert overall.split()[1:3] == ["7", "-"]  # 7 < 2K: the median alone
    assert any(line.startswith("Policy") for line in lines)
    assert any("(theme)" in line for line in lines)


def test_json_output_matches_the_text(database_url: str, seeded_round: Round) -> None:
    code, out, _ = run(database_url, "benchmark", "--round", "2025", "--format", "json", "--k", "3")

    data = json.loads(out)
    assert code == 0
    assert data["round"] == "2025"
    assert data["k"] == 3
    assert data["n_agencies"] == 7
    overall = data["figures"][0]
    assert (overall["scope"], overall["n"], overall["withheld"]) == ("overall", 7, False)
    assert overall["q1"] <= overall["median"] <= overall["q3"]  # 7 >= 2K = 6
    assert "min" not in overall and "max" not in overall


def test_withheld_figures_say_not_enough_peers(database_url: str, seeded_round: Round) -> None:
    code, out, _ = run(database_url, "benchmark", "--round", "2025", "--country", "BE")

    assert code == 0
    assert "country BE: fewer than 5 agencies, K = 5" in out
    overall = next(line for line in out.splitlines() if line.startswith("Overall"))
    assert overall.split()[1:] == ["<5", "not", "enough", "peers", "(n", "<", "5)"]


def test_a_refused_group_exits_2_with_the_explanation(
    database_url: str, seeded_round: Round
) -> None:
    code, out, err = run(database_url, "benchmark", "--round", "2025", "--country", "NL")

    assert code == 2
    assert out == ""
    assert "this group (country NL) is not published" in err
    assert "would single out fewer than 5 agencies" in err


@pytest.mark.parametrize("k", ["2", "0"])
def test_k_below_three_is_refused(database_url: str, seeded_round: Round, k: str) -> None:
    code, _, err = run(database_url, "benchmark", "--round", "2025", "--k", k)

    assert code == 2
    assert f"--k: anonymity threshold K must be at least 3, got {k}" in err


def test_an_unknown_round_is_named(database_url: str, seeded_round: Round) -> None:
    code, _, err = run(database_url, "benchmark", "--round", "1999")

    assert code == 2
    assert "there is no round '1999'; rounds: 2025" in err


def test_token_create_prints_a_working_token_once(
    database_url: str, session: Session, create_user: Callable[..., User]
) -> None:
    consultant = create_user(role=Role.CONSULTANT, email="consultant@example.org")

    code, out, _ = run(
        database_url, "token", "create", "--email", "Consultant@example.org", "--name", "dashboard"
    )

    assert code == 0
    token = out.splitlines()[1]
    user = user_for_api_token(session, token)
    assert user is not None and user.id == consultant.id
    assert (
        token
        not in run(
            database_url, "token", "create", "--email", "consultant@example.org", "--name", "x"
        )[1]
    )


def test_token_create_for_an_unknown_user_exits_2(database_url: str) -> None:
    code, _, err = run(
        database_url, "token", "create", "--email", "nobody@example.org", "--name", "x"
    )

    assert code == 2
    assert "there is no active user with email 'nobody@example.org'" in err

"""`assessment report ...` on a real database: agency, cohort and a parallel batch."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from sqlalchemy import update
from sqlalchemy.orm import Session

from assessment.cli import main
from assessment.store.models import Agency, Assessment, Round
from assessment.store.models import Answer as AnswerRow
from tests.peer_data import instrument_of_round, submit
from tests.report_data import varied_answers


@pytest.fixture
def batch_round(
    session: Session, create_agency: Callable[..., Agency], create_round: Callable[..., Round]
) -> Round:
    """Round 2025 with three submitted agencies; one has a stored answer no instrument knows."""
    round_ = create_round("2025")
    instrument = instrument_of_round(round_)
    for number, name in enumerate(("Alpha Police", "Broken Police", "Gamma Police")):
        agency = create_agency(name=name)
        assessment = submit(session, agency, round_, varied_answers(instrument, number))
        if name == "Broken Police":
            corrupt(session, assessment)
    return round_


def corrupt(session: Session, assessment: Assessment) -> None:
    """Store an option outside the answer set, as a faulty import could."""
    session.execute(
        update(AnswerRow)
        .where(AnswerRow.assessment_id == assessment.id, AnswerRow.practice_id == "policy.strategy")
        .values(option_id="bogus")
    )
    session.commit()


def run(database_url: str, *args: str) -> tuple[int, str, str]:
    """Run the command line on the test database: exit code, stdout, stderr."""
    result = CliRunner().invoke(main, [*args, "--database-url", database_url])
    return result.exit_code, result.stdout, result.stderr


def pdf_pages(path: Path) -> int:
    """The number of pages of a PDF file (fails on a broken file)."""
    return len(pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_batch_renders_each_agency_and_reports_the_failing_one(
    database_url: str, batch_round: Round, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    code, stdout, stderr = run(
        database_url, "report", "batch", "--round", "2025", "-o", str(out), "--jobs", "2"
    )

    assert code == 1
    assert "wrote 2 of 3 reports" in stdout
    assert "failed: Broken Police" in stderr
    assert "option 'bogus'" in stderr
    written = sorted(path.name for path in out.iterdir())
    assert len(written) == 2
    assert written[0].startswith("alpha-police-") and written[1].startswith("gamma-police-")
    assert all(name.endswith("-2025.pdf") for name in written)
    assert all(pdf_pages(out / name) >= 10 for name in written)


def test_agency_command_writes_a_pdf(database_url: str, batch_round: Round, tmp_path: Path) -> None:
    target = tmp_path / "alpha.pdf"

    code, stdout, _ = run(
        database_url, "report", "agency", "Alpha Police", "--round", "2025", "-o", str(target)
    )

    assert code == 0, stdout
    assert stdout.strip() == f"wrote {target}"
    assert pdf_pages(target) >= 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agency", "Nobody", "--round", "2025"], "there is no agency named 'Nobody'"),
        (["agency", "Alpha Police", "--round", "1999"], "there is no round '1999'"),
        (["cohort", "--round", "2025"], "fewer than 5 agencies"),
        (["cohort", "--round", "2025", "--k", "2"], "--k: ANONYMITY_K must be at least 3"),
    ],
)
def test_refusals_name_the_problem(
    database_url: str, batch_round: Round, tmp_path: Path, args: list[str], message: str
) -> None:
    code, _, stderr = run(database_url, "report", *args, "-o", str(tmp_path / "x.pdf"))

    assert code == 2
    assert message in stderr
    assert not (tmp_path / "x.pdf").exists()

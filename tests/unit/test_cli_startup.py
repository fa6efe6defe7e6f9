"""`assessment` starts fast: the light commands import none of the heavy libraries.

Each case runs the command in a fresh interpreter and reads which modules it imported,
since the test process itself has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from assessment.cli import COMMANDS, load_command, main
from assessment.resources import questionnaires_dir

HEAVY = ("pandas", "weasyprint", "sqlalchemy", "alembic", "flask", "numpy")
PROBE = """
import json, sys
from assessment.cli import main
try:
    main(sys.argv[1:], prog_name="assessment")
finally:
    heavy = sorted(name for name in json.loads(HEAVY) if name in sys.modules)
    print(json.dumps(heavy), file=sys.stderr)
"""


def imported_heavy(*args: str) -> tuple[int, str, list[str]]:
    """Exit status, output and the heavy libraries imported by `assessment ARGS...`."""
    code = PROBE.replace("HEAVY", repr(json.dumps(HEAVY)))
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )
    heavy: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return done.returncode, done.stdout, heavy


def test_help_imports_no_heavy_library_and_lists_every_command() -> None:
    status, output, heavy = imported_heavy("--help")

    assert status == 0
    assert heavy == []
    for name in COMMANDS:
        assert f"  {name} " in output


def test_questionnaire_validate_imports_no_heavy_library() -> None:
    bundled = sorted(str(path) for path in questionnaires_dir().glob("*.yaml"))

    status, output, heavy = imported_heavy("questionnaire", "validate", *bundled)

    assert status == 0
    assert output.startswith("OK ")
    assert heavy == []


def test_a_database_command_still_gets_what_it_needs() -> None:
    status, _, heavy = imported_heavy("report", "--help")

    assert status == 0
    assert "sqlalchemy" in heavy


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_listed_summary_is_the_commands_own_first_line(name: str) -> None:
    command = load_command(name)

    assert command.help is not None
    assert COMMANDS[name].summary == command.help.strip().split("\n\n")[0]
    assert command.name == name


def test_unknown_command_is_refused_with_usage() -> None:
    result = CliRunner().invoke(main, ["nonsense"])

    assert result.exit_code == 2
    assert "No such command 'nonsense'" in result.stderr

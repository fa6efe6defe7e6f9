"""Export cells made safe for spreadsheets (OWASP CSV injection)."""

from __future__ import annotations

import pytest

from assessment.services import export


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Politie Brugge", "Politie Brugge"),
        ("a=b", "a=b"),
        ("", ""),
        (-2.5, -2.5),
        (-3, -3),
        (None, None),
    ],
)
def test_spreadsheet_cell_prefixes_text_that_a_spreadsheet_would_evaluate(
    value: export.Cell, safe: export.Cell
) -> None:
    assert export.spreadsheet_cell(value) == safe

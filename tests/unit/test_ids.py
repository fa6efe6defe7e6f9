"""Ids from URLs, query strings and command arguments."""

from __future__ import annotations

import pytest

from assessment.store.ids import MAX_ID, id_from_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7", 7), (" 42 ", 42), ("0", 0), ("007", 7), (str(MAX_ID), MAX_ID)],
)
def test_ids_are_read(text: str, expected: int) -> None:
    assert id_from_text(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "-1", "1.5", "abc", "²", "１２", "٣", str(MAX_ID + 1), str(2**63), "9" * 400, "1 2"],
)
def test_what_no_row_can_have_is_not_an_id(text: str) -> None:
    assert id_from_text(text) is None

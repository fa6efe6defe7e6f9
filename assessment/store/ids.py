"""Row ids as they arrive from outside (URLs, query strings, command arguments).

Primary keys are Integer columns: 32-bit on PostgreSQL, 64-bit on SQLite. A larger
number is no row's id, and handing it to the database driver fails with an overflow
instead of finding nothing, so ids are checked against the smaller range first.
"""

from __future__ import annotations

MAX_ID = 2**31 - 1
"""The largest id every supported database stores in an Integer primary key."""


def id_from_text(text: str) -> int | None:
    """The id written in `text` (ASCII digits, at most MAX_ID), or None when it is none."""
    digits = text.strip()
    # str.isdigit() also accepts "²" and other characters int() refuses.
    if not digits.isascii() or not digits.isdigit() or len(digits) > len(str(MAX_ID)):
        return None
    number = int(digits)
    return number if number <= MAX_ID else None

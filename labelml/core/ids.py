"""Numbers that come from a request (a posted id, a version, a filter): ASCII digits only and
within the range of the column they are compared with. `str.isdigit()` is not enough: it is
true for "²" or "١", which `int()` refuses (a 500), and a 30-digit id overflows the database
integer."""

from __future__ import annotations

MAX_BIGINT = 2**63 - 1


def parse_int(value: object, *, minimum: int = 0, maximum: int = MAX_BIGINT) -> int | None:
    """The integer written in `value`, or None when it is not plain ASCII digits within
    [minimum, maximum]."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """A primary key: a positive bigint."""
    return parse_int(value, minimum=1)

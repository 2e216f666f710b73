"""Whole numbers people type or send: ASCII digits only, within what the database holds."""

from __future__ import annotations

import re

#: The largest id, count or page number the database's integer columns hold (32-bit).
MAX_WHOLE_NUMBER = 2**31 - 1

# `str.isdigit()` and `int()` also take "²", "١٢" or full-width digits; people and
# files type 0 to 9. Ten digits reach past MAX_WHOLE_NUMBER; more is never read.
_DIGITS = re.compile(r"[0-9]{1,10}")


def is_digits(text: str) -> bool:
    """Tell whether *text* is nothing but the ASCII digits 0 to 9 (at least one)."""
    return text.isascii() and text.isdigit()


def whole_number(text: str | None, *, maximum: int = MAX_WHOLE_NUMBER) -> int | None:
    """Read a whole number from 0 to *maximum* written in ASCII digits; None for anything else."""
    if text is None or not _DIGITS.fullmatch(text.strip()):
        return None
    value = int(text.strip())
    return value if value <= maximum else None

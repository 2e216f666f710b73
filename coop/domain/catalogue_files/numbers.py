"""Numbers in other systems' price lists: read exactly from cleaned text, written plainly."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# ASCII digits only: `\d` or Decimal alone would take "١٢", "²" or "1_000" for numbers.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,2})?", re.ASCII)
#: Larger than any price, quantity or ratio a price list holds.
LIMIT = 10**9


def without_currency(text: str) -> str:
    """*text* without pound and euro signs or spaces, the no-break ones spreadsheets write too."""
    for mark in ("£", "€", " ", "\xa0", "\u202f"):
        text = text.replace(mark, "")
    return text


def exact_number(cleaned: str) -> Decimal | None:
    """The number *cleaned* writes (currency signs and separators already taken off), or None."""
    if not _NUMBER.fullmatch(cleaned):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < LIMIT else None


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 20.000 -> "20", 1.2 -> "1.2"."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text

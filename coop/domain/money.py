"""Money as integer pence: parsing what people type, formatting, exact splitting."""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from math import lcm

# ASCII digits only: `\d` alone would take "١٢" or "²" for digits.
_AMOUNT = re.compile(
    r"^(?P<sign>-)?£?(?P<pounds>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<pence>\d{1,2}))?$", re.ASCII
)

#: The most any one amount may be, typed, imported or fed: £1,000,000. A single
#: price, cost or payment above it is a typing slip; the columns that hold sums
#: of amounts (postings, bills, costs, support) are 64-bit, so they still fit.
MAX_PENCE = 100_000_000


def parse_pence(text: str, *, allow_negative: bool = False, maximum: int | None = None) -> int:
    """Turn "12", "12.3", "£12.30" or "1,234.50" into pence, at most *maximum* either way.

    Raises `ValueError` with a message fit to show the person who typed it.
    Every money field passes `MAX_PENCE`; files word their own refusal.
    """
    cleaned = text.strip().replace(" ", "")
    if cleaned.startswith("£-"):
        cleaned = "-£" + cleaned[2:]
    if not cleaned:
        raise ValueError("Enter an amount, such as 12.50.")
    if re.search(r"\.\d{3,}$", cleaned, re.ASCII):
        raise ValueError("Use at most two digits after the decimal point, such as 12.50.")
    match = _AMOUNT.match(cleaned)
    if match is None or (match["pounds"] is None and match["pence"] is None):
        raise ValueError("Enter an amount in pounds and pence, such as 12.50.")
    if match["sign"] and not allow_negative:
        raise ValueError("The amount cannot be negative.")
    pounds_text = (match["pounds"] or "0").replace(",", "").lstrip("0") or "0"
    if maximum is not None and len(pounds_text) > len(str(maximum)):
        raise ValueError(too_much_message(maximum))  # too long to be worth reading as a number
    pounds = int(pounds_text)
    pence = int((match["pence"] or "0").ljust(2, "0"))
    total = pounds * 100 + pence
    if maximum is not None and total > maximum:
        raise ValueError(too_much_message(maximum))
    return -total if match["sign"] else total


def too_much_message(maximum: int = MAX_PENCE) -> str:
    """Say that an amount is over *maximum*: "Enter an amount of at most £1,000,000."."""
    return f"Enter an amount of at most {format_pence(maximum).removesuffix('.00')}."


def format_pence(pence: int) -> str:
    """Show pence as pounds: 123456 -> "£1,234.56", -5 -> "-£0.05"."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


#: How the ceiling reads in messages: £1,000,000.
MAX_PENCE_TEXT = format_pence(MAX_PENCE).removesuffix(".00")


def plain_pounds(pence: int) -> str:
    """Show pence as plain pounds, for a spreadsheet cell or a form field: -1234 -> "-12.34".

    No pound sign and no thousands separator, so a spreadsheet reads a number
    and `parse_pence` reads the same pence back.
    """
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}{pounds}.{rest:02d}"


def round_half_up(value: Fraction) -> int:
    """Round an exact amount to the nearest penny, halves away from zero."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole, remainder = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * remainder >= magnitude.denominator:
        whole += 1
    return sign * whole


def split_pence(total: int, weights: Sequence[int | Fraction]) -> list[int]:
    """Split *total* pence in proportion to *weights*, parts summing to it exactly.

    Largest remainder: each part is the floor or the ceiling of its exact
    share, the pennies left over go to the largest remainders, ties to the
    lower index. A zero weight gets 0. A negative total splits like a
    positive one with the sign flipped.
    """
    if not weights:
        raise ValueError("Nothing to split between: the list of weights is empty.")
    if any(weight < 0 for weight in weights):
        raise ValueError("Weights cannot be negative.")
    # Whole numbers over a common denominator: the exact shares are then
    # share_i / weight_sum, compared by their remainders, with no Fraction per
    # party (closing a round splits tens of thousands of times).
    scale = lcm(*(weight.denominator for weight in weights))
    whole = [weight.numerator * (scale // weight.denominator) for weight in weights]
    weight_sum = sum(whole)
    if weight_sum == 0:
        if total == 0:
            return [0] * len(weights)
        raise ValueError("Cannot split a non-zero amount when every weight is zero.")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    parts, remainders = [], []
    for weight in whole:
        part, remainder = divmod(weight * magnitude, weight_sum)
        parts.append(part)
        remainders.append(remainder)
    left = magnitude - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for index in order[:left]:
        parts[index] += 1
    return [sign * part for part in parts]

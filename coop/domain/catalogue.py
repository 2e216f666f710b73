"""Catalogue rules: VAT rates, dietary tags, order days, product details and member prices."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from fractions import Fraction
from typing import Protocol

from coop.domain.money import MAX_PENCE as MAX_PENCE  # the catalogue's callers name it here
from coop.domain.money import MAX_PENCE_TEXT as MAX_PENCE_TEXT
from coop.domain.money import round_half_up
from coop.domain.numbers import is_digits

#: UK VAT rates in basis points: zero, reduced and standard.
VAT_RATES_BP = (0, 500, 2000)
BASIS_POINTS = 10_000
DEFAULT_UNIT = "each"
# Case sizes and days above these are typing slips, and forms, files and feeds
# all stop there (money's ceiling is `money.MAX_PENCE`).
MAX_CASE_SIZE = 100_000
MAX_LEAD_TIME_DAYS = 90
# More digits than any percentage a form takes (markup, price changes) is not read.
MAX_PERCENT = 10_000


def vat_label(vat_bp: int) -> str:
    """Show a VAT rate in basis points as a percentage: 2000 -> "20%"."""
    return f"{bp_to_percent(vat_bp)}%"


def percent_to_bp(text: str) -> int:
    """Turn a percentage such as "2.5", "20" or "20%" into basis points.

    At most two decimals; raises `ValueError` with a message fit to show.
    """
    cleaned = text.strip().removesuffix("%").strip()
    whole, _, decimals = cleaned.partition(".")
    if (
        not is_digits(whole)
        or len(whole) > len(str(MAX_PERCENT))
        or (decimals and not is_digits(decimals))
        or len(decimals) > 2
    ):
        raise ValueError("Enter a percentage with at most two decimals, such as 2.5.")
    return int(whole) * 100 + int(decimals.ljust(2, "0") or 0)


def bp_to_percent(bp: int) -> str:
    """Show basis points as a percentage without trailing zeros: 250 -> "2.5"."""
    whole, rest = divmod(bp, 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") if rest else str(whole)


def changed_price(case_price_pence: int, change_bp: int) -> int:
    """Return a case price moved by *change_bp* basis points, rounded half up to the penny."""
    return round_half_up(Fraction(case_price_pence * (BASIS_POINTS + change_bp), BASIS_POINTS))


def signed_percent(change_bp: int) -> str:
    """Show a change in basis points as a percentage with its sign: -1000 -> "-10%"."""
    sign = "+" if change_bp > 0 else "-" if change_bp < 0 else ""
    return f"{sign}{bp_to_percent(abs(change_bp))}%"


def prices_fingerprint(prices: list[tuple[int, int]]) -> str:
    """Fingerprint (product id, case price) pairs, whatever their order."""
    digest = hashlib.sha256()
    for product_id, pence in sorted(prices):
        digest.update(f"{product_id}:{pence};".encode())
    return digest.hexdigest()[:32]


class Tag(Enum):
    """Dietary and other tags; each is one bit of a product's ``tag_bits``."""

    VEGAN = (1, "vegan", "Vegan")
    VEGETARIAN = (2, "vegetarian", "Vegetarian")
    HALAL = (4, "halal", "Halal")
    KOSHER = (8, "kosher", "Kosher")
    GLUTEN_FREE = (16, "gluten-free", "Gluten free")
    ORGANIC = (32, "organic", "Organic")
    FAIRTRADE = (64, "fairtrade", "Fairtrade")
    LOCAL = (128, "local", "Local")

    def __init__(self, bit: int, slug: str, label: str) -> None:
        self.bit = bit
        self.slug = slug
        self.label = label

    @classmethod
    def from_text(cls, text: str) -> Tag:
        """Find a tag by its slug or label in any letter case, e.g. "Gluten free"."""
        wanted = text.strip().lower().replace(" ", "-").replace("_", "-")
        for tag in cls:
            if wanted in (tag.slug, tag.label.lower().replace(" ", "-")):
                return tag
        raise ValueError(
            f"Unknown tag '{text.strip()}'; use " + ", ".join(tag.slug for tag in cls) + "."
        )


ALL_TAG_BITS = sum(tag.bit for tag in Tag)


def tags_to_bits(tags: Iterable[Tag]) -> int:
    """Pack tags into an integer."""
    bits = 0
    for tag in tags:
        bits |= tag.bit
    return bits


def bits_to_tags(bits: int) -> list[Tag]:
    """Unpack an integer into its tags, in their declared order."""
    return [tag for tag in Tag if bits & tag.bit]


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ALL_WEEKDAY_BITS = (1 << len(WEEKDAYS)) - 1


def days_to_bits(days: Iterable[int]) -> int:
    """Pack weekday numbers (Monday 0 ... Sunday 6) into an integer."""
    bits = 0
    for day in days:
        if not 0 <= day <= 6:
            raise ValueError("A weekday is a number from 0 (Monday) to 6 (Sunday).")
        bits |= 1 << day
    return bits


def bits_to_days(bits: int) -> list[int]:
    """Unpack an integer into weekday numbers."""
    return [day for day in range(7) if bits & (1 << day)]


@dataclass(frozen=True, kw_only=True)
class ProductDetails:
    """What is said about a product, typed in a form or read from a file.

    Money in pence, VAT in basis points; the fields are the Product columns a
    coordinator keeps, in the order catalogue files list them.
    """

    code: str
    name: str
    description: str = ""
    category: str = ""
    tag_bits: int = 0
    unit_label: str = DEFAULT_UNIT
    case_size: int = 1
    case_price_pence: int
    vat_bp: int = 0
    deposit_pence: int = 0
    origin: str = ""
    manufacturer: str = ""
    reference_price_pence: int | None = None
    reference_price_date: date | None = None
    reference_price_source: str = ""
    available: bool = True


def member_unit_price(
    *, case_price_pence: int, case_size: int, vat_bp: int, markup_bp: int = 0
) -> Fraction:
    """Return the exact price of one member unit: case price / case size, plus VAT, plus markup.

    Exact, never rounded; what a member pays is `member_unit_price_pence`.
    """
    if case_size < 1:
        raise ValueError("A case holds at least one unit.")
    if case_price_pence < 0 or vat_bp < 0 or markup_bp < 0:
        raise ValueError("Prices, VAT and markup cannot be negative.")
    net = Fraction(case_price_pence, case_size)
    with_vat = net * Fraction(BASIS_POINTS + vat_bp, BASIS_POINTS)
    return with_vat * Fraction(BASIS_POINTS + markup_bp, BASIS_POINTS)


def member_unit_price_pence(
    *, case_price_pence: int, case_size: int, vat_bp: int, markup_bp: int = 0
) -> int:
    """Return a member's price each: the exact unit price rounded half-up to the penny, once.

    Every line a member is charged or shown is units x this price (`line_pence`),
    so it can be checked with a calculator; what the rounding adds to or takes
    from the case price falls to the co-op fund, as the markup does.
    """
    return round_half_up(
        member_unit_price(
            case_price_pence=case_price_pence,
            case_size=case_size,
            vat_bp=vat_bp,
            markup_bp=markup_bp,
        )
    )


def line_pence(
    *, case_price_pence: int, case_size: int, vat_bp: int, markup_bp: int, units: int
) -> int:
    """Return what *units* of an item cost a member: units x the price each."""
    return units * member_unit_price_pence(
        case_price_pence=case_price_pence, case_size=case_size, vat_bp=vat_bp, markup_bp=markup_bp
    )


class SoldByTheCase(Protocol):
    """Anything with a case price, a case size and a VAT rate, such as a product."""

    case_price_pence: int
    case_size: int
    vat_bp: int


def member_price_pence(item: SoldByTheCase, *, markup_bp: int) -> int:
    """Return what a member pays for one unit of *item* with *markup_bp*, to the penny."""
    return member_unit_price_pence(
        case_price_pence=item.case_price_pence,
        case_size=item.case_size,
        vat_bp=item.vat_bp,
        markup_bp=markup_bp,
    )

"""Where a co-op is, as far as anyone looking for one may be told.

A co-op's pickup address is for its members; people looking for a co-op can
search its name, its council and the postcode district of its pickup
address ("PR1" of "PR1 5XX"), never the street.
"""

from __future__ import annotations

import re

# Outward code (area letters, district digits), then the inward code.
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})\b")
_DISTRICT = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_AREA = re.compile(r"[A-Z]{1,2}")


def postcode_district(address: str) -> str | None:
    """Return the outward code of the last postcode in *address*, or None without one."""
    found = _POSTCODE.findall(address.upper())
    return found[-1][0] if found else None


def matches_place(query: str, *, name: str, council: str, district: str | None) -> bool:
    """Say whether a co-op with this *name*, *council* and *district* is what *query* asks for.

    A postcode finds the co-ops in its district, a district ("PR1") or an area
    ("PR") those whose district it is or holds; any other words must all be
    in the co-op's name or its council's.
    """
    typed = " ".join(query.upper().split())
    if not typed:
        return True
    postcode = _POSTCODE.fullmatch(typed)
    if postcode:
        typed = postcode[1]
    if district and _DISTRICT.fullmatch(typed) and typed == district:
        return True
    area = _AREA.match(district or "")
    if area and _AREA.fullmatch(typed) and area[0] == typed:
        return True
    if postcode or _DISTRICT.fullmatch(typed):
        return False
    words = f"{name} {council}".casefold()
    return all(word in words for word in typed.casefold().split())

"""Where a postcode is: its ward, LSOA, local authority and IMD decile, from the loaded editions.

Only the active editions are read, so a lookup during a load sees the
edition before it, whole. A decile is given only when the IMD edition's
LSOAs are the postcode directory's own (IoD 2019 for 2011 LSOAs, IoD 2025
for 2021 LSOAs), never mixed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, null, select

from coop.domain.postcode_files import compact_postcode, spaced_postcode
from coop.extensions import db
from coop.models import (
    Coop,
    ImdDecile,
    ImdEdition,
    Membership,
    Postcode,
    PostcodeEdition,
    Supplier,
)
from coop.services.errors import ServiceError
from coop.services.people.coops import current_council

NOT_A_POSTCODE = "not_a_postcode"
NOT_IN_DIRECTORY = "not_in_directory"
NO_DIRECTORY = "no_directory"

# Postcodes looked up in one query; well under any database's limit on parameters.
LOOKUP_BATCH = 500


@dataclass(frozen=True)
class Place:
    """Where a postcode is, and the editions that say so."""

    postcode: str
    ward: str | None
    lsoa: str | None
    lad: str | None
    imd_decile: int | None
    directory: str
    imd_edition: str | None

    @property
    def deprived(self) -> bool:
        """Whether its LSOA is among England's most deprived fifth (IMD deciles 1 and 2)."""
        return self.imd_decile is not None and self.imd_decile <= 2


def active_postcode_edition() -> PostcodeEdition | None:
    """Return the postcode directory lookups use, or None before one is loaded."""
    return db.session.scalar(select(PostcodeEdition).where(PostcodeEdition.active.is_(True)))


def active_imd_edition() -> ImdEdition | None:
    """Return the IMD deciles lookups use, or None before they are loaded."""
    return db.session.scalar(select(ImdEdition).where(ImdEdition.active.is_(True)))


def places_of(*, postcodes: Iterable[str]) -> dict[str, Place]:
    """Return the place of each of *postcodes* the directory holds, keyed as given.

    Postcodes that are not UK postcodes or not in the directory are left out.
    """
    given: dict[str, list[str]] = {}
    for text in postcodes:
        compact = compact_postcode(text)
        if compact is not None:
            given.setdefault(compact, []).append(text)
    directory = active_postcode_edition() if given else None
    if directory is None:
        return {}
    imd = active_imd_edition()
    if imd is not None and imd.lsoa_vintage != directory.lsoa_vintage:
        imd = None
    places: dict[str, Place] = {}
    keys = sorted(given)
    for start in range(0, len(keys), LOOKUP_BATCH):
        batch = keys[start : start + LOOKUP_BATCH]
        decile = ImdDecile.decile if imd is not None else null().label("decile")
        query = select(Postcode, decile).where(
            Postcode.edition_id == directory.id, Postcode.postcode.in_(batch)
        )
        if imd is not None:
            query = query.outerjoin(
                ImdDecile, and_(ImdDecile.edition_id == imd.id, ImdDecile.lsoa == Postcode.lsoa)
            )
        for row, found in db.session.execute(query):
            place = Place(
                postcode=spaced_postcode(row.postcode),
                ward=row.ward,
                lsoa=row.lsoa,
                lad=row.lad,
                imd_decile=found,
                directory=directory.name,
                imd_edition=imd.name if imd is not None else None,
            )
            for text in given[row.postcode]:
                places[text] = place
    return places


def place_of(*, postcode: str) -> Place:
    """Return where *postcode* is, or refuse with what is wrong with it."""
    if compact_postcode(postcode) is None:
        raise ServiceError(
            f"“{postcode}” is not a UK postcode. Enter one like PR1 5XX.",
            field="postcode",
            code=NOT_A_POSTCODE,
        )
    if active_postcode_edition() is None:
        raise ServiceError(
            "The postcode directory has not been loaded yet, so no postcode can be placed.",
            code=NO_DIRECTORY,
        )
    place = places_of(postcodes=[postcode]).get(postcode)
    if place is None:
        raise ServiceError(
            f"{postcode.strip().upper()} is not in the postcode directory: check it, "
            "or it may be too new for the edition loaded.",
            field="postcode",
            code=NOT_IN_DIRECTORY,
        )
    return place


def household_places(*, memberships: Iterable[Membership]) -> dict[int, Place]:
    """Return the place of each household's consented postcode, by membership id.

    For coordinators' pages and for reports, which count places and never
    show a postcode to a council.
    """
    postcodes = {m.id: m.postcode for m in memberships if m.postcode}
    places = places_of(postcodes=postcodes.values())
    return {key: places[code] for key, code in postcodes.items() if code in places}


def council_area_of(*, coop: Coop) -> str | None:
    """Return the GSS code of the area of *coop*'s council today, or None without one."""
    council = current_council(coop=coop)
    return council.gss_code if council is not None else None


def is_local_supplier(*, supplier: Supplier, council_area: str | None) -> bool:
    """Tell whether *supplier* is local: flagged so, or its postcode is in the council's area."""
    if supplier.is_local:
        return True
    if not supplier.postcode or council_area is None:
        return False
    place = places_of(postcodes=[supplier.postcode]).get(supplier.postcode)
    return place is not None and place.lad == council_area

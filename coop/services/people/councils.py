"""Councils, their officers, and what a council may see of its co-ops."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from coop.domain.privacy import Figure, effective_threshold, suppress_table
from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import Coop, CoopCouncilLink, Council, CouncilOfficer, Membership, User
from coop.services.errors import ServiceError
from coop.services.mail import send_message
from coop.services.people.coops import link_in_force, user_by_email

GSS_CODE_PATTERN = re.compile(r"^[ENSW][0-9]{8}$")


def normalise_gss_code(gss_code: str) -> str:
    """Return *gss_code* upper-cased, or refuse it when it is not a GSS code."""
    code = gss_code.strip().upper()
    if not GSS_CODE_PATTERN.match(code):
        raise ServiceError(
            "A GSS code is a letter E, W, S or N followed by 8 digits, e.g. E07000123.",
            field="gss_code",
        )
    return code


def _check_council(
    *, name: str, gss_code: str, valid_from: date, valid_to: date | None, council_id: int | None
) -> str:
    if not name.strip():
        raise ServiceError("Give the council's name.", field="name")
    code = normalise_gss_code(gss_code)
    clash = db.session.scalar(select(Council.id).where(Council.gss_code == code))
    if clash is not None and clash != council_id:
        raise ServiceError(f"A council with GSS code {code} already exists.", field="gss_code")
    if valid_to is not None and valid_to < valid_from:
        raise ServiceError("The end date cannot be before the start date.", field="valid_to")
    return code


def create_council(
    *, name: str, gss_code: str, valid_from: date, valid_to: date | None = None
) -> Council:
    """Add a council, keyed by its GSS code and valid between two dates."""
    code = _check_council(
        name=name, gss_code=gss_code, valid_from=valid_from, valid_to=valid_to, council_id=None
    )
    council = Council(name=name.strip(), gss_code=code, valid_from=valid_from, valid_to=valid_to)
    db.session.add(council)
    db.session.flush()
    return council


def update_council(
    *, council: Council, name: str, gss_code: str, valid_from: date, valid_to: date | None
) -> Council:
    """Change a council's name, GSS code and validity dates."""
    code = _check_council(
        name=name,
        gss_code=gss_code,
        valid_from=valid_from,
        valid_to=valid_to,
        council_id=council.id,
    )
    council.name = name.strip()
    council.gss_code = code
    council.valid_from = valid_from
    council.valid_to = valid_to
    db.session.flush()
    return council


def council_by_gss_code(*, gss_code: str) -> Council:
    """Return the council with *gss_code*, or refuse when there is none."""
    code = normalise_gss_code(gss_code)
    council = db.session.scalar(select(Council).where(Council.gss_code == code))
    if council is None:
        raise ServiceError(f"There is no council with GSS code {code}.", field="gss_code")
    return council


def appoint_officer(*, council: Council, email: str, dashboard_link: str = "") -> CouncilOfficer:
    """Make the person with *email* an officer of *council*, and tell them.

    *dashboard_link* is the absolute address of the council's dashboard.
    """
    user = user_by_email(email=email)
    existing = db.session.scalar(
        select(CouncilOfficer).where(
            CouncilOfficer.council_id == council.id, CouncilOfficer.user_id == user.id
        )
    )
    if existing is not None:
        raise ServiceError(f"{user.name} is already an officer of {council.name}.", field="email")
    officer = CouncilOfficer(council=council, user=user)
    db.session.add(officer)
    db.session.flush()
    send_message(
        "people/officer_appointed.txt",
        to=user.email,
        user=user,
        council=council,
        link=dashboard_link,
    )
    return officer


def remove_officer(*, council: Council, user_id: int) -> User:
    """End a person's appointment as an officer of *council*."""
    officer = db.session.scalar(
        select(CouncilOfficer).where(
            CouncilOfficer.council_id == council.id, CouncilOfficer.user_id == user_id
        )
    )
    if officer is None:
        raise ServiceError(f"That person is not an officer of {council.name}.")
    user = officer.user
    db.session.delete(officer)
    db.session.flush()
    return user


def list_officers(*, council: Council) -> list[User]:
    """Return the officers of *council*, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(CouncilOfficer, CouncilOfficer.user_id == User.id)
            .where(CouncilOfficer.council_id == council.id)
            .order_by(User.name, User.id)
        )
    )


def list_councils() -> list[tuple[Council, int]]:
    """Return every council, by name, with the number of co-ops linked to it today."""
    today = date.today()
    linked = (
        select(CoopCouncilLink.council_id, func.count().label("coops"))
        .where(link_in_force(today))
        .group_by(CoopCouncilLink.council_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Council, func.coalesce(linked.c.coops, 0))
        .outerjoin(linked, linked.c.council_id == Council.id)
        .order_by(Council.name, Council.id)
    ).all()
    return [(council, count) for council, count in rows]


def councils_of(*, user: User) -> list[Council]:
    """Return the councils *user* is an officer of, by name."""
    return list(
        db.session.scalars(
            select(Council)
            .join(CouncilOfficer, CouncilOfficer.council_id == Council.id)
            .where(CouncilOfficer.user_id == user.id)
            .order_by(Council.name, Council.id)
        )
    )


@dataclass(frozen=True)
class LinkedCoop:
    """A co-op linked to a council, as the council may see it: no people, no address."""

    coop_id: int
    name: str
    slug: str
    since: date
    active_households: int


def linked_coops(*, council: Council, on: date | None = None) -> list[LinkedCoop]:
    """Return the co-ops linked to *council* on a day, with active household counts."""
    day = on or date.today()
    active = func.count(Membership.id).filter(Membership.status == MembershipStatus.ACTIVE)
    rows = db.session.execute(
        select(Coop.id, Coop.name, Coop.slug, CoopCouncilLink.starts_on, active)
        .join(CoopCouncilLink, CoopCouncilLink.coop_id == Coop.id)
        .outerjoin(Membership, Membership.coop_id == Coop.id)
        .where(CoopCouncilLink.council_id == council.id, link_in_force(day))
        .group_by(Coop.id, Coop.name, Coop.slug, CoopCouncilLink.starts_on)
        .order_by(Coop.name, Coop.id)
    ).all()
    return [
        LinkedCoop(coop_id=id_, name=name, slug=slug, since=since, active_households=count)
        for id_, name, slug, since, count in rows
    ]


@dataclass(frozen=True)
class PublishedCoop:
    """A linked co-op's row on a council's dashboard: a suppressed count only."""

    name: str
    since: date
    registered_households: Figure


@dataclass(frozen=True)
class CouncilOverview:
    """What a council officer sees: linked co-ops and suppressed household counts."""

    on: date
    threshold: int
    coops: list[PublishedCoop]
    total: Figure
    any_secondary: bool


def council_overview(*, council: Council, on: date | None = None) -> CouncilOverview:
    """Return the co-ops linked to *council* with small counts suppressed."""
    day = on or date.today()
    coops = linked_coops(council=council, on=day)
    table = suppress_table(
        [coop.active_households for coop in coops], council.suppression_threshold
    )
    return CouncilOverview(
        on=day,
        threshold=effective_threshold(council.suppression_threshold),
        coops=[
            PublishedCoop(name=coop.name, since=coop.since, registered_households=figure)
            for coop, figure in zip(coops, table.cells, strict=True)
        ],
        total=table.total,
        any_secondary=table.any_secondary,
    )


# --- councils that change ------------------------------------------------------------


def predecessors_of(*, council: Council) -> list[Council]:
    """Return the councils *council* replaced, directly or through others (reads only)."""
    found: list[Council] = []
    wanted = {council.id}
    while wanted:
        earlier = list(
            db.session.scalars(
                select(Council).where(Council.successor_id.in_(wanted)).order_by(Council.id)
            )
        )
        earlier = [row for row in earlier if row.id != council.id and row not in found]
        found += earlier
        wanted = {row.id for row in earlier}
    return found


def council_scope(*, council: Council) -> frozenset[int]:
    """Return the ids of *council* and of every council it replaced."""
    return frozenset({council.id, *(row.id for row in predecessors_of(council=council))})


def set_successor(*, council: Council, successor: Council | None) -> Council:
    """Record that *successor* replaced *council* (None: nothing replaced it)."""
    if successor is not None:
        if successor.id == council.id:
            raise ServiceError("A council cannot replace itself.", field="successor")
        if council.id in council_scope(council=successor) or successor.id in council_scope(
            council=council
        ):
            raise ServiceError(
                f"{successor.name} and {council.name} already replace one another; "
                "a council cannot be replaced by one it replaced.",
                field="successor",
            )
        if successor.valid_from <= council.valid_from:
            raise ServiceError(
                f"{successor.name} must come into being after {council.name} did "
                f"({council.valid_from:%-d %B %Y}).",
                field="successor",
            )
        if council.successor_id not in (None, successor.id):
            raise ServiceError(
                f"{council.name} is already replaced by another council.", field="successor"
            )
        if council.valid_to is None or council.valid_to >= successor.valid_from:
            council.valid_to = successor.valid_from - timedelta(days=1)
    council.successor_id = successor.id if successor is not None else None
    db.session.flush()
    return council


def coop_ids_of(*, council: Council) -> list[int]:
    """Return the co-ops ever linked to *council*, today's and those that moved to it."""
    return list(
        db.session.scalars(
            select(CoopCouncilLink.coop_id)
            .where(CoopCouncilLink.council_id == council.id)
            .distinct()
            .order_by(CoopCouncilLink.coop_id)
        )
    )


def coop_council_ids(*, coop_id: int) -> frozenset[int]:
    """Return the councils *coop_id* is or was linked to."""
    return frozenset(
        db.session.scalars(
            select(CoopCouncilLink.council_id).where(CoopCouncilLink.coop_id == coop_id)
        )
    )


@dataclass(frozen=True)
class CoopHistory:
    """A co-op a council's officers see, with every council it has belonged to."""

    coop_id: int
    name: str
    links: list[tuple[str, date, date | None]]  # council name, from, to


def coop_histories(*, council: Council, on: date | None = None) -> list[CoopHistory]:
    """Return the co-ops linked to *council* on a day or later, each with its council history.

    A co-op that moved (or is due to move) here from a council this one
    replaced shows where it was before; a co-op that has left is not followed
    to its new council.
    """
    day = on or date.today()
    ids = list(
        db.session.scalars(
            select(CoopCouncilLink.coop_id).where(
                CoopCouncilLink.council_id == council.id,
                or_(CoopCouncilLink.ends_on.is_(None), CoopCouncilLink.ends_on >= day),
            )
        )
    )
    if not ids:
        return []
    rows = db.session.execute(
        select(Coop.id, Coop.name, Council.name, CoopCouncilLink.starts_on, CoopCouncilLink.ends_on)
        .join(CoopCouncilLink, CoopCouncilLink.coop_id == Coop.id)
        .join(Council, Council.id == CoopCouncilLink.council_id)
        .where(Coop.id.in_(ids))
        .order_by(Coop.name, Coop.id, CoopCouncilLink.starts_on)
    ).all()
    histories: dict[int, CoopHistory] = {}
    for coop_id, coop_name, council_name, starts_on, ends_on in rows:
        history = histories.setdefault(coop_id, CoopHistory(coop_id, coop_name, []))
        history.links.append((council_name, starts_on, ends_on))
    return list(histories.values())

"""Demo data: one council, its co-ops and their people, to try the platform with.

With the history (the default), the council has a third co-op and a year of
rounds, payments, hours and support behind it (`coop.demo.history`), so its
reports show real figures; without it, two co-ops and a few weeks of rounds,
which is quicker and what most tests load.

Every address is clearly made up (example.org emails, "Demo"/"Example"
streets, PR1 5XX-style postcodes). The passwords are printed for anyone
running the demo, so they must never guard anything real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from coop.demo.books import load_demo_books
from coop.demo.catalogue import load_demo_catalogue
from coop.demo.history import HistoryCoop, load_demo_history
from coop.demo.rounds import load_demo_rounds
from coop.demo.support import load_demo_support
from coop.domain.household import Fact
from coop.domain.roles import JoiningPolicy, Role
from coop.extensions import db
from coop.models import Coop, Council, User
from coop.services.errors import ServiceError
from coop.services.people.accounts import register_user
from coop.services.people.admins import create_platform_admin
from coop.services.people.coops import create_coop
from coop.services.people.councils import appoint_officer, create_council
from coop.services.people.household import Answer, update_facts
from coop.services.people.invitations import create_invitation
from coop.services.people.memberships import (
    activate,
    change_role,
    request_to_join,
)
from coop.services.people.passwords import hash_password
from coop.services.times import display_zone

COUNCIL_NAME = "Preston City Council"
COUNCIL_GSS_CODE = "E07000123"
COUNCIL_VALID_FROM = date(1974, 4, 1)
LINKED_FROM = date(2024, 4, 1)
DAY = timedelta(days=1)
MEMBER_PASSWORD = "shared-veg-box"


@dataclass(frozen=True)
class DemoCoop:
    name: str
    slug: str
    pickup_address: str
    joining_policy: JoiningPolicy


FISHWICK = DemoCoop(
    name="Fishwick Food Co-op",
    slug="fishwick-food",
    pickup_address="Fishwick Community Hall (demo), 12 Example Road, Preston PR1 4XX",
    joining_policy=JoiningPolicy.APPROVAL,
)
RIBBLETON = DemoCoop(
    name="Ribbleton Pantry",
    slug="ribbleton-pantry",
    pickup_address="Ribbleton Library meeting room (demo), 3 Sample Lane, Preston PR2 6XX",
    joining_policy=JoiningPolicy.OPEN,
)
AVENHAM = DemoCoop(
    name="Avenham Community Larder",
    slug="avenham-larder",
    pickup_address="Avenham Tower community room (demo), 8 Specimen Walk, Preston PR1 3XX",
    joining_policy=JoiningPolicy.APPROVAL,
)


@dataclass(frozen=True)
class DemoLogin:
    """A demo account as printed for people trying the platform."""

    email: str
    name: str
    role: str
    password: str


ADMIN = DemoLogin("admin@example.org", "Alex Admin", "platform admin", "tea-and-biscuits")
OFFICER = DemoLogin(
    "officer@example.org", "Olu Officer", "council officer, Preston", "town-hall-steps"
)
FISHWICK_COORDINATOR = DemoLogin(
    "coordinator@example.org", "Cath Coordinator", "coordinator, Fishwick", "bulk-oats-sack"
)
FISHWICK_TREASURER = DemoLogin(
    "treasurer@example.org", "Tariq Treasurer", "treasurer, Fishwick", "ledger-balanced"
)
RIBBLETON_COORDINATOR = DemoLogin(
    "ribbleton@example.org", "Rosa Coordinator", "coordinator, Ribbleton", "lentil-soup-pot"
)
AVENHAM_COORDINATOR = DemoLogin(
    "avenham@example.org", "Asha Coordinator", "coordinator, Avenham", "big-pan-of-dal"
)
APPLICANT = DemoLogin(
    "newcomer@example.org", "Nia Newcomer", "asked to join Fishwick", MEMBER_PASSWORD
)

# (email, name, household size, postcode): size and postcode are optional, as for real members.
FISHWICK_MEMBERS = [
    ("amina@example.org", "Amina Patel", 4, "PR1 5XX"),
    ("bernard@example.org", "Bernard Hughes", 1, None),
    ("chloe@example.org", "Chloe Walsh", 3, "PR1 4XX"),
    ("dev@example.org", "Dev Sharma", 2, "PR1 5XY"),
    ("elaine@example.org", "Elaine Moss", None, None),
    ("farid@example.org", "Farid Khan", 5, "PR1 4XY"),
    ("grace@example.org", "Grace Okafor", 2, None),
    ("harry@example.org", "Harry Dobson", 1, "PR1 5XZ"),
]
RIBBLETON_MEMBERS = [
    ("imran@example.org", "Imran Ali", 3, "PR2 6XX"),
    ("jess@example.org", "Jess Taylor", 2, None),
    ("kasia@example.org", "Kasia Nowak", 4, "PR2 7XX"),
    ("liam@example.org", "Liam Byrne", None, None),
]


def _member_login(email: str, name: str, coop: DemoCoop) -> DemoLogin:
    return DemoLogin(email, name, f"member, {coop.name.split()[0]}", MEMBER_PASSWORD)


def demo_logins() -> list[DemoLogin]:
    """Return every demo account, people with roles first."""
    return [
        ADMIN,
        OFFICER,
        FISHWICK_COORDINATOR,
        FISHWICK_TREASURER,
        RIBBLETON_COORDINATOR,
        AVENHAM_COORDINATOR,
        *(_member_login(email, name, FISHWICK) for email, name, *_ in FISHWICK_MEMBERS),
        *(_member_login(email, name, RIBBLETON) for email, name, *_ in RIBBLETON_MEMBERS),
        APPLICANT,
    ]


def existing_demo_logins() -> list[DemoLogin]:
    """Return the demo accounts that exist in the database."""
    logins = demo_logins()
    present = set(
        db.session.scalars(select(User.email).where(User.email.in_([x.email for x in logins])))
    )
    return [login for login in logins if login.email in present]


def has_accounts() -> bool:
    """Tell whether anyone has an account yet."""
    return bool(db.session.scalar(select(func.count()).select_from(User)))


@dataclass(frozen=True)
class DemoData:
    """What loading the demo created that is worth telling the person."""

    logins: list[DemoLogin]
    invitation_token: str
    invitation_coop: str
    history_rounds: int = 0
    history_households: int = 0
    history_example: str = ""


def load_demo_data(*, history: bool = True) -> DemoData:
    """Add the demo council, co-ops, people, catalogues, rounds, support and an invitation.

    With *history*, also a third co-op and the council's year of history.
    """
    if existing_demo_logins():
        raise ServiceError(
            "The demo data is already loaded. Use --if-empty to just print the demo logins."
        )
    member_hash = hash_password(MEMBER_PASSWORD)
    create_platform_admin(email=ADMIN.email, name=ADMIN.name, password=ADMIN.password)
    council = create_council(
        name=COUNCIL_NAME, gss_code=COUNCIL_GSS_CODE, valid_from=COUNCIL_VALID_FROM
    )
    officer = _register(OFFICER)
    appoint_officer(council=council, email=OFFICER.email)

    fishwick = _coop(FISHWICK, council=council, coordinator=FISHWICK_COORDINATOR)
    treasurer = _register(FISHWICK_TREASURER)
    change_role(
        coop=fishwick,
        membership=activate(coop=fishwick, user=treasurer, membership=None),
        role=Role.TREASURER,
    )
    _households(fishwick, FISHWICK, FISHWICK_MEMBERS, member_hash)

    ribbleton = _coop(RIBBLETON, council=council, coordinator=RIBBLETON_COORDINATOR)
    _households(ribbleton, RIBBLETON, RIBBLETON_MEMBERS, member_hash)
    load_demo_catalogue(publisher=fishwick, subscriber=ribbleton)

    coordinator = _user(FISHWICK_COORDINATOR)
    load_demo_support(council=council, coop=fishwick, officer=officer, coordinator=coordinator)
    done = None
    if history:
        avenham = _coop(AVENHAM, council=council, coordinator=AVENHAM_COORDINATOR)
        today = datetime.now(display_zone()).date()
        rosa, asha = _user(RIBBLETON_COORDINATOR), _user(AVENHAM_COORDINATOR)
        # Fishwick's weekly rounds lead up to the three of `load_demo_rounds`; Ribbleton
        # and Avenham have no treasurer, so their coordinators settle.
        coops = [
            HistoryCoop(fishwick, coordinator, treasurer, 7, today - DAY * 26),
            HistoryCoop(ribbleton, rosa, rosa, 14, today - DAY * 9),
            HistoryCoop(avenham, asha, asha, 14, today - DAY * 2),
        ]
        done = load_demo_history(
            council=council,
            officer=officer,
            coops=coops,
            password_hash=member_hash,
            today=today,
        )
        load_demo_books(coop=fishwick, treasurer=treasurer, today=today)
    request_to_join(coop=fishwick, user=_member(APPLICANT, member_hash))
    load_demo_rounds(coop=fishwick, coordinator=coordinator)
    # An invitation lets a household skip Fishwick's approval step.
    _, token = create_invitation(coop=fishwick, created_by=coordinator)
    return DemoData(
        logins=existing_demo_logins(),
        invitation_token=token,
        invitation_coop=fishwick.name,
        history_rounds=done.rounds if done else 0,
        history_households=done.households if done else 0,
        history_example=done.example_email if done else "",
    )


def _user(login: DemoLogin) -> User:
    return db.session.scalars(select(User).where(User.email == login.email)).one()


def _register(login: DemoLogin) -> User:
    return register_user(email=login.email, name=login.name, password=login.password)


def _member(login: DemoLogin, password_hash: str) -> User:
    """Add a member's account with the members' shared password, hashed once for them all.

    Hashing is most of the time an account takes (a quarter of a second each), and the
    stored hash is the one `register_user` would store; the demo's addresses are known
    to be new and well formed.
    """
    user = User(email=login.email, name=login.name, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    return user


def _coop(demo: DemoCoop, *, council: Council, coordinator: DemoLogin) -> Coop:
    _register(coordinator)
    return create_coop(
        name=demo.name,
        slug=demo.slug,
        pickup_address=demo.pickup_address,
        joining_policy=demo.joining_policy,
        household_cap=30,
        council=council,
        council_from=LINKED_FROM,
        coordinator_email=coordinator.email,
    )


def _households(
    coop: Coop,
    demo: DemoCoop,
    members: list[tuple[str, str, int | None, str | None]],
    password_hash: str,
) -> None:
    for email, name, size, postcode in members:
        user = _member(_member_login(email, name, demo), password_hash)
        membership = activate(coop=coop, user=user, membership=None)
        if size is not None or postcode is not None:
            update_facts(
                membership=membership,
                answers={
                    Fact.HOUSEHOLD_SIZE: Answer(size, consent=True),
                    Fact.POSTCODE: Answer(postcode, consent=True),
                },
            )

"""Nothing of a co-op reaches people outside it, on any route.

Two worlds: council A with co-op A, whose private details are distinctive
strings, and council B with co-op B. Every route in ``app.url_map`` is
requested with co-op A's values in its URL parameters, as someone with no
business there: anonymous, a member and a coordinator of co-op B, an officer
of council B. Routes limited to a co-op, a council or platform admins must
refuse them and change nothing; public and signed-in pages may answer, but
without co-op A's private details. Routes below a co-op are also tried with
the person's own co-op B in ``<slug>`` and co-op A's ids for the rest: those
ids must not be found there.

Requests go through an app of their own, so each one gets a fresh app
context and database session, as in production. The worlds are committed for
real, since that app and the table snapshots read them on connections of
their own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, redirect
from flask.testing import FlaskClient
from sqlalchemy import select
from support import PASSWORD
from werkzeug.routing import Rule

from coop.domain.permissions import can_view_coop
from coop.domain.roles import JoiningPolicy, MembershipStatus, Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    Allocation,
    Announcement,
    CardPayment,
    CardPurpose,
    CatalogueFeed,
    CatalogueImport,
    Coop,
    CouncilApiToken,
    CreditApproval,
    CreditBackRequest,
    FundCategory,
    FundDirection,
    Invitation,
    JobRun,
    LedgerTransaction,
    Membership,
    MonitoringReturn,
    MonitoringReturnPdf,
    OrderRequest,
    OutboxMessage,
    OutboxStatus,
    Posting,
    Product,
    Receipt,
    Round,
    RoundCost,
    RoundItem,
    RoundSupplier,
    SavedCard,
    Supplier,
    SupportKind,
    SupportRecord,
    SupportStatus,
    TransactionKind,
    User,
    VolunteerEntry,
    VolunteerTask,
)
from coop.models.types import utcnow
from coop.web.access import access_rule, for_coop, public

pytestmark = pytest.mark.committing

ANONYMOUS = "anonymous"
MEMBER_B = "member-of-B"
COORDINATOR_B = "coordinator-of-B"
OFFICER_B = "officer-of-council-B"
ROLES = [ANONYMOUS, MEMBER_B, COORDINATOR_B, OFFICER_B]

# Rules under which a page may answer an outsider, as long as it shows nothing private.
OPEN_RULES = {"public", "signed in"}
REFUSALS = {401, 403, 404}
WRITE_REFUSALS = REFUSALS | {405}
# With their own co-op in <slug>, people pass the co-op check; co-op A's ids must not be found.
OWN_COOP_REFUSALS = {403, 404}
OWN_COOP_WRITE_REFUSALS = {400, 403, 404, 405}

# What a careless form handler would act on.
FORM = {
    "name": "Intruder",
    "email": "intruder@example.org",
    "role": Role.COORDINATOR.value,
    "status": MembershipStatus.ACTIVE.value,
    "pickup_address": "Intruder Street",
    "household_cap": "1",
    "joining_policy": JoiningPolicy.OPEN.value,
    "household_size": "3",
    "postcode": "PR1 1AA",
    "postcode_consent": "y",
    "confirm": "y",
    "slug": "intruded",
    "gss_code": "E07999999",
    "valid_from": "2024-01-01",
    "title": "Intruder round",
    "quantity": "3",
    "tolerance": "1",
    "units": "2",
    "reason": "Intruded",
    "collected": "1",
}

# Co-op A's private details, as they would appear on a page.
MEMBER_NAME = "Ottoline Vexworth"
MEMBER_EMAIL = "ottoline.vexworth@example.org"
MEMBER_POSTCODE = "PR1 8ZQ"
PENDING_NAME = "Bartholomew Quince"
PENDING_EMAIL = "b.quince@example.org"
COORDINATOR_EMAIL = "cora.alderney@example.org"
TREASURER_EMAIL = "tobias.marchbank@example.org"
INVITEE_EMAIL = "zephyrine.invitee@example.org"
PICKUP_ADDRESS = "Quillfeather Hall, 7 Marrowbone Lane, Preston"
BANK_ACCOUNT_NAME = "Thistlewick Growers Fund"
BANK_ACCOUNT_NUMBER = "73914628"
BANK_ROLL_NUMBER = "RX/5519-08"
CASH_INSTRUCTIONS = "To the treasurer under the Thistlewick sign"
MARKERS = (
    MEMBER_NAME,
    MEMBER_EMAIL,
    MEMBER_POSTCODE,
    PENDING_NAME,
    PENDING_EMAIL,
    COORDINATOR_EMAIL,
    TREASURER_EMAIL,
    INVITEE_EMAIL,
    "Quillfeather",
    "Marrowbone",
    BANK_ACCOUNT_NAME,
    BANK_ACCOUNT_NUMBER,
    BANK_ROLL_NUMBER,
    "Thistlewick",
)


# URL parameters that choose one of a page's fixed forms (a report, a table), not a row of
# co-op A's: with the person's own slug they name the person's own co-op's page.
PAGE_CHOICES = {"table", "report"}


@dataclass(frozen=True)
class TwoCouncils:
    """Plain values from the two worlds, usable after their rows are gone from the session."""

    parameters: dict[str, Any]  # co-op A's value for each URL parameter name
    own_slug: dict[str, str]  # the co-op in which each role has a membership
    emails: dict[str, str]
    own_pages: dict[str, tuple[str, dict[str, Any]]]  # a page each role may see: endpoint, values
    markers: tuple[str, ...] = MARKERS


@pytest.fixture
def two_councils(app, factory) -> TwoCouncils:
    council_a = factory.council(name="Council A")
    coop_a = factory.coop(
        name="Co-op A",
        slug="coop-a",
        council=council_a,
        joining_policy=JoiningPolicy.APPROVAL,
        pickup_address=PICKUP_ADDRESS,
    )
    coop_a.bank_account_name = BANK_ACCOUNT_NAME
    coop_a.bank_sort_code = "406217"
    coop_a.bank_account_number = BANK_ACCOUNT_NUMBER
    coop_a.bank_roll_number = BANK_ROLL_NUMBER
    coop_a.cash_instructions = CASH_INSTRUCTIONS
    coordinator_a = factory.member(
        coop_a, Role.COORDINATOR, user=factory.user(name="Cora Alderney", email=COORDINATOR_EMAIL)
    )
    factory.member(
        coop_a, Role.TREASURER, user=factory.user(name="Tobias Marchbank", email=TREASURER_EMAIL)
    )
    member_a = factory.membership(
        coop=coop_a,
        user=factory.user(name=MEMBER_NAME, email=MEMBER_EMAIL),
        household_size=7,
        postcode=MEMBER_POSTCODE,
    )
    factory.membership(
        coop=coop_a,
        user=factory.user(name=PENDING_NAME, email=PENDING_EMAIL),
        status=MembershipStatus.PENDING,
    )
    token = "invitation-token-for-coop-a-not-guessable"
    invitation = Invitation(
        coop=coop_a,
        token_digest=hashlib.sha256(token.encode()).hexdigest(),
        email=INVITEE_EMAIL,
        created_by=coordinator_a,
        expires_at=utcnow() + timedelta(days=7),
    )
    message = OutboxMessage(
        recipient=MEMBER_EMAIL,
        subject="Your co-op",
        body=f"Dear {MEMBER_NAME}, collect your food at {PICKUP_ADDRESS}.",
        status=OutboxStatus.STORED,
    )
    # A private catalogue: its supplier's name carries a marker, so any page
    # showing co-op A's suppliers or products to an outsider is caught.
    supplier = Supplier(coop=coop_a, name="Marrowbone Mills", email=COORDINATOR_EMAIL)
    product = Product(
        supplier=supplier, code="MM-1", name="Marrowbone oats", case_size=6, case_price_pence=900
    )
    upload = CatalogueImport(
        supplier=supplier,
        content=b"code,name,case_price\nMM-2,Marrowbone rye,4.00\n",
        catalogue_digest="0" * 64,
    )
    feed_token = "feed-token-for-coop-a-not-guessable"
    feed = CatalogueFeed(
        supplier=supplier,
        label="Another instance",
        token_digest=hashlib.sha256(feed_token.encode()).hexdigest(),
        created_by=coordinator_a,
    )
    db.session.add_all([invitation, message, supplier, product, upload, feed])
    api_token = CouncilApiToken(
        council=council_a,
        name="Council A's warehouse",
        token_digest=hashlib.sha256(b"council-a-api-token").hexdigest(),
        created_by=coordinator_a,
    )
    db.session.add(api_token)
    db.session.flush()
    # A large import under way, followed on its status page by co-op A's people only.
    run = JobRun(
        kind="catalogue_import",
        title="Importing prices into Marrowbone Mills",
        coop_id=coop_a.id,
        started_by_id=coordinator_a.id,
        subject_id=upload.id,
        total=3000,
    )
    db.session.add(run)
    # Time co-op A's member gave, on a task of co-op A's own list.
    task = VolunteerTask(coop_id=coop_a.id, name="Marrowbone deliveries")
    db.session.add(task)
    db.session.flush()
    entry = VolunteerEntry(
        coop_id=coop_a.id,
        membership_id=member_a.id,
        task_id=task.id,
        worked_on=utcnow().date(),
        minutes=60,
    )
    db.session.add(entry)
    db.session.commit()
    # A closed round with co-op A's member's order and allocation.
    round_ = Round(
        coop=coop_a,
        title="Marrowbone harvest round",
        state=RoundState.CLOSED,
        opens_at=utcnow() - timedelta(days=3),
        closes_at=utcnow() - timedelta(days=1),
        pickup_place=PICKUP_ADDRESS,
    )
    round_supplier = RoundSupplier(round=round_, supplier=supplier)
    item = RoundItem(
        round=round_,
        round_supplier=round_supplier,
        product=product,
        code=product.code,
        name=product.name,
        case_size=6,
        case_price_pence=900,
        cases_ordered=1,
    )
    db.session.add_all([round_, round_supplier, item])
    db.session.flush()
    db.session.add(OrderRequest(round_id=round_.id, item=item, membership=member_a, quantity=6))
    allocation = Allocation(
        round_id=round_.id,
        item=item,
        membership=member_a,
        quantity=6,
        closed_units=6,
        computed_units=6,
    )
    db.session.add(allocation)
    cost = RoundCost(round_id=round_.id, name="Marrowbone van hire", amount_pence=500)
    db.session.add(cost)
    household = Account(coop_id=coop_a.id, kind=AccountKind.HOUSEHOLD, membership=member_a)
    cash = Account(coop_id=coop_a.id, kind=AccountKind.CASH)
    payment = LedgerTransaction(
        coop_id=coop_a.id, kind=TransactionKind.PAYMENT, memo=f"Cash from {MEMBER_NAME}"
    )
    payment.postings = [
        Posting(account=household, amount_pence=1234),
        Posting(account=cash, amount_pence=-1234),
    ]
    db.session.add(payment)
    # What co-op A's coordinators told its households, for their eyes only.
    db.session.add(
        Announcement(
            coop_id=coop_a.id,
            author=coordinator_a,
            subject="Quillfeather Hall opens late",
            body=f"Collect your food at {PICKUP_ADDRESS} after six.",
        )
    )
    db.session.commit()

    council_b = factory.council(name="Council B")
    coop_b = factory.coop(name="Co-op B", slug="coop-b", council=council_b)
    member_b = factory.member(coop_b)
    coordinator_b = factory.member(coop_b, Role.COORDINATOR)
    officer_b = factory.officer(council_b)
    # Council A's support for co-op A: its officers' to keep, no one else's.
    record = SupportRecord(
        council_id=council_a.id,
        coop_id=coop_a.id,
        programme="Quillfeather room",
        kind=SupportKind.PREMISES,
        value_pence=36_000,
        awarded_on=utcnow().date(),
        status=SupportStatus.PROPOSED,
    )
    db.session.add(record)
    db.session.flush()
    # Its monitoring return and the PDF made of it: council A's officers' alone.
    monitoring = MonitoringReturn(
        support_record_id=record.id,
        period_start=utcnow().date() - timedelta(days=90),
        period_end=utcnow().date(),
        story="The Quillfeather hall kept its doors open",
        version=1,
    )
    db.session.add(monitoring)
    db.session.flush()
    db.session.add(
        MonitoringReturnPdf(
            monitoring_return_id=monitoring.id, content=b"%PDF-1.7 Quillfeather", version=1
        )
    )
    # Co-op A's treasurer's books: a credit request, a category of its own and a receipt.
    approval = CreditApproval(membership_id=member_a.id, round_id=round_.id)
    category = FundCategory(
        coop_id=coop_a.id, name="Quillfeather hall hire", direction=FundDirection.EXPENSE
    )
    content = b"%PDF-1.7 Quillfeather receipt"
    receipt = Receipt(
        coop_id=coop_a.id,
        filename="quillfeather.pdf",
        content_type="application/pdf",
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    # A card top-up of co-op A's member: its payment page is that household's alone.
    card_payment = CardPayment(
        coop_id=coop_a.id,
        membership_id=member_a.id,
        purpose=CardPurpose.TOP_UP,
        amount_pence=4_321,
        payment_intent_id="pi_quillfeather",
        idempotency_key="top_up-quillfeather",
    )
    # Co-op A's member's saved card: only that household may remove it.
    card = SavedCard(
        coop_id=coop_a.id,
        membership_id=member_a.id,
        customer_id="cus_quillfeather",
        payment_method_id="pm_quillfeather",
        brand="visa",
        last4="4242",
        auto_pay=True,
    )
    # Co-op A's member asks for its credit back: for co-op A's treasurers alone.
    credit_back = CreditBackRequest(
        coop_id=coop_a.id,
        membership_id=member_a.id,
        amount_pence=1_234,
        message="Quillfeather credit",
        pending_key=member_a.id,
    )
    db.session.add_all([approval, category, receipt, card_payment, card, credit_back])
    db.session.commit()

    values = TwoCouncils(
        parameters={
            "record_id": record.id,
            "slug": coop_a.slug,
            "council_id": council_a.id,
            "membership_id": member_a.id,
            "invitation_id": invitation.id,
            "message_id": message.id,
            "token": token,
            "user_id": member_a.user_id,
            "supplier_id": supplier.id,
            "product_id": product.id,
            "import_id": upload.id,
            "feed_id": feed.id,
            "gss": council_a.gss_code,
            "token_id": api_token.id,
            "round_id": round_.id,
            "item_id": item.id,
            "allocation_id": allocation.id,
            "cost_id": cost.id,
            "task_id": task.id,
            "entry_id": entry.id,
            "transaction_id": payment.id,
            "run_id": run.id,
            "return_id": monitoring.id,
            "approval_id": approval.id,
            "category_id": category.id,
            "receipt_id": receipt.id,
            "table": "receipts-and-payments",
            "report": "annual",
            "payment_id": card_payment.id,
            "card_id": card.id,
            "request_id": credit_back.id,
        },
        own_slug={MEMBER_B: coop_b.slug, COORDINATOR_B: coop_b.slug},
        emails={
            MEMBER_B: member_b.email,
            COORDINATOR_B: coordinator_b.email,
            OFFICER_B: officer_b.email,
        },
        own_pages={
            MEMBER_B: ("members.coop_home", {"slug": coop_b.slug}),
            COORDINATOR_B: ("members.coop_home", {"slug": coop_b.slug}),
            OFFICER_B: ("council.dashboard", {"council_id": council_b.id}),
        },
    )
    # End the read transaction so that the requests below can write (SQLite locks).
    db.session.rollback()
    return values


@dataclass
class Sweep:
    """Requests every route of an app as one person and notes what goes wrong."""

    app: Flask
    client: FlaskClient
    two_councils: TwoCouncils
    role: str
    problems: list[str] = field(default_factory=list)

    def path(self, endpoint: str, values: dict[str, Any]) -> str:
        return self.app.url_map.bind("localhost").build(endpoint, values)

    def sign_in(self) -> None:
        if self.role == ANONYMOUS:
            return
        response = self.client.post(
            self.path("auth.login", {}),
            data={"email": self.two_councils.emails[self.role], "password": PASSWORD},
        )
        assert response.status_code == 302, f"{self.role} could not log in"
        self.check_own_page()

    def check_own_page(self) -> None:
        """Prove the session still works, so refusals are not just a lost login."""
        if self.role == ANONYMOUS:
            return
        endpoint, values = self.two_councils.own_pages[self.role]
        response = self.client.get(self.path(endpoint, values))
        assert response.status_code == 200, f"{self.role} cannot see its own {endpoint}"

    def run(self, endpoints: set[str] | None = None) -> list[str]:
        rules = sorted(self.app.url_map.iter_rules(), key=lambda rule: rule.rule)
        for rule in rules:
            if rule.endpoint == "static" or (
                endpoints is not None and rule.endpoint not in endpoints
            ):
                continue
            self.check(rule)
        self.check_own_page()
        return self.problems

    def check(self, rule: Rule) -> None:
        unknown = sorted(
            set(rule.arguments) - set(rule.defaults or ()) - set(self.two_councils.parameters)
        )
        if unknown:
            self.problems.append(
                f"{rule.rule}: the leak test does not know the URL parameter(s) {unknown}; "
                "give co-op A's value for each in TwoCouncils.parameters in tests/test_leaks.py"
            )
            return
        kind = access_rule(self.app.view_functions[rule.endpoint])
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        values = {
            name: self.two_councils.parameters[name]
            for name in rule.arguments - set(rule.defaults or ())
        }
        path = self.path(rule.endpoint, values)
        for method in methods:
            if kind in OPEN_RULES:
                if method == "GET":
                    self.check_open_page(rule, path)
                # Writes to open routes (log out, join a co-op) may do what they like.
            elif method == "GET":
                self.check_refused_page(rule, path, REFUSALS)
            else:
                self.check_refused_write(rule, method, path, WRITE_REFUSALS)

        own_slug = self.two_councils.own_slug.get(self.role)
        ids = set(values) - {"slug"} - PAGE_CHOICES
        if kind not in OPEN_RULES and own_slug and "slug" in rule.arguments and ids:
            path = self.path(rule.endpoint, {**values, "slug": own_slug})
            for method in methods:
                if method == "GET":
                    self.check_refused_page(rule, path, OWN_COOP_REFUSALS)
                else:
                    self.check_refused_write(rule, method, path, OWN_COOP_WRITE_REFUSALS)

    def is_login_redirect(self, response) -> bool:
        return response.status_code in {301, 302, 303} and (
            urlsplit(response.location).path == self.path("auth.login", {})
        )

    def markers_in(self, response) -> list[str]:
        with response:  # a file sent from disk (the icon) is closed here
            if (
                not response.mimetype.startswith("text/")
                and response.mimetype != "application/json"
            ):
                return []  # an icon or other binary answer carries no co-op's words
            text = response.get_data(as_text=True).lower()
        return [marker for marker in self.two_councils.markers if marker.lower() in text]

    def note(self, rule: Rule, method: str, path: str, problem: str) -> None:
        self.problems.append(f"{method} {path} ({rule.endpoint}) as {self.role}: {problem}")

    def check_open_page(self, rule: Rule, path: str) -> None:
        response = self.client.get(path, follow_redirects=True)
        if response.status_code >= 500:
            self.note(rule, "GET", path, f"answered {response.status_code}")
        leaked = self.markers_in(response)
        if leaked:
            self.note(rule, "GET", path, f"shows co-op A's private details {leaked}")

    def check_refused_page(self, rule: Rule, path: str, refusals: set[int]) -> None:
        response = self.client.get(path)
        if not (response.status_code in refusals or self.is_login_redirect(response)):
            self.note(rule, "GET", path, f"answered {response.status_code}, expected a refusal")
        leaked = self.markers_in(response)
        if leaked:
            self.note(rule, "GET", path, f"shows co-op A's private details {leaked}")

    def check_refused_write(self, rule: Rule, method: str, path: str, refusals: set[int]) -> None:
        before = snapshot()
        response = self.client.open(path, method=method, data=FORM)
        changed = changed_tables(before, snapshot())
        if not (response.status_code in refusals or self.is_login_redirect(response)):
            self.note(rule, method, path, f"answered {response.status_code}, expected a refusal")
        if changed:
            self.note(rule, method, path, f"changed rows in {changed}")


def snapshot() -> dict[str, list[tuple]]:
    """Return every row of every table, in a stable order."""
    with db.engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(table.select())), key=repr)
            for table in db.metadata.sorted_tables
        }


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def sweep(
    app: Flask, two_councils: TwoCouncils, role: str, endpoints: set[str] | None = None
) -> list[str]:
    run = Sweep(app, app.test_client(), two_councils, role)
    run.sign_in()
    return run.run(endpoints)


@pytest.mark.parametrize("role", ROLES)
def test_no_route_shows_or_changes_another_coops_data(fresh_app, two_councils, role):
    problems = sweep(fresh_app, two_councils, role)
    assert not problems, f"{len(problems)} leak(s) as {role}:\n" + "\n".join(problems)


def test_the_sweep_covers_routes_of_every_kind(app):
    kinds = {access_rule(view) for view in app.view_functions.values()}
    assert {"public", "signed in", "platform admin"} <= kinds
    assert any(kind.startswith("coop:") for kind in kinds if kind)
    assert any(kind.startswith("council:") for kind in kinds if kind)


# The sweep must catch real mistakes: each route below makes one.


def _names_of_members(slug: str) -> str:
    names = db.session.scalars(
        select(User.name).join(Membership.user).join(Membership.coop).where(Coop.slug == slug)
    )
    return "<h1>Members</h1>" + ", ".join(names)


def test_the_sweep_catches_a_public_page_listing_a_coops_members(fresh_app, two_councils):
    fresh_app.add_url_rule("/coops/<slug>/who", "who", public(_names_of_members))
    problems = sweep(fresh_app, two_councils, ANONYMOUS, endpoints={"who"})
    assert len(problems) == 1
    assert problems[0].startswith("GET /coops/coop-a/who (who) as anonymous: shows co-op A's")
    assert MEMBER_NAME in problems[0]


def test_the_sweep_catches_a_coop_page_that_loads_another_coops_membership(fresh_app, two_councils):
    def membership_page(coop: Coop, membership_id: int) -> str:
        # The mistake: the membership is not looked up within `coop`.
        return db.get_or_404(Membership, membership_id).user.name

    fresh_app.add_url_rule(
        "/coops/<slug>/people/<int:membership_id>",
        "person",
        for_coop(can_view_coop)(membership_page),
    )
    problems = sweep(fresh_app, two_councils, MEMBER_B, endpoints={"person"})
    path = f"/coops/coop-b/people/{two_councils.parameters['membership_id']}"
    assert problems == [
        f"GET {path} (person) as {MEMBER_B}: answered 200, expected a refusal",
        f"GET {path} (person) as {MEMBER_B}: shows co-op A's private details ['{MEMBER_NAME}']",
    ]


def test_the_sweep_catches_a_write_to_another_coops_membership(fresh_app, two_councils):
    def remove_member(coop: Coop, membership_id: int) -> Any:
        # The mistake: any membership id is acted on, whatever its co-op.
        db.get_or_404(Membership, membership_id).status = MembershipStatus.LEFT
        db.session.commit()
        return redirect(f"/coops/{coop.slug}/")

    fresh_app.add_url_rule(
        "/coops/<slug>/people/<int:membership_id>/remove",
        "remove_person",
        for_coop(can_view_coop)(remove_member),
        methods=["POST"],
    )
    problems = sweep(fresh_app, two_councils, COORDINATOR_B, endpoints={"remove_person"})
    path = f"/coops/coop-b/people/{two_councils.parameters['membership_id']}/remove"
    assert problems == [
        f"POST {path} (remove_person) as {COORDINATOR_B}: answered 302, expected a refusal",
        f"POST {path} (remove_person) as {COORDINATOR_B}: changed rows in ['memberships']",
    ]


def test_the_sweep_asks_to_be_taught_unknown_url_parameters(fresh_app, two_councils):
    fresh_app.add_url_rule("/things/<int:thing_id>", "thing", public(lambda thing_id: "ok"))
    problems = sweep(fresh_app, two_councils, ANONYMOUS, endpoints={"thing"})
    assert len(problems) == 1
    assert "does not know the URL parameter(s) ['thing_id']" in problems[0]

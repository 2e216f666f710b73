"""A co-op's own Stripe account (Connect): onboarding, its state, and every call made on it.

localstripe has no Connect, so a small HTTP server on loopback stands in for
Stripe here and records what each request carried; the webhook events
Connect sends are signed here with the test secret.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from coop.domain.roles import Role
from coop.extensions import db
from coop.models import CardPayment
from coop.services.payments.gateway import Gateway

from .conftest import signed, stripe_settings

INTENT = {
    "id": "pi_connect",
    "object": "payment_intent",
    "amount": 500,
    "currency": "gbp",
    "status": "requires_payment_method",
    "client_secret": "pi_connect_secret_x",
    "metadata": {},
}
ANSWERS = {
    "/v1/payment_intents": INTENT,
    "/v1/payment_intents/pi_connect": INTENT,
    "/v1/payment_intents/pi_connect/cancel": {**INTENT, "status": "canceled"},
    "/v1/refunds": {"id": "re_1", "object": "refund", "amount": 500, "status": "succeeded"},
    "/v1/accounts/acct_coop": {
        "id": "acct_coop",
        "object": "account",
        "charges_enabled": True,
        "details_submitted": True,
    },
    "/v1/account_links": {"object": "account_link", "url": "https://connect.example/onboard"},
    "/v1/accounts": {
        "id": "acct_new",
        "object": "account",
        "charges_enabled": False,
        "details_submitted": False,
    },
    "/v1/accounts/acct_new": {
        "id": "acct_new",
        "object": "account",
        "charges_enabled": False,
        "details_submitted": True,
    },
}
#: The form body of each request the recording server answered, by path.
BODIES: dict[str, dict[str, list[str]]] = {}


@pytest.fixture
def recording_stripe():
    seen: list[tuple[str, str, str | None]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            BODIES[self.path.split("?")[0]] = parse_qs(self.rfile.read(length).decode())
            seen.append((self.command, self.path, self.headers.get("Stripe-Account")))
            body = json.dumps(ANSWERS[self.path.split("?")[0]]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args) -> None:
            pass

    BODIES.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def test_every_payment_call_names_the_coops_connected_account(recording_stripe):
    base, seen = recording_stripe
    gateway = Gateway(secret_key="sk_test_platform", api_base=base, stripe_account="acct_coop")
    gateway.create_payment(amount_pence=500, metadata={"coop_id": 1}, idempotency_key="k")
    gateway.read_payment("pi_connect")
    gateway.cancel_payment("pi_connect")
    gateway.refund(payment_id="pi_connect", idempotency_key="r")
    assert [account for _, _, account in seen] == ["acct_coop"] * 4


def test_without_a_connected_account_no_call_names_one(recording_stripe):
    base, seen = recording_stripe
    Gateway(secret_key="sk_test_own", api_base=base).read_payment("pi_connect")
    assert seen == [("GET", "/v1/payment_intents/pi_connect", None)]


def test_onboarding_reads_the_account_and_makes_an_account_link(recording_stripe):
    base, seen = recording_stripe
    gateway = Gateway(secret_key="sk_test_platform", api_base=base)
    account = gateway.read_connected_account("acct_coop")
    assert (account.id, account.charges_enabled, account.details_submitted) == (
        "acct_coop",
        True,
        True,
    )
    url = gateway.create_account_link(
        account_id="acct_coop",
        refresh_url="https://food.example.org/settings/stripe",
        return_url="https://food.example.org/settings/stripe/done",
    )
    assert url == "https://connect.example/onboard"
    # Onboarding is the platform's own business: no call acts on the co-op's account.
    assert [account for _, _, account in seen] == [None, None]


# --- onboarding from the co-op's settings, on a platform ------------------------------------------

SETTINGS = "/coops/fishwick/admin/settings/card-payments"


@pytest.fixture
def platform(app, recording_stripe):
    """The app as a platform (``STRIPE_CONNECT``), its Stripe the recording server."""
    base, seen = recording_stripe
    app.config.update(stripe_settings(base), STRIPE_CONNECT="1")
    return seen


@pytest.fixture
def fishwick(factory):
    return factory.coop(name="Fishwick Food Co-op", slug="fishwick")


@pytest.fixture
def treasurer(client, auth, factory, fishwick):
    user = factory.member(fishwick, Role.TREASURER)
    auth.login_as(user)
    return user


def account_updated(account: str, created: int, **fields):
    return {
        "id": f"evt_connect_{created}_{account}",
        "object": "event",
        "type": "account.updated",
        "account": account,
        "created": created,
        "data": {"object": {"id": account, "object": "account", **fields}},
    }


def deliver(client, event) -> str:
    payload, header = signed(event)
    answer = client.post(
        "/webhooks/stripe",
        data=payload,
        headers={"Stripe-Signature": header},
        content_type="application/json",
    )
    assert answer.status_code == 200
    return answer.json["outcome"]


def test_connecting_creates_the_coops_account_and_sends_the_treasurer_to_onboarding(
    client, platform, treasurer, fishwick
):
    page = client.get(SETTINGS).get_data(as_text=True)
    assert "Not connected" in page and "Off: households are shown the bank" in page
    answer = client.post(f"{SETTINGS}/connect", data={})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "https://connect.example/onboard"
    db.session.refresh(fishwick)
    assert fishwick.stripe_account_id == "acct_new"
    # The account and its link are made on the platform's own key, for a UK Standard account.
    assert [(method, path, account) for method, path, account in platform] == [
        ("POST", "/v1/accounts", None),
        ("POST", "/v1/account_links", None),
    ]
    assert BODIES["/v1/accounts"]["type"] == ["standard"]
    assert BODIES["/v1/accounts"]["country"] == ["GB"]
    assert BODIES["/v1/accounts"]["email"] == [treasurer.email]
    link = BODIES["/v1/account_links"]
    assert link["account"] == ["acct_new"]
    assert link["return_url"] == [f"http://localhost{SETTINGS}/return"]
    assert link["refresh_url"] == [f"http://localhost{SETTINGS}/refresh"]


def test_coming_back_from_onboarding_reads_the_account_again(client, platform, treasurer, fishwick):
    fishwick.stripe_account_id = "acct_new"
    db.session.commit()
    answer = client.get(f"{SETTINGS}/return", follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "Stripe does not let it take payments yet" in page
    assert "Onboarding not finished" in page
    assert ("GET", "/v1/accounts/acct_new", None) in platform
    db.session.refresh(fishwick)
    assert fishwick.stripe_details_submitted and not fishwick.stripe_charges_enabled


def test_an_expired_onboarding_link_gives_a_new_one(client, platform, treasurer, fishwick):
    fishwick.stripe_account_id = "acct_new"
    db.session.commit()
    answer = client.get(f"{SETTINGS}/refresh")
    assert answer.headers["Location"] == "https://connect.example/onboard"
    assert [path for _, path, _ in platform] == ["/v1/account_links"]  # no second account


def test_account_updated_turns_card_payments_on_for_that_coop(
    client, auth, platform, treasurer, fishwick, factory
):
    fishwick.stripe_account_id = "acct_new"
    db.session.commit()
    household = factory.membership(coop=fishwick)
    assert "Onboarding not finished" in client.get(SETTINGS).get_data(as_text=True)
    event = account_updated("acct_new", 1_800_000_000, charges_enabled=True, details_submitted=True)
    assert deliver(client, event) == "account_updated"
    page = client.get(SETTINGS).get_data(as_text=True)
    assert "Taking card payments" in page and '<dd id="card-state">On</dd>' in page
    auth.login_as(household.user)
    top_up = client.get("/coops/fishwick/top-up").get_data(as_text=True)
    assert 'id="cards-off"' not in top_up


def test_an_older_account_event_arriving_late_changes_nothing(client, platform, fishwick):
    fishwick.stripe_account_id = "acct_new"
    db.session.commit()
    on = account_updated("acct_new", 1_800_000_100, charges_enabled=True, details_submitted=True)
    off = account_updated("acct_new", 1_800_000_000, charges_enabled=False)
    assert deliver(client, on) == "account_updated"
    assert deliver(client, off) == "already_done"
    db.session.refresh(fishwick)
    assert fishwick.stripe_charges_enabled


def test_an_account_event_for_an_account_no_coop_holds_changes_nothing(client, platform, fishwick):
    event = account_updated("acct_stranger", 1_800_000_000, charges_enabled=True)
    assert deliver(client, event) == "unknown_account"
    db.session.refresh(fishwick)
    assert not fishwick.stripe_charges_enabled


def test_on_a_platform_a_coop_without_a_working_account_takes_no_card_payments(
    client, auth, platform, factory, fishwick
):
    household = factory.membership(coop=fishwick)
    auth.login_as(household.user)
    assert 'id="cards-off"' in client.get("/coops/fishwick/top-up").get_data(as_text=True)
    fishwick.stripe_account_id = "acct_new"  # connected, but not taking charges yet
    db.session.commit()
    assert 'id="cards-off"' in client.get("/coops/fishwick/top-up").get_data(as_text=True)


def test_a_top_up_for_a_connected_coop_is_made_on_its_account(
    client, auth, platform, factory, fishwick
):
    fishwick.stripe_account_id = "acct_coop"
    fishwick.stripe_charges_enabled = True
    db.session.commit()
    household = factory.membership(coop=fishwick)
    auth.login_as(household.user)
    answer = client.post("/coops/fishwick/top-up", data={"amount": "5.00"})
    assert answer.status_code == 302
    payment = db.session.scalar(
        select(CardPayment).where(CardPayment.membership_id == household.id)
    )
    assert payment.stripe_account == "acct_coop"
    assert ("POST", "/v1/payment_intents", "acct_coop") in platform
    # The payment page's Stripe.js acts on the co-op's account too.
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'data-account="acct_coop"' in page


def test_only_those_who_may_change_the_bank_details_may_connect(
    client, auth, platform, factory, fishwick
):
    factory.member(fishwick, Role.TREASURER)
    auth.login_as(factory.member(fishwick, Role.COORDINATOR))
    page = client.get(SETTINGS).get_data(as_text=True)
    assert "can connect its Stripe account" in page
    assert client.post(f"{SETTINGS}/connect", data={}).status_code == 403
    db.session.refresh(fishwick)
    assert fishwick.stripe_account_id is None and platform == []


def test_members_and_other_coops_treasurers_are_refused(client, auth, platform, factory, fishwick):
    auth.login_as(factory.member(fishwick, Role.MEMBER))
    assert client.get(SETTINGS).status_code == 403
    other = factory.coop(name="Ribbleton", slug="ribbleton")
    auth.login_as(factory.member(other, Role.TREASURER))
    assert client.get(SETTINGS).status_code in (403, 404)
    assert client.post(f"{SETTINGS}/connect", data={}).status_code in (403, 404)


def test_a_connected_coops_payment_posts_only_on_an_event_from_its_account(
    client, auth, platform, factory, fishwick
):
    fishwick.stripe_account_id = "acct_coop"
    fishwick.stripe_charges_enabled = True
    db.session.commit()
    household = factory.membership(coop=fishwick)
    auth.login_as(household.user)
    client.post("/coops/fishwick/top-up", data={"amount": "5.00"})

    def succeeded(n: int, account: str | None):
        event = {
            "id": f"evt_connect_paid_{n}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": 1_800_000_000,
            "data": {"object": {**INTENT, "status": "succeeded", "metadata": {}}},
        }
        return {**event, "account": account} if account else event

    assert deliver(client, succeeded(1, None)) == "unknown_payment"
    assert deliver(client, succeeded(2, "acct_other")) == "unknown_payment"
    assert deliver(client, succeeded(3, "acct_coop")) == "posted"

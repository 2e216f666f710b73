"""A co-op's own Stripe account (Connect) goes with every call its gateway makes.

localstripe has no Connect, so a small HTTP server on loopback stands in for
Stripe here and records what each request carried.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from coop.services.payments.gateway import Gateway

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
}


@pytest.fixture
def recording_stripe():
    seen: list[tuple[str, str, str | None]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
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

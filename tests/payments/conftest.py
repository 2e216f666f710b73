"""A real (fake) Stripe for the payments tests: localstripe on loopback, and an app pointed at it.

`localstripe` starts once per run as a subprocess on a free port
(`localstripe_server.py`); `stripe_app` is the run's app with card payments
on and the gateway at that server. Webhooks are either signed here with the
test secret (`signed`) or sent by localstripe itself to a live server.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe
from flask import Flask
from support import make_app, serving

SECRET_KEY = "sk_test_coop"
PUBLISHABLE_KEY = "pk_test_coop"
WEBHOOK_SECRET = "whsec_test_coop"
SERVER = Path(__file__).with_name("localstripe_server.py")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except urllib.error.HTTPError:
        return True  # it answered, if only to refuse
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """Run localstripe on a free loopback port for the run; yield its base URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, str(SERVER), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while not _answers(f"{url}/v1/customers"):
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"localstripe did not start:\n{error}")
            if time.monotonic() > deadline:
                pytest.fail("localstripe did not answer within 20 seconds")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def stripe_settings(base_url: str) -> dict[str, str]:
    """The settings that turn card payments on against the server at *base_url*."""
    return {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": base_url,
    }


@pytest.fixture
def stripe_app(app: Flask, localstripe: str) -> Flask:
    """The run's app with card payments on, its gateway at localstripe."""
    app.config.update(stripe_settings(localstripe))
    return app


@pytest.fixture
def raw_stripe(localstripe: str) -> stripe.StripeClient:
    """The SDK pointed at localstripe, for what a test does as Stripe.js or a person would."""
    return stripe.StripeClient(
        SECRET_KEY, base_addresses={"api": localstripe}, max_network_retries=0
    )


def signed(event: dict[str, Any], secret: str = WEBHOOK_SECRET, at: int | None = None):
    """Return *event* as a webhook body and the ``Stripe-Signature`` header signing it."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=at)
    return payload.encode(), header


@pytest.fixture(scope="session")
def stripe_live_server(run_database_uri: str, localstripe: str) -> Iterator[str]:
    """Serve an app with card payments on, on a free loopback port; yield its base URL."""
    app = make_app(run_database_uri, WTF_CSRF_ENABLED=True, **stripe_settings(localstripe))
    with serving(app, "stripe-live") as url:
        yield url


def _configure_webhook(localstripe: str, url: str, events: list[str] | None) -> None:
    fields = [("url", url), ("secret", WEBHOOK_SECRET)]
    fields += [("events[]", kind) for kind in events or []]
    request = urllib.request.Request(
        f"{localstripe}/_config/webhooks/coop",
        data=urllib.parse.urlencode(fields).encode(),
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5).close()


@pytest.fixture
def localstripe_webhooks(localstripe: str, stripe_live_server: str) -> Iterator[str]:
    """Have localstripe send its signed webhooks to the live server while the test runs.

    localstripe cannot forget a webhook, so afterwards it is narrowed to an
    event type that never happens; the webhooks of other tests' payments
    never reach the database the rolled-back tests read.
    """
    url = f"{stripe_live_server}/webhooks/stripe"
    _configure_webhook(localstripe, url, None)
    try:
        yield stripe_live_server
    finally:
        _configure_webhook(localstripe, url, ["coop.never_sent"])

"""Connect: each co-op takes card payments on its own Stripe account.

Two set-ups (README, "Card payments"). With the deployment's own keys and
no ``STRIPE_CONNECT``, a co-op with no connected account takes card
payments on the deployment's account, as one merchant. With
``STRIPE_CONNECT`` on, the deployment is a platform: a co-op takes card
payments only on an account of its own, once Stripe says that account can
take charges. Either way a co-op that has connected an account takes
payments on it alone (direct charges: the co-op is the merchant of record,
Stripe's fee is its own) and, while that account cannot take charges,
takes none by card: its pages show the bank and cash instructions instead.

The account is a Standard one: the co-op's treasurer owns it outright, with
Stripe's own dashboard for payouts, refunds and disputes, and the co-op can
leave the platform and keep it. It is created from the co-op's settings
(`start_onboarding`), on the platform's key, and the treasurer is sent to
Stripe's onboarding by an account link that comes back to the settings.
What the settings show (`ConnectionState`) is what Stripe last said of the
account, read again when the treasurer comes back (`refresh_connected_account`)
and whenever the ``account.updated`` webhook reports a change
(`apply_account_event`); an event older than the last reading changes
nothing, so events may come in any order.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update

from coop.extensions import db
from coop.models import Coop, User
from coop.models.types import utcnow
from coop.services.payments.gateway import (
    ConnectedAccount,
    Event,
    card_payments_enabled,
    gateway_for,
)


class ConnectionState(StrEnum):
    """Where a co-op's own Stripe account stands."""

    NOT_CONNECTED = "not_connected"
    ONBOARDING = "onboarding"  # created, but Stripe does not let it take charges yet
    TAKING_PAYMENTS = "taking_payments"

    @property
    def label(self) -> str:
        return {
            ConnectionState.NOT_CONNECTED: "Not connected",
            ConnectionState.ONBOARDING: "Onboarding not finished",
            ConnectionState.TAKING_PAYMENTS: "Taking card payments",
        }[self]


class AccountUpdate(StrEnum):
    """What an ``account.updated`` event did."""

    APPLIED = "applied"
    STALE = "stale"  # older than what the co-op already knows
    UNKNOWN = "unknown"  # no co-op holds that account


def connect_mode(app: Flask | None = None) -> bool:
    """Say whether every co-op must connect its own account (``STRIPE_CONNECT``)."""
    return bool((app or current_app).config.get("STRIPE_CONNECT"))


def connection_state(coop: Coop) -> ConnectionState:
    """Return what Stripe last said of *coop*'s own account."""
    if coop.stripe_account_id is None:
        return ConnectionState.NOT_CONNECTED
    if coop.stripe_charges_enabled:
        return ConnectionState.TAKING_PAYMENTS
    return ConnectionState.ONBOARDING


def card_payments_enabled_for(coop: Coop, app: Flask | None = None) -> bool:
    """Say whether *coop*'s households can pay by card now.

    Keys must be configured; a co-op with its own account needs that account
    to take charges; a co-op without one pays on the deployment's account
    unless the deployment is a platform (``STRIPE_CONNECT``).
    """
    if not card_payments_enabled(app):
        return False
    if coop.stripe_account_id is not None:
        return coop.stripe_charges_enabled
    return not connect_mode(app)


def _store(coop: Coop, account: ConnectedAccount, *, at: datetime) -> None:
    db.session.execute(
        update(Coop)
        .where(Coop.id == coop.id, Coop.stripe_account_id == account.id)
        .values(
            stripe_charges_enabled=account.charges_enabled,
            stripe_details_submitted=account.details_submitted,
            stripe_account_checked_at=at,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(coop)


def start_onboarding(*, coop: Coop, by: User, refresh_url: str, return_url: str) -> str:
    """Give *coop* a connected account if it has none; return its onboarding link (flushes).

    Two treasurers starting at once may each have Stripe create an account;
    only the first is kept (a conditional update), and both are sent to its link.
    """
    gateway = gateway_for()  # onboarding is the platform's own business
    if coop.stripe_account_id is None:
        account = gateway.create_connected_account(email=by.email, coop_name=coop.name)
        db.session.execute(
            update(Coop)
            .where(Coop.id == coop.id, Coop.stripe_account_id.is_(None))
            .values(stripe_account_id=account.id)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(coop)
        if coop.stripe_account_id == account.id:
            _store(coop, account, at=utcnow())
    assert coop.stripe_account_id is not None
    return gateway.create_account_link(
        account_id=coop.stripe_account_id, refresh_url=refresh_url, return_url=return_url
    )


def refresh_connected_account(*, coop: Coop) -> ConnectionState:
    """Read *coop*'s account from Stripe and keep what it says (flushes)."""
    if coop.stripe_account_id is None:
        return ConnectionState.NOT_CONNECTED
    account = gateway_for().read_connected_account(coop.stripe_account_id)
    _store(coop, account, at=utcnow())
    return connection_state(coop)


def _flag(data: Mapping[str, Any], name: str) -> bool:
    return data.get(name) is True


def apply_account_event(*, event: Event) -> AccountUpdate:
    """Keep what an ``account.updated`` event says of a co-op's account (flushes)."""
    account_id = event.account or event.object.get("id")
    if not isinstance(account_id, str) or event.object.get("id") not in (None, account_id):
        return AccountUpdate.UNKNOWN
    coop = db.session.scalar(select(Coop).where(Coop.stripe_account_id == account_id))
    if coop is None:
        return AccountUpdate.UNKNOWN
    at = datetime.fromtimestamp(event.created, UTC) if event.created else utcnow()
    checked = coop.stripe_account_checked_at
    if checked is not None and at < checked.replace(microsecond=0):
        return AccountUpdate.STALE
    account = ConnectedAccount(
        id=account_id,
        charges_enabled=_flag(event.object, "charges_enabled"),
        details_submitted=_flag(event.object, "details_submitted"),
    )
    _store(coop, account, at=at)
    return AccountUpdate.APPLIED

"""The card processor behind a small interface: the only module that imports `stripe`.

Everything else asks `gateway_for` for a `Gateway` and gets plain frozen
dataclasses back (`Payment`, `Refund`, `BalanceTransaction`, `SavedCardSetup`,
`Event`, `ConnectedAccount`), never a Stripe object, so the rest of the app reads
the same whatever the processor's SDK does next.

Configuration (`config.Config`): ``STRIPE_SECRET_KEY`` turns card payments
on (`card_payments_enabled`); ``STRIPE_PUBLISHABLE_KEY`` goes to the page
that loads Stripe.js; ``STRIPE_WEBHOOK_SECRET`` verifies the webhook;
``STRIPE_API_BASE``, when set, is where the API is asked instead of
api.stripe.com (the tests' localstripe on loopback).

Connect: a `Gateway` built for a co-op with a connected account passes that
account (``stripe_account``) on every call, so the charge is made on the
co-op's own account (a direct charge) and the co-op is the merchant of record.

Failures become `GatewayError`, a `ServiceError` with a message fit for the
person paying and a ``code`` for callers (``declined``,
``authentication_required``, ``unreachable``, ``refused``, ``bad_signature``);
no Stripe exception leaves this module.

Amounts are integer pence, always GBP. The SDK is asked not to retry on
its own (``max_network_retries=0``): a retry belongs to whoever holds the
idempotency key, and localstripe ignores idempotency keys anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import stripe
from flask import Flask, current_app

from coop.services.errors import ServiceError

if TYPE_CHECKING:
    from coop.models import Coop

CURRENCY = "gbp"
#: How old a webhook's signed timestamp may be, in seconds (Stripe's own default).
WEBHOOK_TOLERANCE_SECONDS = 300
#: Stripe's ceiling for one charge in pence (£999,999.99); far above any co-op's maximum.
MAX_AMOUNT_PENCE = 99_999_999


class GatewayError(ServiceError):
    """The card processor refused or could not be reached; nothing was charged by us."""

    DECLINED = "declined"
    AUTHENTICATION_REQUIRED = "authentication_required"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"
    BAD_SIGNATURE = "bad_signature"
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class Payment:
    """A PaymentIntent as the app needs it."""

    id: str
    status: str  # requires_payment_method, requires_confirmation, requires_action,
    # processing, requires_capture, succeeded, canceled
    amount_pence: int
    currency: str
    client_secret: str | None
    metadata: Mapping[str, str] = field(default_factory=dict)
    customer_id: str | None = None
    payment_method_id: str | None = None
    charge_id: str | None = None
    failure_message: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class Refund:
    """Money sent back against a payment."""

    id: str
    payment_id: str | None
    amount_pence: int
    status: str  # pending, succeeded, failed, canceled


@dataclass(frozen=True)
class BalanceTransaction:
    """What a charge put on the account's balance: its amount, the processor's fee, and when."""

    id: str
    amount_pence: int
    fee_pence: int
    currency: str
    created: int


def balance_transaction_from(data: Mapping[str, Any]) -> BalanceTransaction:
    """Read a balance transaction's fields from an expanded object or an API answer."""
    created = data.get("created")
    return BalanceTransaction(
        id=str(data["id"]),
        amount_pence=int(data.get("amount") or 0),
        fee_pence=int(data.get("fee") or 0),
        currency=str(data.get("currency", "")),
        created=created if isinstance(created, int) else 0,
    )


def refund_from(data: Mapping[str, Any], payment_id: str | None = None) -> Refund:
    """Read a refund's fields from a webhook event's object or an API answer."""
    return Refund(
        id=str(data["id"]),
        payment_id=data.get("payment_intent") or payment_id,
        amount_pence=int(data.get("amount") or 0),
        status=str(data.get("status", "")),
    )


@dataclass(frozen=True)
class SavedCardSetup:
    """A SetupIntent: a card being saved to a customer for later off-session charges."""

    id: str
    status: str
    client_secret: str | None
    customer_id: str | None
    payment_method_id: str | None


@dataclass(frozen=True)
class CardDetails:
    """What a person needs to recognise a saved card: never its number."""

    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Event:
    """A verified webhook event: its id, type, the connected account if any, and its object."""

    id: str
    type: str
    account: str | None
    created: int
    object: Mapping[str, Any]


@dataclass(frozen=True)
class ConnectedAccount:
    """A co-op's own Stripe account under the platform (Connect)."""

    id: str
    charges_enabled: bool
    details_submitted: bool


def card_payments_enabled(app: Flask | None = None) -> bool:
    """Say whether card payments are on: a secret key is configured."""
    config = (app or current_app).config
    return bool(config.get("STRIPE_SECRET_KEY"))


def gateway_for(*, stripe_account: str | None = None, app: Flask | None = None) -> Gateway:
    """Return the gateway configured for the app, acting on *stripe_account* when given."""
    config = (app or current_app).config
    if not config.get("STRIPE_SECRET_KEY"):
        raise GatewayError(
            "Card payments are not available here. Pay by bank transfer or in cash.",
            code=GatewayError.NOT_CONFIGURED,
        )
    return Gateway(
        secret_key=config["STRIPE_SECRET_KEY"],
        webhook_secret=config.get("STRIPE_WEBHOOK_SECRET", ""),
        api_base=config.get("STRIPE_API_BASE") or None,
        stripe_account=stripe_account,
    )


def coop_gateway(coop: Coop, *, app: Flask | None = None) -> Gateway:
    """Return the gateway that takes *coop*'s payments: on its connected account, if it has one."""
    return gateway_for(stripe_account=coop.stripe_account_id, app=app)


def verify_event(
    *,
    payload: bytes,
    signature: str | None,
    secret: str,
    tolerance: int = WEBHOOK_TOLERANCE_SECONDS,
) -> Event:
    """Check a webhook's ``Stripe-Signature`` over its raw body and return its event.

    A missing, malformed, wrong or older-than-*tolerance* signature, or a body
    that is not an event, is `GatewayError` with code ``bad_signature``.
    """
    refused = GatewayError("The webhook signature is not valid.", code=GatewayError.BAD_SIGNATURE)
    if not secret or not signature:
        raise refused
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature, secret, tolerance)
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError, stripe.SignatureVerificationError):
        raise refused from None
    if not isinstance(data, dict):
        raise refused
    obj = (data.get("data") or {}).get("object") if isinstance(data.get("data"), dict) else None
    event_id, event_type = data.get("id"), data.get("type")
    if not (isinstance(event_id, str) and isinstance(event_type, str) and isinstance(obj, dict)):
        raise refused
    account = data.get("account")
    created = data.get("created")
    return Event(
        id=event_id,
        type=event_type,
        account=account if isinstance(account, str) else None,
        created=created if isinstance(created, int) else 0,
        object=obj,
    )


def payment_from(data: Mapping[str, Any]) -> Payment:
    """Read a PaymentIntent's fields from a webhook event's object or an API answer."""
    error = data.get("last_payment_error") or {}
    charge = data.get("latest_charge")
    if isinstance(charge, Mapping):
        charge = charge.get("id")
    method = data.get("payment_method")
    if isinstance(method, Mapping):
        method = method.get("id")
    customer = data.get("customer")
    if isinstance(customer, Mapping):
        customer = customer.get("id")
    return Payment(
        id=str(data["id"]),
        status=str(data.get("status", "")),
        amount_pence=int(data.get("amount") or 0),
        currency=str(data.get("currency", "")),
        client_secret=data.get("client_secret"),
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
        customer_id=customer,
        payment_method_id=method,
        charge_id=charge,
        failure_message=error.get("message") if isinstance(error, Mapping) else None,
    )


def _plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as plain JSON data (its ``str()`` is its JSON, in every pinned version)."""
    result: dict[str, Any] = json.loads(str(obj)) if not isinstance(obj, dict) else dict(obj)
    return result


_DECLINED = "Your card was declined. Try another card, or pay by bank transfer or in cash."
_AUTHENTICATE = "Your bank needs you to confirm this payment. Pay from the payment page instead."
_UNREACHABLE = "The card processor cannot be reached just now. Nothing was charged; try again soon."
_REFUSED = "The card processor refused the request: {message}"


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except stripe.CardError as error:
        code = getattr(error, "code", None)
        if code == "authentication_required":
            raise GatewayError(_AUTHENTICATE, code=GatewayError.AUTHENTICATION_REQUIRED) from None
        message = error.user_message or _DECLINED
        if not message.rstrip(".").endswith("in cash"):
            message = (
                f"{message.rstrip('.')}. Try another card, or pay by bank transfer or in cash."
            )
        raise GatewayError(message, code=GatewayError.DECLINED) from None
    except (stripe.APIConnectionError, stripe.RateLimitError):
        raise GatewayError(_UNREACHABLE, code=GatewayError.UNREACHABLE) from None
    except stripe.AuthenticationError:
        current_app.logger.error("the card processor refused the secret key")
        raise GatewayError(_UNREACHABLE, code=GatewayError.UNREACHABLE) from None
    except stripe.StripeError as error:
        message = error.user_message or "it gave no reason"
        if error.http_status is not None and error.http_status >= 500:
            raise GatewayError(_UNREACHABLE, code=GatewayError.UNREACHABLE) from None
        raise GatewayError(_REFUSED.format(message=message), code=GatewayError.REFUSED) from None


class Gateway:
    """Calls to the card processor for one platform key and, optionally, one connected account."""

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str = "",
        api_base: str | None = None,
        stripe_account: str | None = None,
    ) -> None:
        bases: dict[str, str] = {}
        if api_base:
            bases = {"api": api_base, "connect": api_base, "files": api_base}
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses=bases,  # type: ignore[arg-type]
            max_network_retries=0,
        )
        self.webhook_secret = webhook_secret
        self.stripe_account = stripe_account

    def _options(self, idempotency_key: str | None = None) -> dict[str, str]:
        options: dict[str, str] = {}
        if self.stripe_account:
            options["stripe_account"] = self.stripe_account
        if idempotency_key:
            options["idempotency_key"] = idempotency_key
        return options

    # --- payments -------------------------------------------------------------

    def create_payment(
        self,
        *,
        amount_pence: int,
        metadata: Mapping[str, str | int | None],
        idempotency_key: str,
        customer_id: str | None = None,
        payment_method_id: str | None = None,
        confirm: bool = False,
        off_session: bool = False,
    ) -> Payment:
        """Create a PaymentIntent in GBP for *amount_pence*, tagged with *metadata*.

        *confirm* with a saved *payment_method_id* charges at once; *off_session*
        says the household is not there (auto-pay), so a card that needs its
        bank's confirmation fails with ``authentication_required``.
        """
        if not (isinstance(amount_pence, int) and 0 < amount_pence <= MAX_AMOUNT_PENCE):
            raise GatewayError("Enter an amount the card processor can take.", field="amount")
        params: dict[str, Any] = {
            "amount": amount_pence,
            "currency": CURRENCY,
            "payment_method_types": ["card"],
            "metadata": {k: str(v) for k, v in metadata.items() if v is not None},
        }
        if customer_id:
            params["customer"] = customer_id
        if payment_method_id:
            params["payment_method"] = payment_method_id
        if confirm:
            params["confirm"] = True
            if off_session:
                params["off_session"] = True
        with _translated():
            intent = self._client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options=self._options(idempotency_key),  # type: ignore[arg-type]
            )
        return payment_from(_plain(intent))

    def read_payment(self, payment_id: str) -> Payment:
        """Return the PaymentIntent *payment_id* as the processor has it now."""
        with _translated():
            intent = self._client.v1.payment_intents.retrieve(
                payment_id,
                options=self._options(),  # type: ignore[arg-type]
            )
        return payment_from(_plain(intent))

    def confirm_payment(self, payment_id: str, *, off_session: bool = False) -> Payment:
        """Confirm a PaymentIntent that already has its payment method.

        *off_session* says the household is not there (auto-pay), so a card
        that needs its bank's confirmation fails with ``authentication_required``.
        """
        params: dict[str, Any] = {"off_session": True} if off_session else {}
        with _translated():
            intent = self._client.v1.payment_intents.confirm(
                payment_id,
                params=params,  # type: ignore[arg-type]
                options=self._options(),  # type: ignore[arg-type]
            )
        return payment_from(_plain(intent))

    def cancel_payment(self, payment_id: str) -> Payment:
        """Cancel a PaymentIntent that has not succeeded."""
        with _translated():
            intent = self._client.v1.payment_intents.cancel(
                payment_id,
                options=self._options(),  # type: ignore[arg-type]
            )
        return payment_from(_plain(intent))

    def refund(
        self, *, payment_id: str, idempotency_key: str, amount_pence: int | None = None
    ) -> Refund:
        """Refund *amount_pence* of a succeeded payment, or all of it."""
        params: dict[str, Any] = {"payment_intent": payment_id}
        if amount_pence is not None:
            if not (isinstance(amount_pence, int) and amount_pence > 0):
                raise GatewayError("Enter an amount of more than £0.00.", field="amount")
            params["amount"] = amount_pence
        with _translated():
            refund = self._client.v1.refunds.create(
                params=params,  # type: ignore[arg-type]
                options=self._options(idempotency_key),  # type: ignore[arg-type]
            )
        return refund_from(_plain(refund), payment_id)

    def list_refunds(self, payment_id: str) -> list[Refund]:
        """Return the refunds made against a payment (up to 100, the processor's page)."""
        with _translated():
            page = self._client.v1.refunds.list(
                params={"payment_intent": payment_id, "limit": 100},
                options=self._options(),  # type: ignore[arg-type]
            )
        data = _plain(page).get("data") or []
        return [refund_from(item, payment_id) for item in data if isinstance(item, Mapping)]

    def read_balance_transaction(self, balance_transaction_id: str) -> BalanceTransaction:
        """Return a charge's balance transaction, which says the processor's fee."""
        with _translated():
            found = self._client.v1.balance_transactions.retrieve(
                balance_transaction_id,
                options=self._options(),  # type: ignore[arg-type]
            )
        return balance_transaction_from(_plain(found))

    # --- saved cards ------------------------------------------------------------

    def create_customer(
        self, *, email: str, name: str, metadata: Mapping[str, str | int], idempotency_key: str
    ) -> str:
        """Create a customer to save a card to; return its id."""
        with _translated():
            customer = self._client.v1.customers.create(
                params={
                    "email": email,
                    "name": name,
                    "metadata": {k: str(v) for k, v in metadata.items()},
                },
                options=self._options(idempotency_key),  # type: ignore[arg-type]
            )
        return str(customer.id)

    def create_card_setup(
        self, *, customer_id: str, metadata: Mapping[str, str | int]
    ) -> SavedCardSetup:
        """Start saving a card for off-session charges (a SetupIntent)."""
        with _translated():
            setup = self._client.v1.setup_intents.create(
                params={  # type: ignore[arg-type]
                    "customer": customer_id,
                    "usage": "off_session",
                    "payment_method_types": ["card"],
                    "metadata": {k: str(v) for k, v in metadata.items()},
                },
                options=self._options(),  # type: ignore[arg-type]
            )
        return _setup_from(_plain(setup))

    def confirm_card_setup(self, setup_id: str, *, payment_method_id: str) -> SavedCardSetup:
        """Confirm a SetupIntent with a payment method (the page does this with Stripe.js)."""
        with _translated():
            setup = self._client.v1.setup_intents.confirm(
                setup_id,
                params={"payment_method": payment_method_id},
                options=self._options(),  # type: ignore[arg-type]
            )
        return _setup_from(_plain(setup))

    def read_card_setup(self, setup_id: str) -> SavedCardSetup:
        """Return a SetupIntent as the processor has it now."""
        with _translated():
            setup = self._client.v1.setup_intents.retrieve(
                setup_id,
                options=self._options(),  # type: ignore[arg-type]
            )
        return _setup_from(_plain(setup))

    def read_card(self, payment_method_id: str) -> CardDetails:
        """Return a saved card's brand, last four digits and expiry."""
        with _translated():
            method = self._client.v1.payment_methods.retrieve(
                payment_method_id,
                options=self._options(),  # type: ignore[arg-type]
            )
        card = _plain(method).get("card") or {}
        return CardDetails(
            id=str(method.id),
            brand=str(card.get("brand") or "card"),
            last4=str(card.get("last4") or ""),
            exp_month=int(card.get("exp_month") or 0),
            exp_year=int(card.get("exp_year") or 0),
        )

    def detach_payment_method(self, payment_method_id: str) -> None:
        """Remove a saved card from its customer, so it can never be charged again."""
        with _translated():
            self._client.v1.payment_methods.detach(
                payment_method_id,
                options=self._options(),  # type: ignore[arg-type]
            )

    # --- webhooks ---------------------------------------------------------------

    def verify_event(
        self, *, payload: bytes, signature: str | None, tolerance: int = WEBHOOK_TOLERANCE_SECONDS
    ) -> Event:
        """Check a webhook against this gateway's signing secret (see `verify_event`)."""
        return verify_event(
            payload=payload, signature=signature, secret=self.webhook_secret, tolerance=tolerance
        )

    # --- Connect ----------------------------------------------------------------

    def create_connected_account(self, *, email: str, coop_name: str) -> ConnectedAccount:
        """Create a standard connected account for a co-op (on the platform's own key)."""
        with _translated():
            account = self._client.v1.accounts.create(
                params={
                    "type": "standard",
                    "country": "GB",
                    "email": email,
                    "business_profile": {"name": coop_name},
                },
            )
        return _account_from(_plain(account))

    def read_connected_account(self, account_id: str) -> ConnectedAccount:
        """Return whether a connected account can take charges yet."""
        with _translated():
            account = self._client.v1.accounts.retrieve(account_id)
        return _account_from(_plain(account))

    def create_account_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str:
        """Return the address where a co-op's treasurer completes Stripe's onboarding."""
        with _translated():
            link = self._client.v1.account_links.create(
                params={
                    "account": account_id,
                    "refresh_url": refresh_url,
                    "return_url": return_url,
                    "type": "account_onboarding",
                },
            )
        return str(link.url)


def _setup_from(data: Mapping[str, Any]) -> SavedCardSetup:
    method = data.get("payment_method")
    if isinstance(method, Mapping):
        method = method.get("id")
    return SavedCardSetup(
        id=str(data["id"]),
        status=str(data.get("status", "")),
        client_secret=data.get("client_secret"),
        customer_id=data.get("customer"),
        payment_method_id=method,
    )


def _account_from(data: Mapping[str, Any]) -> ConnectedAccount:
    return ConnectedAccount(
        id=str(data["id"]),
        charges_enabled=bool(data.get("charges_enabled")),
        details_submitted=bool(data.get("details_submitted")),
    )

"""A household tops up its balance by card, and watches the payment until the webhook confirms.

The amount is chosen here and the PaymentIntent made on the server
(`coop.services.payments.cards.start_top_up`); the payment page loads
Stripe.js and confirms the card in the browser (``confirmCardPayment``,
which also runs any 3-D Secure check); the balance changes only when the
webhook has posted the payment, and until then the page says "pending".

Stripe.js comes from ``https://js.stripe.com/v3/``, or, when
``STRIPE_API_BASE`` is set (localstripe in the tests), from that server's
``/js.stripe.com/v3/``; the Content Security Policy of the payment page
alone lets it load that script, talk to that API and, for real Stripe, show
its card fields and 3-D Secure frames.

With card payments off, the top-up page says so and shows how to pay by
bank transfer or in cash instead; so it does for a co-op whose own Stripe
account (Connect) cannot take charges yet. On a co-op's own account the
page's Stripe.js acts on it (``stripeAccount``), as the server did.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, jsonify, redirect, render_template, url_for

from coop.domain.permissions import can_order, can_view_own_account
from coop.domain.roles import MembershipStatus
from coop.models import CardPayment, CardPaymentStatus, CardPurpose, Coop, Membership
from coop.services.money.paying_in import how_to_pay
from coop.services.payments.cards import (
    TOP_UP_MAX_PENCE,
    TOP_UP_MIN_PENCE,
    household_card_payment,
    start_top_up,
)
from coop.services.payments.connect import card_payments_enabled_for
from coop.services.payments.gateway import GatewayError, gateway_for
from coop.services.payments.owing import owed_on_bill_pence
from coop.services.people.memberships import membership_of
from coop.web.access import for_coop, signed_in_user
from coop.web.headers import allow_sources
from coop.web.members import bp
from coop.web.members.card_forms import TopUpForm
from coop.web.outcome import commit_or_refuse

STRIPE_JS = "https://js.stripe.com/v3/"
# Real Stripe.js draws the card fields and 3-D Secure checks in frames of its own.
STRIPE_FRAMES = ("https://js.stripe.com", "https://hooks.stripe.com")
STRIPE_API = "https://api.stripe.com"


def _household(coop: Coop) -> Membership:
    """Return the signed-in person's own household in *coop*, current or former."""
    membership = membership_of(coop=coop, user=signed_in_user())
    if membership is None or membership.status not in (
        MembershipStatus.ACTIVE,
        MembershipStatus.LEFT,
    ):
        abort(403)
    return membership


def _allow_stripe_js() -> str:
    """Let this answer load Stripe.js and talk to the card processor; return the script's URL."""
    base = current_app.config.get("STRIPE_API_BASE") or ""
    if base:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
        script = f"{base.rstrip('/')}/js.stripe.com/v3/"
        allow_sources("script-src", script)
        allow_sources("connect-src", origin)
        return script
    allow_sources("script-src", STRIPE_JS)
    allow_sources("connect-src", STRIPE_API)
    allow_sources("frame-src", *STRIPE_FRAMES)
    return STRIPE_JS


@bp.route("/coops/<slug>/top-up", methods=["GET", "POST"])
@for_coop(can_order)
def top_up(coop: Coop):
    membership = _household(coop)
    form = TopUpForm()
    enabled = card_payments_enabled_for(coop)
    if enabled and form.validate_on_submit():
        outcome = commit_or_refuse(
            lambda: start_top_up(
                membership=membership, amount_pence=form.amount.data, by=signed_in_user()
            )
        )
        payment = outcome.show(form)
        if payment is not None:
            return redirect(url_for("members.card_payment", slug=coop.slug, payment_id=payment.id))
    return render_template(
        "members/cards/top_up.html",
        coop=coop,
        form=form,
        enabled=enabled,
        minimum_pence=TOP_UP_MIN_PENCE,
        maximum_pence=TOP_UP_MAX_PENCE,
        paying=how_to_pay(coop=coop, membership=membership),
    )


@bp.route("/coops/<slug>/card-payments/<int:payment_id>")
@for_coop(can_view_own_account)
def card_payment(coop: Coop, payment_id: int):
    membership = _household(coop)
    payment = household_card_payment(membership=membership, payment_id=payment_id)
    if payment is None:
        abort(404)
    if _bill_changed(payment, membership):
        # Paid otherwise since (cash, a transfer): this payment would take more than is owed.
        return redirect(url_for("members.pay_bill", slug=coop.slug, round_id=payment.round_id))
    client_secret = problem = script = None
    if payment.status.is_open and card_payments_enabled_for(coop):
        try:
            client_secret = (
                gateway_for(stripe_account=payment.stripe_account)
                .read_payment(payment.payment_intent_id)
                .client_secret
            )
        except GatewayError as refusal:
            problem = refusal.message
        else:
            script = _allow_stripe_js()
    return render_template(
        "members/cards/pay.html",
        coop=coop,
        payment=payment,
        statuses=CardPaymentStatus,
        client_secret=client_secret,
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY", ""),
        stripe_js=script,
        problem=problem,
    )


def _bill_changed(payment: CardPayment, membership: Membership) -> bool:
    """Whether an open bill payment no longer matches what its bill leaves owing."""
    if payment.purpose is not CardPurpose.BILL or payment.round_ is None:
        return False
    if payment.status is not CardPaymentStatus.REQUIRES_PAYMENT_METHOD:
        return False  # under way at the processor, or finished: its page follows it
    owed = owed_on_bill_pence(membership=membership, round_=payment.round_)
    return owed != payment.amount_pence


@bp.route("/coops/<slug>/card-payments/<int:payment_id>/status")
@for_coop(can_view_own_account)
def card_payment_status(coop: Coop, payment_id: int):
    membership = _household(coop)
    payment = household_card_payment(membership=membership, payment_id=payment_id)
    if payment is None:
        abort(404)
    return jsonify(status=payment.status.value, label=payment.status.label)

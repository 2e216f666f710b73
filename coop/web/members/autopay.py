"""A household saves its card and chooses auto-pay: each settled bill charged to it.

The page (``/coops/<slug>/auto-pay``) shows the saved card (brand, last four
digits, expiry), whether auto-pay is on, and one button for each thing to do:
save a card (or another one), turn auto-pay on or off, remove the card. Saving
makes a SetupIntent on the server (`coop.services.payments.autopay`) and
sends the household to the card page, which loads Stripe.js, mounts the Card
Element and calls ``confirmCardSetup`` (running any 3-D Secure check); then
the page posts back and the server reads the saved card from the processor.
The card page's Content Security Policy allows Stripe.js as the payment
page's does (`coop.web.members.cards`).

With card payments off the page says so and shows how to pay by bank
transfer or in cash, and saving a card is refused with nothing written. A
household that has left may still remove its card. Another household's
card is 404.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for

from coop.domain.permissions import can_order, can_view_own_account
from coop.domain.roles import MembershipStatus
from coop.models import Coop
from coop.services.money.paying_in import how_to_pay
from coop.services.payments.autopay import (
    AUTO_PAY_MIN_PENCE,
    card_setup_secret,
    finish_saving_card,
    remove_card,
    set_auto_pay,
    start_saving_card,
)
from coop.services.payments.connect import card_payments_enabled_for
from coop.services.payments.gateway import GatewayError
from coop.services.payments.saved_cards import household_saved_card, saved_card
from coop.web.access import for_coop
from coop.web.members import bp
from coop.web.members.autopay_forms import AutoPaySwitchForm, CardButtonForm
from coop.web.members.cards import _allow_stripe_js, _household
from coop.web.outcome import commit_or_refuse

AUTO_PAY = "/coops/<slug>/auto-pay"


def _back(coop: Coop):
    return redirect(url_for("members.auto_pay", slug=coop.slug))


@bp.route(AUTO_PAY)
@for_coop(can_view_own_account)
def auto_pay(coop: Coop):
    membership = _household(coop)
    return render_template(
        "members/cards/autopay.html",
        coop=coop,
        card=saved_card(membership=membership),
        enabled=card_payments_enabled_for(coop),
        current=membership.status is MembershipStatus.ACTIVE,
        minimum_pence=AUTO_PAY_MIN_PENCE,
        button=CardButtonForm(),
        switch=AutoPaySwitchForm(),
        paying=how_to_pay(coop=coop, membership=membership),
    )


@bp.route(AUTO_PAY + "/card", methods=["POST"], endpoint="start_saving_card")
@for_coop(can_order)
def start_saving(coop: Coop):
    membership = _household(coop)
    form = CardButtonForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = commit_or_refuse(lambda: start_saving_card(membership=membership))
    if outcome.refused:
        outcome.show()
        return _back(coop)
    return redirect(url_for("members.save_card", slug=coop.slug))


@bp.route(AUTO_PAY + "/card", endpoint="save_card")
@for_coop(can_order)
def save_card(coop: Coop):
    membership = _household(coop)
    card = saved_card(membership=membership)
    secret = problem = script = None
    if card is not None and card_payments_enabled_for(coop):
        try:
            secret = card_setup_secret(card=card)
        except GatewayError as refusal:
            problem = refusal.message
        else:
            script = _allow_stripe_js() if secret else None
    if secret is None and problem is None:
        return _back(coop)  # nothing is being saved: start from the auto-pay page
    return render_template(
        "members/cards/autopay_card.html",
        coop=coop,
        client_secret=secret,
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY", ""),
        stripe_js=script,
        problem=problem,
        button=CardButtonForm(),
    )


@bp.route(AUTO_PAY + "/card/saved", methods=["POST"], endpoint="card_saved")
@for_coop(can_order)
def card_saved(coop: Coop):
    membership = _household(coop)
    if not CardButtonForm().validate_on_submit():
        abort(400)
    outcome = commit_or_refuse(lambda: finish_saving_card(membership=membership))
    if outcome.refused:
        outcome.show()
        return redirect(url_for("members.save_card", slug=coop.slug))
    flash("Your card is saved, and auto-pay is on: each settled bill is charged to it.", "success")
    return _back(coop)


@bp.route(AUTO_PAY + "/switch", methods=["POST"], endpoint="switch_auto_pay")
@for_coop(can_order)
def switch_auto_pay(coop: Coop):
    membership = _household(coop)
    form = AutoPaySwitchForm()
    if not form.validate_on_submit():
        abort(400)
    on = form.on.data == "yes"
    outcome = commit_or_refuse(lambda: set_auto_pay(membership=membership, on=on))
    if outcome.refused:
        outcome.show()
    else:
        flash("Auto-pay is on." if on else "Auto-pay is off: pay each bill as you like.", "success")
    return _back(coop)


@bp.route("/coops/<slug>/saved-cards/<int:card_id>/remove", methods=["POST"])
@for_coop(can_view_own_account)
def remove_saved_card(coop: Coop, card_id: int):
    membership = _household(coop)
    card = household_saved_card(membership=membership, card_id=card_id)
    if card is None:
        abort(404)
    if not CardButtonForm().validate_on_submit():
        abort(400)
    outcome = commit_or_refuse(lambda: remove_card(card=card))
    if outcome.refused:
        outcome.show()
    else:
        flash("Your card is removed, and auto-pay is off.", "success")
    return _back(coop)

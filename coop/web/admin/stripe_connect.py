"""A co-op's own Stripe account (Connect), from its settings.

Every manager reads where the account stands; whoever may change the bank
details (the treasurers, or the coordinators while there is none) connects
it, since money goes where they say. Connecting is offered only on a
platform (``STRIPE_CONNECT``): it creates the co-op's Standard account on
the platform's key and sends the treasurer to Stripe's onboarding, which
comes back to ``.../return`` (the account is read again there) or, when the
link has expired, to ``.../refresh`` for a new one.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from coop.domain.permissions import can_manage_money
from coop.models import Coop
from coop.services.money.credit import money_managers
from coop.services.money.paying_in import may_change_bank_details
from coop.services.payments.connect import (
    ConnectionState,
    card_payments_enabled_for,
    connect_mode,
    connection_state,
    refresh_connected_account,
    start_onboarding,
)
from coop.services.payments.gateway import card_payments_enabled
from coop.services.people.memberships import membership_of
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.forms import ActionForm
from coop.web.links import site_url_for
from coop.web.outcome import commit_or_refuse

SAID = {
    ConnectionState.NOT_CONNECTED: "is not connected.",
    ConnectionState.ONBOARDING: "is connected, but Stripe does not let it take payments yet.",
    ConnectionState.TAKING_PAYMENTS: "is connected and taking card payments.",
}


def _may_connect(coop: Coop) -> bool:
    membership = membership_of(coop=coop, user=signed_in_user())
    return may_change_bank_details(coop=coop, role=membership.role if membership else None)


def _settings(coop: Coop) -> Response:
    return redirect(url_for("admin.stripe_connect", slug=coop.slug))


def _onboard(coop: Coop) -> Response:
    outcome = commit_or_refuse(
        lambda: start_onboarding(
            coop=coop,
            by=signed_in_user(),
            refresh_url=site_url_for("admin.stripe_connect_refresh", slug=coop.slug),
            return_url=site_url_for("admin.stripe_connect_return", slug=coop.slug),
        )
    )
    link = outcome.show()
    return redirect(link) if link is not None else _settings(coop)


@bp.route("/settings/card-payments", endpoint="stripe_connect")
@for_coop(can_manage_money)
def settings_page(coop: Coop):
    return render_template(
        "admin/stripe_connect.html",
        coop=coop,
        form=ActionForm(),
        keys=card_payments_enabled(),
        platform=connect_mode(),
        state=connection_state(coop),
        states=ConnectionState,
        taking=card_payments_enabled_for(coop),
        may_connect=_may_connect(coop),
        takers=money_managers(coop=coop),
    )


@bp.post("/settings/card-payments/connect", endpoint="stripe_connect_start")
@for_coop(can_manage_money)
def start(coop: Coop):
    if not _may_connect(coop):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not (connect_mode() or coop.stripe_account_id):
        flash("This site takes card payments on its own Stripe account.", "error")
        return _settings(coop)
    return _onboard(coop)


@bp.post("/settings/card-payments/check", endpoint="stripe_connect_check")
@for_coop(can_manage_money)
def check(coop: Coop):
    if not ActionForm().validate_on_submit():
        abort(400)
    return _refreshed(coop)


def _refreshed(coop: Coop) -> Response:
    state = commit_or_refuse(lambda: refresh_connected_account(coop=coop)).show()
    if state is not None:
        flash(f"{coop.name}'s Stripe account {SAID[state]}", "success")
    return _settings(coop)


@bp.route("/settings/card-payments/return", endpoint="stripe_connect_return")
@for_coop(can_manage_money)
def came_back(coop: Coop):
    """Stripe's onboarding sends the treasurer here: read the account again."""
    return _refreshed(coop)


@bp.route("/settings/card-payments/refresh", endpoint="stripe_connect_refresh")
@for_coop(can_manage_money)
def expired(coop: Coop):
    """Stripe sends the treasurer here when the onboarding link has expired: make a new one."""
    if coop.stripe_account_id is None or not _may_connect(coop):
        return _settings(coop)
    return _onboard(coop)

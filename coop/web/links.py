"""Absolute links for email, built from ``SITE_URL``.

A link in an email is built from the site's configured address, never from the
Host header of the request that caused the message (DESIGN.md, "Links in
email"): a forged header must not put someone else's site in a sign-in link.
The same builders serve requests and `flask tick`, which has no request.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from coop.models import Coop, Council, Membership, Round, Supplier, SupportRecord


def site_url_for(endpoint: str, **values: Any) -> str:
    """Return the absolute address of *endpoint* on ``SITE_URL``, inside a request or not."""
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        return url_for(endpoint, _external=True, **values)


def order_link(round_: Round) -> str:
    """Return the absolute address of a round's ordering page, for emails to households."""
    return site_url_for("members.order", slug=round_.coop.slug, round_id=round_.id)


def copy_link(copy: Supplier) -> str:
    """Return the absolute address of a subscriber's own copy of a catalogue, for emails."""
    return site_url_for("admin.supplier", slug=copy.coop.slug, supplier_id=copy.id)


class WebLinks:
    """The web's pages, as `coop.services.links.Links` for services and jobs."""

    def order(self, round_: Round) -> str:
        return order_link(round_)

    def unsubscribe(self, token: str) -> str:
        return site_url_for("members.unsubscribe", token=token)

    def account(self) -> str:
        return site_url_for("auth.account", _anchor="notifications")

    def coop_home(self, coop: Coop) -> str:
        return site_url_for("members.coop_home", slug=coop.slug)

    def statement(self, coop: Coop) -> str:
        return site_url_for("members.statement", slug=coop.slug)

    def bill(self, round_: Round) -> str:
        return site_url_for("members.bill", slug=round_.coop.slug, round_id=round_.id)

    def pay_bill(self, round_: Round) -> str:
        return site_url_for("members.pay_bill", slug=round_.coop.slug, round_id=round_.id)

    def support_record(self, council: Council, record: SupportRecord) -> str:
        return site_url_for("council.support_record", council_id=council.id, record_id=record.id)

    def card_payments(self, membership: Membership) -> str:
        return site_url_for(
            "admin.household_card_payments",
            slug=membership.coop.slug,
            membership_id=membership.id,
        )

    def credit_back_requests(self, coop: Coop) -> str:
        return site_url_for("admin.credit_back_requests", slug=coop.slug)

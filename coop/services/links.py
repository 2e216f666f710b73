"""Absolute links in messages that services and jobs write, without knowing the web's routes.

The web layer registers its builders once (`register_links`, from
``coop.web.links``); a service or a job, which may run in a worker with no
request, asks `links()` for them. Every link is built from ``SITE_URL``,
never from a request's Host header (DESIGN.md, "Links in email").
"""

from __future__ import annotations

from typing import Protocol

from flask import Flask, current_app

from coop.models import Coop, Council, Membership, Round, SupportRecord

EXTENSION = "coop.links"


class Links(Protocol):
    """The pages a message links to."""

    def order(self, round_: Round) -> str:
        """A round's ordering page."""
        ...

    def unsubscribe(self, token: str) -> str:
        """The one-click unsubscribe page of a notification link's token."""
        ...

    def account(self) -> str:
        """The signed-in person's account page, where notifications are chosen."""
        ...

    def coop_home(self, coop: Coop) -> str:
        """A co-op's page for its members."""
        ...

    def statement(self, coop: Coop) -> str:
        """A household's statement of its money with a co-op."""
        ...

    def bill(self, round_: Round) -> str:
        """A household's bill for a settled round."""
        ...

    def pay_bill(self, round_: Round) -> str:
        """The page where a household pays what its bill for *round_* leaves owing, by card."""
        ...

    def support_record(self, council: Council, record: SupportRecord) -> str:
        """A support record's page among *council*'s records, for its officers."""
        ...

    def card_payments(self, membership: Membership) -> str:
        """A household's card payments, for its co-op's treasurers to refund."""
        ...

    def credit_back_requests(self, coop: Coop) -> str:
        """The households asking for their credit back, for the co-op's treasurers."""
        ...


def register_links(app: Flask, builders: Links) -> None:
    """Make *builders* the links `links()` returns in *app*."""
    app.extensions[EXTENSION] = builders


def links() -> Links:
    """Return the app's link builders."""
    builders: Links = current_app.extensions[EXTENSION]
    return builders

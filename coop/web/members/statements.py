"""A household's own money: its statement (balance, transactions, savings) and its bills.

A household that has left the co-op still reads both (`can_view_own_account`):
its account stays open, and it may still owe money or be owed it.
"""

from __future__ import annotations

from flask import abort, render_template

from coop.domain.catalogue import bp_to_percent
from coop.domain.permissions import can_view_own_account
from coop.domain.roles import MembershipStatus
from coop.models import Coop, Membership
from coop.services.money.bills import bill_for
from coop.services.money.paying_in import how_to_pay
from coop.services.money.statements import statement_for
from coop.services.payments.owing import CARD_MIN_PENCE, bills_owing_pence, owed_on_bill_pence
from coop.services.people.memberships import membership_of
from coop.services.rounds.lifecycle import round_for
from coop.web.access import for_coop, signed_in_user
from coop.web.members import bp


def _household(coop: Coop) -> Membership:
    """Return the signed-in person's own household in *coop*, current or former."""
    membership = membership_of(coop=coop, user=signed_in_user())
    if membership is None or membership.status not in (
        MembershipStatus.ACTIVE,
        MembershipStatus.LEFT,
    ):
        abort(403)
    return membership


@bp.route("/coops/<slug>/statement")
@for_coop(can_view_own_account)
def statement(coop: Coop):
    membership = _household(coop)
    paying = how_to_pay(coop=coop, membership=membership)
    return render_template(
        "members/statements/statement.html",
        coop=coop,
        statement=statement_for(membership=membership),
        left=membership.status is MembershipStatus.LEFT,
        bp_to_percent=bp_to_percent,
        paying=paying,
        bills_owing=bills_owing_pence(membership=membership) if paying.card_payments else {},
        card_minimum_pence=CARD_MIN_PENCE,
    )


@bp.route("/coops/<slug>/rounds/<int:round_id>/bill")
@for_coop(can_view_own_account)
def bill(coop: Coop, round_id: int):
    membership = _household(coop)
    round_ = round_for(coop=coop, round_id=round_id)
    found = bill_for(round_=round_, membership=membership) if round_ is not None else None
    if found is None:
        abort(404)
    paying = how_to_pay(coop=coop, membership=membership)
    return render_template(
        "members/statements/bill.html",
        coop=coop,
        bill=found,
        household=membership.user.name,
        own=True,
        bp_to_percent=bp_to_percent,
        paying=paying,
        owed_pence=owed_on_bill_pence(membership=membership, round_=found.round_)
        if paying.card_payments
        else 0,
        card_minimum_pence=CARD_MIN_PENCE,
    )

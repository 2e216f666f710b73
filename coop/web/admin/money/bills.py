"""Treasurers' view of a settled round's bills: every household's total, and any one bill."""

from __future__ import annotations

from flask import abort, render_template

from coop.domain.catalogue import bp_to_percent
from coop.domain.permissions import can_manage_money
from coop.domain.rounds import BILLED
from coop.models import Coop, Round
from coop.services.money.bills import bill_for, household_for
from coop.services.money.bills import round_bills as bills_of
from coop.services.rounds.lifecycle import round_for
from coop.web.access import for_coop
from coop.web.admin import bp


def _settled_round(coop: Coop, round_id: int) -> Round:
    round_ = round_for(coop=coop, round_id=round_id)
    if round_ is None or round_.state not in BILLED:
        abort(404)
    return round_


@bp.route("/rounds/<int:round_id>/bills")
@for_coop(can_manage_money)
def round_bills(coop: Coop, round_id: int):
    round_ = _settled_round(coop, round_id)
    return render_template(
        "admin/bills/round.html", coop=coop, round_=round_, bills=bills_of(round_=round_)
    )


@bp.route("/rounds/<int:round_id>/households/<int:membership_id>/bill")
@for_coop(can_manage_money)
def household_bill(coop: Coop, round_id: int, membership_id: int):
    round_ = _settled_round(coop, round_id)
    membership = household_for(coop=coop, membership_id=membership_id)
    found = bill_for(round_=round_, membership=membership) if membership is not None else None
    if found is None or membership is None:
        abort(404)
    return render_template(
        "admin/bills/household.html",
        coop=coop,
        round_=round_,
        bill=found,
        household=membership.user.name,
        own=False,
        bp_to_percent=bp_to_percent,
    )

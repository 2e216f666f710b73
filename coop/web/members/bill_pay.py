"""A household pays what a bill leaves it owing, in one tap, by card."""

from __future__ import annotations

from flask import redirect

from coop.domain.permissions import can_view_own_account
from coop.models import Coop
from coop.web.access import for_coop
from coop.web.links import site_url_for
from coop.web.members import bp


@bp.route("/coops/<slug>/bills/<int:round_id>/pay", methods=["GET", "POST"])
@for_coop(can_view_own_account)
def pay_bill(coop: Coop, round_id: int):
    return redirect(site_url_for("members.bill", slug=coop.slug, round_id=round_id))

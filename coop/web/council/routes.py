"""Council officers' pages: their councils' co-ops, aggregated and suppressed."""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask_login import current_user

from coop.domain.permissions import can_view_council
from coop.models import Council
from coop.services.people.councils import (
    coop_histories,
    council_overview,
    councils_of,
    predecessors_of,
)
from coop.services.support.due import due_list, waiting_for_decision
from coop.web.access import for_council, signed_in
from coop.web.council import bp


@bp.route("/")
@signed_in
def index():
    return render_template("council/index.html", councils=councils_of(user=current_user))


@bp.route("/<int:council_id>/")
@for_council(can_view_council)
def dashboard(council: Council):
    return render_template(
        "council/dashboard.html",
        council=council,
        overview=council_overview(council=council),
        due=due_list(council=council),
        today=date.today(),
        waiting=waiting_for_decision(council=council),
        histories=coop_histories(council=council),
        predecessors=predecessors_of(council=council),
    )

from flask import render_template

from coop.domain.permissions import can_view_council
from coop.web.access import for_council
from coop.web.council import bp


@bp.route("/<int:council_id>/")
@for_council(can_view_council)
def dashboard(council):
    return render_template("errors.html", code=501, title=council.name, text="Not built yet.")

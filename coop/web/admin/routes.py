from flask import render_template

from coop.domain.permissions import can_manage_coop
from coop.web.access import for_coop
from coop.web.admin import bp


@bp.route("/")
@for_coop(can_manage_coop)
def index(coop):
    return render_template("errors.html", code=501, title=coop.name, text="Not built yet.")

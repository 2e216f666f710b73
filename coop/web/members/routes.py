from flask import render_template

from coop.domain.permissions import can_view_coop
from coop.web.access import for_coop, public
from coop.web.members import bp


@bp.route("/")
@public
def home():
    return render_template("errors.html", code=501, title="Home", text="Not built yet.")


@bp.route("/coops")
@public
def find_coops():
    return render_template("errors.html", code=501, title="Co-ops", text="Not built yet.")


@bp.route("/coops/<slug>/")
@for_coop(can_view_coop)
def coop_home(coop):
    return render_template("errors.html", code=501, title=coop.name, text="Not built yet.")

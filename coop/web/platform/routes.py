from flask import render_template

from coop.web.access import platform_admin
from coop.web.platform import bp


@bp.route("/")
@platform_admin
def index():
    return render_template("errors.html", code=501, title="Platform", text="Not built yet.")

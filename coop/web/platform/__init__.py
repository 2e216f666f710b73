"""Platform admins: councils, co-ops, first coordinators, the outbox."""

from flask import Blueprint

bp = Blueprint("platform", __name__, url_prefix="/platform")

from coop.web.platform import places, routes  # noqa: E402, F401

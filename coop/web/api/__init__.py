"""Machine-readable feeds for other coop instances."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from coop.web.api import councils, routes  # noqa: E402, F401

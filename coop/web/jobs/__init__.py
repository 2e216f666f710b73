"""Long work's status pages: progress, then the result, for whoever may follow it."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

from coop.web.jobs import routes  # noqa: E402, F401

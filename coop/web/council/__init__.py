"""Council officers: their councils, aggregated only."""

from flask import Blueprint

bp = Blueprint("council", __name__, url_prefix="/councils")

from coop.web.council import api_tokens, hsf, reports, returns, routes, support  # noqa: E402, F401

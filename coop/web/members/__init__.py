"""Households: the home page, finding and joining co-ops, their co-op."""

from flask import Blueprint

bp = Blueprint("members", __name__)

from coop.web.members import routes  # noqa: E402, F401

"""Accounts: register, log in and out, passwords."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from coop.web.auth import routes  # noqa: E402, F401

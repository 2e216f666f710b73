"""Calls from other services to this app: the card processor's webhook."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

from coop.web.webhooks import stripe_events  # noqa: E402, F401

"""Households: the home page, finding and joining co-ops, their co-op, ordering."""

from flask import Blueprint

bp = Blueprint("members", __name__)

from coop.web.members import (  # noqa: E402, F401
    announcements,
    autopay,
    bill_pay,
    cards,
    credit_back,
    joining,
    my_data,
    notifications,
    orders,
    statements,
    volunteering,
)

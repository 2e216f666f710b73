"""Running a co-op: coordinators and treasurers."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/coops/<slug>/admin")

from coop.web.admin import (  # noqa: E402, F401
    accounts,
    bills,
    catalogue,
    imports,
    money,
    order_sheets,
    packing,
    receiving,
    rounds,
    routes,
    sharing,
)

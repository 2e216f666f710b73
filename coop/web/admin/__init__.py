"""Running a co-op: coordinators and treasurers.

One ``admin`` blueprint; its pages are grouped as ``templates/admin/`` is:
members and settings here, then ``catalogue/``, ``rounds/`` and ``money/``.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/coops/<slug>/admin")

from coop.web.admin import announcements, members, stripe_connect, support  # noqa: E402, F401
from coop.web.admin.catalogue import imports, products, sharing  # noqa: E402, F401
from coop.web.admin.money import (  # noqa: E402, F401
    accounts,
    bills,
    books,
    books_reports,
    card_payments,
    card_refunds,
    credit,
    fund,
    reconcile,
    settling,
    stock,
)
from coop.web.admin.rounds import lifecycle, order_sheets, packing, receiving  # noqa: E402, F401

"""What the co-op's coordinators announced, as members read it on the co-op's pages."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from coop.domain.permissions import can_view_coop
from coop.models import Coop
from coop.services.notices.announcements import announcements_page, recent_announcements
from coop.web.access import for_coop
from coop.web.members import bp
from coop.web.paging import page_number, page_url_keeping

# How many the co-op's page shows; the rest are a link away.
RECENT = 5


@bp.context_processor
def _recent_announcements() -> dict[str, Any]:
    return {"recent_announcements_of": lambda coop: recent_announcements(coop=coop, count=RECENT)}


@bp.route("/coops/<slug>/announcements")
@for_coop(can_view_coop)
def announcements(coop: Coop):
    page = announcements_page(coop=coop, page=page_number(request.args.get("page")))
    return render_template(
        "members/announcements.html", coop=coop, page=page, page_url=page_url_keeping(())
    )

"""Announcements: coordinators write to every household, preview it, and send it.

One page holds the form and the list of past announcements. The form posts
with one of three buttons: Preview shows the email as members will get it,
with the draft carried in hidden fields; Edit goes back to the form with the
draft; Send writes it, and the queue sends it. Nothing needs JavaScript.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, StopValidation

from coop.domain import announcements as rules
from coop.domain.notifications import ANNOUNCEMENT_BODY_MAX, ANNOUNCEMENT_SUBJECT_MAX
from coop.domain.permissions import can_manage_coop
from coop.models import Coop
from coop.services.errors import ServiceError
from coop.services.notices.announcements import (
    announcements_page,
    audience,
    post_announcement,
    preview_announcement,
)
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.forms import GuardedForm
from coop.web.outcome import commit_or_refuse, show_refusal
from coop.web.paging import page_number, page_url_keeping

PREVIEW, EDIT, SEND = "preview", "edit", "send"


def _problem(check: Any) -> Any:
    def validator(form: Any, field: Any) -> None:
        problem = check(field.data)
        if problem is not None:
            raise StopValidation(problem)

    return validator


class AnnouncementForm(GuardedForm):
    """An announcement's subject and body, as typed."""

    subject = StringField(
        "Subject",
        validators=[
            Length(max=ANNOUNCEMENT_SUBJECT_MAX, message=rules.SUBJECT_TOO_LONG),
            _problem(rules.subject_problem),
        ],
    )
    # A browser sends each line break as two characters; the rule counts one.
    body = TextAreaField(
        "Announcement",
        validators=[
            Length(max=2 * ANNOUNCEMENT_BODY_MAX, message=rules.BODY_TOO_LONG),
            _problem(rules.body_problem),
        ],
    )


def households_phrase(count: int) -> str:
    """Return "1 household" or "N households"."""
    return f"{count:,} household" if count == 1 else f"{count:,} households"


def _list_page(coop: Coop, form: AnnouncementForm) -> str:
    page = announcements_page(coop=coop, page=page_number(request.args.get("page")))
    return render_template(
        "admin/announcements.html",
        coop=coop,
        form=form,
        page=page,
        page_url=page_url_keeping(()),
        audience=households_phrase(audience(coop=coop)),
        subject_max=ANNOUNCEMENT_SUBJECT_MAX,
        body_max=ANNOUNCEMENT_BODY_MAX,
    )


@bp.route("/announcements", methods=["GET", "POST"])
@for_coop(can_manage_coop)
def announcements(coop: Coop):
    form = AnnouncementForm()
    action = request.form.get("action", PREVIEW)
    if request.method == "POST" and action == EDIT:
        return _list_page(coop, form)  # the draft back in the form; nothing is written
    if form.validate_on_submit():
        if action == SEND:
            posted = commit_or_refuse(
                lambda: post_announcement(
                    coop=coop,
                    author=signed_in_user(),
                    subject=form.subject.data,
                    body=form.body.data,
                )
            ).show(form)
            if posted is not None:
                flash(
                    f"Sent to the queue: {households_phrase(posted.households)} will get it.",
                    "success",
                )
                return redirect(url_for("admin.announcements", slug=coop.slug))
        else:
            try:
                email = preview_announcement(
                    coop=coop,
                    author=signed_in_user(),
                    subject=form.subject.data,
                    body=form.body.data,
                )
            except ServiceError as refusal:
                show_refusal(form, refusal)
            else:
                return render_template(
                    "admin/announcement_preview.html",
                    coop=coop,
                    form=form,
                    email=email,
                    audience=households_phrase(audience(coop=coop)),
                )
    return _list_page(coop, form)

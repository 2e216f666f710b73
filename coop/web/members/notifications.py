"""What a household hears: its choices on the account page, and the one-click unsubscribe link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice, SelectMultipleField, SubmitField  # type: ignore[attr-defined]
from wtforms.widgets import CheckboxInput, ListWidget

from coop.domain.notifications import NotificationKind
from coop.extensions import csrf, db
from coop.models import Membership
from coop.services import notices
from coop.services.errors import ServiceError
from coop.web.access import public, signed_in, signed_in_user
from coop.web.forms import GuardedForm
from coop.web.members import bp
from coop.web.outcome import commit_or_refuse


class NotificationChoicesForm(GuardedForm):
    """The kinds of message a household hears from one co-op: ticked is on."""

    hearing = SelectMultipleField(
        "Email me when",
        choices=[SelectChoice(kind.value, kind.label) for kind in NotificationKind],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=True,
    )
    submit = SubmitField("Save what I hear")


def _offering(form: NotificationChoicesForm, membership: Membership) -> NotificationChoicesForm:
    form.hearing.choices = [
        SelectChoice(kind.value, kind.label) for kind in notices.offered(membership)
    ]
    return form


def choices_form(membership: Membership) -> NotificationChoicesForm:
    """The choices form of one of the signed-in person's households, filled in."""
    form = NotificationChoicesForm(
        formdata=None,
        prefix=f"m{membership.id}",
        hearing=[kind.value for kind in notices.choices(membership=membership)],
    )
    return _offering(form, membership)


@bp.route("/account/notifications/<int:membership_id>", methods=["POST"])
@signed_in
def notification_choices(membership_id: int):
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != signed_in_user().id:
        abort(404)
    form = _offering(NotificationChoicesForm(prefix=f"m{membership.id}"), membership)
    if form.validate_on_submit():
        kinds = [NotificationKind(value) for value in form.hearing.data or []]
        commit_or_refuse(lambda: notices.set_choices(membership=membership, hearing=kinds))
        flash(f"Saved what you hear from {membership.coop.name}.", "success")
    else:
        flash(
            "Those choices could not be saved; tick the messages you want and save again.", "error"
        )
    return redirect(url_for("auth.account", _anchor="notifications"))


# The link in a message works without logging in. GET only shows what it would
# stop (mail scanners follow links); POST stops it. A mail client's one-click
# POST (RFC 8058: body "List-Unsubscribe=One-Click") has no CSRF token, and
# needs none: the signed token is the authority, and all it can do is stop one
# kind of message for the household it names.
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe(token: str):
    if request.method == "POST":
        outcome = commit_or_refuse(lambda: notices.unsubscribe(token=token))
    else:
        try:
            found = notices.read_unsubscribe(token=token)
        except ServiceError as refusal:
            return _refused(refusal)
        return render_template("members/unsubscribe.html", found=found, done=False)
    if outcome.refusal is not None:
        return _refused(outcome.refusal)
    return render_template("members/unsubscribe.html", found=outcome.value, done=True)


def _refused(refusal: ServiceError):
    return render_template("members/unsubscribe.html", found=None, problem=refusal.message), 404

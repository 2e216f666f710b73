"""A person's own data: download everything held about them, and ask for its erasure."""

from __future__ import annotations

import json

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import logout_user
from werkzeug.wrappers import Response
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired

from coop.extensions import db
from coop.models import Membership
from coop.services.people.household import withdraw_all_facts
from coop.services.people.my_data import erase_person, erasure_problem, export_data
from coop.web.access import signed_in, signed_in_user
from coop.web.forms import ActionForm, GuardedForm
from coop.web.members import bp
from coop.web.outcome import commit_or_refuse

#: The readable page's headings, in the order it shows the download's sections.
SECTIONS = {
    "memberships": "Your co-ops",
    "household_facts": "What your household told its co-op, and the consent it gave",
    "orders": "What you asked for in rounds",
    "allocations": "What you were allocated",
    "collections": "Orders you collected",
    "bills": "Your bills, line by line",
    "ledger": "Your household accounts in the co-op's ledger (pence)",
    "volunteer_hours": "Volunteer time you logged (minutes)",
    "notification_choices": "Notifications you turned off",
    "notifications_sent": "Notifications written to you",
    "emails": "Emails the platform wrote to you",
    "invitations": "Invitations sent to your email address or accepted by you",
    "logins": "Devices you signed in on",
    "council_appointments": "Councils you are an officer of",
    "ledger_recorded": "Money and corrections you recorded in a co-op's ledger (pence)",
    "announcements_written": "Announcements you wrote",
    "rounds_run": "Rounds you created, closed or settled, and supplier orders you sent or dropped",
    "allocations_set": "Allocations you set by hand",
    "collections_recorded": "Collections you recorded",
    "volunteer_logged_for_others": "Volunteer time you logged for other households (minutes)",
    "invitations_created": "Invitations you created",
    "support_records": "Council support records you proposed or decided",
    "support_changes": "Changes you made to council support records",
    "price_changes": "Catalogue prices you changed (pence; VAT in basis points)",
    "catalogue_feeds": "Catalogue feeds you created",
    "catalogue_imports": "Catalogue files you uploaded",
    "jobs_started": "Long jobs you started",
}


class EraseForm(GuardedForm):
    """The person's password, so nobody at an unattended screen can erase them."""

    password = PasswordField("Your password", validators=[DataRequired("Enter your password.")])
    submit = SubmitField("Erase my data")


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/data")
@signed_in
def my_data():
    """Everything the platform holds about the signed-in person, as a readable page."""
    data = export_data(user=signed_in_user())
    households = data["households"]
    return _private(
        make_response(
            render_template(
                "members/my_data.html",
                data=data,
                sections=SECTIONS,
                households=households,
                withdraw_form=ActionForm(),
                holding={
                    membership.id: membership.coop.name
                    for membership in signed_in_user().memberships
                    if membership.facts
                },
            )
        )
    )


@bp.route("/account/data/facts/<int:membership_id>/withdraw", methods=["POST"])
@signed_in
def withdraw_facts(membership_id: int):
    """Take back every fact a household gave one co-op, even after leaving it."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != signed_in_user().id:
        abort(404)
    if ActionForm().validate_on_submit():
        name = membership.coop.name
        withdrawn = commit_or_refuse(lambda: withdraw_all_facts(membership=membership)).value
        flash(
            f"{name} no longer holds anything your household told it ({withdrawn} withdrawn).",
            "success",
        )
    return redirect(url_for("members.my_data", _anchor="household_facts"))


@bp.route("/account/data.json")
@signed_in
def my_data_json():
    """The same, as a JSON file to keep."""
    body = json.dumps(export_data(user=signed_in_user()), indent=2, ensure_ascii=False)
    return _private(
        Response(
            body,
            content_type="application/json; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="my-coop-data.json"'},
        )
    )


@bp.route("/account/erase", methods=["GET", "POST"])
@signed_in
def erase_me():
    """Ask, with the password, then erase the person and sign them out."""
    user = signed_in_user()
    form = EraseForm()
    if form.validate_on_submit():
        erased = commit_or_refuse(
            lambda: erase_person(user=user, password=form.password.data or "")
        ).show(form)
        if erased is not None:
            logout_user()
            flash(
                "Your personal data has been erased and you are signed out. "
                "The co-op's coordinators have been told.",
                "success",
            )
            return redirect(url_for("members.home"))
    return render_template("members/erase.html", form=form, problem=erasure_problem(user=user))

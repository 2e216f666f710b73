"""A person's own data: download everything held about them, and ask for its erasure."""

from __future__ import annotations

import json

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import logout_user
from werkzeug.wrappers import Response
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired

from coop.services.people.my_data import erase_person, erasure_problem, export_data
from coop.web.access import signed_in, signed_in_user
from coop.web.forms import GuardedForm
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
    "invitations": "Invitations sent to your email address",
    "logins": "Devices you signed in on",
    "council_appointments": "Councils you are an officer of",
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
                "members/my_data.html", data=data, sections=SECTIONS, households=households
            )
        )
    )


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

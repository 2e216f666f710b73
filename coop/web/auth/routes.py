from flask import render_template

from coop.web.access import public, signed_in
from coop.web.auth import bp


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    return render_template("errors.html", code=501, title="Log in", text="Not built yet.")


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    return render_template("errors.html", code=501, title="Register", text="Not built yet.")


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    return render_template("errors.html", code=501, title="Log out", text="Not built yet.")


@bp.route("/account")
@signed_in
def account():
    return render_template("errors.html", code=501, title="Account", text="Not built yet.")

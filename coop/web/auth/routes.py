"""Register, log in and out, the account page, and passwords."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from coop.extensions import db, limiter
from coop.services import accounts
from coop.services.errors import ServiceError
from coop.web.access import public, signed_in, signed_in_user
from coop.web.auth import bp
from coop.web.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NameForm,
    RegisterForm,
    ResetPasswordForm,
)
from coop.web.forms import commit_or_show_error, show_error

LOGIN_FAILED = "Email or password is not right."
RESET_SENT = (
    "If an account uses that email address, we have sent it a link to choose a new password. "
    "Check your inbox (and your spam folder)."
)


def _attempt_limit() -> str:
    # Read per request so that tests and deployments can change it without a restart.
    return current_app.config["LOGIN_RATE_LIMIT"]


def safe_next(target: str | None) -> str:
    """Return *target* if it is a path on this site, else the home page."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        # Browsers read a backslash as a slash and drop tabs and newlines, so
        # "/\evil.example" and "/\t/evil.example" would leave the site.
        and not any(char == "\\" or char.isspace() or ord(char) < 32 for char in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("members.home")


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = RegisterForm()
    if form.validate_on_submit():
        user = commit_or_show_error(
            form,
            lambda: accounts.register_user(
                email=form.email.data, name=form.name.data, password=form.password.data
            ),
        )
        if user is not None:
            login_user(user)
            flash(
                f"Welcome to coop, {user.name}. Find a co-op near you to start buying together.",
                "success",
            )
            return redirect(next_url)
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_attempt_limit, methods=["POST"])
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate_user(email=form.email.data, password=form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(next_url)
        form.form_errors.append(LOGIN_FAILED)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    logout_user()
    flash("You have logged out.", "info")
    return redirect(url_for("members.home"))


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    user = signed_in_user()
    form = NameForm(name=user.name)
    if form.validate_on_submit():
        renamed = commit_or_show_error(
            form, lambda: accounts.change_name(user=user, name=form.name.data)
        )
        if renamed is not None:
            flash("Your name has been saved.", "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html",
        user=user,
        form=form,
        memberships=accounts.list_memberships(user=user),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        changed = commit_or_show_error(
            form,
            lambda: accounts.change_password(
                user=signed_in_user(),
                current_password=form.current_password.data,
                new_password=form.new_password.data,
            ),
        )
        if changed is not None:
            # Other sessions end with the old password; this one carries on.
            login_user(signed_in_user())
            flash("Your password has been changed.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_attempt_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(
            email=form.email.data,
            link_for=lambda token: url_for("auth.reset_password", token=token, _external=True),
        )
        db.session.commit()
        flash(RESET_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    form = ResetPasswordForm()
    try:
        if form.validate_on_submit():
            accounts.reset_password(token=token, password=form.password.data)
            db.session.commit()
            flash("Your new password is set. Log in with it now.", "success")
            return redirect(url_for("auth.login"))
        accounts.check_reset_token(token=token)
    except ServiceError as error:
        if error.field is None:
            return render_template("auth/reset_link_problem.html", problem=error.message), 400
        show_error(form, error)
    return render_template("auth/reset_password.html", form=form)

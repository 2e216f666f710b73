"""Register, log in and out, the account page, and passwords."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from coop.domain.notifications import NotificationKind
from coop.domain.roles import MembershipStatus
from coop.extensions import db, limiter, wants_json
from coop.models import User
from coop.services.people import accounts, logins
from coop.web import limits
from coop.web.access import access_rule, public, signed_in, signed_in_user
from coop.web.auth import bp
from coop.web.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NameForm,
    RegisterForm,
    ResetPasswordForm,
)
from coop.web.forms import ActionForm, required
from coop.web.links import site_url_for
from coop.web.members.notifications import choices_form
from coop.web.outcome import commit_or_refuse

LOGIN_FAILED = "Email or password is not right."
RESET_SENT = (
    "If an account uses that email address, we have sent it a link to choose a new password. "
    "Check your inbox (and your spam folder)."
)


# How long a network address that failed to log in to an account stays under
# that account's lock (see `_locked_out_here`): short, since the owner's own
# typo puts their address under it, and said on the page.
FAILED_HERE = "1 per 15 minutes"
LOCKED_HERE = (
    "Too many wrong passwords for this account from here. Wait 15 minutes and "
    "try again, or reset your password."
)


def _typed_email() -> str:
    # Prefixed, so that an empty field still gives the limiter a key to count.
    return "email:" + accounts.normalise_email(request.form.get("email", ""))


def _locked_out_here(email: str) -> bool:
    """Tell whether *email*'s failed logins are over their limit and this address failed too.

    The lock holds back only addresses that have guessed wrong at this account
    recently, so a stranger's guesses cannot keep its owner out: from an
    address with no failures the right password still gets in, and a wrong one
    puts that address under the lock too.
    """
    return limits.spent(
        "login-email", current_app.config["LOGIN_RATE_LIMIT_PER_EMAIL"], email
    ) and limits.spent("login-failed-here", FAILED_HERE, email, get_remote_address())


def _count_failed_login(email: str) -> None:
    limits.count("login-email", current_app.config["LOGIN_RATE_LIMIT_PER_EMAIL"], email)
    limits.count("login-failed-here", FAILED_HERE, email, get_remote_address())


def _signed_in_person() -> str:
    return f"user:{getattr(current_user, 'id', '')}"


def _begin_login(user: User) -> User:
    """Start a login of *user* on this device; `login_user` gives it its cookies (flushes)."""
    logins.start_login(user=user, user_agent=request.user_agent.string)
    return user


def _create_account(token: str) -> tuple[User, str]:
    """Make the account a registration link describes and sign it in here (flushes).

    Returns the person and the page the registration was on its way to.
    """
    user, registration = accounts.complete_registration(token=token)
    return _begin_login(user), registration.next_path


def _failed(response: Response) -> bool:
    """Tell whether a login attempt failed: a successful one always redirects."""
    return not 300 <= response.status_code < 400


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
@limiter.limit(limits.setting("REGISTER_RATE_LIMIT"), methods=["POST"])
def register():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = RegisterForm()
    if form.validate_on_submit():
        email = required(form.email.data)
        outcome = commit_or_refuse(
            lambda: accounts.request_registration(
                email=email,
                name=required(form.name.data),
                password=required(form.password.data),
                next_path=next_url,
                link_for=lambda token: site_url_for("auth.confirm_registration", token=token),
                login_link=site_url_for("auth.login"),
                reset_link=site_url_for("auth.forgot_password"),
            )
        )
        outcome.show(form)
        if not outcome.refused:
            # The same page whether or not the address has an account: its owner
            # is told by email instead.
            return render_template(
                "auth/register_sent.html",
                email=accounts.normalise_email(email),
                next_path=request.args.get("next"),
            )
    return render_template("auth/register.html", form=form)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_registration(token: str):
    # Opening the link (as a mail scanner may) makes nothing; the button does.
    form = ActionForm()
    registration = None
    if form.validate_on_submit():
        made = commit_or_refuse(lambda: _create_account(token))
        if made.value is not None:
            user, next_path = made.value
            login_user(user)
            return _welcome(user, safe_next(next_path))
        refusal = made.refusal
    else:
        checked = commit_or_refuse(lambda: accounts.check_registration(token=token))
        refusal, registration = checked.refusal, checked.value
    if refusal is not None:
        return render_template(
            "auth/register_link_problem.html",
            problem=refusal.message,
            used=refusal.code == accounts.RegistrationRefusal.USED,
        ), 400
    return render_template("auth/register_confirm.html", form=form, registration=registration)


def _welcome(user: User, next_url: str) -> Response:
    if next_url != url_for("members.home"):
        # On the way somewhere, such as an invitation: just welcome them.
        flash(f"Welcome to coop, {user.name}.", "success")
        return redirect(next_url)
    # A new account has no co-op; the home page would only send them on to find one.
    flash(f"Welcome to coop, {user.name}. Find a co-op near you and ask to join.", "success")
    return redirect(url_for("members.find_coops"))


def _is_public_page(path: str) -> bool:
    """Tell whether *path* is a page anyone may see, so no login was demanded for it."""
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(path.partition("?")[0], method="GET")
    except HTTPException:
        return False
    view = current_app.view_functions.get(endpoint)
    return view is not None and access_rule(view) == "public"


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(limits.setting("LOGIN_RATE_LIMIT"), methods=["POST"], deduct_when=_failed)
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    if request.method == "GET" and request.args.get("next") and not _is_public_page(next_url):
        # Sent here by a page that needs a login, rather than by a "Log in" link.
        flash("Please log in to see that page.", "info")
    form = LoginForm()
    if form.validate_on_submit():
        email = _typed_email()
        if _locked_out_here(email):
            form.form_errors.append(LOCKED_HERE)
            return render_template("auth/login.html", form=form), 429
        user = accounts.authenticate_user(
            email=required(form.email.data), password=required(form.password.data)
        )
        if user is not None:
            _begin_login(user)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(next_url)
        _count_failed_login(email)
        form.form_errors.append(LOGIN_FAILED)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    login = signed_in_user().current_login
    if login is not None:
        logins.end_login(login=login)
        db.session.commit()
    logout_user()
    flash("You have logged out.", "info")
    return redirect(url_for("members.home"))


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    user = signed_in_user()
    form = NameForm(name=user.name)
    if form.validate_on_submit():
        renamed = commit_or_refuse(
            lambda: accounts.change_name(user=user, name=required(form.name.data))
        ).show(form)
        if renamed is not None:
            flash("Your name has been saved.", "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html",
        user=user,
        form=form,
        memberships=(memberships := accounts.list_memberships(user=user)),
        notification_forms=[
            (membership, choices_form(membership))
            for membership in memberships
            if membership.status is not MembershipStatus.PENDING
        ],
        other_logins=logins.other_logins(
            user=user,
            keep=user.current_login,
            max_age=current_app.config["REMEMBER_COOKIE_DURATION"],
        ),
        sign_out_form=ActionForm(),
        kind_descriptions={kind.value: kind.description for kind in NotificationKind},
    )


@bp.route("/account/sign-out-others", methods=["POST"])
@signed_in
def sign_out_others():
    user = signed_in_user()
    if ActionForm().validate_on_submit():
        logins.end_logins(user=user, keep=user.current_login)
        db.session.commit()
        flash("You are signed out on every other device.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@limiter.limit(
    limits.setting("PASSWORD_CHANGE_RATE_LIMIT"),
    key_func=_signed_in_person,
    methods=["POST"],
    deduct_when=_failed,
)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = signed_in_user()
        changed = commit_or_refuse(
            lambda: accounts.change_password(
                user=user,
                current_password=required(form.current_password.data),
                new_password=required(form.new_password.data),
                # Other logins end with the old password; this one carries on.
                keep_login=user.current_login,
            )
        ).show(form)
        if changed is not None:
            flash("Your password has been changed.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(limits.setting("LOGIN_RATE_LIMIT"), methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = required(form.email.data)
        # Counted per address typed, account or not, and beyond it nothing is
        # sent: the page says the same, so a stranger cannot flood an inbox.
        limit = current_app.config["RESET_EMAIL_RATE_LIMIT_PER_ACCOUNT"]
        if limits.take("reset-email", limit, accounts.normalise_email(email)):
            accounts.request_password_reset(
                email=email,
                link_for=lambda token: site_url_for("auth.reset_password", token=token),
                register_link=site_url_for("auth.register"),
            )
            db.session.commit()
        flash(RESET_SENT, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            lambda: accounts.reset_password(token=token, password=required(form.password.data))
        )
        if not outcome.refused:
            flash("Your new password is set. Log in with it now.", "success")
            return redirect(url_for("auth.login"))
    else:
        outcome = commit_or_refuse(lambda: accounts.check_reset_token(token=token))
    refusal = outcome.refusal
    if refusal is not None and refusal.field is None:
        return render_template(
            "auth/reset_link_problem.html",
            problem=refusal.message,
            used=refusal.code == accounts.ResetRefusal.USED,
        ), 400
    outcome.show(form)
    return render_template("auth/reset_password.html", form=form)


@bp.errorhandler(429)
def too_many_attempts(error: HTTPException):
    """Refuse an attempt over a limit without saying how long to wait: limits run per hour too."""
    text = "Too many attempts in a short time. Please wait a while and try again."
    if wants_json():
        return jsonify(error=text), 429
    return render_template("errors.html", code=429, title="Too many attempts", text=text), 429

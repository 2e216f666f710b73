"""Forms for accounts and passwords."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from coop.services.people.accounts import NAME_MAX_LENGTH, normalise_email, password_problem
from coop.web.forms import GuardedForm


def _email(value: str | None) -> str | None:
    return normalise_email(value) if value else value


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


def _new_password(form: FlaskForm, field: Field) -> None:
    """Apply the password rules the accounts service enforces, so all errors show at once."""
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _email_field() -> EmailField:
    return EmailField(
        "Email address",
        filters=[_email],
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter an email address like name@example.org.", check_deliverability=False),
            Length(max=254),
        ],
    )


def _name_field() -> StringField:
    return StringField(
        "Name",
        filters=[_strip],
        validators=[DataRequired("Enter your name."), Length(max=NAME_MAX_LENGTH)],
    )


def _new_password_field(label: str = "New password") -> PasswordField:
    return PasswordField(
        label, validators=[DataRequired(f"Choose a {label.lower()}."), _new_password]
    )


def _confirm_field(other: str) -> PasswordField:
    return PasswordField(
        "Type the password again",
        validators=[
            DataRequired("Type the password again."),
            EqualTo(other, "The two passwords are not the same."),
        ],
    )


class RegisterForm(GuardedForm):
    email = _email_field()
    name = _name_field()
    password = _new_password_field("Password")
    confirm = _confirm_field("password")
    submit = SubmitField("Create account")


class LoginForm(GuardedForm):
    email = _email_field()
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Keep me logged in on this device")
    submit = SubmitField("Log in")


class NameForm(GuardedForm):
    name = _name_field()
    submit = SubmitField("Save name")


class ChangePasswordForm(GuardedForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )
    new_password = _new_password_field()
    confirm = _confirm_field("new_password")
    submit = SubmitField("Change password")


class ForgotPasswordForm(GuardedForm):
    email = _email_field()
    submit = SubmitField("Send me a link")


class ResetPasswordForm(GuardedForm):
    password = _new_password_field()
    confirm = _confirm_field("password")
    submit = SubmitField("Set password")

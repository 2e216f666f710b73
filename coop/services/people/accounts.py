"""Accounts: registering, signing in, changing and resetting passwords."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from coop.extensions import db
from coop.models import Coop, Login, Membership, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import send_message
from coop.services.people.logins import end_logins
from coop.services.people.passwords import hash_password, needs_rehash, verify_password

NAME_MAX_LENGTH = 120
RESET_SALT = "coop.password-reset"
REGISTRATION_SALT = "coop.registration"

DUPLICATE_EMAIL = "An account with this email address already exists."
RESET_EXPIRED = "This reset link has expired. Ask for a new one."
RESET_USED = "This reset link has already been used."
RESET_INVALID = "This reset link is not valid."
REGISTRATION_EXPIRED = "This link has expired. Create your account again."
REGISTRATION_INVALID = "This link is not valid."
REGISTRATION_USED = "An account with this email address already exists. Log in with it."


class RegistrationRefusal(StrEnum):
    """Why a registration link is refused: the page offers to start again, or to log in."""

    EXPIRED = "registration-expired"
    USED = "registration-used"
    INVALID = "registration-invalid"


@dataclass(frozen=True)
class Registration:
    """What a registration link carries: the account it will make and where to go next."""

    email: str
    name: str
    password_hash: str
    next_path: str


class ResetRefusal(StrEnum):
    """Why a reset link is refused: the page offers a new link, or says it was used."""

    EXPIRED = "reset-expired"
    USED = "reset-used"
    INVALID = "reset-invalid"


def normalise_email(email: str) -> str:
    """Return *email* as it is stored: trimmed and lower-cased."""
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    """Return why *password* may not be used, or None when it may."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return f"Use at least {minimum} characters."
    return None


def _check_new_password(password: str, *, field: str) -> None:
    problem = password_problem(password)
    if problem:
        raise ServiceError(problem, field=field)


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ServiceError("Enter your name.", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError(f"Use at most {NAME_MAX_LENGTH} characters.", field="name")
    return name


def find_user(*, email: str) -> User | None:
    """Return the person whose address is *email* in any letter case, or None."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _set_password(user: User, password: str, *, keep: Login | None = None) -> None:
    # Whoever knew the old password may be signed in somewhere: only *keep* stays.
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_logins(user=user, keep=keep)


def register_user(*, email: str, name: str, password: str) -> User:
    """Add a person with a login; refuses an address already in use in any letter case."""
    email = normalise_email(email)
    name = _clean_name(name)
    _check_new_password(password, field="password")
    if find_user(email=email) is not None:
        raise ServiceError(DUPLICATE_EMAIL, field="email")
    user = User(email=email, name=name, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def request_registration(
    *,
    email: str,
    name: str,
    password: str,
    next_path: str,
    link_for: Callable[[str], str],
    login_link: str,
    reset_link: str,
) -> None:
    """Email a link that makes the account, or tell an address's owner that someone tried.

    Either way the password is hashed and one message is sent, so neither the
    answer nor the time it takes says whether the address has an account. The
    account is made only from the link (`complete_registration`), so only the
    owner of the address can make it. *link_for* turns a token into the link's
    absolute address; *login_link* and *reset_link* go to an existing account's
    owner.
    """
    email = normalise_email(email)
    name = _clean_name(name)
    _check_new_password(password, field="password")
    password_hash = hash_password(password)
    owner = find_user(email=email)
    if owner is not None:
        send_message(
            "people/register_existing.txt",
            to=owner.email,
            user=owner,
            login_link=login_link,
            reset_link=reset_link,
        )
        return
    token = _registration_serializer().dumps(
        {"email": email, "name": name, "pw": password_hash, "next": next_path}
    )
    send_message(
        "people/register_confirm.txt",
        to=email,
        sensitive=True,
        name=name,
        link=link_for(token),
        hours=current_app.config["REGISTRATION_MAX_AGE"] // 3600,
    )


def _signed_payload(
    serializer: URLSafeTimedSerializer,
    token: str,
    *,
    max_age: int,
    expired: ServiceError,
    invalid: ServiceError,
) -> object:
    """Return what a signed link carries, or raise *expired* or *invalid*."""
    try:
        return serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise expired from None
    except BadSignature:
        raise invalid from None


def _registration_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=REGISTRATION_SALT)


def check_registration(*, token: str) -> Registration:
    """Return what a registration link would make, or refuse it (reads only)."""
    payload = _signed_payload(
        _registration_serializer(),
        token,
        max_age=current_app.config["REGISTRATION_MAX_AGE"],
        expired=ServiceError(REGISTRATION_EXPIRED, code=RegistrationRefusal.EXPIRED),
        invalid=ServiceError(REGISTRATION_INVALID, code=RegistrationRefusal.INVALID),
    )
    fields = ("email", "name", "pw", "next")
    if not isinstance(payload, dict) or not all(isinstance(payload.get(f), str) for f in fields):
        raise ServiceError(REGISTRATION_INVALID, code=RegistrationRefusal.INVALID)
    if find_user(email=payload["email"]) is not None:
        raise ServiceError(REGISTRATION_USED, code=RegistrationRefusal.USED)
    return Registration(payload["email"], payload["name"], payload["pw"], payload["next"])


def complete_registration(*, token: str) -> tuple[User, Registration]:
    """Make the account a registration link describes; the link then stops working."""
    registration = check_registration(token=token)
    user = User(
        email=registration.email,
        name=registration.name,
        password_hash=registration.password_hash,
    )
    db.session.add(user)
    db.session.flush()
    return user, registration


def authenticate_user(*, email: str, password: str) -> User | None:
    """Return the person these credentials belong to, upgrading a weak hash (flushes)."""
    user = find_user(email=email)
    if user is None:
        # Spend the time a real check takes, so response times do not reveal which
        # addresses have accounts.
        hash_password(password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.flush()
    return user


def change_name(*, user: User, name: str) -> User:
    """Change the name a person goes by."""
    user.name = _clean_name(name)
    db.session.flush()
    return user


def change_password(
    *, user: User, current_password: str, new_password: str, keep_login: Login | None = None
) -> User:
    """Replace a person's password after checking the current one; ends their other logins."""
    if not verify_password(user.password_hash, current_password):
        raise ServiceError("Your current password is not right.", field="current_password")
    _check_new_password(new_password, field="new_password")
    _set_password(user, new_password, keep=keep_login)
    db.session.flush()
    return user


def list_memberships(*, user: User) -> Sequence[Membership]:
    """Return a person's memberships with their co-ops, by co-op name (reads only)."""
    return db.session.scalars(
        select(Membership)
        .join(Membership.coop)
        .options(joinedload(Membership.coop))
        .where(Membership.user_id == user.id)
        .order_by(Coop.name)
    ).all()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Keyed, so the token (which anyone holding it can decode) says nothing about the hash.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def make_reset_token(*, user: User) -> str:
    """Return a signed token that lets *user* set a new password once (reads only)."""
    return _serializer().dumps({"user": user.id, "pw": _password_fingerprint(user)})


def request_password_reset(
    *, email: str, link_for: Callable[[str], str], register_link: str
) -> None:
    """Email a reset link to the account using *email*, or a note that there is none.

    *link_for* turns a token into the absolute address of the reset page;
    *register_link* is offered when there is no account. The caller cannot
    tell which was sent, so neither can the person asking.
    """
    user = find_user(email=email)
    if user is None:
        # One message either way, so the answer takes as long whether or not
        # the address has an account; this one carries no link that opens anything.
        send_message(
            "people/reset_no_account.txt", to=normalise_email(email), register_link=register_link
        )
        return
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    send_message(
        "people/reset_password.txt",
        to=user.email,
        sensitive=True,
        user=user,
        link=link_for(make_reset_token(user=user)),
        minutes=minutes,
    )


def check_reset_token(*, token: str) -> User:
    """Return the person a reset token was made for, or refuse it (reads only)."""
    payload = _signed_payload(
        _serializer(),
        token,
        max_age=current_app.config["PASSWORD_RESET_MAX_AGE"],
        expired=ServiceError(RESET_EXPIRED, code=ResetRefusal.EXPIRED),
        invalid=ServiceError(RESET_INVALID, code=ResetRefusal.INVALID),
    )
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        raise ServiceError(RESET_INVALID, code=ResetRefusal.INVALID)
    user = db.session.get(User, payload["user"])
    if user is None:
        raise ServiceError(RESET_INVALID, code=ResetRefusal.INVALID)
    if not hmac.compare_digest(str(payload.get("pw", "")), _password_fingerprint(user)):
        raise ServiceError(RESET_USED, code=ResetRefusal.USED)
    return user


def reset_password(*, token: str, password: str) -> User:
    """Set a new password from a reset link, which then stops working; ends every login."""
    user = check_reset_token(token=token)
    _check_new_password(password, field="password")
    _set_password(user, password)
    db.session.flush()
    return user

"""Logins: begun at sign-in, ended at logout, by "sign out all other devices" or a new password.

A login's key is its id and a random token (only the token's digest is
stored). Flask-Login keeps the key in the session and in the remember-me
cookie, so once the login has ended a copy of either cookie opens nothing.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from sqlalchemy import ColumnElement, delete, or_, select, update

from coop.extensions import db
from coop.models import Login, User
from coop.models.types import utcnow
from coop.services.tokens import new_token, token_digest

USER_AGENT_MAX_LENGTH = 120
# How stale "last seen" may grow before it is written again: often enough to
# tell devices apart, rarely enough not to write on every request.
LAST_SEEN_STEP = timedelta(minutes=15)
# A login's id is a positive 64-bit integer: at most 19 digits.
_ID_MAX_DIGITS = 18


def start_login(*, user: User, user_agent: str) -> str:
    """Record a new login of *user* and return the key its cookies carry (flushes)."""
    token, digest = new_token()
    login = Login(user=user, token_digest=digest, user_agent=user_agent[:USER_AGENT_MAX_LENGTH])
    db.session.add(login)
    db.session.flush()
    key = f"{login.id}:{token}"
    user.signed_in_through(login, key)
    return key


def find_signed_in_user(*, key: str, max_age: timedelta) -> User | None:
    """Return the person signed in through the login *key* names while it is open (reads only).

    A login is open until it is ended or until *max_age* after it began.
    """
    login_id, _, token = key.partition(":")
    if not (login_id.isascii() and login_id.isdigit() and len(login_id) <= _ID_MAX_DIGITS):
        return None
    login = db.session.get(Login, int(login_id))
    if login is None or login.ended_at is not None or not token:
        return None
    if not hmac.compare_digest(login.token_digest, token_digest(token)):
        return None
    if login.created_at + max_age <= utcnow():
        return None
    login.user.signed_in_through(login, key)
    return login.user


def note_login_seen(*, login: Login) -> bool:
    """Move a login's "last seen" to now if it is stale; tell whether it changed (flushes)."""
    now = utcnow()
    if now - login.last_seen_at < LAST_SEEN_STEP:
        return False
    login.last_seen_at = now
    db.session.flush()
    return True


def end_login(*, login: Login) -> None:
    """End one login, so that its cookies stop working (flushes)."""
    if login.ended_at is None:
        login.ended_at = utcnow()
        db.session.flush()


def end_logins(*, user: User, keep: Login | None = None) -> int:
    """End every open login of *user* but *keep*; return how many ended (flushes)."""
    statement = update(Login).where(Login.user_id == user.id, Login.ended_at.is_(None))
    if keep is not None:
        statement = statement.where(Login.id != keep.id)
    ended = db.session.execute(
        statement.values(ended_at=utcnow()).execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return int(getattr(ended, "rowcount", 0) or 0)


def _can_open_nothing(max_age: timedelta) -> ColumnElement[bool]:
    return or_(Login.ended_at.is_not(None), Login.created_at <= utcnow() - max_age)


def any_old_logins(*, max_age: timedelta) -> bool:
    """Tell whether some login has ended or began more than *max_age* ago (reads only)."""
    return bool(
        db.session.scalar(select(select(Login.id).where(_can_open_nothing(max_age)).exists()))
    )


def forget_old_logins(*, max_age: timedelta) -> int:
    """Delete the logins that can open nothing any more; return how many (flushes).

    A login that has ended, or began more than *max_age* ago, is kept no longer:
    its row would only say which device someone once used.
    """
    deleted = db.session.execute(
        delete(Login).where(_can_open_nothing(max_age)).execution_options(synchronize_session=False)
    )
    db.session.flush()
    return int(getattr(deleted, "rowcount", 0) or 0)


def other_logins(*, user: User, keep: Login | None, max_age: timedelta) -> list[Login]:
    """Return *user*'s open logins besides *keep*, the most recently seen first (reads only)."""
    query = select(Login).where(
        Login.user_id == user.id,
        Login.ended_at.is_(None),
        Login.created_at > utcnow() - max_age,
    )
    if keep is not None:
        query = query.where(Login.id != keep.id)
    return list(db.session.scalars(query.order_by(Login.last_seen_at.desc(), Login.id.desc())))

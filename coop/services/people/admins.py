"""Platform admins: the people who set up councils and co-ops."""

from __future__ import annotations

from coop.extensions import db
from coop.models import User
from coop.services.people.accounts import register_user


def create_platform_admin(*, email: str, name: str, password: str) -> User:
    """Add a person with a login who administers the whole platform."""
    user = register_user(email=email, name=name, password=password)
    user.is_platform_admin = True
    db.session.flush()
    return user

"""Job functions the job queue tests hand to `coop.services.jobs.enqueue`."""

from __future__ import annotations

from coop.extensions import db
from coop.models import User

# The worker runs in the test's process, so each attempt is seen here.
attempts: list[int] = []


def rename_user(*, user_id: int, name: str) -> None:
    """Rename the user, as a job's work on the database."""
    attempts.append(user_id)
    user = db.session.get(User, user_id)
    assert user is not None
    user.name = name
    db.session.flush()


def rename_user_then_fail(*, user_id: int, name: str) -> None:
    """Rename the user and then fail, so the rename must be rolled back."""
    rename_user(user_id=user_id, name=name)
    raise RuntimeError(f"the supplier's server refused user {user_id}")

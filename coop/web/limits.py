"""Rate limits named by a setting, for decorators and for counts a view keeps itself.

Flask-Limiter's decorators count requests. Some limits count something else
(failed logins to one email address, reset emails to one account); a view
keeps those here, in the same storage (Redis in production), so they are
shared by every app server and forgotten with the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from limits import parse_many

from coop.extensions import limiter


def setting(name: str) -> Callable[[], str]:
    """Return a reader of the limit in setting *name*, read per request so it can change."""
    return lambda: current_app.config[name]


def spent(namespace: str, limits: str, *keys: str) -> bool:
    """Tell whether *limits* (Flask-Limiter's notation) are used up for *keys* (counts nothing)."""
    if not limiter.enabled:
        return False
    return any(not limiter.limiter.test(limit, namespace, *keys) for limit in parse_many(limits))


def count(namespace: str, limits: str, *keys: str) -> None:
    """Count one more against *limits* for *keys*."""
    if limiter.enabled:
        for limit in parse_many(limits):
            limiter.limiter.hit(limit, namespace, *keys)


def take(namespace: str, limits: str, *keys: str) -> bool:
    """Count one more for *keys* if *limits* allow it; tell whether they did."""
    if spent(namespace, limits, *keys):
        return False
    count(namespace, limits, *keys)
    return True

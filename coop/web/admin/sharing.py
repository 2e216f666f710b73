"""sharing pages of the co-op admin area."""

from coop.web.admin import bp  # noqa: F401

"""API routes."""

from coop.web.api import bp  # noqa: F401

"""Times as people here read them: stored UTC shown in the display time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app


def display_zone() -> ZoneInfo:
    """Return the zone times are shown and typed in (``DISPLAY_TIMEZONE``, Europe/London)."""
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def local_time(value: datetime, fmt: str = "%A %-d %B %Y, %H:%M") -> str:
    """Show a stored UTC time in the display time zone: pages, messages and files alike."""
    return value.astimezone(display_zone()).strftime(fmt)

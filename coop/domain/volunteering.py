"""Volunteer time: the co-op's tasks and the time logged on them.

Time is whole minutes, entered in quarter-hours ("1.5", "1:30", "1h 30m" are
90), never a float. A single entry is at most a day.
"""

from __future__ import annotations

import re

#: The tasks a new co-op's list starts with; coordinators change it.
DEFAULT_TASKS = ("Packing", "Driving", "Ordering", "Treasurer")
# Time may be logged for a day this many years back at the most (a report's longest period).
OLDEST_YEARS = 5
TASK_NAME_MAX = 60
#: The longest one entry may be: a day.
MINUTES_MAX = 24 * 60
QUARTER = 15

DURATION_HELP = "Enter the time in hours and quarter-hours, like 1.5, 1:30 or 45m."

_DECIMAL = re.compile(r"([0-9]{1,2})(?:\.([0-9]{1,2}))?")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-5][0-9])")
_WORDS = re.compile(r"(?:([0-9]{1,2}) ?h(?:ours?|rs?)?)? ?(?:([0-9]{1,3}) ?m(?:in(?:ute)?s?)?)?")


def parse_minutes(text: str) -> int:
    """Return *text* as whole minutes in quarter-hours, or raise ValueError with what to type."""
    typed = " ".join(text.strip().lower().split())
    minutes: int | None = None
    if match := _DECIMAL.fullmatch(typed):
        hours, fraction = match.groups()
        quarters = {None: 0, "0": 0, "00": 0, "25": 1, "5": 2, "50": 2, "75": 3}.get(fraction)
        if quarters is None:
            raise ValueError(DURATION_HELP)
        minutes = int(hours) * 60 + quarters * QUARTER
    elif match := _CLOCK.fullmatch(typed):
        minutes = int(match[1]) * 60 + int(match[2])
    elif typed and (match := _WORDS.fullmatch(typed)) and (match[1] or match[2]):
        minutes = int(match[1] or 0) * 60 + int(match[2] or 0)
    if minutes is None or minutes % QUARTER:
        raise ValueError(DURATION_HELP)
    if not 0 < minutes <= MINUTES_MAX:
        raise ValueError("Enter a time from 15 minutes to 24 hours.")
    return minutes


def format_minutes(minutes: int) -> str:
    """Return *minutes* as hours and minutes, like "1 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"

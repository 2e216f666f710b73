"""What counts as text: the control characters no name, note or price list holds."""

from __future__ import annotations

import re

# Tab, newline and carriage return are text; the other control characters are
# not, and PostgreSQL refuses NUL outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def first_control_line(text: str) -> int | None:
    """Return the line (from 1) of *text*'s first control character, or None if it has none."""
    found = CONTROL_CHARACTERS.search(text)
    return None if found is None else text.count("\n", 0, found.start()) + 1


def holds_control_character(value: object) -> bool:
    """Tell whether any text in *value* (text, or lists and mappings of it) holds one."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.search(value) is not None
    if isinstance(value, dict):
        return any(
            holds_control_character(k) or holds_control_character(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(holds_control_character(item) for item in value)
    return False

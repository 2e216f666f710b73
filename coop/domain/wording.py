"""Names put into sentences, the same way on every page and in every email."""

from __future__ import annotations


def possessive(name: str) -> str:
    """Return *name* as an owner: "Sam's", but "Goosnargh Lane Growers'" for a name ending in s."""
    if not name:
        return name
    return f"{name}'" if name[-1] in "sS" else f"{name}'s"

"""What members hear from their co-op, and the choice each household has over it.

Each kind is a message a household may stop: its account page lists them
with their descriptions, and every message of a kind carries a one-click
unsubscribe for that kind alone. Messages about the household's own orders
and money that it must have (what it will receive, its bill, a cancelled
round) are not notifications and cannot be stopped.
"""

from __future__ import annotations

from enum import StrEnum


class NotificationKind(StrEnum):
    """A kind of message a household can choose to receive or not."""

    ROUND_OPENED = "round_opened"
    DEADLINE_NEAR = "deadline_near"
    READY_FOR_PICKUP = "ready_for_pickup"
    OWING_REMINDER = "owing_reminder"
    ANNOUNCEMENT = "announcement"

    @property
    def label(self) -> str:
        return NOTIFICATION_LABELS[self][0]

    @property
    def description(self) -> str:
        return NOTIFICATION_LABELS[self][1]


NOTIFICATION_LABELS: dict[NotificationKind, tuple[str, str]] = {
    NotificationKind.ROUND_OPENED: (
        "A round has opened",
        "What is on offer, from which suppliers, the deadline and the pickup.",
    ),
    NotificationKind.DEADLINE_NEAR: (
        "The deadline is near",
        "Before a round closes, if you have not ordered or a case you ordered"
        " from still needs a few units.",
    ),
    NotificationKind.READY_FOR_PICKUP: (
        "Your order is ready for pickup",
        "When the delivery has arrived: when and where to collect, and what to bring.",
    ),
    NotificationKind.OWING_REMINDER: (
        "You owe the co-op money",
        "A reminder, as often as the co-op sets, with your bill and how to pay.",
    ),
    NotificationKind.ANNOUNCEMENT: (
        "Announcements",
        "News the co-op's coordinators write to all members.",
    ),
}

# Longest announcement a coordinator may write, in characters.
ANNOUNCEMENT_SUBJECT_MAX = 120
ANNOUNCEMENT_BODY_MAX = 10_000

# The co-op's deadline reminder: this many hours before a round closes (0 or None: none).
DEFAULT_DEADLINE_REMINDER_HOURS = 24
DEADLINE_REMINDER_HOURS_RANGE = (1, 14 * 24)

# Reminders to households that owe: every so many days, from this amount.
OWING_REMINDER_DAYS_RANGE = (1, 90)
DEFAULT_OWING_REMINDER_FROM_PENCE = 100

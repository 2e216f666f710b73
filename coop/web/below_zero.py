"""Confirming money out that takes cash or the bank below zero: warn once, then write.

A service refuses such an entry with the code ``below_zero``
(`coop.services.money.confirming.check_stays_above_zero`). The form then
carries, in a hidden field, what the warning was about (how, how much, to
whom); sent again unchanged it is confirmed and written, while an entry
changed after the warning is checked afresh.
"""

from __future__ import annotations

from wtforms import HiddenField

from coop.services.errors import ServiceError
from coop.services.money.confirming import BELOW_ZERO


def _token(*what: object) -> str:
    return ":".join("" if part is None else str(part) for part in what)


class BelowZeroConfirming:
    """A form mixin: the hidden field that confirms an entry after its below-zero warning."""

    below_zero_ok = HiddenField()

    def below_zero_confirmed(self, *what: object) -> bool:
        """Whether the entry *what* is the one the last warning was about."""
        sent = self.below_zero_ok.data or ""
        return bool(sent) and sent == _token(*what)

    def ask_below_zero(self, refusal: ServiceError | None, *what: object) -> bool:
        """After a below-zero warning about *what*, have the next submit confirm it."""
        asked = refusal is not None and refusal.code == BELOW_ZERO
        self.below_zero_ok.data = _token(*what) if asked else ""
        return asked

"""Helpers for the fund's income-and-spending tests: files by their first bytes, entries."""

from __future__ import annotations

from datetime import date

from coop.extensions import db
from coop.models import AccountKind, FundCategory, FundDirection, FundEntry, HeldIn
from coop.services.money.fund import local_today, record_fund_entry
from coop.services.money.fund_categories import category_by_key
from coop.services.money.ledger import balances
from coop.services.money.receipts import Upload

# The smallest real files of each kind a receipt may be.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOT_A_PDF = b"Hall hire, 3 December: 45.00\n"


def category(coop, key: str) -> FundCategory:
    found = category_by_key(coop_id=coop.id, key=key)
    assert found is not None
    db.session.commit()
    return found


def record(
    coop,
    by,
    *,
    key: str = "hall_hire",
    amount_pence: int = 4500,
    method: HeldIn = HeldIn.BANK,
    occurred_on: date | None = None,
    reference: str = "",
    upload: Upload | None = None,
    repeated: int | None = None,
    below_zero_ok: bool = True,
) -> FundEntry:
    """Record an entry in category *key* (its direction follows the category) and commit."""
    chosen = category(coop, key)
    entry = record_fund_entry(
        coop=coop,
        direction=FundDirection(chosen.direction),
        category_id=chosen.id,
        amount_pence=amount_pence,
        method=method,
        occurred_on=occurred_on or local_today(),
        reference=reference,
        by=by,
        upload=upload,
        repeated_amount_pence=repeated,
        below_zero_confirmed=below_zero_ok,
    )
    db.session.commit()
    return entry


def kind_balances(coop) -> dict[AccountKind, int]:
    """Return the ledger's balance of each kind of account (the ledger's own signs)."""
    found: dict[AccountKind, int] = {}
    for balance in balances(coop=coop):
        found[balance.kind] = found.get(balance.kind, 0) + balance.balance_pence
    return found

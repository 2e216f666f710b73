"""Writing many rows at once: what goes in comes back, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coop.extensions import db
from coop.models import Account, AccountKind, LedgerTransaction, Posting, TransactionKind
from coop.models.bulk import bulk_insert

#: Texts an array literal has to quote: quotes, backslashes, its own punctuation, the word NULL.
AWKWARD = ['say "hi"', "back\\slash\\", "{braces},commas", "NULL", "", " spaced ", "£5, café crème"]


@pytest.fixture
def ledger(factory):
    coop = factory.coop()
    cash = Account(coop_id=coop.id, kind=AccountKind.CASH)
    fund = Account(coop_id=coop.id, kind=AccountKind.FUND)
    transaction = LedgerTransaction(coop_id=coop.id, kind=TransactionKind.ADJUSTMENT, memo="Bulk")
    db.session.add_all([cash, fund, transaction])
    db.session.flush()
    return transaction, cash, fund


def test_rows_come_back_as_written_with_awkward_text(ledger):
    transaction, cash, fund = ledger
    rows = [
        (transaction.id, cash.id if n % 2 else fund.id, (n + 1) * (-1) ** n, memo)
        for n, memo in enumerate(AWKWARD)
    ]

    bulk_insert(
        db.session.connection(),
        Posting,
        ("transaction_id", "account_id", "amount_pence", "memo"),
        rows,
    )

    written = db.session.execute(
        select(Posting.transaction_id, Posting.account_id, Posting.amount_pence, Posting.memo)
        .where(Posting.transaction_id == transaction.id)
        .order_by(Posting.id)
    ).all()
    assert [tuple(row) for row in written] == rows


def test_no_rows_write_nothing(ledger):
    bulk_insert(db.session.connection(), Posting, ("transaction_id", "memo"), [])

    assert db.session.scalar(select(func.count()).select_from(Posting)) == 0


def test_a_column_that_is_neither_a_number_nor_text_is_refused(ledger):
    transaction, cash, _ = ledger

    with pytest.raises(TypeError, match=r"accounts\.created_at"):
        bulk_insert(
            db.session.connection(),
            Account,
            ("coop_id", "kind", "created_at"),
            [(transaction.coop_id, "bank", cash.created_at)],
        )

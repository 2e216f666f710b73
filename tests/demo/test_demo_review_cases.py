"""The demo co-op with books as its households and treasurer meet it, card payments off."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support import text

from coop.demo.seed import FISHWICK_MEMBERS, MEMBER_PASSWORD
from coop.extensions import db
from coop.models import Coop, HeldIn, LedgerTransaction, Membership, TransactionKind, User
from coop.services.money.accounts_report import assets_and_liabilities, receipts_and_payments
from coop.services.money.fund import local_today
from coop.services.money.periods import last_complete_year
from coop.services.money.reconcile import held_on


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(Coop).where(Coop.slug == "fishwick-food")).one()


def test_a_demo_bill_shows_the_bank_account_to_pay_into_without_card_payments(seeded, client, auth):
    email = FISHWICK_MEMBERS[0][0]
    user = db.session.scalars(select(User).where(User.email == email)).one()
    membership = db.session.scalars(
        select(Membership).where(Membership.coop_id == seeded.id, Membership.user_id == user.id)
    ).one()
    round_id = db.session.scalar(
        select(LedgerTransaction.round_id)
        .where(
            LedgerTransaction.coop_id == seeded.id,
            LedgerTransaction.kind == TransactionKind.SETTLEMENT,
        )
        .order_by(LedgerTransaction.id.desc())
        .limit(1)
    )
    assert auth.login(email, MEMBER_PASSWORD).status_code == 302

    for page in (
        text(client.get(f"/coops/fishwick-food/rounds/{round_id}/bill")),
        text(client.get("/coops/fishwick-food/statement")),
    ):
        assert "By bank transfer to Fishwick Food Co-op's account" in page
        assert "<dt>Sort code</dt><dd><strong>00-00-00</strong></dd>" in page
        assert "<dt>Account number</dt><dd><strong>00012345</strong></dd>" in page
        assert f"FISH-{membership.id:04d}-" in page
        assert "Card payment is not available" in page


def test_the_demo_treasurer_banks_the_pickup_cash_so_neither_cash_nor_bank_is_overdrawn(seeded):
    year = last_complete_year(local_today())
    statement = assets_and_liabilities(coop=seeded, as_of=year.end)
    account = receipts_and_payments(coop=seeded, period=year)

    assert statement.cash_pence >= 0 and statement.bank_pence >= 0
    assert account.difference_pence == 0
    assert {line.label for line in account.receipts + account.payments}.isdisjoint(
        {"Other receipts", "Other payments"}
    )
    for as_of in (year.start, year.end, local_today()):
        assert held_on(coop=seeded, account=HeldIn.CASH, as_of=as_of) >= 0
        assert held_on(coop=seeded, account=HeldIn.BANK, as_of=as_of) >= 0

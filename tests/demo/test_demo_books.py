"""``flask --app coop seed-demo``: the demo co-op's books make an annual account that balances."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support import count_rows

from coop.demo.seed import FISHWICK_TREASURER
from coop.extensions import db
from coop.models import Coop, FundEntry, LedgerTransaction, OpeningBalance, TransactionKind
from coop.services.money.accounts_report import assets_and_liabilities, receipts_and_payments
from coop.services.money.fund import local_today
from coop.services.money.periods import Period, financial_year_of, last_complete_year


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(Coop).where(Coop.slug == "fishwick-food")).one()


def test_the_demo_co_ops_annual_account_balances_to_the_penny(seeded, client, auth):
    period = last_complete_year(local_today())
    account = receipts_and_payments(coop=seeded, period=period)
    labels = {line.label for line in account.receipts + account.payments}

    assert account.difference_pence == 0
    assert account.receipts_pence - account.payments_pence == (
        account.closing_pence - account.opening_pence
    )
    assert {"Households' payments for their food", "Paid to suppliers", "Hall hire"} <= labels
    assert {"Donations", "Membership fees", "Bank charges", "Bags and packaging"} <= labels
    assert account.brought_in_pence > 0  # the opening balances fall in the demo's last year
    statement = assets_and_liabilities(coop=seeded, as_of=period.end)
    assert statement.bank_pence + statement.cash_pence == account.closing_pence

    # The books hold what an AGM asks about: opening balances, a write-off, the fund's own.
    assert count_rows(OpeningBalance, OpeningBalance.coop_id == seeded.id) == 1
    assert (
        count_rows(
            LedgerTransaction,
            LedgerTransaction.coop_id == seeded.id,
            LedgerTransaction.kind == TransactionKind.WRITE_OFF,
        )
        == 1
    )
    assert count_rows(FundEntry, FundEntry.coop_id == seeded.id) > 25

    # The current year, to today, balances too.
    this_year = Period(financial_year_of(local_today()).start, local_today())
    assert receipts_and_payments(coop=seeded, period=this_year).difference_pence == 0

    response = auth.login(FISHWICK_TREASURER.email, FISHWICK_TREASURER.password)
    assert response.status_code == 302
    page = client.get("/coops/fishwick-food/admin/money/reports/annual").get_data(as_text=True)
    assert "they agree to the penny" in page

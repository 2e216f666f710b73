"""Bank and cash reconciliation: the books on a day, the difference, and the entries to tick."""

from __future__ import annotations

from datetime import timedelta

from support import count_rows, refusal_message

from coop.extensions import db
from coop.models import HeldIn, ReconciledPosting, Reconciliation
from coop.services.money.fund import local_today
from coop.services.money.reconcile import compare, past_reconciliations, reconcile_account
from coop.services.money.treasury import Method, record_payment
from money.fund_support import record
from money.treasury_support import treasurer


def reconcile(rounds, user, statement_pence: int, *, as_of=None, note: str = "") -> Reconciliation:
    saved = reconcile_account(
        coop=rounds.coop,
        account=HeldIn.BANK,
        as_of=as_of or local_today(),
        statement_pence=statement_pence,
        note=note,
        by=user,
    )
    db.session.commit()
    return saved


def test_the_page_compares_the_books_with_the_statement_and_lists_what_is_unticked(rounds):
    user = treasurer(rounds)
    record(rounds.coop, user, key="grants_received", amount_pence=30_000)
    record(rounds.coop, user, key="hall_hire", amount_pence=4500)
    record_payment(
        coop=rounds.coop,
        membership_id=rounds.households[0].id,
        amount_pence=1200,
        method=Method.BANK,
        note="",
        by=user,
    )
    db.session.commit()

    found = compare(
        coop=rounds.coop, account=HeldIn.BANK, as_of=local_today(), statement_pence=26_000
    )

    assert found.ledger_pence == 30_000 - 4500 + 1200
    assert found.difference_pence == 26_000 - 26_700
    assert sorted(line.held_change_pence for line in found.unreconciled) == [-4500, 1200, 30_000]
    assert any("Hall hire" in line.memo for line in found.unreconciled)


def test_a_reconciliation_that_agrees_ticks_its_entries_once(rounds):
    user = treasurer(rounds)
    record(rounds.coop, user, key="donations", amount_pence=10_000)
    record(rounds.coop, user, key="bank_charges", amount_pence=600)

    saved = reconcile(rounds, user, 9400)

    assert saved.ledger_balance_pence == 9400 and saved.difference_pence == 0
    assert count_rows(ReconciledPosting) == 2
    assert compare(coop=rounds.coop, account=HeldIn.BANK, as_of=local_today()).unreconciled == []
    record(rounds.coop, user, key="bank_charges", amount_pence=100)
    later = compare(coop=rounds.coop, account=HeldIn.BANK, as_of=local_today())
    assert [line.held_change_pence for line in later.unreconciled] == [-100]
    assert [
        past.ticked for past in past_reconciliations(coop=rounds.coop, account=HeldIn.BANK)
    ] == [2]


def test_a_difference_is_saved_only_with_a_note_and_ticks_nothing(rounds):
    user = treasurer(rounds)
    record(rounds.coop, user, key="donations", amount_pence=10_000)

    message = refusal_message(
        lambda: reconcile_account(
            coop=rounds.coop,
            account=HeldIn.BANK,
            as_of=local_today(),
            statement_pence=9000,
            note="",
            by=user,
        ),
        field="note",
    )
    assert "balances differ" in message
    assert count_rows(Reconciliation) == 0

    saved = reconcile(rounds, user, 9000, note="A cheque not yet cleared")
    assert saved.difference_pence == -1000
    assert count_rows(ReconciledPosting) == 0


def test_an_entry_counts_on_the_day_its_money_moved(rounds):
    user = treasurer(rounds)
    today = local_today()
    record(
        rounds.coop,
        user,
        key="donations",
        amount_pence=2500,
        method=HeldIn.CASH,
        occurred_on=today - timedelta(days=3),
    )

    def held(days_ago: int) -> int:
        return compare(
            coop=rounds.coop, account=HeldIn.CASH, as_of=today - timedelta(days=days_ago)
        ).ledger_pence

    assert (held(4), held(3), held(0)) == (0, 2500, 2500)


def test_an_overdrawn_bank_is_reconciled_with_a_negative_balance(rounds):
    user = treasurer(rounds)
    record(rounds.coop, user, key="hall_hire", amount_pence=1500, below_zero_ok=True)

    saved = reconcile(rounds, user, -1500)

    assert saved.ledger_balance_pence == -1500 and saved.difference_pence == 0


def test_a_statement_dated_in_the_future_is_refused(rounds):
    message = refusal_message(
        lambda: reconcile_account(
            coop=rounds.coop,
            account=HeldIn.CASH,
            as_of=local_today() + timedelta(days=1),
            statement_pence=0,
            note="",
            by=treasurer(rounds),
        ),
        field="as_of",
    )
    assert "in the future" in message

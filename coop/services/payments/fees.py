"""The card processor's fee on a payment: the co-op fund bears it, posted once.

UK law bans surcharging consumer cards, so a household is never charged the
fee: it is the fund's spending, in the built-in "Card payment fees"
category (`fund_categories.category_by_key`, key ``card_fees``). The fee is
known from the charge's balance transaction, which ``charge.succeeded`` or
``charge.updated`` carries (expanded, or as an id read back through the
gateway). It is posted as one ``fund_expense``: minus on the fund, plus on
the card account (the processor keeps it out of the card money it holds,
whose ledger sign is reversed), with a `FundEntry` held in card money, dated
the day of the balance transaction in the UK, so the income-and-spending
list and the annual account show it among the fund's spending.

Once per payment, even with replays and with both events: the first
statement is a conditional UPDATE that only a payment whose fee is not yet
known matches (it stores ``fee_pence``), and the posting's id goes in the
unique ``fee_transaction_id``. A fee of nothing is stored and posts nothing.
With Connect the fee is the one on the co-op's own account; it is the whole
``fee`` of the balance transaction, application fees included.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import update

from coop.extensions import db
from coop.models import (
    AccountKind,
    CardPayment,
    Coop,
    FundDirection,
    FundEntry,
    HeldIn,
    TransactionKind,
)
from coop.models.types import utcnow
from coop.services.money.fund_categories import category_by_key
from coop.services.money.ledger import Entry, post_transaction, single_account
from coop.services.payments.gateway import BalanceTransaction
from coop.services.times import display_zone

CARD_FEES = "card_fees"


def _day(created: int) -> date:
    moment = datetime.fromtimestamp(created, UTC) if created > 0 else utcnow()
    return moment.astimezone(display_zone()).date()


def record_card_fee(*, payment: CardPayment, balance: BalanceTransaction) -> bool:
    """Store a payment's fee and post it as the fund's spending, once; say whether it did."""
    if balance.fee_pence < 0 or balance.currency not in ("", "gbp"):
        return False
    claimed = db.session.execute(
        update(CardPayment)
        .where(CardPayment.id == payment.id, CardPayment.fee_pence.is_(None))
        .values(fee_pence=balance.fee_pence, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(payment)
        return False
    if balance.fee_pence == 0:
        db.session.refresh(payment)
        return True
    coop = db.session.get_one(Coop, payment.coop_id)
    category = category_by_key(coop_id=coop.id, key=CARD_FEES)
    assert category is not None  # built in: made the first time it is asked for
    fund = single_account(coop_id=coop.id, kind=AccountKind.FUND).id
    card = single_account(coop_id=coop.id, kind=AccountKind.CARD).id
    transaction = post_transaction(
        coop_id=coop.id,
        kind=TransactionKind.FUND_EXPENSE,
        memo=f"{category.name}: the card processor's fee on "
        f"{payment.membership.user.name}'s payment ({payment.payment_intent_id})",
        entries=[
            Entry(fund, -balance.fee_pence, category.name[:200]),
            Entry(card, balance.fee_pence, "card fee"),
        ],
        by=None,
    )
    db.session.add(
        FundEntry(
            coop_id=coop.id,
            transaction_id=transaction.id,
            category_id=category.id,
            direction=FundDirection.EXPENSE,
            method=HeldIn.CARD,
            amount_pence=balance.fee_pence,
            occurred_on=_day(balance.created),
            reference=payment.payment_intent_id[:100],
        )
    )
    db.session.execute(
        update(CardPayment)
        .where(CardPayment.id == payment.id)
        .values(fee_transaction_id=transaction.id)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.refresh(payment)
    return True

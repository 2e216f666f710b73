"""Helpers for statement and bill tests: settle rounds, post payments, read money off pages."""

from __future__ import annotations

import re
from datetime import date

from support import text

from coop.domain.money import parse_pence
from coop.extensions import db
from coop.models import (
    AccountKind,
    Membership,
    Round,
    RoundCost,
    RoundSubsidy,
    SplitBasis,
    SupportKind,
    SupportRecord,
    TransactionKind,
    User,
)
from coop.services.money.ledger import Entry, household_accounts, post_transaction, single_account
from coop.services.money.settlement import settle_round
from money.support import receive_as_ordered

MONEY = r"-?£[\d,]+\.\d\d"


def settle(round_: Round, by: User | None = None) -> Round:
    """Take an open round with orders through closing and delivery to settled."""
    receive_as_ordered(round_)
    settle_round(round_id=round_.id, by=by)
    db.session.commit()
    return round_


def pay(household: Membership, pence: int, memo: str = "Cash at pickup") -> None:
    """Record a cash payment into the household's account (household +, cash -)."""
    account = household_accounts(coop_id=household.coop_id, membership_ids=[household.id])
    cash = single_account(coop_id=household.coop_id, kind=AccountKind.CASH)
    post_transaction(
        coop_id=household.coop_id,
        kind=TransactionKind.PAYMENT,
        memo=memo,
        entries=[Entry(account[household.id], pence), Entry(cash.id, -pence)],
        by=None,
    )
    db.session.commit()


def add_cost(round_: Round, name: str, pence: int, basis: SplitBasis, supplier=None) -> RoundCost:  # type: ignore[no-untyped-def]
    cost = RoundCost(
        round_id=round_.id,
        name=name,
        amount_pence=pence,
        basis=basis,
        supplier_id=supplier.id if supplier is not None else None,
    )
    db.session.add(cost)
    db.session.commit()
    return cost


def add_subsidy(round_: Round, factory, *, cost: RoundCost | None = None, **terms) -> RoundSubsidy:  # type: ignore[no-untyped-def]
    """Apply a council subsidy of programme "Healthy Start Preston" to the round."""
    council = factory.council(name="Preston City Council")
    record = SupportRecord(
        council_id=council.id,
        coop_id=round_.coop_id,
        programme="Healthy Start Preston",
        kind=SupportKind.SUBSIDY,
        value_pence=50_000,
        awarded_on=date(2026, 1, 1),
    )
    db.session.add(record)
    db.session.flush()
    subsidy = RoundSubsidy(
        round_id=round_.id,
        support_record_id=record.id,
        round_cost_id=cost.id if cost is not None else None,
        **terms,
    )
    db.session.add(subsidy)
    db.session.commit()
    return subsidy


def amounts(page: str, css_class: str) -> list[int]:
    """Return the pence in every cell of *css_class* on *page*, in order."""
    cells = re.findall(rf'<td[^>]*class="[^"]*\b{css_class}\b[^"]*"[^>]*>(.*?)</td>', page, re.S)
    return [parse_pence(re.search(MONEY, cell).group(0), allow_negative=True) for cell in cells]


def amount_by_id(page: str, element_id: str) -> int:
    """Return the first amount of money inside the element with *element_id*."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', page, re.S)
    assert match, f"no element #{element_id} on the page"
    return parse_pence(re.search(MONEY, match.group(1)).group(0), allow_negative=True)


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    """Return the page as text with its tags' whitespace collapsed, for phrase checks."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))

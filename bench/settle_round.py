"""How long settling a big round takes, against a bulk-insert floor in the same run.

    .venv/bin/python bench/settle_round.py [--households 1000] [--items 300] [--repeat 5]
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite-only] [--check]

Builds the close benchmark's round (1,000 households, 300 items, about
60,000 order lines; `close_round.build`), closes it with
`coop.services.rounds.closing.close_round` and records the delivery with
`coop.services.rounds.receiving.receive_round`: everything as ordered except one
item in eight, which comes a case short (or a few units short of a one-case
order), so those items are shared out again. The round has a 2.5% markup,
a supplier's delivery charge shared by value, a venue cost shared equally,
and a council subsidy of 5% off goods up to a cap. Then it times, on the
same database, taking turns:

- the floor: one INSERT of as many bill lines as settling writes, with the
  same columns and values, and of the settlement's postings (one per
  household and supplier, and the fund's and the council's), in one ledger
  transaction, committed;
- settling with `coop.services.money.settlement.settle_round` and its commit,
  mail going to the outbox (no ``MAIL_SERVER``): one email per household.

Each run starts from the round received and unsettled (its household and
supplier accounts already there, as after the round before). Runs on a
scratch SQLite file, and on a scratch PostgreSQL database beside
``--database-url`` (or ``COOP_TEST_DATABASE_URL``) when one is given. The
target: settling within 5x of the floor, printed PASS or FAIL; with
``--check`` a FAIL makes the exit status 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from _common import Line, Timing, bench_app, main, taking_turns, within_ratio
from close_round import World, build, tidy
from sqlalchemy import delete, func, insert, select, update

from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    BillLine,
    Coop,
    Council,
    LedgerTransaction,
    OutboxMessage,
    Posting,
    Round,
    RoundCost,
    RoundSubsidy,
    RoundSupplier,
    SplitBasis,
    SupportKind,
    SupportRecord,
    TransactionKind,
    User,
)
from coop.models.bulk import bulk_insert
from coop.services.money.settlement import settle_round
from coop.services.rounds.closing import close_round
from coop.services.rounds.receiving import Arrived, items_to_receive, receive_round

FLOOR_RATIO = 5.0
MARKUP_BP = 250
SHORT_EVERY = 8  # one item in this many arrives short
BILL_COLUMNS = (
    "round_id",
    "membership_id",
    "transaction_id",
    "kind",
    "round_item_id",
    "round_cost_id",
    "round_subsidy_id",
    "supplier_id",
    "description",
    "units",
    "net_pence",
    "vat_pence",
    "markup_pence",
    "deposit_pence",
    "amount_pence",
    "reference_pence",
)
POSTING_COLUMNS = ("transaction_id", "account_id", "amount_pence", "memo")


@dataclass(frozen=True)
class Written:
    """What one settlement wrote, kept to write again as the floor."""

    bill_lines: list[tuple]
    postings: list[tuple]
    emails: int


def prepare(world: World) -> int:
    """Close the round, receive it with shortfalls, and add its costs and subsidy."""
    close_round(round_id=world.round_id, by=None)
    db.session.commit()
    round_ = db.session.get_one(Round, world.round_id)
    round_.markup_bp = MARKUP_BP
    coordinator = User(email="coordinator@bench.example", name="Bench Coordinator")
    coordinator.password_hash = "-"
    db.session.add(coordinator)
    lines, short = [], 0
    for n, item in enumerate(items_to_receive(round_id=world.round_id)):
        ordered = item.units_ordered or 0
        missing = 0
        if n % SHORT_EVERY == 0:
            missing = item.case_size if item.cases_ordered > 1 else min(ordered, 1 + n % 3)
            short += 1
        lines.append(Arrived(item_id=item.id, amount=ordered - missing))
    receive_round(round_id=world.round_id, by=coordinator, lines=lines)
    coop = db.session.get_one(Coop, round_.coop_id)
    supplier_id = db.session.scalar(
        select(RoundSupplier.supplier_id).where(RoundSupplier.round_id == round_.id)
    )
    council = Council(name="Bench Council", gss_code="E07000999", valid_from=date(2000, 1, 1))
    record = SupportRecord(
        council=council,
        coop_id=coop.id,
        programme="Healthy Food Bench Fund",
        kind=SupportKind.SUBSIDY,
        value_pence=500_000,
        awarded_on=date(2025, 1, 1),
    )
    db.session.add_all(
        [
            RoundCost(
                round_id=round_.id,
                name="Delivery from Bench Wholesale",
                amount_pence=4_500,
                basis=SplitBasis.BY_VALUE,
                supplier_id=supplier_id,
            ),
            RoundCost(
                round_id=round_.id, name="Hall hire", amount_pence=6_000, basis=SplitBasis.EQUAL
            ),
            record,
        ]
    )
    db.session.flush()
    db.session.add(
        RoundSubsidy(
            round_id=round_.id, support_record_id=record.id, percent_bp=500, cap_pence=200_000
        )
    )
    db.session.commit()
    return short


def settle(world: World) -> int:
    """Settle the round as the treasurer's page does: the service, then one commit."""
    settled = settle_round(round_id=world.round_id, by=None)
    db.session.commit()
    return settled.households


def unsettle(world: World) -> None:
    """Put the round back as it was before settling, its accounts kept, untimed."""
    db.session.execute(delete(BillLine))
    db.session.execute(delete(Posting))
    db.session.execute(delete(LedgerTransaction))
    db.session.execute(delete(OutboxMessage))
    db.session.execute(
        update(Round)
        .where(Round.id == world.round_id)
        .values(state=RoundState.RECEIVED, settled_at=None, settled_by_id=None)
    )
    db.session.commit()
    db.session.expunge_all()
    tidy()


def written() -> Written:
    """Read back what the settlement wrote, in the order it wrote it."""
    columns = [getattr(BillLine, name) for name in BILL_COLUMNS]
    bill_lines = [tuple(row) for row in db.session.execute(select(*columns).order_by(BillLine.id))]
    postings = [
        tuple(row)
        for row in db.session.execute(
            select(*(getattr(Posting, name) for name in POSTING_COLUMNS)).order_by(Posting.id)
        )
    ]
    emails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    return Written(bill_lines, postings, emails)


def floor_of(rows: Written) -> Callable[[World], int]:
    """Return the floor: the settlement's rows written again in one INSERT a table."""

    def floor(world: World) -> int:
        connection = db.session.connection()
        transaction_id = connection.execute(
            insert(LedgerTransaction)
            .values(
                coop_id=select(Round.coop_id).where(Round.id == world.round_id).scalar_subquery(),
                kind=TransactionKind.SETTLEMENT,
                memo="Bench round: settled",
                round_id=world.round_id,
            )
            .returning(LedgerTransaction.id)
        ).scalar_one()
        postings = [(transaction_id, *posting[1:]) for posting in rows.postings]
        lines = [(*line[:2], transaction_id, *line[3:]) for line in rows.bill_lines]
        bulk_insert(connection, Posting, POSTING_COLUMNS, postings)
        bulk_insert(connection, BillLine, BILL_COLUMNS, lines)
        db.session.commit()
        return len(lines)

    return floor


def check_written(expected: Written) -> None:
    """Stop unless the last settlement wrote what the first did (a fast wrong settle is no use)."""
    again = written_now()
    if again != (len(expected.bill_lines), len(expected.postings), expected.emails):
        sys.exit(
            f"settling wrote {again} bill lines, postings and emails; expected "
            f"{len(expected.bill_lines)}, {len(expected.postings)} and {expected.emails}"
        )


def written_now() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (BillLine, Posting, OutboxMessage)
    )


def bench(url: str, args: argparse.Namespace) -> tuple[list[Line], Timing, Timing]:
    app = bench_app(url)
    with app.app_context():
        start = time.perf_counter()
        world = build(args.households, args.items, args.per_household)
        short = prepare(world)
        print(
            f"  built {args.households:,} households, {args.items} items, "
            f"{world.lines:,} order lines; closed and received ({short} items short) "
            f"in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        # A warm-up settle, untimed: it opens the accounts and gives the floor its rows.
        unsettle(world)
        settle(world)
        rows = written()
        floor = floor_of(rows)
        runs = taking_turns(
            {"floor": lambda: floor(world), "settle": lambda: settle(world)},
            lambda name: unsettle(world),
            args.repeat,
        )
        (base, lines_written), (settling, households) = runs.values()
        assert lines_written == len(rows.bill_lines)
        check_written(rows)
        db.session.remove()
        db.engine.dispose()
    lines = [
        Line(
            f"floor: insert {len(rows.bill_lines):,} bill lines, {len(rows.postings):,} postings",
            base,
        ),
        Line(
            f"settle ({households:,} households, {rows.emails:,} emails)", settling, base, "floor"
        ),
    ]
    return lines, base, settling


def run(label: str, url: str, args: argparse.Namespace) -> tuple[list[Line], list[bool]]:
    """Bench one database; return the report and whether the target was met."""
    lines, base, settling = bench(url, args)
    return lines, [within_ratio("settle", settling, base, FLOOR_RATIO)]


if __name__ == "__main__":
    main(__doc__, "settle round", run)

"""How long closing a big round takes, against the floor of its reads and writes in the same run.

    .venv/bin/python bench/close_round.py [--households 1000] [--items 300] [--repeat 5]
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite-only] [--check]

Builds a co-op of 1,000 households and a round of 300 items (case sizes 1 to
12, some items popular and some not, so some cases fill and some do not)
in which each household orders about 60 items, some with tolerance and some
raised later (a second request at the back of the queue): about 60,000
order lines, written in bulk. Then it times, on the same database:

- the floor: reading those order lines with closing's own SELECT and
  writing as many allocation rows with one bulk INSERT, committed;
- closing the round with `coop.services.rounds.closing.close_round`, its flush and
  its commit, mail going to the outbox (no ``MAIL_SERVER``): one email per
  household, composed and stored;
- the same close under the ``fair_share`` policy.

Runs on a scratch SQLite file, and on a scratch PostgreSQL database beside
``--database-url`` (or ``COOP_TEST_DATABASE_URL``) when one is given. The
targets: closing within 5x of the floor, and under 3 seconds on PostgreSQL.
Each is printed PASS or FAIL; with ``--check`` a FAIL makes the exit status 1.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from datetime import timedelta

from _common import Line, Timing, bench_app, main, taking_turns, time_once, within_ratio
from sqlalchemy import delete, func, insert, select, update

from coop.domain.allocation import FAIR_SHARE, FIRST_COME
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    Allocation,
    Coop,
    Membership,
    OrderRequest,
    OutboxMessage,
    Product,
    Round,
    RoundItem,
    RoundSupplier,
    Supplier,
    User,
)
from coop.models.bulk import bulk_insert
from coop.models.types import utcnow
from coop.services.rounds.closing import ALLOCATION_COLUMNS, close_round, request_lines

FLOOR_RATIO = 5.0
POSTGRESQL_SECONDS = 3.0
UNITS = ("1 kg bag", "500 g bag", "400 g tin", "1 litre bottle", "each", "box of 80")


@dataclass(frozen=True)
class World:
    """The round to close and how much is in it."""

    round_id: int
    requests: int
    lines: int  # (household, item) pairs asked for: the allocations closing writes


def build(households: int, items: int, per_household: int, seed: int = 4) -> World:
    """Write the co-op, its households, a round of *items* and their order lines, in bulk."""
    pick = random.Random(seed)
    now = utcnow()
    coop = Coop(name="Bench Co-op", slug="bench", pickup_address="Bench Hall, 1 Example Road")
    supplier = Supplier(coop=coop, name="Bench Wholesale", email="orders@bench.example")
    db.session.add_all([coop, supplier])
    db.session.flush()

    db.session.execute(
        insert(User),
        [
            {"email": f"household{n}@example.org", "name": f"Household {n}", "password_hash": "-"}
            for n in range(households)
        ],
    )
    user_ids = db.session.scalars(select(User.id).order_by(User.id)).all()
    # One household in a hundred has left: its requests are read past, as closing reads them.
    db.session.execute(
        insert(Membership),
        [
            {
                "coop_id": coop.id,
                "user_id": user_id,
                "status": MembershipStatus.LEFT if n % 100 == 99 else MembershipStatus.ACTIVE,
                "joined_at": now,
            }
            for n, user_id in enumerate(user_ids)
        ],
    )
    membership_ids = db.session.scalars(select(Membership.id).order_by(Membership.id)).all()

    products = [
        {
            "supplier_id": supplier.id,
            "code": f"B{n:04d}",
            "name": f"Staple number {n}",
            "category": f"Aisle {n % 12}",
            "unit_label": UNITS[n % len(UNITS)],
            "case_size": n % 12 + 1,
            "case_price_pence": pick.randint(150, 6000),
            "vat_bp": (0, 0, 500, 2000)[n % 4],
        }
        for n in range(items)
    ]
    db.session.execute(insert(Product), products)
    product_ids = db.session.scalars(select(Product.id).order_by(Product.id)).all()

    round_ = Round(
        coop_id=coop.id,
        title="Bench round",
        state=RoundState.OPEN,
        opens_at=now - timedelta(days=7),
        closes_at=now - timedelta(minutes=1),
        pickup_at=now + timedelta(days=2),
        pickup_place="Bench Hall",
        policy=FIRST_COME,
        opened_at=now - timedelta(days=7),
    )
    round_supplier = RoundSupplier(round=round_, supplier_id=supplier.id)
    db.session.add_all([round_, round_supplier])
    db.session.flush()
    db.session.execute(
        insert(RoundItem),
        [
            {
                "round_id": round_.id,
                "round_supplier_id": round_supplier.id,
                "product_id": product_id,
                **{k: v for k, v in product.items() if k != "supplier_id"},
            }
            for product_id, product in zip(product_ids, products, strict=True)
        ],
    )
    item_ids = db.session.scalars(
        select(RoundItem.id).where(RoundItem.round_id == round_.id).order_by(RoundItem.id)
    ).all()

    # Popularity falls away along the list (shuffled), so some items fill many cases and
    # some never fill one; a weighted sample without replacement per household.
    popularity = [1 / (rank + 8) for rank in range(items)]
    pick.shuffle(popularity)
    requests = []
    start = now - timedelta(days=6)
    for household in membership_ids:
        keys = sorted(range(items), key=lambda i: pick.random() ** (1 / popularity[i]))
        for index in keys[-per_household:]:
            quantity = pick.choice((1, 1, 1, 2, 2, 3, 4))
            tolerance = pick.choice((0, 0, 0, 1, 2)) if pick.random() < 0.3 else 0
            stamp = start + timedelta(seconds=pick.randint(0, 5 * 86400))
            requests.append((item_ids[index], household, quantity, tolerance, stamp))
            if pick.random() < 0.04:  # raised later: joins the back of the queue
                later = stamp + timedelta(hours=pick.randint(1, 20))
                requests.append((item_ids[index], household, pick.randint(1, 3), 0, later))
    db.session.execute(
        insert(OrderRequest),
        [
            {
                "round_id": round_.id,
                "round_item_id": item_id,
                "membership_id": household,
                "quantity": quantity,
                "tolerance": tolerance,
                "created_at": stamp,
                "updated_at": stamp,
            }
            for item_id, household, quantity, tolerance, stamp in requests
        ],
    )
    db.session.commit()
    left = {household for n, household in enumerate(membership_ids) if n % 100 == 99}
    lines = {(item_id, household) for item_id, household, *_ in requests if household not in left}
    return World(round_id=round_.id, requests=len(requests), lines=len(lines))


def floor(world: World) -> int:
    """Read the order lines as closing does, write one allocation per line in bulk, commit.

    The write is the fastest single INSERT each database takes: on PostgreSQL one
    statement with a column array each, unnested into rows; on SQLite one executemany.
    """
    connection = db.session.connection()
    lines = {}
    for item_id, household, quantity, tolerance in connection.execute(
        request_lines(world.round_id)
    ):
        lines[item_id, household] = (quantity, tolerance)
    rows = [
        (world.round_id, item_id, household, quantity, tolerance, quantity, quantity, "")
        for (item_id, household), (quantity, tolerance) in lines.items()
    ]
    bulk_insert(connection, Allocation, ALLOCATION_COLUMNS, rows)
    db.session.commit()
    return len(rows)


def reopen(world: World, policy: str) -> None:
    """Put the round back as it was before closing, under *policy*, untimed."""
    db.session.execute(delete(Allocation).where(Allocation.round_id == world.round_id))
    db.session.execute(delete(OutboxMessage))
    db.session.execute(
        update(RoundItem)
        .where(RoundItem.round_id == world.round_id)
        .values(cases_ordered=None, surplus_units=None)
    )
    db.session.execute(
        update(Round)
        .where(Round.id == world.round_id)
        .values(state=RoundState.OPEN, closed_at=None, closed_by_id=None, policy=policy)
    )
    db.session.commit()
    db.session.expunge_all()
    tidy()


def tidy() -> None:
    """On PostgreSQL, clear away deleted rows and refresh statistics, as autovacuum would."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def close(world: World) -> int:
    """Close the round as `flask tick` does: the service, then one commit."""
    closed = close_round(round_id=world.round_id, by=None)
    db.session.commit()
    return closed.households


def check_written(world: World, households: int) -> None:
    """Stop the benchmark if closing did not write what it should (a fast wrong close is no use)."""
    allocations = db.session.scalar(select(func.count()).select_from(Allocation))
    emails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    if allocations != world.lines or emails != households:
        sys.exit(
            f"closing wrote {allocations} allocations and {emails} emails; "
            f"expected {world.lines} and {households}"
        )


def bench(url: str, args: argparse.Namespace) -> tuple[list[Line], Timing, Timing]:
    app = bench_app(url)
    with app.app_context():
        built, world = time_once(lambda: build(args.households, args.items, args.per_household))
        print(
            f"  built {args.households:,} households, {args.items} items, "
            f"{world.requests:,} order requests ({world.lines:,} lines) in {built.median:.1f} s",
            flush=True,
        )
        # A warm-up of each, untimed, as a running server has its caches warm.
        policies = {"floor": FIRST_COME, "close": FIRST_COME, "fair": FAIR_SHARE}
        actions = {
            "floor": lambda: floor(world),
            "close": lambda: close(world),
            "fair": lambda: close(world),
        }

        def reset(name: str) -> None:
            reopen(world, policies[name])

        taking_turns({name: actions[name] for name in ("floor", "close")}, reset, 1)
        runs = taking_turns(actions, reset, args.repeat)
        (base, written), (closing, households), (fair, _) = runs.values()
        assert written == world.lines, (written, world.lines)
        check_written(world, households)
        db.session.remove()
        db.engine.dispose()
    lines = [
        Line(f"floor: read {world.requests:,} requests, insert {world.lines:,} rows", base),
        Line(f"close, first_come ({households:,} emails)", closing, base, "floor"),
        Line(f"close, fair_share ({households:,} emails)", fair, base, "floor"),
    ]
    return lines, base, closing


def run(label: str, url: str, args: argparse.Namespace) -> tuple[list[Line], list[bool]]:
    """Bench one database; return the report and whether each target was met."""
    lines, base, closing = bench(url, args)
    results = [within_ratio("close", closing, base, FLOOR_RATIO)]
    if label == "PostgreSQL":
        results.append(closing.median < POSTGRESQL_SECONDS)
        print(
            f"  {'PASS' if results[-1] else 'FAIL'}  close takes {closing.median:.2f} s "
            f"(target: under {POSTGRESQL_SECONDS:g} s on PostgreSQL)"
        )
    return lines, results


if __name__ == "__main__":
    main(__doc__, "close round", run)

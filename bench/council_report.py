"""How long a council's annual report takes, against one hand-written aggregate over the same rows.

    .venv/bin/python bench/council_report.py [--coops 50] [--households 20] [--rounds 52]
        [--lines 20] [--repeat 5] [--database-url postgresql://postgres@127.0.0.1:5432/test]
        [--sqlite-only] [--postgresql-only] [--explain] [--keep] [--reuse URL] [--check]

Seeds a city-scale year for one council: 50 co-ops of 20 households each
(1,000 households), 52 weekly settled rounds per co-op over the financial
year, each household collecting in about nine rounds in ten and taking
about 20 items (a bill line each): about a million order lines, with the
round's settlement in the ledger (household, supplier and council-support
postings), household facts with postcodes in a synthetic directory and IMD
deciles, volunteer hours and support records, all written in bulk. Then it
times, taking turns on the same database:

- the floor: one hand-written SELECT of member spend and active households
  by month over the same rows (the year's settled rounds' goods lines);
- `coop.services.council_reports.report.council_report` for the financial
  year, every table of the report.

Runs on a scratch SQLite file, and on a scratch PostgreSQL database beside
``--database-url`` (or ``COOP_TEST_DATABASE_URL``) when one is given. The
targets, on PostgreSQL: the report within 3x of the floor and under 1
second. Each is printed PASS or FAIL; with ``--check`` a FAIL makes the exit
status 1. SQLite's figures are for information.

Seeding takes most of a run (about a minute on PostgreSQL). While working on
the report, ``--keep`` leaves each scratch database in place and prints its
URL, and ``--reuse URL`` times the report again on such a database without
seeding it (run with the same sizes; indexes the models gained since are
created first). What is timed is the same either way.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from _common import (
    Line,
    bench_app,
    print_report,
    scratch_database,
    taking_turns,
    targets,
    time_once,
    within_ratio,
)
from sqlalchemy import func, insert, select, text
from sqlalchemy import inspect as sa_inspect

from coop.domain.household import Fact
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    BillLine,
    BillLineKind,
    Coop,
    CoopCouncilLink,
    Council,
    HouseholdFact,
    ImdDecile,
    ImdEdition,
    LedgerTransaction,
    Membership,
    Postcode,
    PostcodeEdition,
    Posting,
    Product,
    Round,
    RoundItem,
    RoundSupplier,
    Supplier,
    SupplierKind,
    SupportKind,
    SupportRecord,
    SupportStatus,
    TransactionKind,
    User,
    VolunteerEntry,
    VolunteerTask,
)
from coop.models.bulk import bulk_insert
from coop.services.council_reports.period import financial_year
from coop.services.council_reports.report import council_report

FLOOR_RATIO = 3.0
POSTGRESQL_SECONDS = 1.0
YEAR = 2025  # the financial year April 2025 to March 2026
LAD = "E06000001"
BILL_COLUMNS = (
    "round_id",
    "membership_id",
    "transaction_id",
    "kind",
    "round_item_id",
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


@dataclass(frozen=True)
class World:
    council: Council
    coop_ids: list[int]
    rounds: int
    lines: int


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _ids(query) -> list[int]:
    return list(db.session.scalars(query))


def build(coops: int, households: int, rounds: int, per_household: int, seed: int = 8) -> World:
    """Write the council's year in bulk: co-ops, households, settled rounds, bills and ledger."""
    pick = random.Random(seed)
    session = db.session
    council = Council(name="Bench City Council", gss_code=LAD, valid_from=date(2009, 4, 1))
    directory = PostcodeEdition(name="NSPL bench", lsoa_vintage=2021, active=True)
    imd = ImdEdition(year=2025, lsoa_vintage=2021, active=True)
    session.add_all([council, directory, imd])
    session.flush()
    postcodes = [
        f"BE{n // 100 + 1}{n % 10}{chr(65 + n // 10 % 10)}{chr(65 + n % 7)}" for n in range(300)
    ]
    session.execute(
        insert(Postcode),
        [
            {
                "edition_id": directory.id,
                "postcode": code,
                "ward": f"E05{n % 30:06d}",
                "lsoa": f"E01{n % 120:06d}",
                "lad": LAD,
            }
            for n, code in enumerate(postcodes)
        ],
    )
    session.execute(
        insert(ImdDecile),
        [{"edition_id": imd.id, "lsoa": f"E01{n:06d}", "decile": n % 10 + 1} for n in range(120)],
    )

    session.execute(
        insert(Coop),
        [
            {"name": f"Bench Co-op {n}", "slug": f"bench-{n}", "pickup_address": "Hall"}
            for n in range(coops)
        ],
    )
    coop_ids = _ids(select(Coop.id).order_by(Coop.id))
    session.execute(
        insert(CoopCouncilLink),
        [{"coop_id": c, "council_id": council.id, "starts_on": date(2024, 1, 1)} for c in coop_ids],
    )
    session.execute(
        insert(Supplier),
        [
            {"coop_id": c, "name": name, "kind": kind, "is_local": local}
            for c in coop_ids
            for name, kind, local in (
                ("Wholesale", SupplierKind.WHOLESALER, False),
                ("Farm", SupplierKind.WHOLESALER, True),
                ("Surplus", SupplierKind.SURPLUS, False),
            )
        ],
    )
    suppliers: dict[int, list[int]] = {}
    for supplier_id, coop_id in session.execute(
        select(Supplier.id, Supplier.coop_id).order_by(Supplier.id)
    ):
        suppliers.setdefault(coop_id, []).append(supplier_id)

    joined = _at(date(YEAR - 1, 9, 1))
    session.execute(
        insert(User),
        [
            {"email": f"h{c}.{n}@example.org", "name": f"Household {n}", "password_hash": "-"}
            for c in range(coops)
            for n in range(households)
        ],
    )
    user_ids = _ids(select(User.id).order_by(User.id))
    session.execute(
        insert(Membership),
        [
            {
                "coop_id": coop_ids[n // households],
                "user_id": user_id,
                "status": MembershipStatus.ACTIVE,
                "joined_at": joined,
            }
            for n, user_id in enumerate(user_ids)
        ],
    )
    members: dict[int, list[int]] = {}
    for membership_id, coop_id in session.execute(
        select(Membership.id, Membership.coop_id).order_by(Membership.id)
    ):
        members.setdefault(coop_id, []).append(membership_id)
    facts: list[tuple[int, Fact, int | None, str | None]] = []
    for ids in members.values():
        for membership_id in ids:
            if pick.random() < 0.9:
                facts.append((membership_id, Fact.HOUSEHOLD_SIZE, pick.randint(1, 6), None))
            if pick.random() < 0.7:
                facts.append((membership_id, Fact.POSTCODE, None, pick.choice(postcodes)))
            if pick.random() < 0.4:
                facts.append((membership_id, Fact.CHILDREN_UNDER_18, pick.randint(0, 3), None))
            if pick.random() < 0.2:
                facts.append((membership_id, Fact.PENSION_AGE, 1, None))
    session.execute(
        insert(HouseholdFact),
        [
            {
                "membership_id": m,
                "fact": f,
                "number": number,
                "postcode": code,
                "consent_version": 1,
            }
            for m, f, number, code in facts
        ],
    )
    session.execute(
        insert(Account),
        [
            {"coop_id": c, "kind": AccountKind.HOUSEHOLD, "membership_id": m}
            for c, ids in members.items()
            for m in ids
        ]
        + [
            {"coop_id": c, "kind": AccountKind.SUPPLIER, "supplier_id": s}
            for c, ids in suppliers.items()
            for s in ids
        ]
        + [{"coop_id": c, "kind": AccountKind.COUNCIL_SUPPORT} for c in coop_ids],
    )
    accounts: dict[tuple[int, str, int | None], int] = {}
    for account_id, coop_id, kind, whose_membership, whose_supplier in session.execute(
        select(
            Account.id, Account.coop_id, Account.kind, Account.membership_id, Account.supplier_id
        )
    ):
        accounts[coop_id, kind, whose_membership or whose_supplier] = account_id

    # Products: 20 items a co-op, most from the wholesaler, some from the farm, two surplus.
    session.execute(
        insert(Product),
        [
            {
                "supplier_id": suppliers[c][0 if n < 14 else 1 if n < 18 else 2],
                "code": f"P{n:03d}",
                "name": f"Staple {n}",
                "case_size": 1,
                "case_price_pence": 80 + 17 * n,
                "reference_price_pence": 110 + 23 * n,
                "reference_price_date": date(YEAR, 4, 1),
                "reference_price_source": "Supermarket website",
            }
            for c in coop_ids
            for n in range(per_household)
        ],
    )
    products: dict[int, list[tuple[int, int, int, int]]] = {}
    for product_id, supplier_id, coop_id, price, reference in session.execute(
        select(
            Product.id,
            Product.supplier_id,
            Supplier.coop_id,
            Product.case_price_pence,
            Product.reference_price_pence,
        )
        .join(Supplier, Supplier.id == Product.supplier_id)
        .order_by(Product.id)
    ):
        products.setdefault(coop_id, []).append((product_id, supplier_id, price, reference or 0))

    first = date(YEAR, 4, 2)
    session.execute(
        insert(Round),
        [
            {
                "coop_id": c,
                "title": f"Week {w + 1}",
                "state": RoundState.SETTLED,
                "opens_at": _at(first + timedelta(weeks=w, days=-7)),
                "closes_at": _at(first + timedelta(weeks=w, days=-2)),
                "pickup_at": _at(first + timedelta(weeks=w), 10 + c % 8),
                "settled_at": _at(first + timedelta(weeks=w, days=1)),
            }
            for c in coop_ids
            for w in range(rounds)
        ],
    )
    round_rows = list(session.execute(select(Round.id, Round.coop_id).order_by(Round.id)))
    session.execute(
        insert(RoundSupplier),
        [{"round_id": r, "supplier_id": s} for r, c in round_rows for s in suppliers[c]],
    )
    round_suppliers = {
        (r, s): rs
        for rs, r, s in session.execute(
            select(RoundSupplier.id, RoundSupplier.round_id, RoundSupplier.supplier_id)
        )
    }
    session.execute(
        insert(RoundItem),
        [
            {
                "round_id": r,
                "round_supplier_id": round_suppliers[r, s],
                "product_id": p,
                "code": f"P{n:03d}",
                "name": f"Staple {n}",
                "case_price_pence": price,
                "reference_price_pence": reference,
                "cases_ordered": households,
                "units_received": households,
            }
            for r, c in round_rows
            for n, (p, s, price, reference) in enumerate(products[c])
        ],
    )
    items: dict[int, list[int]] = {}
    for item_id, round_id in session.execute(
        select(RoundItem.id, RoundItem.round_id).order_by(RoundItem.id)
    ):
        items.setdefault(round_id, []).append(item_id)
    session.execute(
        insert(LedgerTransaction),
        [
            {
                "coop_id": c,
                "kind": TransactionKind.SETTLEMENT,
                "memo": "Round settled",
                "round_id": r,
            }
            for r, c in round_rows
        ],
    )
    transactions = dict(
        session.execute(select(LedgerTransaction.round_id, LedgerTransaction.id)).all()
    )

    bills: list[tuple[object, ...]] = []
    postings: list[tuple[object, ...]] = []
    for round_id, coop_id in round_rows:
        transaction = transactions[round_id]
        to_suppliers: dict[int, int] = {}
        subsidy = 0
        for membership_id in members[coop_id]:
            if pick.random() < 0.1:  # missed this week
                continue
            charged = 0
            for item_id, (_, supplier_id, price, reference) in zip(
                items[round_id], products[coop_id], strict=True
            ):
                units = pick.choice((0, 1, 1, 1, 2, 2, 3))
                amount = units * price
                bills.append(
                    (
                        round_id,
                        membership_id,
                        transaction,
                        BillLineKind.GOODS,
                        item_id,
                        supplier_id,
                        "",
                        units,
                        amount,
                        0,
                        0,
                        0,
                        amount,
                        units * reference,
                    )
                )
                to_suppliers[supplier_id] = to_suppliers.get(supplier_id, 0) + amount
                charged += amount
            off = charged // 10 if coop_id % 3 == 0 else 0  # a council subsidy of 10%
            subsidy += off
            if charged - off:
                postings.append(
                    (transaction, accounts[coop_id, "household", membership_id], off - charged, "")
                )
        for supplier_id, amount in to_suppliers.items():
            if amount:
                postings.append(
                    (transaction, accounts[coop_id, "supplier", supplier_id], amount, "")
                )
        if subsidy:
            postings.append((transaction, accounts[coop_id, "council_support", None], -subsidy, ""))
    connection = session.connection()
    for start in range(0, len(bills), 200_000):
        bulk_insert(connection, BillLine, BILL_COLUMNS, bills[start : start + 200_000])
    bulk_insert(
        connection, Posting, ("transaction_id", "account_id", "amount_pence", "memo"), postings
    )

    session.execute(insert(VolunteerTask), [{"coop_id": c, "name": "Packing"} for c in coop_ids])
    tasks = dict(session.execute(select(VolunteerTask.coop_id, VolunteerTask.id)).all())
    session.execute(
        insert(VolunteerEntry),
        [
            {
                "coop_id": c,
                "membership_id": m,
                "task_id": tasks[c],
                "worked_on": first + timedelta(weeks=w),
                "minutes": pick.choice((60, 90, 120, 180)),
            }
            for c in coop_ids
            for w in range(rounds)
            for m in pick.sample(members[c], min(3, len(members[c])))
        ],
    )
    session.execute(
        insert(SupportRecord),
        [
            {
                "council_id": council.id,
                "coop_id": c,
                "programme": "Household Support Fund",
                "kind": kind,
                "value_pence": value,
                "awarded_on": date(YEAR, 5, 1),
                "status": SupportStatus.ACTIVE,
            }
            for c in coop_ids
            for kind, value in ((SupportKind.GRANT, 250_000), (SupportKind.PREMISES, 120_000))
        ],
    )
    session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
    return World(council, coop_ids, len(round_rows), len(bills))


def floor_sql(dialect: str) -> str:
    """One aggregate over the year's goods lines: member spend and active households by month."""
    month = (
        "to_char(r.pickup_at, 'YYYY-MM')"
        if dialect == "postgresql"
        else "strftime('%Y-%m', r.pickup_at)"
    )
    return f"""
        SELECT {month} AS month, count(DISTINCT b.membership_id) AS households,
               sum(b.amount_pence) AS spend_pence, sum(b.reference_pence) AS reference_pence
        FROM bill_lines b JOIN rounds r ON r.id = b.round_id
        WHERE r.state = 'settled' AND r.pickup_at >= :start AND r.pickup_at < :end
          AND b.kind = 'goods'
        GROUP BY {month} ORDER BY month
    """


def floor(world: World) -> int:
    period = financial_year(starting=YEAR)
    rows = db.session.execute(
        text(floor_sql(db.engine.dialect.name)),
        {"start": _at(period.start, 0), "end": _at(period.after_end, 0)},
    ).all()
    db.session.rollback()
    return len(rows)


def report(world: World) -> int:
    result = council_report(council=world.council, period=financial_year(starting=YEAR))
    db.session.rollback()
    return len(result.tables)


def explain(world: World) -> None:
    """Print each of the report's queries' time, slowest first, with the plan of the slowest.

    The queries that fill the report's temporary tables are timed creating them.
    """
    from coop.services.council_reports.report import (
        SCRATCH,
        report_queries,
        scratch_tables,
        usable_imd,
    )
    from coop.services.council_reports.scope import report_scope
    from coop.services.council_reports.sql import CreateScratch, DropScratch

    scope = report_scope(council=world.council, period=financial_year(starting=YEAR))
    queries = report_queries(scope, usable_imd())
    spent: dict[str, float] = {}
    for name, table in SCRATCH.items():
        start = time.perf_counter()
        db.session.execute(CreateScratch(table, queries[name]))
        spent[name] = time.perf_counter() - start
        db.session.execute(DropScratch(table))
    with scratch_tables(queries):
        for name, query in queries.items():
            if name in SCRATCH:
                continue
            start = time.perf_counter()
            db.session.execute(query).all()
            spent[name] = time.perf_counter() - start
        for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {seconds * 1000:8.1f} ms  {name}")
        if db.engine.dialect.name == "postgresql":
            for name in sorted(spent, key=lambda n: -spent[n])[:4]:
                compiled = queries[name].compile(db.engine, compile_kwargs={"literal_binds": True})
                plan = db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars()
                print(f"\n  {name}:\n    " + "\n    ".join(plan))
    db.session.rollback()


def seeded() -> World:
    """Return the world an earlier run seeded and kept, after creating any index it lacks."""
    created = False
    for table in db.metadata.sorted_tables:
        present = {index["name"] for index in sa_inspect(db.engine).get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                index.create(db.engine)
                created = True
    if created and db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("ANALYZE")
    council = db.session.scalars(select(Council).where(Council.gss_code == LAD)).one()
    coop_ids = _ids(select(Coop.id).order_by(Coop.id))
    rounds = db.session.scalar(select(func.count(Round.id))) or 0
    lines = db.session.scalar(select(func.count(BillLine.id))) or 0
    return World(council, coop_ids, rounds, lines)


def bench(
    label: str, url: str, args: argparse.Namespace, *, reuse: bool = False
) -> tuple[list[Line], list[bool]]:
    app = bench_app(url)
    with app.app_context():
        if reuse:
            world = seeded()
            print(f"  reusing {world.rounds:,} rounds, {world.lines:,} order lines", flush=True)
        else:
            built, world = time_once(
                lambda: build(args.coops, args.households, args.rounds, args.lines)
            )
            print(
                f"  built {args.coops} co-ops of {args.households} households, "
                f"{world.rounds:,} settled rounds, {world.lines:,} order lines "
                f"in {built.median:.1f} s",
                flush=True,
            )
        council = db.session.get(Council, world.council.id)
        assert council is not None
        world = World(council, world.coop_ids, world.rounds, world.lines)
        actions = {"floor": lambda: floor(world), "report": lambda: report(world)}
        taking_turns(actions, lambda _: None, 1)  # warm the caches, as a running server has them
        runs = taking_turns(actions, lambda _: None, args.repeat)
        (base, months), (timing, tables) = runs["floor"], runs["report"]
        if args.explain:
            explain(world)
        if not months or not tables:
            sys.exit(f"the floor found {months} months and the report {tables} tables")
        db.session.remove()
        db.engine.dispose()
    lines = [
        Line(f"floor: spend and households by month, {world.lines:,} lines", base),
        Line(f"annual report ({tables} tables)", timing, base, "floor"),
    ]
    print_report(label, lines)
    results = [within_ratio("report", timing, base, FLOOR_RATIO)]
    if label == "PostgreSQL":
        results.append(timing.median < POSTGRESQL_SECONDS)
        print(
            f"  {'PASS' if results[-1] else 'FAIL'}  the report takes {timing.median:.2f} s "
            f"(target: under {POSTGRESQL_SECONDS:g} s on PostgreSQL)"
        )
    else:
        results = []  # SQLite's figures are for information
    return lines, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coops", type=int, default=50)
    parser.add_argument("--households", type=int, default=20, help="households a co-op")
    parser.add_argument("--rounds", type=int, default=52, help="weekly rounds a co-op")
    parser.add_argument("--lines", type=int, default=20, help="items each household takes")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", help="a PostgreSQL server database to work beside")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgresql-only", action="store_true")
    parser.add_argument("--explain", action="store_true", help="time each query of the report")
    parser.add_argument("--keep", action="store_true", help="leave the scratch databases")
    parser.add_argument("--reuse", metavar="URL", help="time on a database --keep left")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    print(f"coop council report, {date.today().isoformat()}")
    passed: list[bool] = []
    if args.reuse:
        label = "SQLite" if args.reuse.startswith("sqlite") else "PostgreSQL"
        print(f"\n{label}: reusing {args.reuse}", flush=True)
        _, results = bench(label, args.reuse, args, reuse=True)
        passed += results
    for label, server in (
        [] if args.reuse else targets(args.database_url, sqlite_only=args.sqlite_only)
    ):
        if args.postgresql_only and label == "SQLite":
            continue
        print(f"\n{label}: building...", flush=True)
        with scratch_database(server, keep=args.keep) as url:
            _, results = bench(label, url, args)
        passed += results
    if args.check and not all(passed):
        sys.exit(1)


if __name__ == "__main__":
    main()

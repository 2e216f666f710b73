"""The statement and bill pages issue a fixed number of SQL queries, however long the history."""

from __future__ import annotations

from coop.models import SplitBasis
from money.statement_support import add_cost, add_subsidy, pay, settle


def settled_rounds(rounds, count: int, products: int = 2):  # type: ignore[no-untyped-def]
    """Settle *count* rounds in which every household orders *products* items, paying after each."""
    made = []
    for n in range(count):
        items = [
            rounds.product(case_size=2, case_price_pence=400 + n, reference_price_pence=250)
            for _ in range(products)
        ]
        round_ = rounds.round(*items, title=f"Round {n}")
        for household in rounds.households:
            for item in items:
                rounds.ask(round_, item, household, 1)
        add_cost(round_, "Hall hire", 400, SplitBasis.EQUAL)
        add_cost(round_, "Delivery", 301, SplitBasis.BY_VALUE, supplier=rounds.supplier)
        made.append(settle(round_))
        pay(rounds.households[0], 500)
    return made


def queries_for(client, count_queries, url: str) -> int:  # type: ignore[no-untyped-def]
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_the_statement_takes_the_same_queries_for_one_round_or_many(
    rounds, client, auth, count_queries
):
    auth.login_as(rounds.households[0].user)
    settled_rounds(rounds, 1)
    few = queries_for(client, count_queries, "/coops/fishwick/statement")

    settled_rounds(rounds, 4)
    oats = rounds.product()
    open_ = rounds.round(oats, title="Open now")
    rounds.ask(open_, oats, rounds.households[0], 1)
    many = queries_for(client, count_queries, "/coops/fishwick/statement")

    assert many == few


def test_a_bill_takes_the_same_queries_for_few_lines_or_many(
    rounds, factory, client, auth, count_queries
):
    auth.login_as(rounds.households[0].user)
    (small,) = settled_rounds(rounds, 1, products=1)
    few = queries_for(client, count_queries, f"/coops/fishwick/rounds/{small.id}/bill")

    items = [rounds.product(case_size=1, case_price_pence=100 + n) for n in range(8)]
    big = rounds.round(*items)
    for item in items:
        rounds.ask(big, item, rounds.households[0], 2)
    delivery = add_cost(big, "Delivery", 999, SplitBasis.BY_UNITS, supplier=rounds.supplier)
    add_cost(big, "Hall hire", 500, SplitBasis.EQUAL)
    add_subsidy(big, factory, cost=delivery)
    add_subsidy(big, factory, percent_bp=500)
    settle(big)
    many = queries_for(client, count_queries, f"/coops/fishwick/rounds/{big.id}/bill")

    assert many == few


def test_the_round_bills_take_the_same_queries_for_few_households_or_many(
    rounds, client, auth, count_queries
):
    auth.login_as(rounds.coordinator)
    (first,) = settled_rounds(rounds, 1)
    few = queries_for(client, count_queries, f"/coops/fishwick/admin/rounds/{first.id}/bills")

    rounds.households.extend(rounds.factory.membership(coop=rounds.coop) for _ in range(8))
    (second,) = settled_rounds(rounds, 1)
    many = queries_for(client, count_queries, f"/coops/fishwick/admin/rounds/{second.id}/bills")

    assert many == few

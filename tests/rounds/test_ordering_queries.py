"""The ordering page issues the same number of SQL queries however big the round is."""

from __future__ import annotations

from rounds.ordering_support import order_url, place


def order_round(rounds, items: int, households: int):
    products = [rounds.product(category=f"Aisle {n % 5}", tag_bits=n % 4) for n in range(items)]
    round_ = rounds.round(*products)
    for n, household in enumerate(rounds.households[:households]):
        for product in products[n % 2 :: 2] if n else products:
            place(rounds, round_, product, household, 1 + n, n % 2)
    return round_


def queries_for(client, count_queries, path: str) -> int:
    client.get(path)  # the first request of a session may load more
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


def test_the_ordering_page_runs_a_fixed_number_of_queries(rounds, client, auth, count_queries):
    small = order_round(rounds, items=3, households=2)
    large = order_round(rounds, items=40, households=4)
    auth.login_as(rounds.households[0].user)

    for args in ("", "?q=item&tag=vegan&mine=y"):
        few = queries_for(client, count_queries, order_url(small) + args)
        many = queries_for(client, count_queries, order_url(large) + args)
        print(f"ordering page{args}: {few} queries for 3 items, {many} for 40 items")
        assert few == many


def test_the_case_indicators_run_a_fixed_number_of_queries(rounds, client, auth, count_queries):
    small = order_round(rounds, items=3, households=2)
    large = order_round(rounds, items=40, households=4)
    auth.login_as(rounds.households[0].user)

    few = queries_for(client, count_queries, order_url(small, "cases.json"))
    many = queries_for(client, count_queries, order_url(large, "cases.json"))

    print(f"cases.json: {few} queries for 3 items, {many} for 40 items")
    assert few == many

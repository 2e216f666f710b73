"""What falls due on a support record, and how a subsidy's fund caps what settlement pays."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from coop.domain import settlement as rules
from coop.domain.permissions import (
    Viewer,
    can_keep_support,
    can_propose_support,
    may_support_coop,
)
from coop.domain.roles import Role
from coop.domain.support import (
    ACKNOWLEDGEMENT,
    MONITORING,
    PERIOD_END,
    SPEND_BY,
    UNDERSPEND,
    add_months,
    due_items,
)

TODAY = date(2027, 1, 10)


def test_dates_within_the_window_are_due_soonest_first_and_later_ones_are_not():
    due = due_items(
        spend_by=date(2027, 2, 1),
        monitoring_next_due=date(2027, 1, 5),
        period_end=date(2027, 6, 30),
        today=TODAY,
    )

    assert [(item.what, item.due_on) for item in due] == [
        (MONITORING, date(2027, 1, 5)),
        (SPEND_BY, date(2027, 2, 1)),
    ]
    assert due[0].overdue(TODAY) and not due[1].overdue(TODAY)


def test_a_record_without_dates_has_nothing_due():
    assert due_items(spend_by=None, monitoring_next_due=None, period_end=None, today=TODAY) == []


def test_the_end_of_the_period_is_due_too():
    (item,) = due_items(
        spend_by=None, monitoring_next_due=None, period_end=date(2027, 1, 31), today=TODAY
    )
    assert item.what == PERIOD_END and item.label == "Period ends"


def test_months_move_on_to_the_last_day_of_a_shorter_month():
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 31), 12) == date(2027, 1, 31)


def line(item: int, households: dict[int, int]) -> rules.Line:
    return rules.Line(
        item=item,
        supplier=1,
        case_price_pence=1200,
        case_size=6,
        vat_bp=0,
        units_received=6,
        shares=households,
    )


def test_subsidies_drawing_on_one_fund_pay_no_more_than_is_left_of_it():
    result = rules.settle(
        [line(1, {10: 3, 11: 3})],
        subsidies=[
            rules.Subsidy(1, percent_bp=5000, fund=7),
            rules.Subsidy(2, percent_bp=5000, fund=7),
        ],
        budgets={7: 500},
    )

    assert result.subsidy_pence == 500
    assert sum(result.household_totals().values()) == 1200 - 500


def test_a_fund_with_nothing_left_pays_nothing():
    result = rules.settle(
        [line(1, {10: 6})], subsidies=[rules.Subsidy(1, percent_bp=1000, fund=7)], budgets={}
    )

    assert result.subsidy_pence == 0 and result.subsidies == []


@given(left=st.integers(min_value=0, max_value=5000), percent=st.integers(0, 10_000))
def test_a_fund_never_pays_beyond_what_is_left(left, percent):
    result = rules.settle(
        [line(1, {10: 2, 11: 4})],
        subsidies=[rules.Subsidy(1, percent_bp=percent, fund=3)],
        budgets={3: left},
    )

    assert result.subsidy_pence <= left
    assert result.subsidy_pence == min(left, (1200 * percent + 5000) // 10_000)  # half up


def test_officers_keep_their_own_councils_records_and_coordinators_propose():
    officer = Viewer(user_id=1, council_ids=frozenset({4}))
    coordinator = Viewer(user_id=2, coop_roles={9: Role.COORDINATOR})
    treasurer = Viewer(user_id=3, coop_roles={9: Role.TREASURER})

    assert can_keep_support(officer, 4) and not can_keep_support(officer, 5)
    assert can_propose_support(coordinator, 9)
    assert not can_propose_support(treasurer, 9) and not can_propose_support(officer, 9)
    assert may_support_coop(council_id=4, coop_council_ids=frozenset({3, 4}))
    assert not may_support_coop(council_id=4, coop_council_ids=frozenset({3}))


def test_condition_flags_add_what_they_ask_for_to_what_is_due():
    due = due_items(
        spend_by=date(2027, 1, 31),
        monitoring_next_due=None,
        period_end=None,
        today=TODAY,
        underspend_returnable=True,
        acknowledgement_from=date(2026, 12, 20),
    )

    assert [(item.what, item.due_on) for item in due] == [
        (ACKNOWLEDGEMENT, date(2027, 1, 19)),  # a month into the period
        (SPEND_BY, date(2027, 1, 31)),
        (UNDERSPEND, date(2027, 1, 31)),
    ]

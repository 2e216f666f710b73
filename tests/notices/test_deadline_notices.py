"""Before a round closes, households that have not ordered, or are in an unfilled case, hear."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from coop.domain.notifications import NotificationKind
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import Round
from coop.models.types import utcnow
from coop.services import notices
from coop.services.notices.deadlines import deadline_near
from coop.services.rounds.closing import close_round

ABOUT = "closes"
UNSUBSCRIBE = re.compile(r"Stop \"[^\"]+\" emails: (\S+)")


def closing_soon(round_: Round, hours: int = 12) -> Round:
    """Move the round's deadline to *hours* from now, as if it had opened days ago."""
    round_.closes_at = utcnow() + timedelta(hours=hours)
    round_.opened_at = utcnow() - timedelta(days=3)
    db.session.commit()
    return round_


def reminded(mailbox) -> list[str]:
    return sorted(m["To"] for m in mailbox.messages if ABOUT in m["Subject"])


def everyone(rounds) -> list[str]:
    return sorted(
        [rounds.coordinator.email, *(household.user.email for household in rounds.households)]
    )


def test_households_that_have_not_ordered_hear_the_deadline_once(rounds, mailbox, runner):
    oats = rounds.product(name="Porridge oats")
    round_ = closing_soon(rounds.round(oats, title="December order"))
    ordered = rounds.households[0]
    rounds.ask(round_, oats, ordered, 6)  # a whole case: nothing to be told

    first = runner.invoke(args=["tick"])
    second = runner.invoke(args=["tick"])

    assert first.exit_code == 0, first.output
    assert (
        first.output == f"Round {round_.id}: 4 household(s) reminded that the deadline is near.\n"
    )
    assert reminded(mailbox) == [e for e in everyone(rounds) if e != ordered.user.email]
    message = mailbox.to(rounds.households[1].user.email, ABOUT)[0]
    body = mailbox.body(message)
    assert "December order" in message["Subject"]
    assert "has not ordered anything yet" in body
    assert f"/rounds/{round_.id}" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (second.exit_code, second.output) == (0, "")
    assert len(reminded(mailbox)) == 4


def test_a_household_in_a_case_that_still_needs_units_hears_which_and_how_many(
    rounds, mailbox, runner
):
    oats = rounds.product(name="Porridge oats", case_size=6)
    rice = rounds.product(name="Brown rice", case_size=6)
    round_ = closing_soon(rounds.round(oats, rice))
    full, first, second, late = rounds.households[:4]
    rounds.ask(round_, oats, full, 6)  # fills the first case of oats
    rounds.ask(round_, oats, first, 3)  # the second case: 3 of 6
    rounds.ask(round_, rice, second, 2)
    rounds.ask(round_, rice, late, 2)  # rice: 4 of 6

    runner.invoke(args=["tick"])

    assert full.user.email not in reminded(mailbox)
    oats_body = mailbox.body(mailbox.to(first.user.email, ABOUT)[0])
    assert "Porridge oats: the case still needs 3 more; 3 x 500 g bag of yours wait on it" in (
        oats_body
    )
    assert "Brown rice" not in oats_body
    assert "Extra to help fill a case" in oats_body
    rice_body = mailbox.body(mailbox.to(late.user.email, ABOUT)[0])
    assert "Brown rice: the case still needs 2 more; 2 x 500 g bag of yours wait on it" in rice_body
    assert "not ordered anything" not in rice_body
    assert second.user.email in reminded(mailbox)


def test_a_case_that_extras_fill_or_the_threshold_orders_tells_nobody(rounds, mailbox, runner):
    oats = rounds.product(name="Porridge oats", case_size=6)
    round_ = closing_soon(rounds.round(oats))
    households = rounds.households
    rounds.ask(round_, oats, households[0], 4)
    rounds.ask(round_, oats, households[1], 0, tolerance=2)  # extras fill the case
    rounds.ask(round_, oats, households[2], 0, tolerance=1)
    rounds.ask(round_, oats, households[3], 1)

    runner.invoke(args=["tick"])

    # Only the coordinator's household has not ordered.
    assert reminded(mailbox) == [rounds.coordinator.email]


def test_a_household_that_falls_short_later_in_the_window_is_told_then_once(
    rounds, mailbox, runner
):
    oats = rounds.product(name="Porridge oats", case_size=6)
    round_ = closing_soon(rounds.round(oats))
    staying, leaving = rounds.households[:2]
    rounds.ask(round_, oats, staying, 3)
    request = rounds.ask(round_, oats, leaving, 3)
    runner.invoke(args=["tick"])
    assert staying.user.email not in reminded(mailbox)

    db.session.delete(request)  # the other household drops its order: the case is half full
    db.session.commit()
    again = runner.invoke(args=["tick"])
    runner.invoke(args=["tick"])

    # The one left in a half-full case, and the one that now has nothing ordered.
    assert (
        again.output == f"Round {round_.id}: 2 household(s) reminded that the deadline is near.\n"
    )
    assert "the case still needs 3 more" in mailbox.body(mailbox.to(staying.user.email, ABOUT)[0])
    assert "not ordered anything" in mailbox.body(mailbox.to(leaving.user.email, ABOUT)[0])
    assert len(mailbox.to(staying.user.email, ABOUT)) == 1
    assert len(mailbox.to(leaving.user.email, ABOUT)) == 1


def test_no_reminder_before_the_window_without_the_setting_or_for_a_round_opened_inside_it(
    rounds, mailbox, runner
):
    oats = rounds.product()
    later = rounds.round(oats, title="Later")  # closes in two days: not yet
    opened_late = rounds.round(
        oats, title="Short", closes_at=utcnow() + timedelta(hours=6)
    )  # opened now, 6 hours before closing: its opening gave the deadline
    assert opened_late.opened_at is not None

    assert runner.invoke(args=["tick"]).output == ""

    closing_soon(later)
    rounds.coop.deadline_reminder_hours = None
    db.session.commit()
    assert runner.invoke(args=["tick"]).output == ""
    assert reminded(mailbox) == []

    rounds.coop.deadline_reminder_hours = 48
    db.session.commit()
    assert runner.invoke(args=["tick"]).output == (
        f"Round {later.id}: 5 household(s) reminded that the deadline is near.\n"
    )
    assert reminded(mailbox) == everyone(rounds)


def test_households_that_left_or_are_pending_hear_nothing(rounds, mailbox, runner, factory):
    round_ = closing_soon(rounds.round(rounds.product()))
    gone = rounds.households[0]
    gone.status = MembershipStatus.LEFT
    waiting = factory.membership(coop=rounds.coop, status=MembershipStatus.PENDING)
    db.session.commit()

    runner.invoke(args=["tick"])

    assert gone.user.email not in reminded(mailbox)
    assert waiting.user.email not in reminded(mailbox)
    assert len(reminded(mailbox)) == 4
    assert round_.state is RoundState.OPEN


def test_unsubscribing_from_the_deadline_reminder_stops_it_and_no_other_kind(
    rounds, mailbox, runner, client
):
    household = rounds.households[0]
    closing_soon(rounds.round(rounds.product(), title="First"))
    runner.invoke(args=["tick"])
    found = UNSUBSCRIBE.search(mailbox.body(mailbox.to(household.user.email, ABOUT)[0]))
    assert found
    assert client.post(urlsplit(found.group(1)).path).status_code == 200
    mailbox.messages.clear()

    closing_soon(rounds.round(rounds.product(), title="Second", notify=True))
    runner.invoke(args=["tick"])

    assert household.user.email not in reminded(mailbox)
    assert rounds.households[1].user.email in reminded(mailbox)
    # The opening notice of the second round still came, and every other kind is still on.
    assert mailbox.to(household.user.email, "is open for orders")
    assert notices.choices(membership=household) == frozenset(NotificationKind) - {
        NotificationKind.DEADLINE_NEAR
    }


def test_a_job_for_a_round_that_is_gone_closed_or_not_due_is_a_logged_no_op(
    rounds, mailbox, caplog
):
    oats = rounds.product()
    closed = closing_soon(rounds.round(oats))
    rounds.ask(closed, oats, rounds.households[0], 6)
    close_round(round_id=closed.id, by=rounds.coordinator)
    db.session.commit()
    mailbox.messages.clear()
    not_yet = rounds.round(oats)

    assert deadline_near(round_id=987654) == 0
    assert deadline_near(round_id=closed.id) == 0
    assert deadline_near(round_id=not_yet.id) == 0
    db.session.commit()

    assert mailbox.messages == []
    assert "round 987654 no longer exists" in caplog.text
    assert f"round {closed.id} is no longer taking orders" in caplog.text
    assert f"round {not_yet.id} has no reminder due now" in caplog.text

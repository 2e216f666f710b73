"""Volunteer hours: members log their own, coordinators anyone's, on the co-op's own tasks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from support import count_rows, text

from coop.extensions import db
from coop.models import VolunteerEntry, VolunteerTask
from members.support import membership


def _log(client, **data):  # type: ignore[no-untyped-def]
    form = {"task": "Packing", "worked_on": date.today().isoformat(), "time": "1.5", **data}
    return client.post("/coops/fishwick/volunteering", data=form, follow_redirects=True)


def test_a_member_logs_their_own_time_and_sees_the_months_total(client, auth, two_coops):
    auth.login_as(two_coops.member)

    page = text(client.get("/coops/fishwick/volunteering"))
    for task in ("Packing", "Driving", "Ordering", "Treasurer"):
        assert f'<option value="{task}">' in page or f'value="{task}"' in page
    response = _log(client, task="Driving", time="1:30")
    _log(client, task="Packing", time="45m")

    page = text(response := client.get("/coops/fishwick/volunteering"))
    assert response.status_code == 200
    assert "2 h 15 min" in page
    (entry, _) = db.session.scalars(select(VolunteerEntry).order_by(VolunteerEntry.id)).all()
    assert (entry.task.name, entry.minutes) == ("Driving", 90)
    assert entry.membership_id == membership(two_coops.coop, two_coops.member).id


def test_a_member_cannot_log_time_for_another_household(client, auth, two_coops):
    auth.login_as(two_coops.member)
    other = membership(two_coops.coop, two_coops.treasurer)

    _log(client, household=str(other.id))

    (entry,) = db.session.scalars(select(VolunteerEntry)).all()
    assert entry.membership_id == membership(two_coops.coop, two_coops.member).id


def test_a_coordinator_logs_time_for_any_household_and_sees_everyones(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    mina = membership(two_coops.coop, two_coops.member)

    response = _log(client, household=str(mina.id), time="2")

    assert "2 h of Packing logged." in text(response)
    assert "Mina Member" in text(client.get("/coops/fishwick/volunteering"))
    (entry,) = db.session.scalars(select(VolunteerEntry)).all()
    assert (entry.membership_id, entry.minutes, entry.logged_by_id) == (
        mina.id,
        120,
        two_coops.coordinator.id,
    )


def _coordinators_own(two_coops) -> str:  # type: ignore[no-untyped-def]
    return str(membership(two_coops.coop, two_coops.coordinator).id)


def test_a_member_sees_only_their_own_entries_but_the_coops_total(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    _log(client, time="3", household=_coordinators_own(two_coops))
    auth.logout()
    auth.login_as(two_coops.member)

    page = text(client.get("/coops/fishwick/volunteering"))

    assert "3 h" in page and "Cora Coordinator" not in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"time": "1.1"},
            "time",
            "Enter the time in hours and quarter-hours, like 1.5, 1:30 or 45m.",
        ),
        ({"time": "25:00"}, "time", "Enter a time from 15 minutes to 24 hours."),
        (
            {"time": "1:75"},
            "time",
            "Enter the time in hours and quarter-hours, like 1.5, 1:30 or 45m.",
        ),
        ({"time": ""}, "time", "Enter the time in hours and quarter-hours, like 1.5, 1:30 or 45m."),
        ({"worked_on": "3rd of May"}, "worked_on", "Enter the day, like 2026-12-03."),
        (
            {"worked_on": (date.today() + timedelta(days=2)).isoformat()},
            "worked_on",
            "Log time once it is done: the day cannot be in the future.",
        ),
        ({"task": "Juggling"}, "task", "Choose one of the co-op's tasks."),
        (
            {"worked_on": "1900-01-01"},
            "worked_on",
            "Log time from the last 5 years; that day is longer ago.",
        ),
    ],
)
def test_bad_time_is_refused_at_its_field_and_nothing_is_written(
    client, auth, two_coops, data, field, message
):
    auth.login_as(two_coops.member)

    response = _log(client, **data)

    assert f'<p class="error" id="{field}-error">{message}</p>' in text(response)
    assert count_rows(VolunteerEntry) == 0
    assert count_rows(VolunteerTask) == 0


def test_a_coordinator_must_say_whose_time_it_was(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

    response = _log(client, household="999999")

    assert "Choose one of Fishwick Food Co-op's households." in text(response)
    assert count_rows(VolunteerEntry) == 0


def test_a_coordinator_adds_and_retires_tasks(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)

    client.post("/coops/fishwick/volunteering/tasks", data={"name": "  Cleaning  the hall "})
    driving = db.session.scalar(select(VolunteerTask).where(VolunteerTask.name == "Driving"))
    client.post(f"/coops/fishwick/volunteering/tasks/{driving.id}/retire")

    page = text(client.get("/coops/fishwick/volunteering"))
    assert 'value="Cleaning the hall"' in page
    assert 'value="Driving"' not in page
    again = client.post("/coops/fishwick/volunteering/tasks", data={"name": "packing"})
    assert "Packing is already on the list." in text(again)


def test_retired_tasks_keep_the_time_logged_on_them(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    _log(client, task="Driving", household=_coordinators_own(two_coops))
    driving = db.session.scalar(select(VolunteerTask).where(VolunteerTask.name == "Driving"))

    client.post(f"/coops/fishwick/volunteering/tasks/{driving.id}/retire")

    assert "Driving" in text(client.get("/coops/fishwick/volunteering"))
    assert count_rows(VolunteerEntry) == 1


def test_members_cannot_change_the_task_list(client, auth, two_coops):
    auth.login_as(two_coops.member)
    assert client.get("/coops/fishwick/volunteering/tasks").status_code == 403
    client.post("/coops/fishwick/volunteering/tasks", data={"name": "Napping"})
    assert count_rows(VolunteerTask) == 0


def test_a_member_deletes_their_own_entry_but_not_anothers(client, auth, two_coops):
    auth.login_as(two_coops.coordinator)
    _log(client, household=_coordinators_own(two_coops))
    auth.logout()
    auth.login_as(two_coops.member)
    _log(client)
    own, others = db.session.scalars(
        select(VolunteerEntry).order_by(
            (VolunteerEntry.membership_id == membership(two_coops.coop, two_coops.member).id).desc()
        )
    ).all()

    assert client.post(f"/coops/fishwick/volunteering/{others.id}/delete").status_code == 404
    client.post(f"/coops/fishwick/volunteering/{own.id}/delete")

    assert [e.id for e in db.session.scalars(select(VolunteerEntry))] == [others.id]


def test_another_coops_members_cannot_see_the_hours(client, auth, two_coops):
    auth.login_as(two_coops.other_member)
    assert client.get("/coops/fishwick/volunteering").status_code == 403


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2026-13", "garbage"])
def test_a_month_at_the_edge_of_the_calendar_or_none_shows_this_month(
    client, auth, two_coops, month
):
    auth.login_as(two_coops.member)

    response = client.get(f"/coops/fishwick/volunteering?month={month}")

    assert response.status_code == 200
    assert f"{date.today():%B %Y}" in text(response)

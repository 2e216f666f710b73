"""Volunteer hours: the co-op's own task list and the time households log on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from coop.domain.roles import MembershipStatus
from coop.domain.text import CONTROL_CHARACTERS
from coop.domain.volunteering import DEFAULT_TASKS, OLDEST_YEARS, TASK_NAME_MAX
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import Coop, Membership, User, VolunteerEntry, VolunteerTask
from coop.services.errors import ServiceError


def _tasks(coop: Coop) -> list[VolunteerTask]:
    return list(
        db.session.scalars(
            select(VolunteerTask)
            .where(VolunteerTask.coop_id == coop.id)
            .order_by(VolunteerTask.retired, func.lower(VolunteerTask.name), VolunteerTask.id)
        )
    )


def task_list(*, coop: Coop) -> list[VolunteerTask]:
    """Return every task the co-op has had, current first (reads only)."""
    return _tasks(coop)


def task_choices(*, coop: Coop) -> list[str]:
    """Return the names a household may log time against (reads only).

    A co-op that has never set up its list gets the defaults; the first time
    logged against one makes it a row of the co-op's own list.
    """
    tasks = _tasks(coop)
    if not tasks:
        return list(DEFAULT_TASKS)
    return [task.name for task in tasks if not task.retired]


def _ensure_defaults(coop: Coop) -> None:
    if not _tasks(coop):
        db.session.add_all(VolunteerTask(coop_id=coop.id, name=name) for name in DEFAULT_TASKS)
        db.session.flush()


def _task_named(coop: Coop, name: str) -> VolunteerTask | None:
    return db.session.scalar(
        select(VolunteerTask).where(
            VolunteerTask.coop_id == coop.id, func.lower(VolunteerTask.name) == name.lower()
        )
    )


def log_hours(
    *,
    coop: Coop,
    membership_id: int | None,
    task_name: str,
    worked_on: date,
    minutes: int,
    logged_by: User,
    today: date,
) -> VolunteerEntry:
    """Record *minutes* of a household's time on one of the co-op's tasks on *worked_on*."""
    membership = db.session.get(Membership, membership_id) if membership_id else None
    if (
        membership is None
        or membership.coop_id != coop.id
        or membership.status is not MembershipStatus.ACTIVE
    ):
        raise ServiceError(f"Choose one of {possessive(coop.name)} households.", field="household")
    if task_name not in task_choices(coop=coop):
        raise ServiceError("Choose one of the co-op's tasks.", field="task")
    if worked_on > today:
        raise ServiceError(
            "Log time once it is done: the day cannot be in the future.", field="worked_on"
        )
    if worked_on < today.replace(year=today.year - OLDEST_YEARS, day=min(today.day, 28)):
        raise ServiceError(
            f"Log time from the last {OLDEST_YEARS} years; that day is longer ago.",
            field="worked_on",
        )
    _ensure_defaults(coop)
    task = _task_named(coop, task_name)
    assert task is not None  # task_choices only offers the co-op's tasks or its defaults
    entry = VolunteerEntry(
        coop_id=coop.id,
        membership_id=membership.id,
        task_id=task.id,
        worked_on=worked_on,
        minutes=minutes,
        logged_by_id=logged_by.id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def delete_entry(*, coop: Coop, entry: VolunteerEntry) -> None:
    """Delete one logged entry (a mistake) of the co-op."""
    if entry.coop_id != coop.id:
        raise ServiceError("That entry is not one of this co-op's.")
    db.session.delete(entry)
    db.session.flush()


def _clean_task_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ServiceError("Enter the task's name.", field="name")
    if len(cleaned) > TASK_NAME_MAX or CONTROL_CHARACTERS.search(cleaned):
        raise ServiceError(f"Use at most {TASK_NAME_MAX} letters.", field="name")
    return cleaned


def add_task(*, coop: Coop, name: str) -> VolunteerTask:
    """Add a task to the co-op's list, or bring a retired one of that name back."""
    cleaned = _clean_task_name(name)
    _ensure_defaults(coop)
    task = _task_named(coop, cleaned)
    if task is not None and not task.retired:
        raise ServiceError(f"{task.name} is already on the list.", field="name")
    if task is None:
        task = VolunteerTask(coop_id=coop.id, name=cleaned)
        db.session.add(task)
    task.retired = False
    db.session.flush()
    return task


def retire_task(*, coop: Coop, task_id: int) -> VolunteerTask:
    """Take a task off the list; time already logged on it keeps its name."""
    _ensure_defaults(coop)
    task = db.session.get(VolunteerTask, task_id)
    if task is None or task.coop_id != coop.id or task.retired:
        raise ServiceError("That task is not on the co-op's list.")
    if len([t for t in _tasks(coop) if not t.retired]) == 1:
        raise ServiceError("Keep at least one task on the list.")
    task.retired = True
    db.session.flush()
    return task


@dataclass(frozen=True)
class EntryRow:
    """One logged entry as a page shows it."""

    id: int
    membership_id: int
    household: str
    task: str
    worked_on: date
    minutes: int


@dataclass(frozen=True)
class MonthHours:
    """A month's volunteer time in a co-op: its entries and totals."""

    entries: list[EntryRow]
    by_task: list[tuple[str, int]]
    total_minutes: int


def month_hours(*, coop: Coop, first_day: date, membership: Membership | None = None) -> MonthHours:
    """Return the co-op's entries in the month of *first_day*, or only *membership*'s (reads only).

    The totals are always the whole co-op's.
    """
    next_month = (
        date(first_day.year + 1, 1, 1)
        if first_day.month == 12
        else date(first_day.year, first_day.month + 1, 1)
    )
    in_month = (
        VolunteerEntry.coop_id == coop.id,
        VolunteerEntry.worked_on >= first_day,
        VolunteerEntry.worked_on < next_month,
    )
    query = (
        select(VolunteerEntry, VolunteerTask.name, User.name)
        .join(VolunteerTask, VolunteerTask.id == VolunteerEntry.task_id)
        .join(Membership, Membership.id == VolunteerEntry.membership_id)
        .join(User, User.id == Membership.user_id)
        .where(*in_month)
        .order_by(VolunteerEntry.worked_on, VolunteerEntry.id)
    )
    if membership is not None:
        query = query.where(VolunteerEntry.membership_id == membership.id)
    entries = [
        EntryRow(entry.id, entry.membership_id, household, task, entry.worked_on, entry.minutes)
        for entry, task, household in db.session.execute(query)
    ]
    by_task = [
        (name, int(minutes))
        for name, minutes in db.session.execute(
            select(VolunteerTask.name, func.sum(VolunteerEntry.minutes))
            .join(VolunteerTask, VolunteerTask.id == VolunteerEntry.task_id)
            .where(*in_month)
            .group_by(VolunteerTask.name)
            .order_by(VolunteerTask.name)
        )
    ]
    return MonthHours(entries, by_task, sum(minutes for _, minutes in by_task))

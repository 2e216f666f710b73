"""What is due on a council's support records, and the reminder each officer gets of it.

`flask tick` asks `reminders_due` and queues `remind_officers` for each,
keyed by record, what is due and its date; the job writes a
`SupportReminder` row in the same transaction as the emails, so an officer
hears once per record and date however often tick runs or the job is retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from coop.domain.support import Due, due_items
from coop.extensions import db
from coop.models import Council, CouncilOfficer, SupportRecord, SupportReminder, SupportStatus, User
from coop.services.links import links
from coop.services.mail import send_message
from coop.services.support.records import council_records


@dataclass(frozen=True)
class DueEntry:
    """One thing due on one record, for a council's dashboard."""

    record: SupportRecord
    due: Due


def record_due(record: SupportRecord, today: date) -> list[Due]:
    """Return what is due on *record* by today and the next few weeks; nothing unless in force."""
    if record.status is not SupportStatus.ACTIVE:
        return []
    return due_items(
        spend_by=record.spend_by,
        monitoring_next_due=record.monitoring_next_due,
        period_end=record.period_end,
        today=today,
        underspend_returnable=record.underspend_returnable,
        acknowledgement_from=(record.period_start or record.awarded_on)
        if record.acknowledgement_required and record.acknowledged_on is None
        else None,
    )


def due_list(*, council: Council, today: date | None = None) -> list[DueEntry]:
    """Return what is due on the council's records, soonest first (reads only)."""
    day = today or date.today()
    entries = [
        DueEntry(record, due)
        for record in council_records(council=council)
        for due in record_due(record, day)
    ]
    return sorted(entries, key=lambda entry: (entry.due.due_on, entry.record.id))


def waiting_for_decision(*, council: Council) -> list[SupportRecord]:
    """Return the records co-ops proposed that wait for an officer's decision."""
    return [
        record
        for record in council_records(council=council)
        if record.status is SupportStatus.PROPOSED
    ]


def reminders_due(*, today: date | None = None) -> list[tuple[int, str, date]]:
    """Return (record, what, date) for everything due that no reminder has been sent for."""
    day = today or date.today()
    records = db.session.scalars(
        select(SupportRecord).where(SupportRecord.status == SupportStatus.ACTIVE)
    ).all()
    sent = set(
        db.session.execute(
            select(SupportReminder.support_record_id, SupportReminder.what, SupportReminder.due_on)
        ).all()
    )
    return [
        (record.id, due.what, due.due_on)
        for record in records
        for due in record_due(record, day)
        if (record.id, due.what, due.due_on) not in sent
    ]


def _officers(council: Council) -> list[tuple[User, Council]]:
    """Return the officers of *council* and of the councils that replaced it, by name.

    Each comes with the council they are an officer of, whose pages they open.
    """
    chain, seen = [], set()
    current: Council | None = council
    while current is not None and current.id not in seen:
        seen.add(current.id)
        chain.append(current)
        current = current.successor
    councils = {row.id: row for row in chain}
    rows = db.session.execute(
        select(User, CouncilOfficer.council_id)
        .join(CouncilOfficer, CouncilOfficer.user_id == User.id)
        .where(CouncilOfficer.council_id.in_(councils))
        .order_by(User.name, User.id, CouncilOfficer.council_id)
    ).all()
    found: dict[int, tuple[User, Council]] = {}
    for user, council_id in rows:
        found.setdefault(user.id, (user, councils[council_id]))
    return list(found.values())


def remind_officers(*, record_id: int, what: str, due_on: str) -> None:
    """Tell the record's officers what is due on it, once per record, what and date (a job)."""
    record = db.session.get(SupportRecord, record_id)
    day = date.fromisoformat(due_on)
    if record is None:
        return
    due = next(
        (
            item
            for item in record_due(record, date.today())
            if (item.what, item.due_on) == (what, day)
        ),
        None,
    )
    if due is None:  # closed, or the date moved, since tick saw it
        return
    already = db.session.scalar(
        select(SupportReminder.id).where(
            SupportReminder.support_record_id == record.id,
            SupportReminder.what == what,
            SupportReminder.due_on == day,
        )
    )
    if already is not None:
        return
    db.session.add(SupportReminder(support_record_id=record.id, what=what, due_on=day))
    db.session.flush()
    for officer, council in _officers(record.council):
        send_message(
            "support/due.txt",
            to=officer.email,
            user=officer,
            record=record,
            due=due,
            overdue=due.overdue(date.today()),
            link=links().support_record(council, record),
        )

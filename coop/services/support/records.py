"""Keeping support records: officers create, edit and close them; coordinators propose.

Every change is written to the record's history (who, when, which field,
from what to what) in the same flush as the change itself.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from coop.domain.money import MAX_PENCE, format_pence, too_much_message
from coop.domain.permissions import may_support_coop
from coop.domain.support import add_months, period_problem
from coop.domain.text import holds_control_character
from coop.extensions import db
from coop.models import (
    Coop,
    Council,
    CouncilOfficer,
    Membership,
    SupportKind,
    SupportRecord,
    SupportRecordChange,
    SupportStatus,
    User,
)
from coop.models.support import MONITORING_MONTHS
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.people.coops import current_council
from coop.services.people.councils import coop_council_ids, coop_ids_of, council_scope
from coop.services.support.usage import used_pence

TEXT_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 5000


@dataclass(frozen=True)
class SupportDetails:
    """What a person says about a record, as a form gives it."""

    programme: str
    kind: SupportKind
    value_pence: int
    awarded_on: date
    intermediary: str = ""
    value_basis: str = ""
    period_start: date | None = None
    period_end: date | None = None
    spend_by: date | None = None
    conditions: str = ""
    restricted_fund: bool = False
    underspend_returnable: bool = False
    acknowledgement_required: bool = False
    monitoring_months: int | None = None
    monitoring_next_due: date | None = None
    notes: str = ""


def _checked(details: SupportDetails) -> SupportDetails:
    programme = details.programme.strip()
    if not programme:
        raise ServiceError(
            "Name the programme, such as UKSPF or Household Support Fund.", field="programme"
        )
    for name in ("programme", "intermediary", "value_basis"):
        value = getattr(details, name).strip()
        if len(value) > TEXT_MAX_LENGTH:
            raise ServiceError(f"Use at most {TEXT_MAX_LENGTH} characters.", field=name)
    for name in ("programme", "intermediary", "value_basis", "conditions", "notes"):
        if holds_control_character(getattr(details, name)):
            raise ServiceError("Remove the control characters.", field=name)
    for name in ("conditions", "notes"):
        if len(getattr(details, name)) > NOTE_MAX_LENGTH:
            raise ServiceError(f"Use at most {NOTE_MAX_LENGTH} characters.", field=name)
    kind = SupportKind(details.kind)
    if details.value_pence < 0:
        raise ServiceError("The value cannot be below £0.00.", field="value")
    if details.value_pence > MAX_PENCE:
        raise ServiceError(too_much_message(), field="value")
    if kind.in_kind and not details.value_basis.strip():
        raise ServiceError(
            "Say how the value was estimated, such as £15 an hour x 40 hours.", field="value_basis"
        )
    problem = period_problem(details.period_start, details.period_end)
    if problem:
        raise ServiceError(problem, field="period_end")
    if details.spend_by is not None and details.spend_by < details.awarded_on:
        raise ServiceError("The spend-by date cannot be before the award date.", field="spend_by")
    if details.monitoring_months is not None and details.monitoring_months not in MONITORING_MONTHS:
        raise ServiceError("Choose how often monitoring is due.", field="monitoring_months")
    next_due = details.monitoring_next_due
    if details.monitoring_months is not None and next_due is None:
        next_due = add_months(details.period_start or details.awarded_on, details.monitoring_months)
    return SupportDetails(
        **{
            **{field.name: getattr(details, field.name) for field in fields(details)},
            "programme": programme,
            "intermediary": details.intermediary.strip(),
            "value_basis": details.value_basis.strip(),
            "conditions": details.conditions.strip(),
            "notes": details.notes.strip(),
            "kind": kind,
            "monitoring_next_due": next_due,
        }
    )


def _shown(value: object) -> str:
    """Return a field's value as its history shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, SupportKind | SupportStatus):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _note_change(record: SupportRecord, by: User | None, field: str, old: object, new: object):
    db.session.add(
        SupportRecordChange(
            support_record_id=record.id,
            changed_by_id=by.id if by is not None else None,
            field=field,
            old_value=_shown(old),
            new_value=_shown(new),
        )
    )


def _write(record: SupportRecord, details: SupportDetails, by: User | None) -> None:
    for field in fields(details):
        old, new = getattr(record, field.name, None), getattr(details, field.name)
        if old != new:
            if record.id is not None:
                _note_change(record, by, field.name, old, new)
            setattr(record, field.name, new)


def _require_coop(council: Council, coop: Coop) -> None:
    if not may_support_coop(
        council_id=council.id, coop_council_ids=coop_council_ids(coop_id=coop.id)
    ):
        raise ServiceError(
            f"{coop.name} is not one of {council.name}'s co-ops: a council records support "
            "only for the co-ops linked to it.",
            field="coop",
        )


def create_support_record(
    *, council: Council, coop: Coop, details: SupportDetails, by: User
) -> SupportRecord:
    """Record support the council gives one of its co-ops; it is in force at once."""
    _require_coop(council, coop)
    checked = _checked(details)
    record = SupportRecord(council_id=council.id, coop_id=coop.id, status=SupportStatus.ACTIVE)
    _write(record, checked, by)
    db.session.add(record)
    db.session.flush()
    _note_change(record, by, "status", "", SupportStatus.ACTIVE)
    db.session.flush()
    return record


def propose_support_record(*, coop: Coop, details: SupportDetails, by: User) -> SupportRecord:
    """Propose support the co-op's council gives it, for one of its officers to decide."""
    council = current_council(coop=coop)
    if council is None:
        raise ServiceError(
            f"{coop.name} does not belong to a council yet, so there is no one to propose to."
        )
    checked = _checked(details)
    record = SupportRecord(
        council_id=council.id, coop_id=coop.id, status=SupportStatus.PROPOSED, proposed_by_id=by.id
    )
    _write(record, checked, by)
    db.session.add(record)
    db.session.flush()
    _note_change(record, by, "status", "", SupportStatus.PROPOSED)
    db.session.flush()
    return record


def _open(record: SupportRecord) -> None:
    if record.status in (SupportStatus.CLOSED, SupportStatus.DECLINED):
        raise ServiceError(f"The record is {record.status.value}: it can no longer change.")


def update_support_record(
    *, record: SupportRecord, details: SupportDetails, by: User
) -> SupportRecord:
    """Change a proposed or active record's details; each change goes into its history.

    A subsidy's row is locked first (PostgreSQL), as settlement locks it, so a
    round settling at the same time is counted in what it has used.
    """
    _open(record)
    checked = _checked(details)
    if record.kind is SupportKind.SUBSIDY or checked.kind is SupportKind.SUBSIDY:
        db.session.scalar(
            select(SupportRecord.id).where(SupportRecord.id == record.id).with_for_update()
        )
        used = used_pence(record_id=record.id)
        if used and checked.kind is not SupportKind.SUBSIDY:
            raise ServiceError(
                "Settled rounds have used this subsidy, so it stays a subsidy.", field="kind"
            )
        if checked.value_pence < used:
            raise ServiceError(
                f"Settled rounds have already used {format_pence(used)} of this subsidy; "
                "its value cannot be less.",
                field="value",
            )
    _write(record, checked, by)
    db.session.flush()
    return record


def _set_status(record: SupportRecord, status: SupportStatus, by: User, note: str) -> None:
    note = note.strip()
    if holds_control_character(note) or len(note) > NOTE_MAX_LENGTH:
        raise ServiceError(f"Use at most {NOTE_MAX_LENGTH} characters of text.", field="note")
    _note_change(record, by, "status", record.status, status)
    if note:
        _note_change(record, by, "decision_note", record.decision_note, note)
        record.decision_note = note
    record.status = status
    record.decided_by_id = by.id
    record.decided_at = utcnow()
    db.session.flush()


def decide_support_record(
    *, record: SupportRecord, confirm: bool, note: str, by: User
) -> SupportRecord:
    """Confirm a proposed record (it comes into force) or decline it, with a note."""
    if record.status is not SupportStatus.PROPOSED:
        raise ServiceError(f"The record is {record.status.value}, not waiting for a decision.")
    if not confirm and not note.strip():
        raise ServiceError("Say why the proposal is declined.", field="note")
    _set_status(record, SupportStatus.ACTIVE if confirm else SupportStatus.DECLINED, by, note)
    return record


def close_support_record(*, record: SupportRecord, note: str, by: User) -> SupportRecord:
    """Close a record in force: nothing more falls due on it and no round can use it."""
    if record.status is not SupportStatus.ACTIVE:
        raise ServiceError(f"The record is {record.status.value}: only one in force can be closed.")
    _set_status(record, SupportStatus.CLOSED, by, note)
    return record


def record_monitoring(*, record: SupportRecord, by: User) -> SupportRecord:
    """Note that the monitoring return due is in, and schedule the next one."""
    if record.status is not SupportStatus.ACTIVE or record.monitoring_next_due is None:
        raise ServiceError("No monitoring return is due on this record.")
    if record.monitoring_months is None:
        new = None
    else:
        new = add_months(record.monitoring_next_due, record.monitoring_months)
    _note_change(record, by, "monitoring_next_due", record.monitoring_next_due, new)
    record.monitoring_next_due = new
    db.session.flush()
    return record


def record_acknowledgement(*, record: SupportRecord, by: User) -> SupportRecord:
    """Note that the co-op has acknowledged the council's support, as the record requires."""
    if (
        record.status is not SupportStatus.ACTIVE
        or not record.acknowledgement_required
        or record.acknowledged_on is not None
    ):
        raise ServiceError("No acknowledgement is waiting to be checked on this record.")
    today = date.today()
    _note_change(record, by, "acknowledged_on", None, today)
    record.acknowledged_on = today
    db.session.flush()
    return record


# --- reading -------------------------------------------------------------------------


def council_records(*, council: Council) -> list[SupportRecord]:
    """Return the records a council's officers keep: its and its predecessors', for its co-ops."""
    coops = coop_ids_of(council=council)
    if not coops:
        return []
    return list(
        db.session.scalars(
            select(SupportRecord)
            .where(
                SupportRecord.council_id.in_(council_scope(council=council)),
                SupportRecord.coop_id.in_(coops),
            )
            .options(selectinload(SupportRecord.coop), selectinload(SupportRecord.council))
            .order_by(SupportRecord.awarded_on.desc(), SupportRecord.id.desc())
        )
    )


def council_record(*, council: Council, record_id: int) -> SupportRecord | None:
    """Return record *record_id* when the council's officers keep it, else None."""
    return db.session.scalar(
        select(SupportRecord).where(
            SupportRecord.id == record_id,
            SupportRecord.council_id.in_(council_scope(council=council)),
            SupportRecord.coop_id.in_(coop_ids_of(council=council)),
        )
    )


def council_coops(*, council: Council) -> list[Coop]:
    """Return the co-ops a council may record support for, by name."""
    ids = coop_ids_of(council=council)
    return list(
        db.session.scalars(select(Coop).where(Coop.id.in_(ids)).order_by(Coop.name, Coop.id))
    )


def coop_records(*, coop: Coop) -> list[SupportRecord]:
    """Return every support record of a co-op, newest first, for its coordinators."""
    return list(
        db.session.scalars(
            select(SupportRecord)
            .where(SupportRecord.coop_id == coop.id)
            .options(selectinload(SupportRecord.council))
            .order_by(SupportRecord.awarded_on.desc(), SupportRecord.id.desc())
        )
    )


def coop_record(*, coop: Coop, record_id: int) -> SupportRecord | None:
    """Return the co-op's record *record_id*, or None for another co-op's or an unknown one."""
    return db.session.scalar(
        select(SupportRecord).where(SupportRecord.id == record_id, SupportRecord.coop_id == coop.id)
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a record as its history shows it."""

    change: SupportRecordChange
    who: str


def record_history(*, record: SupportRecord) -> list[HistoryEntry]:
    """Return a record's changes, oldest first, with who made them.

    Officers are named, and so are former officers; a change a co-op's
    coordinator made is shown as the co-op's, since councils see no member's
    name (METRICS.md, "Privacy rules"). A former officer who has been erased
    is "A former officer".
    """
    changes = db.session.scalars(
        select(SupportRecordChange)
        .where(SupportRecordChange.support_record_id == record.id)
        .options(selectinload(SupportRecordChange.changed_by))
        .order_by(SupportRecordChange.changed_at, SupportRecordChange.id)
    ).all()
    officers = set(db.session.scalars(select(CouncilOfficer.user_id)))
    members = set(
        db.session.scalars(select(Membership.user_id).where(Membership.coop_id == record.coop_id))
    )

    def who(by: User | None) -> str:
        if by is None:
            return "The system"
        if by.id in officers:
            return by.name
        if by.id in members:
            return f"A coordinator of {record.coop.name}"
        return "A former officer" if by.erased_at is not None else by.name

    return [HistoryEntry(change, who(change.changed_by)) for change in changes]

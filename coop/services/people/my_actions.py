"""What a person did on the platform, for their download: records they made for others.

Each section is what the person did (a payment they recorded, a round they
closed, a support record they changed), with only what is needed to make
sense of it. Another household is "a household", whether or not it has
been erased, and every text the export shows passes through a `Redactor`
that replaces the names and email addresses of the other people the
person works with, so the download never names anyone else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, or_, select, union

from coop.extensions import db
from coop.models import (
    Allocation,
    Announcement,
    CatalogueFeed,
    CatalogueImport,
    Collection,
    Coop,
    CoopCouncilLink,
    Council,
    CouncilOfficer,
    Invitation,
    JobRun,
    LedgerTransaction,
    Membership,
    Posting,
    PriceChange,
    Product,
    Round,
    RoundItem,
    RoundSupplier,
    Supplier,
    SupportRecord,
    SupportRecordChange,
    User,
    VolunteerEntry,
    VolunteerTask,
)

#: How another household is named in the download.
A_HOUSEHOLD = "a household"
#: What replaces another person's name or email address in a text.
SOMEONE_ELSE = "[someone else]"
_FORMER = re.compile(r"Former household #(\d+)")


def plain(value: Any) -> Any:
    """Return *value* as JSON holds it: dates as ISO text, enums as their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | str):
        return value.value  # an enum
    return value


class Redactor:
    """Takes other people's names and email addresses out of the texts of one export."""

    def __init__(self, *, user: User, others: Iterable[tuple[str, str]]) -> None:
        own = user.name.casefold()
        words: list[str] = []
        for name, email in others:
            words.append(re.escape(email))
            if len(name) >= 3 and name.casefold() != own and not _FORMER.fullmatch(name):
                words.append(r"\b" + re.escape(name) + r"\b")
        words.sort(key=len, reverse=True)  # "Ada Lovelace" before "Ada"
        self._pattern = re.compile("|".join(words), re.IGNORECASE) if words else None
        self._own = str(user.id)

    def __call__(self, text: str | None, instead: str = SOMEONE_ELSE) -> str | None:
        if not text:
            return text
        if self._pattern is not None:
            text = self._pattern.sub(instead, text)
        return _FORMER.sub(lambda m: m.group(0) if m.group(1) == self._own else A_HOUSEHOLD, text)


def redactor(*, user: User, coop_ids: list[int], council_ids: list[int]) -> Redactor:
    """Return the redactor for *user*: everyone they share a co-op or council with (reads only).

    The co-ops are the person's own, those linked to or supported by their
    councils; the councils are their own, and those linked to or supporting
    their co-ops. Their members and officers are the people the platform's
    texts could name to this person.
    """
    coops = union(
        select(Coop.id).where(Coop.id.in_(coop_ids)),
        select(CoopCouncilLink.coop_id).where(CoopCouncilLink.council_id.in_(council_ids)),
        select(SupportRecord.coop_id).where(SupportRecord.council_id.in_(council_ids)),
    ).subquery()
    councils = union(
        select(Council.id).where(Council.id.in_(council_ids)),
        select(CoopCouncilLink.council_id).where(CoopCouncilLink.coop_id.in_(coop_ids)),
        select(SupportRecord.council_id).where(SupportRecord.coop_id.in_(coop_ids)),
    ).subquery()
    people = union(
        select(Membership.user_id).where(Membership.coop_id.in_(select(coops.c[0]))),
        select(CouncilOfficer.user_id).where(CouncilOfficer.council_id.in_(select(councils.c[0]))),
    ).subquery()
    others = db.session.execute(
        select(User.name, User.email).where(User.id.in_(select(people.c[0])), User.id != user.id)
    ).all()
    return Redactor(user=user, others=[(name, email) for name, email in others])


def _rows(result: Iterable[Any], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [dict(zip(keys, (plain(v) for v in row), strict=True)) for row in result]


def _household(membership_id: int, own: list[int]) -> int | str:
    """The person's own household by its id (the page names its co-op), any other as a household."""
    return membership_id if membership_id in own else A_HOUSEHOLD


def ledger_recorded(user: User, redact: Redactor) -> list[dict[str, Any]]:
    """Transactions the person recorded: payments, refunds, corrections, settlements."""
    moved = func.sum(case((Posting.amount_pence > 0, Posting.amount_pence), else_=0))
    rows = db.session.execute(
        select(
            Coop.name,
            LedgerTransaction.created_at,
            LedgerTransaction.kind,
            moved,
            LedgerTransaction.memo,
        )
        .join(Coop, Coop.id == LedgerTransaction.coop_id)
        .join(Posting, Posting.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.created_by_id == user.id)
        .group_by(
            LedgerTransaction.id,
            Coop.name,
            LedgerTransaction.created_at,
            LedgerTransaction.kind,
            LedgerTransaction.memo,
        )
        .order_by(LedgerTransaction.id)
    )
    return [
        {
            "coop": coop,
            "at": plain(at),
            "kind": plain(kind),
            "amount_pence": int(amount),
            "memo": redact(memo, A_HOUSEHOLD),
        }
        for coop, at, kind, amount, memo in rows
    ]


def announcements_written(user: User, redact: Redactor) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(
            Coop.name,
            Announcement.subject,
            Announcement.body,
            Announcement.created_at,
            Announcement.sent_at,
            Announcement.recipients,
        )
        .join(Coop, Coop.id == Announcement.coop_id)
        .where(Announcement.author_id == user.id)
        .order_by(Announcement.id)
    )
    return [
        {
            "coop": coop,
            "subject": redact(subject),
            "body": redact(body),
            "written_at": plain(written),
            "sent_at": plain(sent),
            "households_reached": reached,
        }
        for coop, subject, body, written, sent, reached in rows
    ]


def rounds_run(user: User) -> list[dict[str, Any]]:
    """Rounds the person created, closed or settled, and supplier orders they sent or dropped."""
    rows: list[tuple[Any, ...]] = []
    for action, by, at in (
        ("created", Round.created_by_id, Round.created_at),
        ("closed", Round.closed_by_id, Round.closed_at),
        ("settled", Round.settled_by_id, Round.settled_at),
    ):
        rows += [
            (coop, title, action, None, when)
            for coop, title, when in db.session.execute(
                select(Coop.name, Round.title, at)
                .join(Coop, Coop.id == Round.coop_id)
                .where(by == user.id)
            )
        ]
    for action, by, at in (
        ("sent the supplier's order", RoundSupplier.order_sent_by_id, RoundSupplier.order_sent_at),
        ("dropped the supplier", RoundSupplier.dropped_by_id, RoundSupplier.dropped_at),
    ):
        rows += [
            (coop, title, action, supplier, when)
            for coop, title, supplier, when in db.session.execute(
                select(Coop.name, Round.title, Supplier.name, at)
                .join(Round, Round.id == RoundSupplier.round_id)
                .join(Coop, Coop.id == Round.coop_id)
                .join(Supplier, Supplier.id == RoundSupplier.supplier_id)
                .where(by == user.id)
            )
        ]
    rows.sort(key=lambda row: (row[4] is None, row[4] or datetime.min))
    return _rows(rows, ("coop", "round", "what", "supplier", "at"))


def allocations_set(user: User, own: list[int], redact: Redactor) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(
            Allocation.membership_id,
            Round.title,
            RoundItem.name,
            Allocation.manual_units,
            Allocation.manual_reason,
            Allocation.manual_at,
        )
        .join(Round, Round.id == Allocation.round_id)
        .join(RoundItem, RoundItem.id == Allocation.round_item_id)
        .where(Allocation.manual_by_id == user.id)
        .order_by(Allocation.manual_at, Allocation.id)
    )
    return [
        {
            "household": _household(membership_id, own),
            "round": title,
            "item": item,
            "units": units,
            "reason": redact(reason, A_HOUSEHOLD),
            "at": plain(at),
        }
        for membership_id, title, item, units, reason, at in rows
    ]


def collections_recorded(user: User, own: list[int]) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Collection.membership_id, Coop.name, Round.title, Collection.collected_at)
        .join(Round, Round.id == Collection.round_id)
        .join(Coop, Coop.id == Round.coop_id)
        .where(Collection.recorded_by_id == user.id)
        .order_by(Collection.collected_at, Collection.id)
    )
    return [
        {
            "household": _household(membership_id, own),
            "coop": coop,
            "round": title,
            "collected_at": plain(at),
        }
        for membership_id, coop, title, at in rows
    ]


def volunteer_logged_for_others(user: User, own: list[int]) -> list[dict[str, Any]]:
    """Time the person logged for another household (their own is in their volunteer hours)."""
    rows = db.session.execute(
        select(
            Coop.name,
            VolunteerTask.name,
            VolunteerEntry.worked_on,
            VolunteerEntry.minutes,
            VolunteerEntry.created_at,
        )
        .join(VolunteerTask, VolunteerTask.id == VolunteerEntry.task_id)
        .join(Coop, Coop.id == VolunteerEntry.coop_id)
        .where(VolunteerEntry.logged_by_id == user.id, VolunteerEntry.membership_id.not_in(own))
        .order_by(VolunteerEntry.worked_on, VolunteerEntry.id)
    )
    return [
        {"household": A_HOUSEHOLD, **row}
        for row in _rows(rows, ("coop", "task", "day", "minutes", "logged_at"))
    ]


def invitations_created(user: User) -> list[dict[str, Any]]:
    """Invitation links the person made; not the address one was sent to."""
    return _rows(
        db.session.execute(
            select(
                Coop.name,
                Invitation.created_at,
                Invitation.expires_at,
                Invitation.accepted_at,
                Invitation.revoked_at,
            )
            .join(Coop, Coop.id == Invitation.coop_id)
            .where(Invitation.created_by_id == user.id)
            .order_by(Invitation.id)
        ),
        ("coop", "created_at", "expires_at", "accepted_at", "withdrawn_at"),
    )


def support_records(user: User, redact: Redactor) -> list[dict[str, Any]]:
    """Council support records the person proposed (for a co-op) or decided (as an officer)."""
    result = []
    for record, council, coop in db.session.execute(
        select(SupportRecord, Council.name, Coop.name)
        .join(Council, Council.id == SupportRecord.council_id)
        .join(Coop, Coop.id == SupportRecord.coop_id)
        .where(or_(SupportRecord.proposed_by_id == user.id, SupportRecord.decided_by_id == user.id))
        .order_by(SupportRecord.id)
    ):
        part = [
            word
            for word, by in (
                ("proposed", record.proposed_by_id),
                ("decided", record.decided_by_id),
            )
            if by == user.id
        ]
        result.append(
            {
                "council": council,
                "coop": coop,
                "programme": redact(record.programme),
                "kind": plain(record.kind),
                "status": plain(record.status),
                "you": " and ".join(part),
                "awarded_on": plain(record.awarded_on),
                "written_at": plain(record.created_at),
                "decided_at": plain(record.decided_at),
            }
        )
    return result


def support_changes(user: User, redact: Redactor) -> list[dict[str, Any]]:
    """Every line of a support record's history the person wrote."""
    rows = db.session.execute(
        select(
            Council.name,
            Coop.name,
            SupportRecord.programme,
            SupportRecordChange.field,
            SupportRecordChange.old_value,
            SupportRecordChange.new_value,
            SupportRecordChange.changed_at,
        )
        .join(SupportRecord, SupportRecord.id == SupportRecordChange.support_record_id)
        .join(Council, Council.id == SupportRecord.council_id)
        .join(Coop, Coop.id == SupportRecord.coop_id)
        .where(SupportRecordChange.changed_by_id == user.id)
        .order_by(SupportRecordChange.changed_at, SupportRecordChange.id)
    )
    return [
        {
            "council": council,
            "coop": coop,
            "programme": redact(programme),
            "field": field,
            "old": redact(old),
            "new": redact(new),
            "at": plain(at),
        }
        for council, coop, programme, field, old, new, at in rows
    ]


def price_changes(user: User) -> list[dict[str, Any]]:
    return _rows(
        db.session.execute(
            select(
                Supplier.name,
                Product.name,
                PriceChange.old_case_price_pence,
                PriceChange.new_case_price_pence,
                PriceChange.old_vat_bp,
                PriceChange.new_vat_bp,
                PriceChange.reason,
                PriceChange.changed_at,
            )
            .join(Product, Product.id == PriceChange.product_id)
            .join(Supplier, Supplier.id == Product.supplier_id)
            .where(PriceChange.changed_by_id == user.id)
            .order_by(PriceChange.changed_at, PriceChange.id)
        ),
        (
            "supplier",
            "product",
            "old_case_price_pence",
            "new_case_price_pence",
            "old_vat_bp",
            "new_vat_bp",
            "how",
            "at",
        ),
    )


def catalogue_feeds(user: User, redact: Redactor) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(
            Supplier.name,
            CatalogueFeed.label,
            CatalogueFeed.created_at,
            CatalogueFeed.last_used_at,
            CatalogueFeed.revoked_at,
        )
        .join(Supplier, Supplier.id == CatalogueFeed.supplier_id)
        .where(CatalogueFeed.created_by_id == user.id)
        .order_by(CatalogueFeed.id)
    )
    return [
        {**row, "label": redact(row["label"])}
        for row in _rows(rows, ("supplier", "label", "created_at", "last_used_at", "revoked_at"))
    ]


def catalogue_imports(user: User) -> list[dict[str, Any]]:
    return _rows(
        db.session.execute(
            select(
                Supplier.name,
                CatalogueImport.filename,
                CatalogueImport.created_at,
                CatalogueImport.applied_at,
            )
            .join(Supplier, Supplier.id == CatalogueImport.supplier_id)
            .where(CatalogueImport.uploaded_by_id == user.id)
            .order_by(CatalogueImport.id)
        ),
        ("supplier", "file", "uploaded_at", "applied_at"),
    )


def jobs_started(user: User, redact: Redactor) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(JobRun.title, JobRun.status, JobRun.created_at, JobRun.finished_at)
        .where(JobRun.started_by_id == user.id)
        .order_by(JobRun.id)
    )
    return [
        {**row, "job": redact(row["job"])}
        for row in _rows(rows, ("job", "status", "started_at", "finished_at"))
    ]


def what_they_did(
    *, user: User, own: list[int], redact: Redactor
) -> dict[str, list[dict[str, Any]]]:
    """Return every section of what *user* did for a co-op or council (reads only)."""
    return {
        "ledger_recorded": ledger_recorded(user, redact),
        "announcements_written": announcements_written(user, redact),
        "rounds_run": rounds_run(user),
        "allocations_set": allocations_set(user, own, redact),
        "collections_recorded": collections_recorded(user, own),
        "volunteer_logged_for_others": volunteer_logged_for_others(user, own),
        "invitations_created": invitations_created(user),
        "support_records": support_records(user, redact),
        "support_changes": support_changes(user, redact),
        "price_changes": price_changes(user),
        "catalogue_feeds": catalogue_feeds(user, redact),
        "catalogue_imports": catalogue_imports(user),
        "jobs_started": jobs_started(user, redact),
    }

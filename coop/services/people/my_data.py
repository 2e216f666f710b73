"""A person's own data (UK GDPR): everything held about them, and its erasure.

Erasure removes the person and what they told the co-op, and keeps the
co-op's records whole: the user row stays as an anonymised tombstone
("Former household #N", an address at erased.invalid that cannot sign in),
so the ledger, bills, orders and volunteer hours still point somewhere and
every total still reconciles. README's "Your data: download and erasure"
says what is kept and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update

from coop.domain.devices import device_name
from coop.domain.household import consent_text
from coop.domain.notifications import ANNOUNCEMENT_BODY_MAX, ANNOUNCEMENT_SUBJECT_MAX
from coop.domain.permissions import is_last_coordinator
from coop.domain.roles import MembershipStatus, Role
from coop.domain.rounds import RoundState
from coop.extensions import db
from coop.models import (
    Account,
    AccountKind,
    Allocation,
    Announcement,
    BillLine,
    Collection,
    Coop,
    Council,
    CouncilOfficer,
    Invitation,
    LedgerTransaction,
    Login,
    Membership,
    NotificationOptOut,
    NotificationSent,
    OrderRequest,
    OutboxMessage,
    Posting,
    Round,
    RoundItem,
    SupportRecord,
    SupportRecordChange,
    User,
    VolunteerEntry,
    VolunteerTask,
)
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import NOT_LOGGED, send_message
from coop.services.money.ledger import household_balance_pence
from coop.services.people.my_actions import redactor, what_they_did
from coop.services.people.passwords import verify_password

ERASED_DOMAIN = "erased.invalid"
#: What an erased person's tombstone is called, and so their household accounts.
FORMER_HOUSEHOLD = "Former household #{id}"
ERASED_TEXT = "[erased]"
WRONG_PASSWORD = "That is not your password."
STILL_ORDERING = (RoundState.DRAFT, RoundState.OPEN)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | str):
        return value.value  # an enum
    return value


def _rows(result: Iterable[Any], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [dict(zip(keys, (_plain(v) for v in row), strict=True)) for row in result]


def _memberships(user: User) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)
        )
    )


def export_data(*, user: User) -> dict[str, Any]:
    """Return everything the platform holds about *user* and their households (reads only).

    The same plain dictionary is the JSON download and the readable page.
    Besides what is about the person, it holds what they did for a co-op or
    council (`coop.services.people.my_actions`); no other person is named in
    it: their names and addresses in the texts kept (emails, ledger memos)
    are replaced.
    """
    memberships = _memberships(user)
    ids = [m.id for m in memberships]
    council_ids = list(
        db.session.scalars(
            select(CouncilOfficer.council_id).where(CouncilOfficer.user_id == user.id)
        )
    )
    redact = redactor(user=user, coop_ids=[m.coop_id for m in memberships], council_ids=council_ids)
    coop_names = {m.id: m.coop.name for m in memberships}
    accounts = list(
        db.session.scalars(
            select(Account.id).where(
                Account.kind == AccountKind.HOUSEHOLD, Account.membership_id.in_(ids)
            )
        )
    )
    return {
        "account": {
            "name": user.name,
            "email": user.email,
            "created_at": _plain(user.created_at),
            "password_changed_at": _plain(user.password_changed_at),
            "platform_admin": user.is_platform_admin,
        },
        "memberships": [
            {
                "coop": coop_names[m.id],
                "role": m.role.value,
                "status": m.status.value,
                "requested_at": _plain(m.requested_at),
                "joined_at": _plain(m.joined_at),
                "left_at": _plain(m.left_at),
            }
            for m in memberships
        ],
        "household_facts": [
            {
                "coop": coop_names[m.id],
                "fact": row.fact.value,
                "value": row.value,
                "consent_version": row.consent_version,
                "consent_text": (
                    text.text if (text := consent_text(row.fact, row.consent_version)) else ""
                ),
                "consented_at": _plain(row.consented_at),
            }
            for m in memberships
            for row in m.facts
        ],
        "orders": _rows(
            db.session.execute(
                select(
                    OrderRequest.membership_id,
                    Round.title,
                    RoundItem.name,
                    OrderRequest.quantity,
                    OrderRequest.tolerance,
                    OrderRequest.created_at,
                )
                .join(Round, Round.id == OrderRequest.round_id)
                .join(RoundItem, RoundItem.id == OrderRequest.round_item_id)
                .where(OrderRequest.membership_id.in_(ids))
                .order_by(OrderRequest.id)
            ),
            ("household", "round", "item", "quantity", "tolerance", "asked_at"),
        ),
        "allocations": _rows(
            db.session.execute(
                select(
                    Allocation.membership_id,
                    Round.title,
                    RoundItem.name,
                    Allocation.quantity,
                    Allocation.closed_units,
                    Allocation.computed_units,
                    Allocation.manual_units,
                )
                .join(Round, Round.id == Allocation.round_id)
                .join(RoundItem, RoundItem.id == Allocation.round_item_id)
                .where(Allocation.membership_id.in_(ids))
                .order_by(Allocation.id)
            ),
            ("household", "round", "item", "asked", "at_closing", "after_delivery", "set_by_hand"),
        ),
        "collections": _rows(
            db.session.execute(
                select(Collection.membership_id, Round.title, Collection.collected_at)
                .join(Round, Round.id == Collection.round_id)
                .where(Collection.membership_id.in_(ids))
                .order_by(Collection.id)
            ),
            ("household", "round", "collected_at"),
        ),
        "bills": _rows(
            db.session.execute(
                select(
                    BillLine.membership_id,
                    Round.title,
                    BillLine.kind,
                    BillLine.description,
                    BillLine.units,
                    BillLine.amount_pence,
                )
                .join(Round, Round.id == BillLine.round_id)
                .where(BillLine.membership_id.in_(ids))
                .order_by(BillLine.id)
            ),
            ("household", "round", "kind", "description", "units", "amount_pence"),
        ),
        "ledger": _rows(
            db.session.execute(
                select(
                    Account.membership_id,
                    LedgerTransaction.created_at,
                    LedgerTransaction.kind,
                    LedgerTransaction.memo,
                    Posting.amount_pence,
                )
                .join(Account, Account.id == Posting.account_id)
                .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
                .where(Posting.account_id.in_(accounts))
                .order_by(Posting.id)
            ),
            ("household", "at", "kind", "memo", "amount_pence"),
        ),
        "volunteer_hours": _rows(
            db.session.execute(
                select(
                    VolunteerEntry.membership_id,
                    VolunteerTask.name,
                    VolunteerEntry.worked_on,
                    VolunteerEntry.minutes,
                )
                .join(VolunteerTask, VolunteerTask.id == VolunteerEntry.task_id)
                .where(VolunteerEntry.membership_id.in_(ids))
                .order_by(VolunteerEntry.worked_on, VolunteerEntry.id)
            ),
            ("household", "task", "day", "minutes"),
        ),
        "notification_choices": _rows(
            db.session.execute(
                select(
                    NotificationOptOut.membership_id,
                    NotificationOptOut.kind,
                    NotificationOptOut.created_at,
                )
                .where(NotificationOptOut.membership_id.in_(ids))
                .order_by(NotificationOptOut.id)
            ),
            ("household", "turned_off", "since"),
        ),
        "notifications_sent": _rows(
            db.session.execute(
                select(
                    NotificationSent.membership_id, NotificationSent.kind, NotificationSent.sent_at
                )
                .where(NotificationSent.membership_id.in_(ids))
                .order_by(NotificationSent.id)
            ),
            ("household", "kind", "sent_at"),
        ),
        "emails": [
            {
                "subject": redact(message.subject),
                "body": NOT_LOGGED if message.secret else redact(message.body),
                "status": _plain(message.status),
                "written_at": _plain(message.created_at),
                "sent_at": _plain(message.sent_at),
            }
            for message in db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == user.email)
                .order_by(OutboxMessage.id)
            )
        ],
        "invitations": _rows(
            db.session.execute(
                select(
                    Coop.name,
                    Invitation.created_at,
                    Invitation.expires_at,
                    Invitation.accepted_at,
                    Invitation.revoked_at,
                )
                .join(Coop, Coop.id == Invitation.coop_id)
                .where(or_(Invitation.email == user.email, Invitation.accepted_by_id == user.id))
                .order_by(Invitation.id)
            ),
            ("coop", "sent_at", "expires_at", "accepted_at", "withdrawn_at"),
        ),
        "logins": [
            {
                "device": device_name(login.user_agent),
                "signed_in_at": _plain(login.created_at),
                "last_seen_at": _plain(login.last_seen_at),
                "ended_at": _plain(login.ended_at),
            }
            for login in db.session.scalars(
                select(Login).where(Login.user_id == user.id).order_by(Login.id)
            )
        ],
        "council_appointments": [
            {"council": name, "appointed_at": _plain(appointed)}
            for name, appointed in db.session.execute(
                select(Council.name, CouncilOfficer.appointed_at)
                .join(CouncilOfficer, CouncilOfficer.council_id == Council.id)
                .where(CouncilOfficer.user_id == user.id)
                .order_by(CouncilOfficer.id)
            )
        ],
        **what_they_did(user=user, own=ids, redact=redact),
        "households": {str(m.id): coop_names[m.id] for m in memberships},
    }


def erasure_problem(*, user: User) -> str | None:
    """Return why *user* cannot be erased now, or None (reads only)."""
    if user.is_platform_admin:
        return (
            "A platform admin cannot be erased. Ask another platform admin to take "
            "over first, then to remove your admin rights."
        )
    for membership in _memberships(user):
        if membership.is_active and membership.role is Role.COORDINATOR:
            coordinators = frozenset(
                db.session.scalars(
                    select(Membership.id).where(
                        Membership.coop_id == membership.coop_id,
                        Membership.status == MembershipStatus.ACTIVE,
                        Membership.role == Role.COORDINATOR,
                    )
                )
            )
            if is_last_coordinator(coordinators, membership.id):
                return (
                    f"You are the last coordinator of {membership.coop.name}. Make someone "
                    "else coordinator first."
                )
    return None


def _scrubber(user: User, label: str) -> re.Pattern[str]:
    words = [re.escape(user.email)]
    if len(user.name) >= 3:
        words.append(r"\b" + re.escape(user.name) + r"\b")
    return re.compile("|".join(words), re.IGNORECASE)


def erase_person(*, user: User, password: str) -> str:
    """Erase *user*, after checking *password*; return their tombstone's name.

    Removes their name, email, password, household facts, logins, notification
    choices and council appointments, and their name and email from the texts
    the platform keeps (emails it wrote, ledger memos). Keeps the ledger,
    bills, orders of closed rounds, collections and volunteer hours, attributed
    to "Former household #N"; orders in rounds still taking orders are
    withdrawn. Each co-op the household was in is told, without the name, with
    the balance that still stands.
    """
    if not verify_password(user.password_hash, password):
        raise ServiceError(WRONG_PASSWORD, field="password")
    problem = erasure_problem(user=user)
    if problem:
        raise ServiceError(problem)
    label = FORMER_HOUSEHOLD.format(id=user.id)
    scrub = _scrubber(user, label)
    now = utcnow()
    told: list[tuple[Membership, int]] = []
    for membership in _memberships(user):
        membership.facts.clear()
        ids = [membership.id]
        # An order in a round still taking orders is only a wish: it goes, so no
        # former household is allocated food after it asked to be forgotten.
        db.session.execute(
            delete(OrderRequest).where(
                OrderRequest.membership_id == membership.id,
                OrderRequest.round_id.in_(select(Round.id).where(Round.state.in_(STILL_ORDERING))),
            )
        )
        db.session.execute(
            delete(NotificationOptOut).where(NotificationOptOut.membership_id.in_(ids))
        )
        db.session.execute(delete(NotificationSent).where(NotificationSent.membership_id.in_(ids)))
        if membership.joined_at is None:
            db.session.delete(membership)  # a request nobody answered: nothing refers to it
            continue
        if membership.status is not MembershipStatus.LEFT:
            membership.left_at = now
        membership.status = MembershipStatus.LEFT
        membership.role = Role.MEMBER
        told.append((membership, household_balance_pence(membership=membership)))
    db.session.execute(delete(Login).where(Login.user_id == user.id))
    db.session.execute(delete(CouncilOfficer).where(CouncilOfficer.user_id == user.id))
    db.session.execute(update(Invitation).where(Invitation.email == user.email).values(email=None))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == user.email))
    _scrub_texts(user, scrub, label)
    user.name = label
    user.email = f"erased-{user.id}@{ERASED_DOMAIN}"
    user.password_hash = "!"  # no hash: nothing verifies against it
    user.erased_at = now
    db.session.flush()
    for membership, balance in told:
        for coordinator in _coordinators(membership):
            send_message(
                "people/household_erased.txt",
                to=coordinator.email,
                coordinator=coordinator,
                coop=membership.coop,
                former=label,
                balance_pence=balance,
            )
    return label


def _coordinators(membership: Membership) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.coop_id == membership.coop_id,
                Membership.status == MembershipStatus.ACTIVE,
                Membership.role == Role.COORDINATOR,
            )
            .order_by(User.name)
        )
    )


def _scrub_texts(user: User, scrub: re.Pattern[str], label: str) -> None:
    """Take the person's name and email out of kept texts; no amount changes."""
    mentions = [f"%{user.email}%", f"%{user.name}%"]
    for message in db.session.scalars(
        select(OutboxMessage).where(
            or_(*(OutboxMessage.body.ilike(m) | OutboxMessage.subject.ilike(m) for m in mentions))
        )
    ):
        message.subject = scrub.sub(ERASED_TEXT, message.subject)[:255]
        message.body = scrub.sub(ERASED_TEXT, message.body)
    for transaction in db.session.scalars(
        select(LedgerTransaction).where(or_(*(LedgerTransaction.memo.ilike(m) for m in mentions)))
    ):
        transaction.memo = scrub.sub(label, transaction.memo)
    for posting in db.session.scalars(
        select(Posting).where(or_(*(Posting.memo.ilike(m) for m in mentions)))
    ):
        posting.memo = scrub.sub(label, posting.memo)[:200]
    # What others wrote about the household: announcements, reasons, support history.
    for announcement in db.session.scalars(
        select(Announcement).where(
            or_(*(Announcement.body.ilike(m) | Announcement.subject.ilike(m) for m in mentions))
        )
    ):
        announcement.subject = scrub.sub(ERASED_TEXT, announcement.subject)[
            :ANNOUNCEMENT_SUBJECT_MAX
        ]
        announcement.body = scrub.sub(ERASED_TEXT, announcement.body)[:ANNOUNCEMENT_BODY_MAX]
    for allocation in db.session.scalars(
        select(Allocation).where(or_(*(Allocation.manual_reason.ilike(m) for m in mentions)))
    ):
        allocation.manual_reason = scrub.sub(label, allocation.manual_reason)[:200]
    for change in db.session.scalars(
        select(SupportRecordChange).where(
            or_(
                *(
                    SupportRecordChange.old_value.ilike(m) | SupportRecordChange.new_value.ilike(m)
                    for m in mentions
                )
            )
        )
    ):
        change.old_value = scrub.sub(ERASED_TEXT, change.old_value)
        change.new_value = scrub.sub(ERASED_TEXT, change.new_value)
    for record in db.session.scalars(
        select(SupportRecord).where(
            or_(
                *(
                    SupportRecord.decision_note.ilike(m) | SupportRecord.notes.ilike(m)
                    for m in mentions
                )
            )
        )
    ):
        record.decision_note = scrub.sub(ERASED_TEXT, record.decision_note)
        record.notes = scrub.sub(ERASED_TEXT, record.notes)

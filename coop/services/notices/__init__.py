"""Notifications: what households hear from their co-op, once each, and only if they want it.

A notification is one of the kinds in `coop.domain.notifications`. Each is
written by `notify`, which for every household it is given:

- skips a household that turned the kind off (`NotificationOptOut`);
- claims the event for the household in `NotificationSent` (one row per
  household, kind and key, under a unique constraint, written with
  ``ON CONFLICT DO NOTHING``), so a second run, a retried job or two
  workers at once write it once;
- renders its template with a one-click unsubscribe link for that kind
  alone (``List-Unsubscribe`` and ``List-Unsubscribe-Post``, RFC 8058) and
  the link to the account page where every kind can be chosen;
- writes it to the outbox in the same transaction, so the claim and the
  message stand or fall together.

The unsubscribe link carries a signed token naming the household and the
kind; it never expires (an old message's link must still work), opens no
session and changes nothing but that one choice. A token that was altered
or made up is refused with a plain message.

The jobs that decide who hears what live beside this module: `rounds` (a
round opened, the order ready for pickup), `deadlines` (a round's deadline
near), `owing` (reminders to households that owe) and `announcements` (a
coordinator's message to all members).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from coop.domain.notifications import NotificationKind
from coop.domain.roles import MembershipStatus
from coop.extensions import db
from coop.models import Coop, Membership, NotificationOptOut, NotificationSent, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.links import links
from coop.services.mail import Email, render_message, send_emails

UNSUBSCRIBE_SALT = "coop.notices.unsubscribe"

UNSUBSCRIBE_INVALID = (
    "This unsubscribe link is not one coop made, or it was cut short or changed. "
    "Nothing has been changed. Open the link from the message again, or choose "
    "what you hear on your account page."
)
UNSUBSCRIBE_GONE = (
    "This unsubscribe link is for a household that is no longer in that co-op's "
    "records, so there is nothing to stop."
)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(*, membership_id: int, kind: NotificationKind) -> str:
    """Return the token of the link that stops *kind* for the household *membership_id*."""
    return str(_serializer().dumps([membership_id, kind.value]))


@dataclass(frozen=True)
class Unsubscribe:
    """What an unsubscribe link stops: one kind, for one household of one co-op."""

    membership: Membership
    kind: NotificationKind

    @property
    def coop(self) -> Coop:
        return self.membership.coop

    @property
    def hearing(self) -> bool:
        """Whether the household still hears this kind."""
        return self.kind in choices(membership=self.membership)


def read_unsubscribe(*, token: str) -> Unsubscribe:
    """Return what an unsubscribe link stops, or refuse a link coop did not make (reads only)."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        raise ServiceError(UNSUBSCRIBE_INVALID) from None
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and not isinstance(payload[0], bool)
        and payload[1] in {kind.value for kind in NotificationKind}
    ):
        raise ServiceError(UNSUBSCRIBE_INVALID)
    membership = db.session.get(Membership, payload[0])
    if membership is None:
        raise ServiceError(UNSUBSCRIBE_GONE)
    return Unsubscribe(membership, NotificationKind(payload[1]))


def unsubscribe(*, token: str) -> Unsubscribe:
    """Stop the kind an unsubscribe link names for its household, and nothing else (flushes)."""
    found = read_unsubscribe(token=token)
    turn_off(membership=found.membership, kinds=[found.kind])
    return found


def choices(*, membership: Membership) -> frozenset[NotificationKind]:
    """Return the kinds the household hears (every kind it has not turned off)."""
    off = db.session.scalars(
        select(NotificationOptOut.kind).where(NotificationOptOut.membership_id == membership.id)
    ).all()
    return frozenset(NotificationKind) - frozenset(off)


def turn_off(*, membership: Membership, kinds: Iterable[NotificationKind]) -> None:
    """Stop *kinds* for the household; one already off stays as it is (flushes)."""
    wanted = set(kinds)
    if not wanted:
        return
    rows = [
        {"membership_id": membership.id, "kind": kind, "created_at": utcnow()} for kind in wanted
    ]
    db.session.execute(_insert_ignoring(NotificationOptOut, ("membership_id", "kind")).values(rows))
    db.session.flush()


def offered(membership: Membership) -> tuple[NotificationKind, ...]:
    """The kinds a household can be sent, so may choose (one that left: only money owed)."""
    if membership.status is MembershipStatus.LEFT:
        return (NotificationKind.OWING_REMINDER,)
    return tuple(NotificationKind)


def set_choices(*, membership: Membership, hearing: Iterable[NotificationKind]) -> None:
    """Make the household hear exactly the kinds in *hearing* of those it is offered (flushes).

    A kind it is not offered keeps its choice, so a household that left and
    rejoins hears again what it heard before.
    """
    choosable = frozenset(offered(membership))
    on = frozenset(hearing) & choosable
    db.session.execute(
        delete(NotificationOptOut).where(
            NotificationOptOut.membership_id == membership.id,
            NotificationOptOut.kind.in_(list(on)),
        )
    )
    turn_off(membership=membership, kinds=choosable - on)
    db.session.flush()


def _insert_ignoring(model: type, index: Sequence[str]) -> Any:
    """An INSERT that skips rows already there (by the unique *index*), on either database."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing(index_elements=list(index))


def hearing(*, kind: NotificationKind, membership_ids: Iterable[int]) -> set[int]:
    """Return those of *membership_ids* that have not turned *kind* off."""
    ids = set(membership_ids)
    if not ids:
        return set()
    off = db.session.scalars(
        select(NotificationOptOut.membership_id).where(
            NotificationOptOut.kind == kind, NotificationOptOut.membership_id.in_(ids)
        )
    ).all()
    return ids - set(off)


def claim(*, kind: NotificationKind, key: str, membership_ids: Iterable[int]) -> set[int]:
    """Record that *kind* for event *key* goes to each household; return those new to it (flushes).

    A household already sent this event is left out, whoever sent it, so
    running the same notification twice writes nothing the second time.
    """
    ids = sorted(set(membership_ids))
    if not ids:
        return set()
    now = utcnow()
    rows = [{"membership_id": id_, "kind": kind, "key": key, "sent_at": now} for id_ in ids]
    claimed = db.session.scalars(
        _insert_ignoring(NotificationSent, ("membership_id", "kind", "key"))
        .values(rows)
        .returning(NotificationSent.membership_id)
    ).all()
    db.session.flush()
    return set(claimed)


def already_sent(*, kind: NotificationKind, key: str, membership_ids: Iterable[int]) -> set[int]:
    """Return those of *membership_ids* that were sent *kind* for *key* already."""
    ids = set(membership_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(NotificationSent.membership_id).where(
                NotificationSent.kind == kind,
                NotificationSent.key == key,
                NotificationSent.membership_id.in_(ids),
            )
        ).all()
    )


def notify(
    *,
    kind: NotificationKind,
    key: str,
    households: Sequence[Membership],
    template: str,
    values: Callable[[Membership], Mapping[str, object]] | None = None,
    **shared: object,
) -> list[Membership]:
    """Write the notification *template* of *kind*, for event *key*, to each of *households*.

    Households that turned *kind* off, those sent this event already, and
    former households whose person was erased (no one is left to tell) are
    skipped. Each message has the household's own values (from *values*)
    and the *shared* ones, plus ``user``, ``membership``, ``coop``,
    ``unsubscribe_link``, ``account_link`` and ``kind``, and carries the
    one-click unsubscribe headers. Returns the households written to (flushes).
    """
    if not households:
        return []
    by_id = {household.id: household for household in households}
    listening = hearing(kind=kind, membership_ids=by_id) - _erased(by_id)
    claimed = claim(kind=kind, key=key, membership_ids=listening)
    chosen = [by_id[id_] for id_ in sorted(claimed)]
    _load_people(chosen)
    send_emails([_message(kind, household, template, values, shared) for household in chosen])
    return chosen


def _erased(membership_ids: Iterable[int]) -> set[int]:
    return set(
        db.session.scalars(
            select(Membership.id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.id.in_(set(membership_ids)), User.erased_at.is_not(None))
        )
    )


def _load_people(households: Sequence[Membership]) -> None:
    unloaded = [household.id for household in households if "user" not in household.__dict__]
    if unloaded:
        db.session.scalars(
            select(Membership)
            .where(Membership.id.in_(unloaded))
            .options(selectinload(Membership.user), selectinload(Membership.coop))
        ).all()


def _message(
    kind: NotificationKind,
    household: Membership,
    template: str,
    values: Callable[[Membership], Mapping[str, object]] | None,
    shared: Mapping[str, object],
) -> Email:
    builders = links()
    unsubscribe_link = builders.unsubscribe(
        unsubscribe_token(membership_id=household.id, kind=kind)
    )
    own = dict(values(household)) if values is not None else {}
    return render_message(
        template,
        to=household.user.email,
        sensitive=False,
        attachments=(),
        headers=(
            ("List-Unsubscribe", f"<{unsubscribe_link}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ),
        **{
            "user": household.user,
            "membership": household,
            "coop": household.coop,
            "kind": kind,
            "unsubscribe_link": unsubscribe_link,
            "account_link": builders.account(),
            **shared,
            **own,
        },
    )

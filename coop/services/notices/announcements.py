"""Announcements: a coordinator's plain-text message to every household of the co-op.

Posting one writes the `Announcement` and, once that commits, enqueues
`send_announcement` with its id. The job writes it to each of the co-op's
active households that has not turned announcements off, keyed
``announcement:<id>``, so a retried or repeated job writes nothing twice;
it then records when it went and to how many households. An announcement
that no longer exists makes the job a logged no-op. Households that are
pending, have left, or belong to another co-op never get it.

The preview is the same template rendered for the coordinator's own
household, with a stand-in for the unsubscribe link that each household
gets its own of; it writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from coop.domain import announcements as rules
from coop.domain.notifications import NotificationKind
from coop.extensions import db
from coop.models import Announcement, Coop, NotificationSent, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.jobs import enqueue_after_commit
from coop.services.links import links
from coop.services.mail import Email, render_message
from coop.services.notices import hearing, notify
from coop.services.notices.rounds import active_households

TEMPLATE = "notices/announcement.txt"
KIND = NotificationKind.ANNOUNCEMENT
# Where the preview shows the link each household gets its own of.
UNSUBSCRIBE_STAND_IN = "(each household's own one-click link to stop announcements)"
NO_AUTHOR = "The coordinators"
SENT_ALREADY = (
    "The co-op's latest announcement is this very one, so it has gone already "
    "(a second press of Send, perhaps). Change something to send it again."
)


def announcement_key(announcement_id: int) -> str:
    """The event key of an announcement's notifications."""
    return f"announcement:{announcement_id}"


def check_announcement(*, subject: str | None, body: str | None) -> rules.Announcement:
    """Return the announcement trimmed, or refuse it at the field whose text cannot be sent."""
    problems = rules.announcement_problems(subject, body)
    if problems:
        name, problem = next(iter(problems.items()))
        raise ServiceError(problem, field=name)
    return rules.Announcement(subject=rules.plain(subject), body=rules.plain(body))


def audience(*, coop: Coop) -> int:
    """Return how many households would get an announcement now: active, and hearing them."""
    ids = [household.id for household in active_households(coop.id)]
    return len(hearing(kind=KIND, membership_ids=ids))


def _author_name(author: User | None) -> str:
    return author.name if author is not None else NO_AUTHOR


def preview_announcement(
    *, coop: Coop, author: User, subject: str | None, body: str | None
) -> Email:
    """Return the email as a household will get it, here the author's own; writes nothing."""
    checked = check_announcement(subject=subject, body=body)
    return render_message(
        TEMPLATE,
        to=author.email,
        user=author,
        kind=KIND,
        unsubscribe_link=UNSUBSCRIBE_STAND_IN,
        account_link=links().account(),
        coop=coop,
        announcement=checked,
        author_name=_author_name(author),
        coop_link=links().coop_home(coop),
    )


@dataclass(frozen=True)
class Posted:
    """An announcement written, and how many households it is going to."""

    announcement: Announcement
    households: int


def post_announcement(*, coop: Coop, author: User, subject: str | None, body: str | None) -> Posted:
    """Write the announcement and send it to the co-op's households once this commits (flushes).

    The same subject and body as the co-op's latest announcement is refused:
    a second press of Send must not tell every household twice.
    """
    checked = check_announcement(subject=subject, body=body)
    latest = db.session.scalars(
        select(Announcement)
        .where(Announcement.coop_id == coop.id)
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(1)
    ).first()
    if latest is not None and (latest.subject, latest.body) == (checked.subject, checked.body):
        raise ServiceError(SENT_ALREADY, field="body")
    announcement = Announcement(
        coop_id=coop.id, author=author, subject=checked.subject, body=checked.body
    )
    db.session.add(announcement)
    db.session.flush()
    enqueue_after_commit(
        send_announcement,
        key=announcement_key(announcement.id),
        announcement_id=announcement.id,
    )
    return Posted(announcement, audience(coop=coop))


def send_announcement(*, announcement_id: int) -> None:
    """The job: write the announcement to every active household that hears announcements."""
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        current_app.logger.warning(
            "Announcement %s no longer exists; nothing sent", announcement_id
        )
        return
    coop = db.session.get_one(Coop, announcement.coop_id)
    key = announcement_key(announcement.id)
    notify(
        kind=KIND,
        key=key,
        households=active_households(coop.id),
        template=TEMPLATE,
        announcement=rules.Announcement(subject=announcement.subject, body=announcement.body),
        author_name=_author_name(announcement.author),
        coop_link=links().coop_home(coop),
    )
    # Counted from the claims, so a second run that wrote nothing keeps the first run's count.
    announcement.recipients = (
        db.session.scalar(
            select(func.count())
            .select_from(NotificationSent)
            .where(NotificationSent.kind == KIND, NotificationSent.key == key)
        )
        or 0
    )
    if announcement.sent_at is None:
        announcement.sent_at = utcnow()
    db.session.flush()


@dataclass(frozen=True)
class AnnouncementPage:
    """A page of a co-op's announcements, newest first."""

    rows: list[Announcement]
    page: int
    pages: int
    total: int


def announcements_page(*, coop: Coop, page: int = 1, per_page: int = 20) -> AnnouncementPage:
    """Return a page of the co-op's announcements, newest first, with their authors."""
    total = (
        db.session.scalar(
            select(func.count()).select_from(Announcement).where(Announcement.coop_id == coop.id)
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.coop_id == coop.id)
            .options(selectinload(Announcement.author))
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return AnnouncementPage(rows=rows, page=page, pages=pages, total=total)


def recent_announcements(*, coop: Coop, count: int = 5) -> list[Announcement]:
    """Return the co-op's latest *count* announcements, newest first."""
    return announcements_page(coop=coop, per_page=count).rows

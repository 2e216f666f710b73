"""Platform admin pages: councils, co-ops, their first people, the outbox, failed jobs."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from coop.domain.numbers import whole_number
from coop.domain.permissions import can_administer_coop, can_administer_council
from coop.domain.roles import JoiningPolicy
from coop.extensions import db
from coop.models import Coop, Council, OutboxMessage, OutboxStatus
from coop.services.errors import ServiceError
from coop.services.jobs import list_failed_jobs, retry_failed_job
from coop.services.mail import mark_unanswered_message_sent, resend_unanswered_message
from coop.services.people import coops as coop_service
from coop.services.people import councils as council_service
from coop.services.people.memberships import coordinators_of
from coop.web.access import for_coop, for_council, platform_admin, signed_in_user
from coop.web.forms import required
from coop.web.links import site_url_for
from coop.web.outcome import commit_or_refuse
from coop.web.paging import page_number, page_url_keeping
from coop.web.platform import bp
from coop.web.platform.forms import (
    NO_COUNCIL,
    CoopForm,
    CouncilForm,
    EmailForm,
    MarkSentForm,
    MoveCoopForm,
    RemoveOfficerForm,
    ResendMessageForm,
    RetryJobForm,
    SuccessorForm,
    council_choices,
)

OUTBOX_PAGE_SIZE = 25
BODY_HIDDEN = "(body hidden: it contains a sign-in link)"


def _all_councils() -> list[Council]:
    return list(db.session.scalars(select(Council).order_by(Council.name, Council.id)))


@bp.route("/")
@platform_admin
def index():
    return render_template(
        "platform/index.html",
        councils=council_service.list_councils(),
        coops=coop_service.list_coops(),
    )


# Councils


@bp.route("/councils/new", methods=["GET", "POST"])
@platform_admin
def new_council():
    form = CouncilForm()
    if form.validate_on_submit():
        council = commit_or_refuse(lambda: council_service.create_council(**form.details())).show(
            form
        )
        if council is not None:
            flash(f"{council.name} ({council.gss_code}) has been added.", "success")
            return redirect(url_for(".council", council_id=council.id))
    return render_template("platform/council_form.html", form=form, council=None)


@bp.route("/councils/<int:council_id>/")
@for_council(can_administer_council)
def council(council: Council):
    return _council_page(council)


def _successor_form(council: Council, *, posted: bool) -> SuccessorForm:
    form = SuccessorForm() if posted else SuccessorForm(formdata=None)
    others = [row for row in _all_councils() if row.id != council.id]
    form.successor.choices = council_choices(others, blank="Not replaced")
    return form


def _council_page(
    council: Council,
    officer_form: EmailForm | None = None,
    successor_form: SuccessorForm | None = None,
):
    if successor_form is None:
        successor_form = _successor_form(council, posted=False)
        successor_form.successor.data = council.successor_id or NO_COUNCIL
    return render_template(
        "platform/council.html",
        council=council,
        coops=council_service.linked_coops(council=council),
        officers=council_service.list_officers(council=council),
        officer_form=officer_form or EmailForm(formdata=None),
        successor_form=successor_form,
    )


@bp.route("/councils/<int:council_id>/successor", methods=["POST"])
@for_council(can_administer_council)
def set_successor(council: Council):
    form = _successor_form(council, posted=True)
    if form.validate_on_submit():
        chosen = form.successor.data
        successor = db.session.get(Council, chosen) if chosen != NO_COUNCIL else None
        done = commit_or_refuse(
            lambda: council_service.set_successor(council=council, successor=successor)
        ).show(form)
        if done is not None:
            flash(
                f"{council.name} is replaced by {successor.name}."
                if successor
                else f"{council.name} is not replaced.",
                "success",
            )
            return redirect(url_for(".council", council_id=council.id))
    return _council_page(council, successor_form=form)


@bp.route("/councils/<int:council_id>/edit", methods=["GET", "POST"])
@for_council(can_administer_council)
def edit_council(council: Council):
    form = CouncilForm(obj=council)
    if form.validate_on_submit():
        updated = commit_or_refuse(
            lambda: council_service.update_council(council=council, **form.details())
        ).show(form)
        if updated is not None:
            flash(f"{updated.name} has been updated.", "success")
            return redirect(url_for(".council", council_id=updated.id))
    return render_template("platform/council_form.html", form=form, council=council)


@bp.route("/councils/<int:council_id>/officers", methods=["POST"])
@for_council(can_administer_council)
def appoint_officer(council: Council):
    form = EmailForm()
    if form.validate_on_submit():
        officer = commit_or_refuse(
            lambda: council_service.appoint_officer(
                council=council,
                email=required(form.email.data),
                dashboard_link=site_url_for("council.dashboard", council_id=council.id),
            )
        ).show(form)
        if officer is not None:
            flash(f"{officer.user.name} is now an officer of {council.name}.", "success")
            return redirect(url_for(".council", council_id=council.id))
    return _council_page(council, officer_form=form)


@bp.route("/councils/<int:council_id>/officers/remove", methods=["POST"])
@for_council(can_administer_council)
def remove_officer(council: Council):
    form = RemoveOfficerForm()
    user_id = whole_number(form.user_id.data)
    if form.validate_on_submit() and user_id is not None:
        user = commit_or_refuse(
            lambda: council_service.remove_officer(council=council, user_id=user_id)
        ).show()
        if user is not None:
            flash(f"{user.name} is no longer an officer of {council.name}.", "success")
    else:
        flash("Choose an officer to remove.", "error")
    return redirect(url_for(".council", council_id=council.id))


# Co-ops


@bp.route("/coops/new", methods=["GET", "POST"])
@platform_admin
def new_coop():
    form = CoopForm()
    form.council.choices = council_choices(_all_councils(), blank="No council yet")
    if form.validate_on_submit():
        council = (
            db.session.get(Council, form.council.data) if form.council.data != NO_COUNCIL else None
        )
        coop = commit_or_refuse(
            lambda: coop_service.create_coop(
                name=required(form.name.data),
                slug=required(form.slug.data),
                pickup_address=form.pickup_address.data or "",
                household_cap=required(form.household_cap.data),
                joining_policy=JoiningPolicy(form.joining_policy.data),
                council=council,
                council_from=form.council_from.data,
                coordinator_email=form.coordinator_email.data or None,
                manage_link_for=_manage_link,
            )
        ).show(form)
        if coop is not None:
            flash(f"{coop.name} has been created.", "success")
            return redirect(url_for(".coop", slug=coop.slug))
    return render_template("platform/coop_form.html", form=form)


def _manage_link(slug: str) -> str:
    return site_url_for("admin.index", slug=slug)


@bp.route("/coops/<slug>")
@for_coop(can_administer_coop)
def coop(coop: Coop):
    return _coop_page(coop)


def _coop_page(
    coop: Coop, coordinator_form: EmailForm | None = None, move_form: MoveCoopForm | None = None
):
    if move_form is None:
        move_form = MoveCoopForm(formdata=None)
    move_form.council.choices = council_choices(_all_councils(), blank=None)
    return render_template(
        "platform/coop.html",
        coop=coop,
        council=coop_service.current_council(coop=coop),
        active_households=coop_service.active_household_count(coop=coop),
        coordinators=coordinators_of(coop=coop),
        coordinator_form=coordinator_form or EmailForm(formdata=None),
        move_form=move_form,
    )


@bp.route("/coops/<slug>/coordinators", methods=["POST"])
@for_coop(can_administer_coop)
def appoint_coordinator(coop: Coop):
    form = EmailForm()
    if form.validate_on_submit():
        membership = commit_or_refuse(
            lambda: coop_service.appoint_coordinator(
                coop=coop, email=required(form.email.data), manage_link=_manage_link(coop.slug)
            )
        ).show(form)
        if membership is not None:
            flash(f"{membership.user.name} is now a coordinator of {coop.name}.", "success")
            return redirect(url_for(".coop", slug=coop.slug))
    return _coop_page(coop, coordinator_form=form)


@bp.route("/coops/<slug>/council", methods=["POST"])
@for_coop(can_administer_coop)
def move_coop(coop: Coop):
    form = MoveCoopForm()
    form.council.choices = council_choices(_all_councils(), blank=None)
    if form.validate_on_submit():
        council = db.get_or_404(Council, form.council.data)
        link = commit_or_refuse(
            lambda: coop_service.link_coop_to_council(
                coop=coop, council=council, starts_on=required(form.starts_on.data)
            )
        ).show(form)
        if link is not None:
            flash(
                f"{coop.name} belongs to {link.council.name} from {link.starts_on:%-d %B %Y}.",
                "success",
            )
            return redirect(url_for(".coop", slug=coop.slug))
    return _coop_page(coop, move_form=form)


# Outbox


@bp.route("/outbox")
@platform_admin
def outbox():
    messages = db.paginate(
        select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        page=page_number(request.args.get("page")),
        per_page=OUTBOX_PAGE_SIZE,
        max_per_page=OUTBOX_PAGE_SIZE,
    )
    unanswered = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.handed_at.is_not(None))
    )
    return render_template(
        "platform/outbox.html",
        messages=messages,
        unanswered=unanswered,
        page=messages,
        page_url=page_url_keeping(()),
    )


@bp.route("/outbox/<int:message_id>")
@platform_admin
def message(message_id: int):
    return _message_page(db.get_or_404(OutboxMessage, message_id), ResendMessageForm())


def _message_page(message: OutboxMessage, resend: ResendMessageForm, status: int = 200):
    hidden = message.secret and not current_app.config.get("OUTBOX_SHOWS_SECRETS")
    body = BODY_HIDDEN if hidden else message.body
    page = render_template(
        "platform/message.html",
        message=message,
        body=body,
        resend=resend,
        mark_sent=MarkSentForm(),
    )
    return page, status


@bp.route("/outbox/<int:message_id>/send-again", methods=["POST"])
@platform_admin
def resend_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    form = ResendMessageForm()
    if not form.validate_on_submit():
        return _message_page(message, form, 400)
    outcome = commit_or_refuse(lambda: resend_unanswered_message(message_id=message_id))
    if not outcome.refused:  # the commit queued the sender
        flash(f"{message.recipient}'s message is queued to be sent again.", "success")
    outcome.show()
    return redirect(url_for(".message", message_id=message_id))


@bp.route("/outbox/<int:message_id>/mark-sent", methods=["POST"])
@platform_admin
def mark_message_sent(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    form = MarkSentForm()
    if form.validate_on_submit():
        outcome = commit_or_refuse(
            lambda: mark_unanswered_message_sent(message_id=message_id, by=signed_in_user())
        )
        if not outcome.refused:
            flash(f"{message.recipient}'s message is marked as sent.", "success")
        outcome.show()
    return redirect(url_for(".message", message_id=message_id))


# Jobs


@bp.route("/jobs")
@platform_admin
def failed_jobs():
    queued = bool(current_app.config["REDIS_URL"])
    try:
        jobs = list_failed_jobs()
    except ServiceError as error:
        flash(error.message, "error")
        jobs = []
    return render_template("platform/jobs.html", queued=queued, jobs=jobs, form=RetryJobForm())


@bp.route("/jobs/retry", methods=["POST"])
@platform_admin
def retry_job():
    form = RetryJobForm()
    try:
        retried = form.validate_on_submit() and retry_failed_job(job_id=form.job_id.data or "")
    except ServiceError as error:
        flash(error.message, "error")
    else:
        if retried:
            flash("The job is queued again; a worker will run it next.", "success")
        else:
            flash("That job is no longer among the failed jobs.", "error")
    return redirect(url_for(".failed_jobs"))

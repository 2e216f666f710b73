"""Volunteer hours: households log their time on the co-op's tasks; coordinators keep the list."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from coop.domain.permissions import can_manage_members, can_view_coop
from coop.domain.roles import MembershipStatus
from coop.domain.volunteering import format_minutes
from coop.extensions import db
from coop.models import Coop, Membership, User, VolunteerEntry, VolunteerTask
from coop.services.people.memberships import membership_of
from coop.services.people.volunteering import (
    add_task,
    delete_entry,
    log_hours,
    month_hours,
    retire_task,
    task_choices,
    task_list,
)
from coop.services.times import display_zone
from coop.web.access import current_viewer, for_coop, signed_in_user
from coop.web.forms import ActionForm, required
from coop.web.members import bp
from coop.web.members.forms import TaskForm, VolunteerForm
from coop.web.outcome import commit_or_refuse


def _today() -> date:
    return datetime.now(display_zone()).date()


def _month(today: date) -> date:
    """Return the first day of the month asked for (``?month=2026-11``), this month otherwise.

    The calendar's first and last years are refused too: their months have no
    month before or after to link to.
    """
    typed = request.args.get("month", "")[:7]
    try:
        asked = datetime.strptime(typed, "%Y-%m").date().replace(day=1)
    except ValueError:
        return today.replace(day=1)
    return asked if MINYEAR < asked.year < MAXYEAR else today.replace(day=1)


def _households(coop: Coop) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.user)
            .where(Membership.coop_id == coop.id, Membership.status == MembershipStatus.ACTIVE)
            .options(contains_eager(Membership.user))
            .order_by(User.name, Membership.id)
        )
    )


def _own(coop: Coop) -> Membership:
    membership = membership_of(coop=coop, user=signed_in_user())
    if membership is None or not membership.is_active:
        abort(403)
    return membership


@bp.route("/coops/<slug>/volunteering", methods=["GET", "POST"])
@for_coop(can_view_coop)
def volunteering(coop: Coop):
    """Log time, and see the month's hours: a coordinator sees everyone's, a member their own."""
    own = _own(coop)
    coordinator = can_manage_members(current_viewer(), coop.id)
    today = _today()
    form = VolunteerForm()
    form.task.choices = [(name, name) for name in task_choices(coop=coop)]
    households = _households(coop) if coordinator else [own]
    form.household.choices = [(m.id, m.user.name) for m in households]
    if request.method == "GET":
        form.household.data = own.id
        form.worked_on.data = today
    if form.validate_on_submit():
        # A member logs their own time whatever the form says; a coordinator picks the household.
        chosen = own.id if not coordinator else form.household.data
        logged = commit_or_refuse(
            lambda: log_hours(
                coop=coop,
                membership_id=chosen,
                task_name=form.task.data or "",
                worked_on=required(form.worked_on.data),
                minutes=form.minutes,
                logged_by=signed_in_user(),
                today=today,
            )
        ).show(form)
        if logged is not None:
            flash(f"{format_minutes(logged.minutes)} of {logged.task.name} logged.", "success")
            return redirect(
                url_for("members.volunteering", slug=coop.slug, month=f"{logged.worked_on:%Y-%m}")
            )
    first_day = _month(today)
    return render_template(
        "members/volunteering.html",
        coop=coop,
        form=form,
        coordinator=coordinator,
        own=own,
        first_day=first_day,
        previous=(first_day - timedelta(days=1)).strftime("%Y-%m"),
        following=_next_month(first_day).strftime("%Y-%m"),
        hours=month_hours(coop=coop, first_day=first_day, membership=None if coordinator else own),
        delete_form=ActionForm(),
        format_minutes=format_minutes,
    )


def _next_month(first_day: date) -> date:
    if first_day.month == 12:
        return date(first_day.year + 1, 1, 1)
    return date(first_day.year, first_day.month + 1, 1)


@bp.route("/coops/<slug>/volunteering/<int:entry_id>/delete", methods=["POST"])
@for_coop(can_view_coop)
def delete_volunteering(coop: Coop, entry_id: int):
    """Delete a mistaken entry: a member their own, a coordinator anyone's."""
    own = _own(coop)
    entry = db.session.get(VolunteerEntry, entry_id)
    coordinator = can_manage_members(current_viewer(), coop.id)
    if (
        entry is None
        or entry.coop_id != coop.id
        or not (coordinator or entry.membership_id == own.id)
    ):
        abort(404)
    if ActionForm().validate_on_submit():
        month = f"{entry.worked_on:%Y-%m}"
        if not commit_or_refuse(lambda: delete_entry(coop=coop, entry=entry)).refused:
            flash("The entry is deleted.", "success")
        return redirect(url_for("members.volunteering", slug=coop.slug, month=month))
    return redirect(url_for("members.volunteering", slug=coop.slug))


@bp.route("/coops/<slug>/volunteering/tasks", methods=["GET", "POST"])
@for_coop(can_manage_members)
def volunteer_tasks(coop: Coop):
    """The co-op's own list of tasks, which coordinators add to and retire from."""
    form = TaskForm()
    if form.validate_on_submit():
        added = commit_or_refuse(lambda: add_task(coop=coop, name=form.name.data or "")).show(form)
        if added is not None:
            flash(f"{added.name} is on the list.", "success")
            return redirect(url_for("members.volunteer_tasks", slug=coop.slug))
    return render_template(
        "members/volunteer_tasks.html",
        coop=coop,
        form=form,
        tasks=task_list(coop=coop),
        defaults=task_choices(coop=coop),
        retire_form=ActionForm(),
    )


@bp.route("/coops/<slug>/volunteering/tasks/<int:task_id>/retire", methods=["POST"])
@for_coop(can_manage_members)
def retire_volunteer_task(coop: Coop, task_id: int):
    task = db.session.get(VolunteerTask, task_id)
    if task is None or task.coop_id != coop.id:
        abort(404)
    if ActionForm().validate_on_submit():
        retired = commit_or_refuse(lambda: retire_task(coop=coop, task_id=task_id)).show()
        if retired is not None:
            flash(f"{retired.name} is off the list; time logged on it keeps its name.", "success")
    return redirect(url_for("members.volunteer_tasks", slug=coop.slug))

"""The home page, finding and joining co-ops, and a household's own co-op pages."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload
from werkzeug.exceptions import Forbidden

from coop.domain.money import plain_pounds
from coop.domain.permissions import can_manage_coop, can_view_coop
from coop.domain.roles import JoiningPolicy, MembershipStatus
from coop.extensions import db, wants_json
from coop.models import Coop, CoopCouncilLink, Invitation, Membership
from coop.services.errors import ServiceError
from coop.services.money.ledger import household_balance_pence
from coop.services.money.settle_up import leave_settling_up
from coop.services.people.coops import active_household_count, current_council, list_coops
from coop.services.people.household import update_facts
from coop.services.people.invitations import accept_invitation as accept_invitation_service
from coop.services.people.invitations import check_invitation
from coop.services.people.memberships import (
    count_pending,
    ending_problem,
    membership_of,
    request_to_join,
)
from coop.web.access import current_viewer, deny, for_coop, public, signed_in, signed_in_user
from coop.web.forms import ActionForm
from coop.web.links import site_url_for
from coop.web.members import bp
from coop.web.members.forms import HouseholdForm
from coop.web.outcome import commit_or_refuse, show_refusal
from coop.web.settle_up_forms import SettleUpForm

JOINABLE = (JoiningPolicy.OPEN, JoiningPolicy.APPROVAL)


def _coop_or_404(slug: str) -> Coop:
    return db.first_or_404(
        select(Coop)
        .where(Coop.slug == slug)
        .options(selectinload(Coop.council_links).selectinload(CoopCouncilLink.council))
    )


def _own_memberships(*statuses: MembershipStatus) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.coop)
            .where(Membership.user_id == current_user.id, Membership.status.in_(statuses))
            .options(contains_eager(Membership.coop))
            .order_by(Coop.name)
        )
    )


@bp.route("/")
@public
def home():
    if not current_user.is_authenticated:
        return render_template("members/landing.html")
    viewer = current_viewer()
    if viewer.is_platform_admin:
        return redirect(url_for("platform.index"))
    if len(viewer.coop_roles) == 1:
        coop = db.session.get_one(Coop, next(iter(viewer.coop_roles)))
        return redirect(url_for("members.coop_home", slug=coop.slug))
    if viewer.coop_roles:
        return redirect(url_for("members.my_coops"))
    if len(viewer.council_ids) == 1:
        return redirect(url_for("council.dashboard", council_id=next(iter(viewer.council_ids))))
    if viewer.council_ids:
        return redirect(url_for("council.index"))
    if _own_memberships(MembershipStatus.PENDING) or viewer.former_coop_ids:
        # A household that left still reads its statement and bills from there.
        return redirect(url_for("members.my_coops"))
    flash("You are not in a co-op yet. Find one near you and ask to join.", "info")
    return redirect(url_for("members.find_coops"))


@bp.route("/my-coops")
@signed_in
def my_coops():
    memberships = _own_memberships(
        MembershipStatus.ACTIVE, MembershipStatus.PENDING, MembershipStatus.LEFT
    )
    return render_template(
        "members/my_coops.html",
        active=[m for m in memberships if m.status is MembershipStatus.ACTIVE],
        pending=[m for m in memberships if m.status is MembershipStatus.PENDING],
        former=[m for m in memberships if m.status is MembershipStatus.LEFT],
    )


@bp.route("/coops")
@public
def find_coops():
    # Typed text is only compared in Python, never sent to the database; a place name is short.
    place = " ".join(request.args.get("place", "").replace("\x00", "").split())[:100]
    return render_template(
        "members/find_coops.html",
        listing=list_coops(policies=JOINABLE, place=place),
        place=place,
    )


@bp.route("/coops/<slug>/about")
@public
def coop_profile(slug: str):
    coop = _coop_or_404(slug)
    membership = (
        membership_of(coop=coop, user=signed_in_user()) if current_user.is_authenticated else None
    )
    return render_template(
        "members/coop_profile.html",
        coop=coop,
        council=current_council(coop=coop),
        has_room=active_household_count(coop=coop) < coop.household_cap,
        membership=membership,
        form=ActionForm(),
    )


# GET is here only so that someone sent to log in on the way comes back to the profile.
@bp.route("/coops/<slug>/join", methods=["GET", "POST"])
@signed_in
def join(slug: str):
    coop = _coop_or_404(slug)
    form = ActionForm()
    if request.method == "GET" or not form.validate_on_submit():
        return redirect(url_for("members.coop_profile", slug=coop.slug))
    membership = commit_or_refuse(
        lambda: request_to_join(
            coop=coop,
            user=signed_in_user(),
            review_link=site_url_for("admin.index", slug=coop.slug),
        )
    ).show()
    if membership is None:
        return redirect(url_for("members.coop_profile", slug=coop.slug))
    if membership.is_active:
        flash(f"Welcome to {coop.name}! Your household is now a member.", "success")
        return redirect(url_for("members.coop_home", slug=coop.slug))
    flash(
        f"Your request to join {coop.name} has been sent to its coordinators. "
        "We will email you when they answer.",
        "success",
    )
    return redirect(url_for("members.my_coops"))


def _own_membership(coop: Coop) -> Membership:
    membership = membership_of(coop=coop, user=signed_in_user())
    if membership is None or not membership.is_active:  # can_view_coop has already said yes
        abort(403)
    return membership


@bp.route("/coops/<slug>/")
@for_coop(can_view_coop)
def coop_home(coop: Coop):
    return render_template(
        "members/coop_home.html",
        coop=coop,
        membership=_own_membership(coop),
        council=current_council(coop=coop),
        pending_count=(
            count_pending(coop=coop) if can_manage_coop(current_viewer(), coop.id) else 0
        ),
    )


@bp.route("/coops/<slug>/household", methods=["GET", "POST"])
@for_coop(can_view_coop)
def household(coop: Coop):
    membership = _own_membership(coop)
    form = HouseholdForm(data=None if request.method == "POST" else HouseholdForm.held(membership))
    if form.validate_on_submit():
        saved = commit_or_refuse(
            lambda: update_facts(membership=membership, answers=form.answers())
        ).show(form)
        if saved is not None:
            flash("Your household details are saved.", "success")
            return redirect(url_for("members.coop_home", slug=coop.slug))
    return render_template("members/household.html", coop=coop, form=form)


@bp.route("/coops/<slug>/leave", methods=["GET", "POST"])
@for_coop(can_view_coop)
def leave(coop: Coop):
    """Leave the co-op; a household that owes or is owed money sees it first and says so."""
    membership = _own_membership(coop)
    form = SettleUpForm()
    if form.validate_on_submit():
        left = commit_or_refuse(
            lambda: leave_settling_up(
                membership=membership,
                shown_pence=form.balance.data,
                settle=form.settle_choice(),
                members_link=site_url_for("admin.members", slug=coop.slug),
            )
        )
        if left.value is not None:
            flash(f"You have left {coop.name}.", "success")
            return redirect(url_for("members.home"))
        if left.refusal is not None:
            show_refusal(form, left.refusal)
    balance = household_balance_pence(membership=membership)
    form.offer(name=membership.user.name, balance_pence=balance, own=True)
    return render_template(
        "members/leave.html",
        coop=coop,
        form=form,
        balance=balance,
        balance_text=plain_pounds(balance),
        problem=ending_problem(coop=coop, membership=membership),
    )


@bp.route("/join/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    form = ActionForm()
    if request.method == "POST":
        # Anyone may read the invitation; only a signed-in person can take it up.
        if not current_user.is_authenticated:
            return deny()
        if form.validate_on_submit():
            accepted = commit_or_refuse(
                lambda: accept_invitation_service(token=token, user=signed_in_user())
            )
            membership = accepted.value
            if membership is None:
                return _invitation_page(token, form, error=accepted.message)
            flash(f"Welcome to {membership.coop.name}! Your household is now a member.", "success")
            return redirect(url_for("members.coop_home", slug=membership.coop.slug))
    try:
        invitation = check_invitation(token=token)
    except ServiceError as error:
        return _invitation_page(token, form, error=error.message)
    return _invitation_page(token, form, invitation=invitation)


def _invitation_page(
    token: str, form: ActionForm, *, invitation: Invitation | None = None, error: str = ""
) -> str:
    membership = (
        membership_of(coop=invitation.coop, user=signed_in_user())
        if invitation is not None and current_user.is_authenticated
        else None
    )
    return render_template(
        "members/accept_invitation.html",
        invitation=invitation,
        membership=membership,
        error=error,
        token=token,
        form=form,
    )


@bp.errorhandler(403)
def refused(error: Forbidden):
    """Tell a former or waiting household why its co-op's pages are closed to it."""
    title, text, link = "Not allowed", "You do not have permission to see this page.", None
    slug = (request.view_args or {}).get("slug")
    coop = (
        db.session.scalar(select(Coop).where(Coop.slug == slug))
        if slug and current_user.is_authenticated
        else None
    )
    membership = membership_of(coop=coop, user=signed_in_user()) if coop is not None else None
    if coop is not None and membership is not None:
        if membership.status is MembershipStatus.LEFT:
            title = "No longer a member"
            text = f"You are no longer a member of {coop.name}."
        elif membership.status is MembershipStatus.PENDING:
            title = "Your request is waiting"
            text = (
                f"Your request to join {coop.name} is waiting for a coordinator's answer. "
                "We will email you when they answer."
            )
        if membership.status is not MembershipStatus.ACTIVE:
            link = (url_for("members.coop_profile", slug=coop.slug), f"About {coop.name}")
    if wants_json():
        return jsonify(error=text), 403
    return render_template("errors.html", code=403, title=title, text=text, link=link), 403

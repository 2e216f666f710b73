"""Running a co-op: the overview, members, invitations and settings."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload
from werkzeug.wrappers import Response

from coop.domain.money import plain_pounds
from coop.domain.permissions import (
    can_edit_coop_settings,
    can_manage_coop,
    can_manage_members,
    can_manage_money,
    can_view_members,
)
from coop.domain.roles import MembershipStatus, Role
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import Coop, Invitation, Membership, User
from coop.services.money.credit import money_managers, set_credit_control
from coop.services.money.ledger import household_balance_pence
from coop.services.money.paying_in import (
    BankDetails,
    bank_account,
    may_change_bank_details,
    reference_of,
    set_bank_details,
)
from coop.services.money.settle_up import remove_settling_up
from coop.services.payments.connect import card_payments_enabled_for
from coop.services.people.coops import Reminders, update_coop_settings
from coop.services.people.invitations import create_invitation, invitation_status, revoke_invitation
from coop.services.people.memberships import (
    approve_membership,
    change_role,
    decline_membership,
    ending_problem,
    membership_of,
)
from coop.services.places.lookup import household_places
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.forms import (
    APPROVE,
    BankDetailsForm,
    InvitationForm,
    RoleForm,
    SettingsForm,
)
from coop.web.forms import ActionForm, required
from coop.web.links import site_url_for
from coop.web.outcome import commit_or_refuse, show_refusal
from coop.web.settle_up_forms import SettleUpForm

# The new link is kept in the session for one page view, so it can be copied once.
NEW_LINK_KEY = "new_invitation_link"


def _memberships(coop: Coop, status: MembershipStatus) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.user)
            .where(Membership.coop_id == coop.id, Membership.status == status)
            .options(contains_eager(Membership.user))
            .order_by(User.name, Membership.id)
        )
    )


def _membership_in(coop: Coop, membership_id: int) -> Membership:
    # Scoped to the co-op, so another co-op's ids are simply not found here.
    return db.first_or_404(
        select(Membership)
        .where(Membership.id == membership_id, Membership.coop_id == coop.id)
        .options(selectinload(Membership.user))
    )


def _member_page(coop: Coop, membership: Membership, role_form: RoleForm | None = None) -> str:
    """Render a household's page: its details and, for coordinators, what can be done."""
    if role_form is None:
        role_form = RoleForm(formdata=None, role=membership.role)
    return render_template(
        "admin/member.html",
        coop=coop,
        membership=membership,
        role_form=role_form,
        problem=ending_problem(coop=coop, membership=membership),
        place=household_places(memberships=[membership]).get(membership.id),
        payment_reference=reference_of(coop=coop, membership_id=membership.id),
    )


def _to_member_page(coop: Coop, membership: Membership) -> Response:
    return redirect(url_for("admin.member", slug=coop.slug, membership_id=membership.id))


def _back(coop: Coop, status: MembershipStatus) -> Response:
    """Return to the admin page the button was on, or to the member list."""
    target = request.args.get("next", "")
    if target.startswith(url_for("admin.index", slug=coop.slug)):
        return redirect(target)
    return redirect(url_for("admin.members", slug=coop.slug, status=status.value))


@bp.route("/")
@for_coop(can_manage_coop)
def index(coop: Coop):
    counts = dict(
        db.session.execute(
            select(Membership.status, func.count())
            .where(Membership.coop_id == coop.id)
            .group_by(Membership.status)
        ).all()
    )
    return render_template(
        "admin/index.html",
        coop=coop,
        active_count=counts.get(MembershipStatus.ACTIVE, 0),
        pending=_memberships(coop, MembershipStatus.PENDING),
        form=ActionForm(),
    )


@bp.route("/members")
@for_coop(can_view_members)
def members(coop: Coop):
    try:
        status = MembershipStatus(request.args.get("status", MembershipStatus.ACTIVE.value))
    except ValueError:
        abort(404)
    return render_template(
        "admin/members.html",
        coop=coop,
        status=status,
        statuses=list(MembershipStatus),
        memberships=_memberships(coop, status),
    )


@bp.route("/members/<int:membership_id>/approve", methods=["POST"])
@for_coop(can_manage_members)
def approve(coop: Coop, membership_id: int):
    membership = _membership_in(coop, membership_id)
    if ActionForm().validate_on_submit():
        approved = commit_or_refuse(
            lambda: approve_membership(
                coop=coop,
                membership=membership,
                coop_link=site_url_for("members.coop_home", slug=coop.slug),
            )
        ).show()
        if approved is not None:
            flash(f"{membership.user.name} is now a member of {coop.name}.", "success")
    return _back(coop, MembershipStatus.PENDING)


@bp.route("/members/<int:membership_id>/decline", methods=["POST"])
@for_coop(can_manage_members)
def decline(coop: Coop, membership_id: int):
    membership = _membership_in(coop, membership_id)
    name = membership.user.name
    if ActionForm().validate_on_submit():
        declined = commit_or_refuse(lambda: decline_membership(coop=coop, membership=membership))
        declined.show()
        if not declined.refused:
            flash(f"You declined {possessive(name)} request to join.", "success")
    return _back(coop, MembershipStatus.PENDING)


@bp.route("/members/<int:membership_id>")
@for_coop(can_view_members)
def member(coop: Coop, membership_id: int):
    return _member_page(coop, _membership_in(coop, membership_id))


@bp.route("/members/<int:membership_id>/role", methods=["POST"])
@for_coop(can_manage_members)
def role(coop: Coop, membership_id: int):
    membership = _membership_in(coop, membership_id)
    form = RoleForm()
    if form.validate_on_submit():
        changed = commit_or_refuse(
            lambda: change_role(coop=coop, membership=membership, role=form.role.data)
        ).show(form)
        if changed is not None:
            flash(f"{membership.user.name} is now {membership.role.label.lower()}.", "success")
            if membership.user_id == current_user.id and membership.role is Role.MEMBER:
                # The management pages are closed to them now.
                return redirect(url_for("members.coop_home", slug=coop.slug))
            return _to_member_page(coop, membership)
    return _member_page(coop, membership, role_form=form)


@bp.route("/members/<int:membership_id>/remove", methods=["GET", "POST"])
@for_coop(can_manage_members)
def remove(coop: Coop, membership_id: int):
    """Remove a household; one with money owed either way says so and offers the settle-up."""
    membership = _membership_in(coop, membership_id)
    form = SettleUpForm()
    below_zero = ""
    if form.validate_on_submit():
        settling = (form.balance.data, form.settle.data, form.method.data)
        removed = commit_or_refuse(
            lambda: remove_settling_up(
                coop=coop,
                membership=membership,
                shown_pence=form.balance.data,
                settle=form.settle_choice(),
                method=form.method_choice(),
                by=signed_in_user(),
                below_zero_confirmed=form.below_zero_confirmed(*settling),
            )
        )
        if removed.value is not None:
            flash(f"{membership.user.name} is no longer a member of {coop.name}.", "success")
            if membership.user_id == current_user.id:
                return redirect(url_for("members.home"))
            return _to_member_page(coop, membership)
        if removed.refusal is not None:
            show_refusal(form, removed.refusal)
            if form.ask_below_zero(removed.refusal, *settling):
                below_zero = removed.message
    balance = household_balance_pence(membership=membership)
    form.offer(name=membership.user.name, balance_pence=balance, own=False)
    return render_template(
        "admin/remove.html",
        coop=coop,
        membership=membership,
        form=form,
        balance=balance,
        balance_text=plain_pounds(balance),
        problem=ending_problem(coop=coop, membership=membership),
        below_zero=below_zero,
    )


@bp.route("/invitations", methods=["GET", "POST"])
@for_coop(can_manage_members)
def invitations(coop: Coop):
    form = InvitationForm()
    if form.validate_on_submit():
        made = commit_or_refuse(
            lambda: create_invitation(
                coop=coop,
                created_by=signed_in_user(),
                email=form.email.data,
                link_for=lambda token: site_url_for("members.accept_invitation", token=token),
            )
        ).show(form)
        if made is not None:
            _, token = made
            session[NEW_LINK_KEY] = {
                "coop_id": coop.id,
                # Handed on by the coordinator like an email, so from SITE_URL too.
                "link": site_url_for("members.accept_invitation", token=token),
                "email": form.email.data or "",
            }
            flash(
                f"Invitation sent to {form.email.data}." if form.email.data else "Invitation made.",
                "success",
            )
            return redirect(url_for("admin.invitations", slug=coop.slug))

    new_link = session.get(NEW_LINK_KEY)
    if new_link and new_link.get("coop_id") == coop.id:
        session.pop(NEW_LINK_KEY)
    else:
        new_link = None
    rows = db.session.scalars(
        select(Invitation)
        .where(Invitation.coop_id == coop.id)
        .options(selectinload(Invitation.created_by))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()
    accepted_ids = {row.accepted_by_id for row in rows if row.accepted_by_id is not None}
    accepted_by: dict[int | None, User] = (
        {
            user.id: user
            for user in db.session.scalars(select(User).where(User.id.in_(accepted_ids)))
        }
        if accepted_ids
        else {}
    )
    return render_template(
        "admin/invitations.html",
        coop=coop,
        form=form,
        action_form=ActionForm(),
        new_link=new_link,
        invitations=[
            (row, invitation_status(row), accepted_by.get(row.accepted_by_id)) for row in rows
        ],
    )


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@for_coop(can_manage_members)
def revoke(coop: Coop, invitation_id: int):
    invitation = db.first_or_404(
        select(Invitation).where(Invitation.id == invitation_id, Invitation.coop_id == coop.id)
    )
    if ActionForm().validate_on_submit():
        revoked = commit_or_refuse(
            lambda: revoke_invitation(coop=coop, invitation=invitation)
        ).show()
        if revoked is not None:
            flash("The invitation is withdrawn; its link no longer works.", "success")
    return redirect(url_for("admin.invitations", slug=coop.slug))


@bp.route("/settings", methods=["GET", "POST"])
@for_coop(can_edit_coop_settings)
def settings(coop: Coop):
    form = SettingsForm(obj=coop)
    if form.validate_on_submit():
        saved = commit_or_refuse(
            lambda: (
                update_coop_settings(
                    coop=coop,
                    name=required(form.name.data),
                    pickup_address=form.pickup_address.data or "",
                    household_cap=required(form.household_cap.data),
                    joining_policy=form.joining_policy.data,
                    contribution_pence=form.contribution_pence.data,
                    reminders=Reminders(
                        deadline_hours=form.deadline_reminder_hours.data,
                        owing_days=form.owing_reminder_days.data,
                        owing_from_pence=form.owing_reminder_from_pence.data,
                    ),
                )
                and set_credit_control(
                    coop=coop,
                    limit_pence=form.credit_limit_pence.data,
                    needs_approval=form.credit_limit_needs_approval.data == APPROVE,
                )
            )
        ).show(form)
        if saved is not None:
            flash("The co-op's settings are saved.", "success")
            return redirect(url_for("admin.index", slug=coop.slug))
    return render_template(
        "admin/settings.html", coop=coop, form=form, bank=bank_account(coop=coop)
    )


@bp.route("/settings/bank", methods=["GET", "POST"])
@for_coop(can_manage_money)
def bank_details(coop: Coop):
    """The account households pay into: the treasurers' to change, every manager's to read."""
    membership = membership_of(coop=coop, user=signed_in_user())
    role = membership.role if membership is not None else None
    may_change = may_change_bank_details(coop=coop, role=role)
    form = BankDetailsForm(obj=coop)
    if request.method == "POST" and not may_change:
        abort(403)
    if form.validate_on_submit():
        changed = commit_or_refuse(
            lambda: set_bank_details(
                coop=coop,
                details=BankDetails(
                    account_name=form.bank_account_name.data or "",
                    sort_code=form.bank_sort_code.data or "",
                    account_number=form.bank_account_number.data or "",
                    roll_number=form.bank_roll_number.data or "",
                    cash_instructions=form.cash_instructions.data or "",
                ),
                by=signed_in_user(),
                role=role,
                page_link=site_url_for("admin.bank_details", slug=coop.slug),
            )
        ).show(form)
        if changed is not None:
            flash(
                "The bank details are saved, and the co-op's treasurers and coordinators "
                "are emailed about the change."
                if changed
                else "Saved.",
                "success",
            )
            return redirect(url_for("admin.bank_details", slug=coop.slug))
    return render_template(
        "admin/bank_details.html",
        coop=coop,
        form=form,
        may_change=may_change,
        bank=bank_account(coop=coop),
        takers=money_managers(coop=coop),
        example=reference_of(coop=coop, membership_id=42),
        card_payments_on=card_payments_enabled_for(coop),
    )

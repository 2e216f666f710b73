"""Sharing catalogues: publishing a supplier, subscribing to others', and JSON feeds."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response
from wtforms import SelectChoice, SelectField, StringField  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length

from coop.domain.permissions import can_manage_catalogue, can_view_catalogue
from coop.models import Coop, ShareScope, Supplier
from coop.services.catalogue import feed as feeds
from coop.services.catalogue import sharing as shares
from coop.services.people.coops import current_council
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.lookups import editable_supplier
from coop.web.forms import ActionForm, GuardedForm, required, strip
from coop.web.links import copy_link, site_url_for
from coop.web.outcome import commit_or_refuse
from coop.web.paging import page_number

# A new feed's token is kept in the session for one page view, so it can be copied once.
NEW_TOKEN_KEY = "new_feed_token"
PER_PAGE = 50


class ShareForm(GuardedForm):
    """Who may subscribe to a supplier's catalogue."""

    scope = SelectField(
        "Who may subscribe",
        choices=[SelectChoice(scope.value, scope.label) for scope in ShareScope],
        coerce=ShareScope,
        validators=[DataRequired(message="Choose who may subscribe.")],
    )


class FeedForm(GuardedForm):
    """A new JSON feed for another coop instance."""

    label = StringField(
        "Who the feed is for",
        filters=[strip],
        validators=[
            DataRequired(message="Say who the feed is for, such as the other co-op's name."),
            Length(max=120, message="Keep it to 120 characters."),
        ],
    )


def _sharing_page(
    coop: Coop, supplier: Supplier, share_form: ShareForm, feed_form: FeedForm
) -> str:
    new_token = session.get(NEW_TOKEN_KEY)
    if new_token and new_token.get("supplier_id") == supplier.id:
        session.pop(NEW_TOKEN_KEY)
    else:
        new_token = None
    return render_template(
        "admin/sharing/supplier.html",
        coop=coop,
        supplier=supplier,
        council=current_council(coop=coop),
        subscribers=shares.subscribers_of(supplier=supplier),
        feeds=feeds.feeds_of(supplier=supplier),
        # Handed to another instance like a link in email, so built from SITE_URL.
        feed_url=site_url_for("api.catalogue_feed", supplier_id=supplier.id),
        new_token=new_token,
        share_form=share_form,
        feed_form=feed_form,
        action_form=ActionForm(),
    )


@bp.route("/suppliers/<int:supplier_id>/sharing")
@for_coop(can_view_catalogue)
def sharing(coop: Coop, supplier_id: int):
    supplier = editable_supplier(coop, supplier_id)
    return _sharing_page(
        coop, supplier, ShareForm(data={"scope": supplier.share_scope}), FeedForm(formdata=None)
    )


def _shared_message(supplier: Supplier, change: shares.ScopeChange) -> str:
    if change.scope is ShareScope.PRIVATE:
        message = f"The catalogue of {supplier.name} is not shared."
    elif change.scope is ShareScope.COUNCIL:
        council = current_council(coop=supplier.coop)
        whose = council.name if council is not None else "its council"
        message = f"The catalogue of {supplier.name} is shared with the co-ops of {whose}."
    else:
        message = f"The catalogue of {supplier.name} is shared with every co-op on the platform."
    if change.copied_for:
        names = ", ".join(sorted(coop.name for coop in change.copied_for))
        message += f" These co-ops no longer subscribe and now keep their own copy: {names}."
    return message


def _losing_access(supplier: Supplier, scope: ShareScope) -> list[Coop]:
    """Return the subscribers *scope* would leave outside, so they can be named before it does."""
    if scope is ShareScope.PLATFORM or (scope is not ShareScope.PRIVATE and not supplier.active):
        # Widening loses nobody; sharing an inactive supplier is refused before anything changes.
        return []
    subscribers = shares.subscribers_of(supplier=supplier)
    if scope is ShareScope.PRIVATE:
        return subscribers
    council = current_council(coop=supplier.coop)
    if council is None:
        return []
    return [
        subscriber
        for subscriber in subscribers
        if getattr(current_council(coop=subscriber), "id", None) != council.id
    ]


@bp.route("/suppliers/<int:supplier_id>/sharing", methods=["POST"])
@for_coop(can_manage_catalogue)
def share(coop: Coop, supplier_id: int):
    supplier = editable_supplier(coop, supplier_id)
    form = ShareForm()
    if form.validate_on_submit():
        losing = _losing_access(supplier, form.scope.data)
        if losing and request.form.get("confirm") != "yes":
            return render_template(
                "admin/sharing/confirm_scope.html",
                coop=coop,
                supplier=supplier,
                scope=form.scope.data,
                council=current_council(coop=coop),
                losing=losing,
            )
        change = commit_or_refuse(
            lambda: shares.set_share_scope(
                supplier=supplier, scope=form.scope.data, link_for=copy_link
            )
        ).show(form)
        if change is not None:
            flash(_shared_message(supplier, change), "success")
            return redirect(url_for("admin.sharing", slug=coop.slug, supplier_id=supplier.id))
    return _sharing_page(coop, supplier, form, FeedForm(formdata=None))


@bp.route("/suppliers/<int:supplier_id>/feeds", methods=["POST"])
@for_coop(can_manage_catalogue)
def add_feed(coop: Coop, supplier_id: int):
    supplier = editable_supplier(coop, supplier_id)
    form = FeedForm()
    if form.validate_on_submit():
        made = commit_or_refuse(
            lambda: feeds.create_feed(
                supplier=supplier, label=required(form.label.data), created_by=signed_in_user()
            )
        ).show(form)
        if made is not None:
            feed, token = made
            session[NEW_TOKEN_KEY] = {
                "supplier_id": supplier.id,
                "label": feed.label,
                "token": token,
            }
            flash(f"Feed made for {feed.label}. Copy its token now.", "success")
            return redirect(url_for("admin.sharing", slug=coop.slug, supplier_id=supplier.id))
    return _sharing_page(coop, supplier, ShareForm(data={"scope": supplier.share_scope}), form)


@bp.route("/suppliers/<int:supplier_id>/feeds/<int:feed_id>/revoke", methods=["POST"])
@for_coop(can_manage_catalogue)
def revoke_feed(coop: Coop, supplier_id: int, feed_id: int):
    supplier = editable_supplier(coop, supplier_id)
    feed = feeds.feed_for(supplier=supplier, feed_id=feed_id)
    if feed is None:
        abort(404)
    if ActionForm().validate_on_submit():
        revoked = commit_or_refuse(lambda: feeds.revoke_feed(feed=feed)).show()
        if revoked is not None:
            flash(f"The feed for {feed.label} is revoked; its token no longer works.", "success")
    return redirect(url_for("admin.sharing", slug=coop.slug, supplier_id=supplier.id))


@bp.route("/shared-catalogues")
@for_coop(can_view_catalogue)
def shared_catalogues(coop: Coop):
    return render_template(
        "admin/sharing/catalogues.html",
        coop=coop,
        catalogues=shares.shared_catalogues(coop=coop),
        form=ActionForm(),
    )


def _shared(coop: Coop, supplier_id: int) -> Supplier:
    # Catalogues of another council, or not shared at all, are simply not found.
    supplier = shares.shared_catalogue_for(coop=coop, supplier_id=supplier_id)
    if supplier is None:
        abort(404)
    return supplier


@bp.route("/shared-catalogues/<int:supplier_id>")
@for_coop(can_view_catalogue)
def shared_catalogue(coop: Coop, supplier_id: int):
    supplier = _shared(coop, supplier_id)
    page = page_number(request.args.get("page"))
    products, total = shares.preview_products(
        coop=coop, supplier=supplier, page=page, per_page=PER_PAGE
    )
    pages = max(1, -(-total // PER_PAGE))
    if page < 1 or page > pages:
        abort(404)
    return render_template(
        "admin/sharing/catalogue.html",
        coop=coop,
        supplier=supplier,
        products=products,
        total=total,
        page=page,
        pages=pages,
        subscribed=shares.subscription_for(coop=coop, supplier_id=supplier.id) is not None,
        form=ActionForm(),
    )


@bp.route("/shared-catalogues/<int:supplier_id>/subscribe", methods=["POST"])
@for_coop(can_manage_catalogue)
def subscribe(coop: Coop, supplier_id: int):
    supplier = _shared(coop, supplier_id)
    if ActionForm().validate_on_submit():
        subscribed = commit_or_refuse(
            lambda: shares.subscribe_to_catalogue(coop=coop, supplier=supplier)
        ).show()
        if subscribed is not None:
            flash(
                f"{supplier.name} is now in your catalogue, kept up to date by "
                f"{supplier.coop.name}. Your co-op's markup applies to its prices.",
                "success",
            )
    return redirect(url_for("admin.shared_catalogues", slug=coop.slug))


@bp.route("/shared-catalogues/<int:supplier_id>/unsubscribe", methods=["POST"])
@for_coop(can_manage_catalogue)
def unsubscribe(coop: Coop, supplier_id: int) -> Response:
    subscription = shares.subscription_for(coop=coop, supplier_id=supplier_id)
    if subscription is None:
        abort(404)
    if ActionForm().validate_on_submit():
        supplier = commit_or_refuse(
            lambda: shares.unsubscribe_from_catalogue(subscription=subscription)
        ).show()
        if supplier is not None:
            flash(f"{supplier.name} is no longer in your catalogue.", "success")
    return redirect(url_for("admin.shared_catalogues", slug=coop.slug))

"""Officers' API tokens page: make a token for the council reports API, list and revoke them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from coop.domain.permissions import can_view_council
from coop.models import Council
from coop.services.council_reports import api_tokens
from coop.web.access import for_council, signed_in_user
from coop.web.council import bp
from coop.web.forms import ActionForm, GuardedForm, required, strip
from coop.web.links import site_url_for
from coop.web.outcome import commit_or_refuse

# A new token is kept in the session for one page view, so it can be copied once.
NEW_TOKEN_KEY = "new_council_api_token"


class ApiTokenForm(GuardedForm):
    name = StringField(
        "What the token is for",
        filters=[strip],
        validators=[
            DataRequired(message="Say what the token is for, such as the system that uses it."),
            Length(max=api_tokens.NAME_LIMIT, message="Keep it to 120 characters."),
        ],
    )


def _page(council: Council, form: ApiTokenForm):
    new_token = session.get(NEW_TOKEN_KEY)
    if new_token and new_token.get("council_id") == council.id:
        session.pop(NEW_TOKEN_KEY)
    else:
        new_token = None
    response = render_template(
        "council/api_tokens.html",
        council=council,
        tokens=api_tokens.tokens_of(council=council),
        new_token=new_token,
        form=form,
        reports_url=site_url_for("api.council_reports", gss=council.gss_code),
        openapi_url=site_url_for("api.openapi_document"),
    )
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/<int:council_id>/api-tokens")
@for_council(can_view_council)
def api_tokens_page(council: Council):
    return _page(council, ApiTokenForm(formdata=None))


@bp.route("/<int:council_id>/api-tokens", methods=["POST"])
@for_council(can_view_council)
def create_api_token(council: Council):
    form = ApiTokenForm()
    if form.validate_on_submit():
        made = commit_or_refuse(
            lambda: api_tokens.create_api_token(
                council=council, name=required(form.name.data), created_by=signed_in_user()
            )
        ).show(form)
        if made is not None:
            api_token, token = made
            session[NEW_TOKEN_KEY] = {
                "council_id": council.id,
                "name": api_token.name,
                "token": token,
            }
            flash(f"Token made for {api_token.name}. Copy it now.", "success")
            return redirect(url_for("council.api_tokens_page", council_id=council.id))
    return _page(council, form)


@bp.route("/<int:council_id>/api-tokens/<int:token_id>/revoke", methods=["POST"])
@for_council(can_view_council)
def revoke_api_token(council: Council, token_id: int):
    api_token = api_tokens.token_of(council=council, token_id=token_id)
    if api_token is None:
        abort(404)
    if ActionForm().validate_on_submit():
        revoked = commit_or_refuse(lambda: api_tokens.revoke_api_token(api_token=api_token)).show()
        if revoked is not None:
            flash(f"The token for {api_token.name} is revoked; it no longer works.", "success")
    return redirect(url_for("council.api_tokens_page", council_id=council.id))

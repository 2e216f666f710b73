"""Access rules for routes.

Every view carries exactly one of these decorators; `coop.web.register`
refuses any request to a view without one, and a test walks the URL map to
make sure none is missing. Browsers without a session are sent to the login
page; JSON clients get 401. Signed-in people without the right get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, jsonify, redirect, request, url_for
from flask_login import current_user

from coop.domain import permissions
from coop.domain.permissions import Viewer
from coop.extensions import db, wants_json
from coop.models import Coop, Council, User
from coop.services.catalogue.feed import feed_for_token
from coop.services.people.access import viewer_for

View = TypeVar("View", bound=Callable[..., Any])
CoopCheck = Callable[[Viewer, int], bool]


def current_viewer() -> Viewer:
    """Return the `Viewer` for this request, computed once."""
    if "viewer" not in g:
        g.viewer = viewer_for(current_user if current_user.is_authenticated else None)
    return g.viewer


def signed_in_user() -> User:
    """Return the signed-in `User` itself, not Flask-Login's proxy, for services to store."""
    return current_user._get_current_object()


def _mark(view: View, wrapper: Callable[..., Any], rule: str) -> View:
    """Return *wrapper*, which stands in for *view*, carrying its access *rule*."""
    wrapper.access_rule = rule  # type: ignore[attr-defined]
    return cast(View, wrapper)


def deny() -> Any:
    """Answer a request the viewer may not make."""
    if not current_user.is_authenticated:
        if wants_json():
            return jsonify(error="authentication required"), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403)


def public(view: View) -> View:
    """Anyone, signed in or not, may use the view."""
    view.access_rule = "public"  # type: ignore[attr-defined]
    return view


def _guard(rule: str, allowed: Callable[[Viewer], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not allowed(current_viewer()):
                return deny()
            return view(*args, **kwargs)

        return _mark(view, wrapper, rule)

    return decorator


signed_in = _guard("signed in", lambda viewer: viewer.is_authenticated)
platform_admin = _guard("platform admin", permissions.can_administer_platform)


def for_coop(check: CoopCheck) -> Callable[[View], View]:
    """Load the co-op named by ``<slug>`` and require *check* to pass.

    The view receives ``coop`` instead of ``slug``. An unknown slug is 404.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, slug: str, **kwargs: Any) -> Any:
            coop = db.first_or_404(db.select(Coop).filter_by(slug=slug))
            if not check(current_viewer(), coop.id):
                return deny()
            g.coop = coop
            return view(*args, coop=coop, **kwargs)

        return _mark(view, wrapper, f"coop:{check.__name__}")

    return decorator


def for_council(check: Callable[[Viewer, int], bool]) -> Callable[[View], View]:
    """Load the council named by ``<int:council_id>`` and require *check*."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, council_id: int, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return deny()
            council = db.get_or_404(Council, council_id)
            if not check(current_viewer(), council.id):
                return deny()
            return view(*args, council=council, **kwargs)

        return _mark(view, wrapper, f"council:{check.__name__}")

    return decorator


TOKEN_IN_ADDRESS = (
    "Send the feed token in the Authorization header (Authorization: Bearer <token>), "
    "not in the address: addresses are written to server and proxy logs. "
    "If this token has been sent in an address before, revoke it and make a new one."
)


def bearer_token() -> str:
    """Return the token of ``Authorization: Bearer <token>``, else ""."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return ""


def feed_token(view: View) -> View:
    """Require a catalogue feed token for the ``<int:supplier_id>`` in the URL.

    Other coop instances show a token instead of signing in. The view
    receives ``feed`` and ``token`` instead of ``supplier_id``. A missing,
    wrong or revoked token is a 401 JSON answer, never a login redirect; a
    token in the query string is refused with a 400 that names the header.
    """

    @wraps(view)
    def wrapper(*args: Any, supplier_id: int, **kwargs: Any) -> Any:
        if "token" in request.args:
            response = jsonify(error=TOKEN_IN_ADDRESS)
            response.status_code = 400
            return response
        token = bearer_token()
        feed = feed_for_token(token=token, supplier_id=supplier_id)
        if feed is None:
            response = jsonify(error="A valid feed token for this catalogue is required.")
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="coop catalogue feed"'
            return response
        return view(*args, feed=feed, token=token, **kwargs)

    return _mark(view, wrapper, "feed token")


def access_rule(view: Callable[..., Any]) -> str | None:
    """Return the access rule a view was declared with, if any."""
    return getattr(view, "access_rule", None)

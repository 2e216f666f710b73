"""The web layer: one blueprint per audience, plus what they share."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask_login import AnonymousUserMixin
from markupsafe import Markup, escape
from werkzeug.exceptions import SecurityError
from werkzeug.wrappers import Response

from coop.domain import permissions
from coop.domain import rounds as round_states
from coop.domain.devices import device_name
from coop.domain.money import format_pence, plain_pounds
from coop.domain.wording import possessive
from coop.extensions import db, login_manager, wants_json
from coop.models import User
from coop.services.links import register_links
from coop.services.people import logins
from coop.services.people.access import navigation_for
from coop.services.times import local_time
from coop.web import headers
from coop.web.access import access_rule, current_viewer, public
from coop.web.bodies import SizedRequest
from coop.web.links import WebLinks
from coop.web.numbers import IdConverter


def register(app: Flask) -> None:
    """Attach blueprints, access enforcement, error pages and template helpers."""
    from coop.web.admin import bp as admin_bp
    from coop.web.api import bp as api_bp
    from coop.web.auth import bp as auth_bp
    from coop.web.council import bp as council_bp
    from coop.web.jobs import bp as jobs_bp
    from coop.web.members import bp as members_bp
    from coop.web.platform import bp as platform_bp
    from coop.web.webhooks import bp as webhooks_bp

    # Before any route is added: every <int:...> is an id the database holds.
    app.url_map.converters["int"] = IdConverter
    app.request_class = SizedRequest
    blueprints = (
        auth_bp,
        members_bp,
        admin_bp,
        council_bp,
        platform_bp,
        api_bp,
        jobs_bp,
        webhooks_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    # Static files are public; say so, like every other view.
    app.view_functions["static"] = public(app.view_functions["static"])
    _favicon(app)
    register_links(app, WebLinks())

    _login(app)
    _enforce_access_rules(app)
    headers.register(app)
    _errors(app)
    _templates(app)


def _favicon(app: Flask) -> None:
    # Browsers ask for /favicon.ico whatever the page links to.
    # Read once and served from memory: a file left open per request (browsers ask
    # for it on every page) would wait for the garbage collector to close it.
    icon = (Path(app.static_folder or "") / "favicon.ico").read_bytes()

    @app.route("/favicon.ico", endpoint="favicon")
    @public
    def favicon() -> Response:
        response = Response(icon, mimetype="image/vnd.microsoft.icon")
        response.cache_control.public = True
        response.cache_control.max_age = 86400
        response.add_etag()
        return response.make_conditional(request)


def _login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = AnonymousUserMixin
    # The session and the remember-me cookie carry the login, not the person
    # (`coop.services.people.logins`), so both stop working when it ends.
    login_manager.id_attribute = "get_login_key"

    @login_manager.user_loader
    def load_user(login_key: str) -> User | None:
        user = logins.find_signed_in_user(
            key=login_key, max_age=current_app.config["REMEMBER_COOKIE_DURATION"]
        )
        if user is not None and user.current_login is not None:
            # Loaded before a view writes anything; never commit half of a view's work.
            untouched = not (db.session.new or db.session.dirty or db.session.deleted)
            if logins.note_login_seen(login=user.current_login) and untouched:
                db.session.commit()
        return user


def _enforce_access_rules(app: Flask) -> None:
    @app.before_request
    def refuse_views_without_a_rule() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and access_rule(view) is None:
            app.logger.error("view %s has no access rule; refusing", request.endpoint)
            abort(403)


def _errors(app: Flask) -> None:
    messages = {
        400: ("Bad request", "The request could not be understood."),
        403: ("Not allowed", "You do not have permission to see this page."),
        404: ("Not found", "There is nothing at this address."),
        405: ("Not allowed", "That action is not possible on this page."),
        413: (
            "Too large to send",
            "What you sent is larger than this site takes. A price list file can be up to "
            f"{app.config['CATALOGUE_IMPORT_MAX_BYTES'] // (1024 * 1024)} MB and a receipt "
            f"{app.config['RECEIPT_MAX_BYTES'] // (1024 * 1024)} MB; "
            "any other form is far smaller. Go back and send less.",
        ),
        429: ("Too many attempts", "Too many attempts in a short time. Please wait a minute."),
        500: ("Something went wrong", "Sorry, something went wrong on our side."),
    }

    def handler(error: Exception) -> tuple[Response | str, int]:
        code = getattr(error, "code", 500) or 500
        title, text = messages.get(code, messages[500])
        if isinstance(error, SecurityError):
            # A host not in TRUSTED_HOSTS: no address on it can be built, so no page.
            return Response(text, status=code, mimetype="text/plain"), code
        if code == 500:
            db.session.rollback()
        if wants_json():
            return jsonify(error=text), code
        return render_template("errors.html", code=code, title=title, text=text), code

    for code in messages:
        app.register_error_handler(code, handler)


def _templates(app: Flask) -> None:
    @app.template_filter("localtime")
    def localtime(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
        """Show a stored UTC time in the display time zone; no time shows as nothing."""
        return "" if value is None else local_time(value, fmt)

    app.add_template_filter(format_pence, "pence")
    app.add_template_filter(device_name, "device_name")

    @app.template_filter("possessive")
    def possessive_name(name: str) -> Markup:
        """Write *name* as an owner ("Sam's", "Growers'"), escaping the name itself."""
        return Markup(possessive(str(escape(name))))

    # Templates ask the round-state groups (`round_.state in round_states.ALLOCATED`).
    app.jinja_env.globals["round_states"] = round_states
    app.add_template_filter(plain_pounds, "plain_pounds")

    @app.context_processor
    def inject_viewer() -> dict[str, object]:
        viewer = current_viewer()
        return {"viewer": viewer, "perms": permissions, "nav": lambda: navigation_for(viewer)}

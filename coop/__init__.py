"""coop: a platform for community food-buying co-operatives."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from config import CONFIGS, Config


def _config_class(config: type[Config] | str | None) -> type[Config]:
    import os

    if config is None:
        config = os.environ.get("COOP_CONFIG", "development")
    if isinstance(config, str):
        try:
            return CONFIGS[config]
        except KeyError:
            raise RuntimeError(
                f"Unknown COOP_CONFIG {config!r}; use one of {', '.join(CONFIGS)}."
            ) from None
    return config


def create_app(config: type[Config] | str | Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    *config* is a config class, the name of one (``development``, ``testing``,
    ``production``), a mapping of settings laid over the class named by
    ``COOP_CONFIG``, or ``None`` for that class alone.
    """
    overrides: Mapping[str, Any] = {}
    if isinstance(config, Mapping):
        overrides, config = config, None
    config_class = _config_class(config)
    config_class.check()

    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        raise RuntimeError("No database configured: set DATABASE_URL.")
    if app.config.get("TRUSTED_HOSTS") == []:
        app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["SITE_URL"]).hostname or ""]

    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        # Flask's documented way to wrap the WSGI app; mypy sees a method being replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )

    if not app.testing:
        # The project's own messages (such as mail kept in the outbox) at INFO;
        # libraries keep their own levels.
        logging.getLogger("coop").setLevel(logging.INFO)
        if not logging.getLogger().handlers:
            logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")

    _init_extensions(app)

    from coop import cli, web

    web.register(app)
    cli.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from coop import models  # noqa: F401  (registers the tables)
    from coop.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

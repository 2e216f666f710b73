"""The security headers every answer carries, set in one place.

- ``Content-Security-Policy`` from the ``CONTENT_SECURITY_POLICY`` setting (a
  mapping of directive to sources). No page has inline script, inline style
  or ``on...=`` handlers, so the policy never needs ``'unsafe-inline'``; keep
  it that way and put script and style in files under ``static/``. A page
  that needs another source (a card payment page loading Stripe.js) calls
  `allow_sources` while it is being answered, for that answer only.
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy`` (``same-origin``:
  some addresses carry a secret, such as an invitation link, and no other
  site needs to learn any of them).
- ``Strict-Transport-Security`` when ``STRICT_TRANSPORT_SECURITY`` is set
  (production only: development runs on plain http).
- ``Cache-Control: no-store`` on every answer to a signed-in person and on
  every downloaded file: a shared computer's cache or a proxy must not keep
  a household's statement or a co-op's member list. Static files are the
  same for everyone and may be kept.

The app adds no ``Server`` header of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import Flask, g, request
from flask_login import current_user
from werkzeug.wrappers import Response

Policy = Mapping[str, Sequence[str]]

# Answers that are the same for everyone, whoever asks.
SHARED_ENDPOINTS = frozenset({"static", "favicon"})


def allow_sources(directive: str, *sources: str) -> None:
    """Let the answer being built load from *sources* under *directive* as well.

    A directive the policy does not name starts from ``default-src``, so
    ``allow_sources("script-src", "https://js.stripe.com")`` keeps ``'self'``.
    """
    extra: dict[str, tuple[str, ...]] = g.setdefault("csp_extra", {})
    extra[directive] = (*extra.get(directive, ()), *sources)


def content_security_policy(base: Policy, extra: Policy) -> str:
    """Return the header value of the policy *base* with the sources in *extra* added."""
    merged = {name: list(sources) for name, sources in base.items()}
    for name, sources in extra.items():
        current = merged.get(name, list(base.get("default-src", ())))
        current = [source for source in current if source != "'none'"]
        merged[name] = current + [source for source in sources if source not in current]
    return "; ".join(" ".join([name, *sources]) for name, sources in merged.items())


def register(app: Flask) -> None:
    """Add the security headers to every answer *app* gives."""

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        config = app.config
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(
            config["CONTENT_SECURITY_POLICY"], g.get("csp_extra", {})
        )
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = config["REFERRER_POLICY"]
        if config.get("STRICT_TRANSPORT_SECURITY"):
            headers["Strict-Transport-Security"] = config["STRICT_TRANSPORT_SECURITY"]
        download = headers.get("Content-Disposition", "").startswith("attachment")
        if download or (request.endpoint not in SHARED_ENDPOINTS and current_user.is_authenticated):
            headers["Cache-Control"] = "no-store"
        return response

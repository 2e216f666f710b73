"""Feeds other coop instances read.

The signed JSON catalogue's format is described in `coop.services.catalogue.feed`.
"""

from __future__ import annotations

from flask import Response, jsonify

from coop.extensions import limiter
from coop.models import CatalogueFeed
from coop.services.catalogue.feed import SIGNATURE_HEADER, read_feed, sign_feed
from coop.web import limits
from coop.web.access import feed_token
from coop.web.api import bp
from coop.web.outcome import commit_or_refuse


@bp.route("/catalogues/<int:supplier_id>.json")
# Counted before the token is checked, so guessing tokens is limited too.
@limiter.limit(limits.setting("FEED_RATE_LIMIT"))
@feed_token
def catalogue_feed(feed: CatalogueFeed, token: str):
    outcome = commit_or_refuse(lambda: read_feed(feed=feed))
    body = outcome.value
    if body is None:
        return jsonify(error=outcome.message), 404
    response = Response(body, mimetype="application/json")
    response.headers[SIGNATURE_HEADER] = sign_feed(body, token)
    # The body is signed for one holder of one token; no shared cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response

"""The card processor's webhook: verify the raw body's signature, then hand the event on.

The signature is checked over the body exactly as it came (never a parsed
and re-serialised copy), against ``STRIPE_WEBHOOK_SECRET``, with Stripe's
five-minute tolerance. A bad, missing or stale signature is 400 and
nothing is recorded; so is any request while no secret is configured. A
verified event is answered 200 whatever it was (a replay, a type this app
does not act on, a payment it never created), so the processor stops
resending it. No CSRF token: the signature is the authority. The body is
limited as every other plain body is (`coop.web.bodies`).
"""

from __future__ import annotations

from flask import current_app, jsonify, request

from coop.extensions import csrf, db
from coop.services.payments.events import handle_event
from coop.services.payments.gateway import GatewayError, verify_event
from coop.web.access import public
from coop.web.webhooks import bp


@bp.post("/stripe")
@public
@csrf.exempt
def stripe_webhook():
    try:
        event = verify_event(
            payload=request.get_data(cache=False),
            signature=request.headers.get("Stripe-Signature"),
            secret=current_app.config.get("STRIPE_WEBHOOK_SECRET", ""),
        )
    except GatewayError as refusal:
        return jsonify(error=refusal.message), 400
    outcome = handle_event(event=event)
    db.session.commit()
    return jsonify(received=True, outcome=outcome.value)

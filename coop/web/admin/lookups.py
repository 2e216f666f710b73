"""Loading a co-op's suppliers, products and rounds from URL ids, for the admin pages.

Another co-op's supplier is not found (404); a catalogue the co-op only
subscribes to can be read but not changed (403, saying who keeps it).
"""

from __future__ import annotations

from typing import NoReturn

from flask import abort, render_template
from werkzeug.wrappers import Response

from coop.models import Coop, Product, Round, Supplier
from coop.services.catalogue.products import owned_supplier, product_for, supplier_for
from coop.services.rounds.lifecycle import round_for


def visible_supplier(coop: Coop, supplier_id: int) -> Supplier:
    """Return a supplier in *coop*'s catalogue, own or subscribed, or 404."""
    supplier = supplier_for(coop=coop, supplier_id=supplier_id)
    if supplier is None:
        abort(404)
    return supplier


def _kept_elsewhere(supplier: Supplier) -> NoReturn:
    text = f"This catalogue is kept by {supplier.coop.name}; you cannot change it."
    page = render_template("errors.html", code=403, title="Not yours to change", text=text)
    abort(Response(page, status=403, mimetype="text/html"))


def editable_supplier(coop: Coop, supplier_id: int) -> Supplier:
    """Return a supplier *coop* keeps; a subscribed one is refused, anything else not found."""
    supplier = owned_supplier(coop=coop, supplier_id=supplier_id)
    if supplier is None:
        _kept_elsewhere(visible_supplier(coop, supplier_id))
    return supplier


def supplier_product(supplier: Supplier, product_id: int) -> Product:
    """Return one of *supplier*'s products, or 404."""
    product = product_for(supplier=supplier, product_id=product_id)
    if product is None:
        abort(404)
    return product


def coop_round(coop: Coop, round_id: int) -> Round:
    """Return the co-op's round *round_id*, or 404 (another co-op's round is not found)."""
    round_ = round_for(coop=coop, round_id=round_id)
    if round_ is None:
        abort(404)
    return round_

"""The signed JSON feed through which other coop instances read a shared catalogue.

Another coop instance reads a shared catalogue with a feed token the
publisher made for it on the supplier's sharing page::

    GET /api/catalogues/<supplier_id>.json
    Authorization: Bearer <token>          (never ?token=: addresses are logged)

The answer is UTF-8 JSON::

    {
      "format": "coop-catalogue-feed/1",
      "generated_at": "2026-11-26T12:00:00+00:00",
      "published_by": "Fishwick Food Co-op",
      "supplier": {
        "id": 12, "name": "Northern Wholefoods Wholesale", "kind": "wholesaler",
        "email": "orders@example.org", "min_order_pence": 25000,
        "delivery_charge_pence": 1500
      },
      "products": [
        {
          "code": "RIC-001", "name": "Basmati rice", "description": "",
          "category": "Rice", "tags": ["vegan", "gluten-free"],
          "unit_label": "1 kg bag", "case_size": 10, "case_price_pence": 1650,
          "vat_bp": 0, "deposit_pence": 0, "origin": "India", "manufacturer": "Tilda",
          "reference_price_pence": 250, "reference_price_date": "2026-11-02",
          "reference_price_source": "Tesco.com, 2026-11-02", "available": true
        }
      ]
    }

Money is integer pence, VAT in basis points (2000 = 20%), tags are slugs
(vegan, vegetarian, halal, kosher, gluten-free, organic, fairtrade, local),
dates ``YYYY-MM-DD`` or null, products ordered by code; ``generated_at`` is
UTC. The header ``X-Coop-Signature: sha256=<hex>`` carries the HMAC-SHA256
of the exact body bytes keyed with the token, so a receiver can check that
the body came whole from the publisher it gave the token to::

    expected = "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
    hmac.compare_digest(expected, response.headers["X-Coop-Signature"])

A missing, wrong or revoked token, or a token of another catalogue, is
answered 401; a catalogue that is no longer shared (made private or
inactive) 404; both as JSON ``{"error": "..."}``. Each successful read is
noted as the feed's "last read" on the publisher's sharing page.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from sqlalchemy import select

from coop.domain.catalogue import bits_to_tags
from coop.extensions import db
from coop.models import CatalogueFeed, Product, ShareScope, Supplier, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.tokens import new_token, token_digest

FEED_FORMAT = "coop-catalogue-feed/1"
SIGNATURE_HEADER = "X-Coop-Signature"
LABEL_LIMIT = 120


def feeds_of(*, supplier: Supplier) -> list[CatalogueFeed]:
    """Return *supplier*'s feeds, newest first."""
    return list(
        db.session.scalars(
            select(CatalogueFeed)
            .where(CatalogueFeed.supplier_id == supplier.id)
            .order_by(CatalogueFeed.created_at.desc(), CatalogueFeed.id.desc())
        )
    )


def feed_for(*, supplier: Supplier, feed_id: int) -> CatalogueFeed | None:
    """Return one of *supplier*'s feeds, or None."""
    return db.session.scalar(
        select(CatalogueFeed).where(
            CatalogueFeed.id == feed_id, CatalogueFeed.supplier_id == supplier.id
        )
    )


def create_feed(*, supplier: Supplier, label: str, created_by: User) -> tuple[CatalogueFeed, str]:
    """Add a feed of *supplier*'s catalogue for a named remote subscriber.

    Returns the feed and its token, which is stored only as a digest and
    cannot be shown again.
    """
    label = label.strip()
    if not label:
        raise ServiceError(
            "Say who the feed is for, such as the other co-op's name.", field="label"
        )
    if supplier.share_scope is ShareScope.PRIVATE or not supplier.active:
        raise ServiceError(
            "Share the catalogue first: a feed only works while the catalogue is shared.",
            field="label",
        )
    token, digest = new_token()
    feed = CatalogueFeed(
        supplier=supplier,
        label=label[:LABEL_LIMIT],
        token_digest=digest,
        created_by_id=created_by.id,
    )
    db.session.add(feed)
    db.session.flush()
    return feed, token


def revoke_feed(*, feed: CatalogueFeed) -> CatalogueFeed:
    """Stop *feed*'s token from working."""
    if feed.revoked_at is not None:
        raise ServiceError(f"The feed for {feed.label} is already revoked.")
    feed.revoked_at = utcnow()
    db.session.flush()
    return feed


def feed_for_token(*, token: str, supplier_id: int) -> CatalogueFeed | None:
    """Return the unrevoked feed of a supplier that *token* opens, or None."""
    if not token:
        return None
    return db.session.scalar(
        select(CatalogueFeed).where(
            CatalogueFeed.token_digest == token_digest(token),
            CatalogueFeed.supplier_id == supplier_id,
            CatalogueFeed.revoked_at.is_(None),
        )
    )


def sign_feed(body: bytes, token: str) -> str:
    """Return the ``X-Coop-Signature`` value for *body*: HMAC-SHA256 keyed with *token*."""
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(body: bytes, token: str, signature: str) -> bool:
    """Tell whether *signature* is the one *token*'s holder would give *body* (for receivers)."""
    return hmac.compare_digest(sign_feed(body, token), signature)


def _product_document(product: Product) -> dict[str, object]:
    return {
        "code": product.code,
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "tags": [tag.slug for tag in bits_to_tags(product.tag_bits)],
        "unit_label": product.unit_label,
        "case_size": product.case_size,
        "case_price_pence": product.case_price_pence,
        "vat_bp": product.vat_bp,
        "deposit_pence": product.deposit_pence,
        "origin": product.origin,
        "manufacturer": product.manufacturer,
        "reference_price_pence": product.reference_price_pence,
        "reference_price_date": (
            product.reference_price_date.isoformat() if product.reference_price_date else None
        ),
        "reference_price_source": product.reference_price_source,
        "available": product.available,
    }


def read_feed(*, feed: CatalogueFeed, now: datetime | None = None) -> bytes:
    """Return the feed's JSON body and note when it was read.

    Refuses when the catalogue is no longer shared.
    """
    supplier = feed.supplier
    if supplier.share_scope is ShareScope.PRIVATE or not supplier.active:
        raise ServiceError("This catalogue is no longer shared.")
    moment = now or utcnow()
    products = db.session.scalars(
        select(Product).where(Product.supplier_id == supplier.id).order_by(Product.code)
    )
    document = {
        "format": FEED_FORMAT,
        "generated_at": moment.isoformat(timespec="seconds"),
        "published_by": supplier.coop.name,
        "supplier": {
            "id": supplier.id,
            "name": supplier.name,
            "kind": supplier.kind.value,
            "email": supplier.email,
            "min_order_pence": supplier.min_order_pence,
            "delivery_charge_pence": supplier.delivery_charge_pence,
        },
        "products": [_product_document(product) for product in products],
    }
    feed.last_used_at = moment
    db.session.flush()
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

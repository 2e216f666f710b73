"""Keeping a copy of a catalogue another coop instance publishes through its signed JSON feed.

The publisher makes a feed token on the supplier's sharing page; this
instance reads the feed (format in `coop.services.catalogue.feed`) with
that token, checks the signature, checks every product as a CSV import
would, and writes the products into a supplier of its own co-op through
the import's bulk write (`catalogue_import.apply_rows`). The first pull
creates that supplier, noting "Pulled from <address>" in its notes; later
pulls find it again by that note (or by the name given), so a pull run
from cron keeps the copy current. The network is read before anything
is written, and a refusal leaves the catalogue as it was.
"""

from __future__ import annotations

import hmac
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeGuard

from sqlalchemy import func, select

from coop.domain.catalogue import MAX_PENCE, bp_to_percent
from coop.domain.catalogue_csv import COLUMNS, FileProblem, ProductRow, parse_catalogue
from coop.domain.money import plain_pounds
from coop.domain.spreadsheets import csv_line
from coop.domain.text import holds_control_character
from coop.extensions import db
from coop.models import Coop, Supplier, SupplierKind
from coop.services.catalogue.feed import FEED_FORMAT, SIGNATURE_HEADER, sign_feed
from coop.services.catalogue.imports import apply_rows
from coop.services.catalogue.products import SupplierDetails, create_supplier
from coop.services.errors import ServiceError

TIMEOUT_SECONDS = 20
# A 20,000-product feed is about 10 MB; anything far larger is not a catalogue.
MAX_FEED_BYTES = 50 * 1024 * 1024
NOTE_PREFIX = "Pulled from "
# The tables' own limits: a longer value would fail in the database, not here.
NAME_LIMIT = Supplier.__table__.c.name.type.length
EMAIL_LIMIT = Supplier.__table__.c.email.type.length
# How many bad products a refusal names; the rest are counted.
NAMED_PROBLEMS = 5

_TOKEN = re.compile(r"[\x21-\x7e]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class FeedAnswer:
    """What the feed's address answered: status, body and the signature header."""

    status: int
    body: bytes = b""
    signature: str = ""
    location: str = ""


Fetch = Callable[[str, str], FeedAnswer]


@dataclass(frozen=True)
class PullResult:
    """What a pull wrote into which supplier."""

    supplier: Supplier
    created: bool
    published_by: str
    added: int
    changed: int
    price_changes: int
    marked_unavailable: int


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would carry the Authorization header to wherever a redirect points,
    # another host included, so a redirect is reported instead of followed.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def fetch_feed(url: str, token: str) -> FeedAnswer:
    """Read *url* with the token as a Bearer credential; refuse when the network fails."""
    request = urllib.request.Request(
        url,
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "User-Agent": "coop-feed-pull/1",
        },
    )
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_FEED_BYTES + 1)
            if len(body) > MAX_FEED_BYTES:
                raise ServiceError(
                    f"The feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB, "
                    "so it was not read; nothing was written."
                )
            return FeedAnswer(
                status=response.status,
                body=body,
                signature=response.headers.get(SIGNATURE_HEADER, ""),
            )
    except urllib.error.HTTPError as error:
        with error:
            location = error.headers.get("Location", "") if error.headers else ""
            return FeedAnswer(status=error.code, location=location)
    except urllib.error.URLError as error:
        reason = str(error.reason)
        if isinstance(error.reason, TimeoutError):
            reason = f"no answer within {TIMEOUT_SECONDS} seconds"
    except TimeoutError:
        reason = f"no answer within {TIMEOUT_SECONDS} seconds"
    except (http.client.HTTPException, OSError) as error:
        reason = str(error) or type(error).__name__
    host = urllib.parse.urlsplit(url).netloc
    raise ServiceError(
        f"The feed at {host} could not be reached ({reason}); nothing was written. "
        "Check the address and try again later.",
        field="url",
    )


def _check_address(url: str, token: str) -> None:
    try:
        parts = urllib.parse.urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        hostname = None
    if hostname is None or parts.scheme not in ("http", "https"):
        raise ServiceError(
            "The feed's address must start with https:// (or http://), such as "
            "https://coop.example.org/api/catalogues/12.json.",
            field="url",
        )
    if any(character.isspace() or not character.isprintable() for character in url):
        raise ServiceError("The feed's address cannot contain spaces.", field="url")
    # The address is written into the supplier's notes, which others read.
    if parts.username is not None or "token" in urllib.parse.parse_qs(parts.query):
        raise ServiceError(
            "Give the token on its own, not inside the address: the address is kept in "
            "the supplier's notes.",
            field="url",
        )
    if not _TOKEN.fullmatch(token):
        raise ServiceError(
            "The token is not one a feed gives: copy it whole, without spaces.", field="token"
        )


def _refusal(answer: FeedAnswer) -> str:
    if answer.status == 401:
        return (
            "The feed refused the token: check it, or ask the co-op that shares the "
            "catalogue for a new one. Nothing was written."
        )
    if answer.status == 404:
        return (
            "The catalogue is no longer shared (or the address is wrong): the feed answered "
            "404. Nothing was written."
        )
    if 300 <= answer.status < 400:
        where = f" to {answer.location}" if answer.location else ""
        return (
            f"The feed's address redirects{where}; use the address it gives if you trust "
            "it. Nothing was written."
        )
    return (
        f"The feed answered with the error {answer.status}; nothing was written. Try again later."
    )


def _signed(answer: FeedAnswer, token: str) -> bool:
    expected = sign_feed(answer.body, token).encode()
    # Compared as bytes: a forged header need not be ASCII.
    return hmac.compare_digest(expected, answer.signature.strip().encode("utf-8", "replace"))


def _document(body: bytes) -> dict[str, object]:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ServiceError(
            "The feed's answer is not JSON, so it is not a catalogue feed; nothing was written."
        ) from None
    if holds_control_character(document):
        raise ServiceError(
            "The feed's answer holds a control character (such as a NUL byte), which no "
            "catalogue has; nothing was written."
        )
    if not isinstance(document, dict) or "format" not in document:
        raise ServiceError(
            f"The feed's answer is not a catalogue feed ({FEED_FORMAT}); nothing was written."
        )
    if document["format"] != FEED_FORMAT:
        raise ServiceError(
            f"The feed is in the format '{document['format']}', which this coop cannot read "
            f"(it reads {FEED_FORMAT}); nothing was written."
        )
    return document


def _malformed(what: str) -> ServiceError:
    return ServiceError(
        f"The feed is not in the {FEED_FORMAT} format: {what}. Nothing was written."
    )


@dataclass(frozen=True)
class _FeedSupplier:
    name: str
    kind: SupplierKind
    email: str
    min_order_pence: int
    delivery_charge_pence: int


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _feed_supplier(document: dict[str, object]) -> _FeedSupplier:
    supplier = document.get("supplier")
    if not isinstance(supplier, dict):
        raise _malformed("it does not describe the supplier")
    name = supplier.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_LIMIT:
        raise _malformed(f"the supplier's name must be text of 1 to {NAME_LIMIT} characters")
    email = supplier.get("email") or ""
    if not isinstance(email, str) or len(email) > EMAIL_LIMIT:
        raise _malformed("the supplier's email is not an address")
    money = {}
    for key in ("min_order_pence", "delivery_charge_pence"):
        value = supplier.get(key) or 0
        if not _whole(value) or not 0 <= value <= MAX_PENCE:
            raise _malformed(f"the supplier's {key} is not a whole number of pence")
        money[key] = value
    kind = supplier.get("kind")
    return _FeedSupplier(
        name=name.strip(),
        # A kind this instance does not know yet is still a supplier.
        kind=(
            SupplierKind(kind)
            if isinstance(kind, str) and kind in {member.value for member in SupplierKind}
            else SupplierKind.OTHER
        ),
        email=email.strip(),
        **money,
    )


# --- products: the feed's typed values as an import's cells ------------------

_TEXT_CELLS = {
    "code": "code",
    "name": "name",
    "description": "description",
    "category": "category",
    "unit": "unit_label",
    "origin": "origin",
    "manufacturer": "manufacturer",
    "reference_price_source": "reference_price_source",
}
_PENCE_CELLS = {
    "case_price": "case_price_pence",
    "deposit": "deposit_pence",
    "reference_price": "reference_price_pence",
}


def _cells(product: dict[str, object], problems: list[str]) -> dict[str, str]:
    """Turn a feed product into the cells of the project's CSV, noting values of a wrong type."""
    cells: dict[str, str] = {}
    for column, key in _TEXT_CELLS.items():
        value = product.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(f"the field {key} must be text")
        cells[column] = value if isinstance(value, str) else ""
    for column, key in _PENCE_CELLS.items():
        value = product.get(key)
        if value is not None and not _whole(value):
            problems.append(f"the field {key} must be a whole number of pence")
        cells[column] = plain_pounds(value) if _whole(value) else ""
    tags = product.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        problems.append("the field tags must be a list of tag names")
        tags = []
    cells["tags"] = "|".join(tags)
    case_size = product.get("case_size")
    if case_size is not None and not _whole(case_size):
        problems.append("the field case_size must be a whole number")
    cells["case_size"] = str(case_size) if _whole(case_size) else ""
    vat_bp = product.get("vat_bp")
    if vat_bp is not None and not _whole(vat_bp):
        problems.append("the field vat_bp must be a whole number of basis points")
    cells["vat_rate"] = bp_to_percent(vat_bp) if _whole(vat_bp) else ""
    day = product.get("reference_price_date")
    if day is not None and not isinstance(day, str):
        problems.append("the field reference_price_date must be a date like 2026-03-31")
    cells["reference_price_date"] = day if isinstance(day, str) else ""
    available = product.get("available", True)
    if not isinstance(available, bool):
        problems.append("the field available must be true or false")
    cells["available"] = "no" if available is False else "yes"
    return cells


def _label(product: object, position: int) -> str:
    code = product.get("code") if isinstance(product, dict) else None
    return code.strip() if isinstance(code, str) and code.strip() else f"product {position}"


def _refuse_products(problems: list[tuple[str, str]]) -> ServiceError:
    named = " ".join(f"{label}: {message}" for label, message in problems[:NAMED_PROBLEMS])
    more = len(problems) - NAMED_PROBLEMS
    count = "a product" if len(problems) == 1 else f"{len(problems)} products"
    return ServiceError(
        f"The feed has {count} that cannot be imported, so nothing was written. {named}"
        + (f" And {more} more." if more > 0 else "")
    )


def _feed_rows(document: dict[str, object]) -> list[ProductRow]:
    """Check the feed's products exactly as an import checks a CSV file's rows."""
    products = document.get("products")
    if not isinstance(products, list):
        raise _malformed("it has no list of products")
    problems: list[tuple[str, str]] = []
    chunks = [csv_line(COLUMNS)]
    # The parser names a row by the line it starts on; a quoted cell may hold line breaks.
    label_at_line: dict[int, str] = {}
    line = 2
    for position, product in enumerate(products, start=1):
        label = _label(product, position)
        if not isinstance(product, dict):
            problems.append((label, "Not a product."))
            continue
        wrong: list[str] = []
        cells = _cells(product, wrong)
        if wrong:
            message = "; ".join(wrong)
            problems.append((label, message[0].upper() + message[1:] + "."))
            continue
        chunk = csv_line(cells.get(column, "") for column in COLUMNS)
        chunks.append(chunk)
        label_at_line[line] = label
        line += len(_LINE_BREAK.findall(chunk))
    try:
        parsed = parse_catalogue("".join(chunks))
    except FileProblem as problem:
        raise ServiceError(
            f"The feed has a product that cannot be read ({problem}); nothing was written."
        ) from None
    problems.extend((label_at_line.get(error.line, "?"), error.message) for error in parsed.errors)
    if problems:
        raise _refuse_products(problems)
    return parsed.rows


# --- the supplier the copy is kept in ----------------------------------------


def _note(url: str) -> str:
    return f"{NOTE_PREFIX}{url}"


def _pulled_supplier(coop: Coop, url: str) -> Supplier | None:
    note = _note(url)
    own = db.session.scalars(
        select(Supplier).where(Supplier.coop_id == coop.id).order_by(Supplier.id)
    )
    for supplier in own:
        if any(line.strip() == note for line in supplier.notes.splitlines()):
            return supplier
    return None


def _own_supplier_called(coop: Coop, name: str) -> Supplier | None:
    return db.session.scalar(
        select(Supplier).where(
            Supplier.coop_id == coop.id, func.lower(Supplier.name) == name.lower()
        )
    )


def _create(coop: Coop, url: str, name: str, feed: _FeedSupplier, published_by: str) -> Supplier:
    notes = _note(url)
    if published_by:
        notes += f"\nPublished by {published_by}."
    details = SupplierDetails(
        name=name,
        kind=feed.kind,
        email=feed.email,
        min_order_pence=feed.min_order_pence,
        delivery_charge_pence=feed.delivery_charge_pence,
        notes=notes,
    )
    try:
        return create_supplier(coop=coop, details=details)
    except ServiceError as error:
        if error.field != "name":
            raise
        raise ServiceError(
            f"{coop.name} already has a supplier called {name} that was not pulled from "
            "this address; give the copy another supplier name.",
            field="supplier",
        ) from None


def _target(
    coop: Coop, url: str, supplier_name: str | None, feed: _FeedSupplier, published_by: str
) -> tuple[Supplier, bool]:
    if supplier_name is not None:
        name = supplier_name.strip()
        if not name or len(name) > NAME_LIMIT:
            raise ServiceError(
                f"Give the supplier a name of 1 to {NAME_LIMIT} characters.", field="supplier"
            )
        found = _own_supplier_called(coop, name)
    else:
        name = feed.name
        found = _pulled_supplier(coop, url)
    if found is not None:
        return found, False
    return _create(coop, url, name, feed, published_by), True


def pull_catalogue(
    *,
    coop: Coop,
    url: str,
    token: str,
    supplier_name: str | None = None,
    mark_missing_unavailable: bool = True,
    fetch: Fetch = fetch_feed,
) -> PullResult:
    """Bring *coop*'s copy of a catalogue published at *url* up to date, or change nothing.

    The copy is the supplier called *supplier_name* (any letter case) when
    given, else the one whose notes say it was pulled from *url*; either is
    created on the first pull. Products are matched by code; price changes
    are recorded with the reason "feed"; with *mark_missing_unavailable*,
    products the feed no longer lists are marked unavailable.
    """
    url, token = url.strip(), token.strip()
    _check_address(url, token)
    # Everything is read and checked before the first write, so no
    # transaction is held open while the network answers.
    answer = fetch(url, token)
    if answer.status != 200:
        raise ServiceError(_refusal(answer))
    if not _signed(answer, token):
        raise ServiceError(
            "The feed's signature does not match: the answer may have been altered "
            "on the way (or the token is not this feed's). Nothing was written."
        )
    document = _document(answer.body)
    feed = _feed_supplier(document)
    rows = _feed_rows(document)
    publisher = document.get("published_by")
    published_by = publisher.strip()[:NAME_LIMIT] if isinstance(publisher, str) else ""
    supplier, created = _target(coop, url, supplier_name, feed, published_by)
    written = apply_rows(
        supplier=supplier,
        rows=rows,
        mark_missing_unavailable=mark_missing_unavailable,
        user=None,
        reason="feed",
    )
    return PullResult(
        supplier=supplier,
        created=created,
        published_by=published_by,
        added=written.added,
        changed=written.changed,
        price_changes=written.price_changes,
        marked_unavailable=written.marked_unavailable,
    )

"""Pulling a catalogue another coop instance shares, through its real signed feed over HTTP.

The publisher's feed is served by `live_server` (the app on this test's
database, on loopback); forged answers come from a small `http.server` of
the test's own, also on loopback.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from support import count_rows, refusal_message

from coop.domain.catalogue import Tag
from coop.extensions import db
from coop.models import CatalogueFeed, PriceChange, Product, ShareScope, Supplier, SupplierKind
from coop.services.catalogue import feed_pull
from coop.services.catalogue.export import product_rows
from coop.services.catalogue.feed import create_feed, sign_feed
from coop.services.catalogue.feed_pull import fetch_feed, pull_catalogue
from sharing.support import add_product, share

SIGNED_OFF = "Nothing was written"


@pytest.fixture
def token(four_coops) -> str:
    """A feed token for Fishwick's wholesaler, shared with every co-op."""
    share(four_coops.supplier, ShareScope.PLATFORM)
    _, made = create_feed(
        supplier=four_coops.supplier,
        label="Loner's instance",
        created_by=four_coops.publisher_coordinator,
    )
    db.session.commit()
    return made


@pytest.fixture
def url(four_coops, live_server) -> str:
    return f"{live_server}/api/catalogues/{four_coops.supplier.id}.json"


@dataclass
class Forger:
    """A web server on loopback answering whatever the test sets, noting each request."""

    url: str = ""
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)

    def answer(self, body: bytes, *, signed_with: str | None = None, signature: str = "") -> None:
        self.body = body
        self.headers = {"Content-Type": "application/json"}
        if signed_with is not None:
            signature = sign_feed(body, signed_with)
        if signature:
            self.headers["X-Coop-Signature"] = signature


@pytest.fixture
def forger() -> Iterator[Forger]:
    forger = Forger()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            forger.requests.append({"path": self.path, **dict(self.headers)})
            self.send_response(forger.status)
            for name, value in forger.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(forger.body)))
            self.end_headers()
            self.wfile.write(forger.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="forger", daemon=True)
    thread.start()
    forger.url = f"http://127.0.0.1:{server.server_port}/api/catalogues/1.json"
    try:
        yield forger
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def pull(coop, url: str, token: str, **options):
    result = pull_catalogue(coop=coop, url=url, token=token, **options)
    db.session.commit()
    return result


def copies_of(coop) -> list[Supplier]:
    db.session.expire_all()
    return list(db.session.scalars(select(Supplier).where(Supplier.coop_id == coop.id)))


def catalogue(supplier: Supplier) -> dict[str, dict[str, object]]:
    """Return each product's fields by code, as the database has them now."""
    db.session.expire_all()
    return {row.code: row.values() for _, row in product_rows(supplier=supplier)}


def product(supplier: Supplier, code: str) -> Product:
    db.session.expire_all()
    return db.session.scalar(
        select(Product).where(Product.supplier_id == supplier.id, Product.code == code)
    )


def feed_document(**changes) -> dict[str, object]:
    """A well-formed feed with one product, with *changes* to that product."""
    return {
        "format": "coop-catalogue-feed/1",
        "generated_at": "2026-11-26T12:00:00+00:00",
        "published_by": "Forged Co-op",
        "supplier": {
            "id": 1,
            "name": "Forged Foods",
            "kind": "producer",
            "email": "",
            "min_order_pence": 0,
            "delivery_charge_pence": 0,
        },
        "products": [
            {
                "code": "OAT-1",
                "name": "Oats",
                "description": "",
                "category": "Cereals",
                "tags": ["vegan"],
                "unit_label": "1 kg bag",
                "case_size": 6,
                "case_price_pence": 900,
                "vat_bp": 0,
                "deposit_pence": 0,
                "origin": "",
                "manufacturer": "",
                "reference_price_pence": None,
                "reference_price_date": None,
                "reference_price_source": "",
                "available": True,
                **changes,
            }
        ],
    }


def encode(document: object) -> bytes:
    return json.dumps(document).encode()


# --- pulling the real feed -----------------------------------------------------


def test_the_first_pull_creates_the_supplier_with_the_publishers_products(four_coops, token, url):
    result = pull(four_coops.loner, url, token)

    (copy,) = copies_of(four_coops.loner)
    assert result.created
    assert (result.added, result.changed, result.marked_unavailable) == (2, 0, 0)
    assert result.published_by == "Fishwick Food Co-op"
    assert copy.name == "Northern Wholefoods"
    assert copy.kind is SupplierKind.WHOLESALER
    assert copy.email == "orders@northern.example.org"
    assert (copy.min_order_pence, copy.delivery_charge_pence) == (25_000, 1_500)
    assert f"Pulled from {url}" in copy.notes.splitlines()
    assert copy.share_scope is ShareScope.PRIVATE
    assert catalogue(copy) == catalogue(four_coops.supplier)
    rice = product(copy, "RICE-1")
    assert rice.name == "Basmati rice"
    assert (rice.case_size, rice.case_price_pence, rice.vat_bp) == (10, 2_000, 0)
    assert rice.tag_bits == Tag.VEGAN.bit | Tag.GLUTEN_FREE.bit
    assert rice.reference_price_source == "Tesco.com, 2026-11-02"
    assert product(copy, "SOAP-1").vat_bp == 2000
    assert count_rows(PriceChange) == 0
    assert db.session.scalar(select(CatalogueFeed.last_used_at)) is not None


def test_a_second_pull_updates_the_price_and_records_it_as_a_feed_change(four_coops, token, url):
    pull(four_coops.loner, url, token)
    four_coops.rice.case_price_pence = 2_250
    four_coops.rice.name = "Basmati rice, brown"
    db.session.commit()

    result = pull(four_coops.loner, url, token)

    (copy,) = copies_of(four_coops.loner)
    rice = product(copy, "RICE-1")
    assert not result.created
    assert (result.added, result.changed, result.price_changes) == (0, 1, 1)
    assert (rice.case_price_pence, rice.name) == (2_250, "Basmati rice, brown")
    change = db.session.scalar(select(PriceChange).where(PriceChange.product_id == rice.id))
    assert change.reason == "feed"
    assert (change.old_case_price_pence, change.new_case_price_pence) == (2_000, 2_250)
    assert change.changed_by_id is None
    assert count_rows(PriceChange) == 1


def test_a_pull_with_nothing_new_changes_nothing(four_coops, token, url):
    pull(four_coops.loner, url, token)

    result = pull(four_coops.loner, url, token)

    assert (result.added, result.changed, result.marked_unavailable) == (0, 0, 0)
    assert len(copies_of(four_coops.loner)) == 1


def test_availability_follows_the_publisher(four_coops, token, url):
    pull(four_coops.loner, url, token)
    (copy,) = copies_of(four_coops.loner)

    four_coops.soap.available = False
    db.session.commit()
    withdrawn = pull(four_coops.loner, url, token)
    gone = product(copy, "SOAP-1").available
    four_coops.reload(four_coops.soap).available = True
    db.session.commit()
    pull(four_coops.loner, url, token)

    assert (withdrawn.changed, withdrawn.price_changes, withdrawn.marked_unavailable) == (1, 0, 0)
    assert gone is False
    assert product(copy, "SOAP-1").available is True


def test_a_product_the_feed_no_longer_lists_is_marked_unavailable_unless_kept(
    four_coops, token, url
):
    oats = add_product(four_coops.supplier, "OATS-1", "Porridge oats")
    pull(four_coops.loner, url, token)
    (copy,) = copies_of(four_coops.loner)
    db.session.delete(four_coops.reload(oats))
    db.session.commit()

    kept = pull(four_coops.loner, url, token, mark_missing_unavailable=False)
    still_there = product(copy, "OATS-1").available
    marked = pull(four_coops.loner, url, token)

    assert kept.marked_unavailable == 0 and still_there is True
    assert marked.marked_unavailable == 1
    assert product(copy, "OATS-1").available is False
    assert product(copy, "RICE-1").available is True


def test_the_copy_is_found_again_by_its_note_after_a_rename(four_coops, token, url):
    pull(four_coops.loner, url, token)
    (copy,) = copies_of(four_coops.loner)
    copy.name = "Northern (through Fishwick)"
    db.session.commit()
    four_coops.rice.case_price_pence = 1_900
    db.session.commit()

    result = pull(four_coops.loner, url, token)

    assert not result.created
    assert [supplier.id for supplier in copies_of(four_coops.loner)] == [copy.id]
    assert product(copy, "RICE-1").case_price_pence == 1_900


def test_a_supplier_name_keeps_the_copy_under_that_name(four_coops, token, url):
    first = pull(four_coops.loner, url, token, supplier_name="Northern via Fishwick")
    again = pull(four_coops.loner, url, token, supplier_name="northern via fishwick")

    (copy,) = copies_of(four_coops.loner)
    assert first.created and not again.created
    assert copy.name == "Northern via Fishwick"
    assert f"Pulled from {url}" in copy.notes
    assert set(catalogue(copy)) == {"RICE-1", "SOAP-1"}


def test_a_name_taken_by_a_supplier_kept_by_hand_is_refused(four_coops, token, url):
    own = Supplier(coop=four_coops.loner, name="Northern Wholefoods")
    db.session.add(own)
    db.session.commit()

    message = refusal_message(lambda: pull_catalogue(coop=four_coops.loner, url=url, token=token))

    assert "already has a supplier called Northern Wholefoods" in message
    assert count_rows(Product, Product.supplier_id == own.id) == 0


# --- refusals: nothing is written ------------------------------------------------


def test_a_wrong_token_is_refused_and_nothing_is_written(four_coops, token, url):
    message = refusal_message(
        lambda: pull_catalogue(coop=four_coops.loner, url=url, token="not-the-token")
    )

    assert message.startswith("The feed refused the token")
    assert copies_of(four_coops.loner) == []
    assert count_rows(Product) == 2


def test_a_catalogue_no_longer_shared_is_refused(four_coops, token, url):
    share(four_coops.supplier, ShareScope.PRIVATE)

    message = refusal_message(lambda: pull_catalogue(coop=four_coops.loner, url=url, token=token))

    assert message.startswith("The catalogue is no longer shared")
    assert copies_of(four_coops.loner) == []


def test_a_tampered_answer_is_refused_and_nothing_is_written(four_coops, token, url, forger):
    real = fetch_feed(url, token)
    assert b'"case_price_pence":2000' in real.body
    forger.answer(
        real.body.replace(b'"case_price_pence":2000', b'"case_price_pence":1'),
        signature=real.signature,
    )

    message = refusal_message(
        lambda: pull_catalogue(coop=four_coops.loner, url=forger.url, token=token)
    )

    assert message.startswith(
        "The feed's signature does not match: the answer may have been altered"
    )
    assert SIGNED_OFF in message
    assert copies_of(four_coops.loner) == []
    assert count_rows(Product) == 2
    assert forger.requests[0]["Authorization"] == f"Bearer {token}"


@pytest.mark.parametrize(
    "signature", ["", "sha256=00", "sha256=é"], ids=["missing", "wrong", "not ascii"]
)
def test_an_answer_without_the_right_signature_is_refused(four_coops, token, forger, signature):
    forger.answer(encode(feed_document()), signature=signature)

    message = refusal_message(
        lambda: pull_catalogue(coop=four_coops.loner, url=forger.url, token=token)
    )

    assert message.startswith("The feed's signature does not match")
    assert copies_of(four_coops.loner) == []


def test_a_copy_already_pulled_is_left_as_it_was_when_a_later_answer_is_forged(
    four_coops, token, url, forger
):
    pull(four_coops.loner, url, token)
    (copy,) = copies_of(four_coops.loner)
    forged = fetch_feed(url, token).body.replace(
        b'"case_price_pence":2000', b'"case_price_pence":1'
    )
    forger.answer(forged, signed_with="a guessed token")

    refusal_message(lambda: pull_catalogue(coop=four_coops.loner, url=forger.url, token=token))
    refusal_message(
        lambda: pull_catalogue(
            coop=four_coops.loner, url=forger.url, token=token, supplier_name=copy.name
        )
    )

    assert product(copy, "RICE-1").case_price_pence == 2_000
    assert count_rows(PriceChange) == 0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<html>Maintenance</html>", "The feed's answer is not JSON"),
        (b"\xff\xfe{}", "The feed's answer is not JSON"),
        (b"[]", "The feed's answer is not a catalogue feed"),
        (encode({"products": []}), "The feed's answer is not a catalogue feed"),
        (
            encode({**feed_document(), "format": "coop-catalogue-feed/2"}),
            "The feed is in the format 'coop-catalogue-feed/2', which this coop cannot read",
        ),
        (
            encode({**feed_document(), "products": {"OAT-1": {}}}),
            "The feed is not in the coop-catalogue-feed/1 format: it has no list of products",
        ),
        (
            encode({**feed_document(), "supplier": None}),
            "The feed is not in the coop-catalogue-feed/1 format: it does not describe",
        ),
        (
            encode({**feed_document(), "supplier": {"name": "Forged\u0000Foods"}}),
            "The feed's answer holds a control character (such as a NUL byte)",
        ),
    ],
    ids=[
        "html",
        "not utf-8",
        "a list",
        "no format",
        "a later format",
        "no list",
        "no supplier",
        "a nul byte",
    ],
)
def test_an_answer_that_is_not_a_catalogue_feed_is_refused(
    four_coops, token, forger, body, expected
):
    forger.answer(body, signed_with=token)

    message = refusal_message(
        lambda: pull_catalogue(coop=four_coops.loner, url=forger.url, token=token)
    )

    assert message.startswith(expected)
    assert copies_of(four_coops.loner) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"vat_bp": 1200}, "OAT-1: The VAT rate '12' is not a UK rate (0, 5 or 20%)."),
        ({"case_price_pence": -5}, "OAT-1: The case price cannot be negative."),
        (
            {"case_price_pence": "9.00"},
            "OAT-1: The field case_price_pence must be a whole number of pence.",
        ),
        ({"case_price_pence": None}, "OAT-1: The case price is missing."),
        ({"case_size": 0}, "OAT-1: The case size must be at least 1."),
        ({"name": ""}, "OAT-1: The name is missing."),
        ({"code": "X" * 41}, f"{'X' * 41}: The code is longer than 40 characters."),
        ({"tags": ["vegan", "paleo"]}, "OAT-1: Unknown tag 'paleo'"),
        ({"reference_price_date": "31/03/2026"}, "OAT-1: The date '31/03/2026' is not a date"),
        ({"available": "yes"}, "OAT-1: The field available must be true or false."),
    ],
    ids=[
        "vat",
        "negative",
        "price as text",
        "no price",
        "case size",
        "name",
        "code",
        "tag",
        "date",
        "available",
    ],
)
def test_a_bad_product_is_named_and_nothing_is_written(
    four_coops, token, forger, changes, expected
):
    forger.answer(encode(feed_document(**changes)), signed_with=token)

    message = refusal_message(
        lambda: pull_catalogue(coop=four_coops.loner, url=forger.url, token=token)
    )

    assert message.startswith("The feed has a product that cannot be imported")
    assert expected in message
    assert copies_of(four_coops.loner) == []


def test_every_bad_product_is_named_after_descriptions_spanning_lines(four_coops, token, forger):
    document = feed_document(description="Rolled.\nScottish.\r\nWholegrain.\rSix bags.")
    good = document["products"][0]
    document["products"] += [
        {**good, "code": "OAT-2", "description": "Two\nlines", "vat_bp": 700},
        {**good, "code": "OAT-3"},
        {**good, "code": "oat-3"},
    ]
    forger.answer(encode(document), signed_with=token)

    message = refusal_message(
        lambda: pull_catalogue(coop=four_coops.loner, url=forger.url, token=token)
    )

    assert message.startswith("The feed has 2 products that cannot be imported")
    assert "OAT-2: The VAT rate '7' is not a UK rate" in message
    assert "oat-3: The code 'oat-3' is already used on line" in message
    assert "OAT-1" not in message
    assert copies_of(four_coops.loner) == []


def test_a_long_list_of_bad_products_names_the_first_five(four_coops, token, forger):
    document = feed_document()
    good = document["products"][0]
    document["products"] = [{**good, "code": f"OAT-{n}", "vat_bp": 1} for n in range(1, 9)]
    forger.answer(encode(document), signed_with=token)

    message = refusal_message(
        lambda: pull_catalogue(coop=four_coops.loner, url=forger.url, token=token)
    )

    assert message.startswith("The feed has 8 products that cannot be imported")
    assert "OAT-5: The VAT rate '0.01' is not a UK rate" in message
    assert "OAT-6" not in message
    assert message.endswith(" And 3 more.")


def test_a_forged_feed_signed_with_the_token_is_written_as_a_new_supplier(
    four_coops, token, forger
):
    forger.answer(encode(feed_document()), signed_with=token)

    result = pull(four_coops.loner, forger.url, token)

    (copy,) = copies_of(four_coops.loner)
    assert (copy.name, copy.kind, result.published_by) == (
        "Forged Foods",
        SupplierKind.PRODUCER,
        "Forged Co-op",
    )
    assert product(copy, "OAT-1").case_price_pence == 900


def test_a_redirect_is_not_followed_with_the_token(four_coops, token, forger, url):
    forger.status = 302
    forger.headers = {"Location": url}

    message = refusal_message(
        lambda: pull_catalogue(coop=four_coops.loner, url=forger.url, token=token)
    )

    assert message.startswith(f"The feed's address redirects to {url}")
    assert len(forger.requests) == 1
    assert db.session.scalar(select(CatalogueFeed.last_used_at)) is None


def test_a_server_error_is_refused(four_coops, token, forger):
    forger.status = 503
    forger.answer(b"")

    message = refusal_message(
        lambda: pull_catalogue(coop=four_coops.loner, url=forger.url, token=token)
    )

    assert message.startswith("The feed answered with the error 503")


def test_an_unreachable_feed_is_refused(four_coops, token):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]

    message = refusal_message(
        lambda: pull_catalogue(
            coop=four_coops.loner,
            url=f"http://127.0.0.1:{closed}/api/catalogues/1.json",
            token=token,
        ),
        field="url",
    )

    assert message.startswith(f"The feed at 127.0.0.1:{closed} could not be reached")
    assert copies_of(four_coops.loner) == []


def test_a_feed_that_does_not_answer_in_time_is_refused(four_coops, token, monkeypatch):
    monkeypatch.setattr(feed_pull, "TIMEOUT_SECONDS", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]

        message = refusal_message(
            lambda: pull_catalogue(
                coop=four_coops.loner, url=f"http://127.0.0.1:{port}/feed.json", token=token
            ),
            field="url",
        )

    assert message.startswith(
        f"The feed at 127.0.0.1:{port} could not be reached (no answer within 0.5 seconds)"
    )


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ("file:///etc/passwd", "url"),
        ("ftp://coop.example.org/feed.json", "url"),
        ("coop.example.org/api/catalogues/1.json", "url"),
        ("http://[::1/api/catalogues/1.json", "url"),
        ("https://coop.example.org/api/catalogues/1.json?token=abc", "url"),
        ("https://someone:secret@coop.example.org/api/catalogues/1.json", "url"),
        ("https://coop.example.org/api/catalogues/1.json", "token"),
    ],
    ids=[
        "file",
        "ftp",
        "no scheme",
        "broken",
        "token in address",
        "password in address",
        "bad token",
    ],
)
def test_an_address_that_is_not_a_web_feed_is_refused_before_reading(four_coops, address, field):
    def fetch(url: str, token: str):
        raise AssertionError("nothing should be read")

    bad_token = "two words" if field == "token" else "a-token"

    refusal_message(
        lambda: pull_catalogue(coop=four_coops.loner, url=address, token=bad_token, fetch=fetch),
        field=field,
    )

    assert copies_of(four_coops.loner) == []


# --- the command -------------------------------------------------------------------


def run(runner, coop, url: str, *options: str, env: dict[str, str] | None = None):
    return runner.invoke(
        args=["pull-catalogue", "--coop", coop.slug, "--url", url, *options], env=env
    )


def test_the_command_pulls_and_prints_the_counts(four_coops, token, url, runner):
    first = run(runner, four_coops.loner, url, "--token", token)
    four_coops.rice.case_price_pence = 2_100
    four_coops.soap.available = False
    db.session.commit()
    second = run(runner, four_coops.loner, url, env={"COOP_FEED_TOKEN": token})

    assert first.exit_code == 0, first.output
    assert f"Created the supplier Northern Wholefoods, pulled from {url}." in first.output
    assert (
        "Pulled into Northern Wholefoods (Fishwick Food Co-op): 2 added, 0 changed "
        "(0 with a new price), 0 marked unavailable." in first.output
    )
    assert second.exit_code == 0, second.output
    assert "Created" not in second.output
    assert "0 added, 2 changed (1 with a new price), 0 marked unavailable." in second.output
    (copy,) = copies_of(four_coops.loner)
    assert product(copy, "RICE-1").case_price_pence == 2_100
    assert db.session.scalar(select(PriceChange.reason)) == "feed"


def test_the_command_keeps_missing_products_when_asked(four_coops, token, url, runner):
    oats = add_product(four_coops.supplier, "OATS-1", "Porridge oats")
    run(runner, four_coops.loner, url, "--token", token, "--supplier", "Northern")
    db.session.delete(four_coops.reload(oats))
    db.session.commit()

    kept = run(
        runner, four_coops.loner, url, "--token", token, "--supplier", "Northern", "--keep-missing"
    )

    assert kept.exit_code == 0, kept.output
    assert "0 marked unavailable" in kept.output
    (copy,) = copies_of(four_coops.loner)
    assert copy.name == "Northern"
    assert product(copy, "OATS-1").available is True


def test_the_command_reports_a_refusal_and_writes_nothing(four_coops, token, url, runner):
    result = run(runner, four_coops.loner, url, "--token", "not-the-token")

    assert result.exit_code == 1
    assert "Error: The feed refused the token" in result.output
    assert copies_of(four_coops.loner) == []
    assert count_rows(Product) == 2


def test_the_command_refuses_an_unknown_coop(four_coops, token, url, runner):
    result = runner.invoke(
        args=["pull-catalogue", "--coop", "nowhere", "--url", url, "--token", token]
    )

    assert result.exit_code == 1
    assert "Error:" in result.output
    assert db.session.scalar(select(CatalogueFeed.last_used_at)) is None

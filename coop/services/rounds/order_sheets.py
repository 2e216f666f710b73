"""Supplier order sheets: what a round orders from each supplier, its minimum, sending it.

Until a round closes, a sheet is a projection: the cases the households'
orders would make if the round closed now. Once closed it shows the cases
ordered. Every sheet of a round costs two queries, whatever the number of
suppliers or items: the round's suppliers, and its items with their demand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import func, select

from coop.domain.allocation import CaseProgress, case_progress, cases_needed
from coop.domain.catalogue import BASIS_POINTS, bp_to_percent
from coop.domain.money import plain_pounds, round_half_up
from coop.domain.roles import MembershipStatus
from coop.domain.rounds import SHEETS_SENDABLE, RoundState
from coop.domain.spreadsheets import csv_text, file_slug
from coop.domain.wording import possessive
from coop.extensions import db
from coop.models import (
    Coop,
    Membership,
    OrderRequest,
    Round,
    RoundItem,
    RoundSupplier,
    Supplier,
    User,
)
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.mail import Attachment, send_message
from coop.services.rounds.lifecycle import locked_round
from coop.services.rounds.states import require

CSV_COLUMNS = (
    "Code",
    "Product",
    "Unit",
    "Case size",
    "Cases",
    "Case price ex VAT",
    "VAT rate %",
    "Line total ex VAT",
)


@dataclass(frozen=True)
class SheetLine:
    """One item of a round as its supplier's sheet shows it, with the households' demand."""

    item_id: int
    code: str
    name: str
    category: str
    unit_label: str
    case_size: int
    case_price_pence: int
    vat_bp: int
    quantity: int  # firm units the households asked for
    tolerance: int  # extra units they would take to fill a case
    cases: int  # ordered, or projected before closing
    fill_percent: int

    @property
    def total_pence(self) -> int:
        return self.cases * self.case_price_pence

    @property
    def progress(self) -> CaseProgress:
        """The case indicator of the households' demand."""
        return case_progress(self.quantity, self.tolerance, self.case_size, self.fill_percent)


@dataclass(frozen=True)
class OrderSheet:
    """What a round orders from one supplier, against the supplier's minimum order."""

    round_supplier: RoundSupplier
    supplier: Supplier
    items: tuple[SheetLine, ...]  # every item offered, ordered or not
    projected: bool  # before closing: cases at current demand
    sent_by: str  # who last sent it, "" if nobody has

    @property
    def lines(self) -> tuple[SheetLine, ...]:
        """The lines of the order itself: items with at least one case."""
        return tuple(line for line in self.items if line.cases)

    @property
    def dropped(self) -> bool:
        return self.round_supplier.dropped

    @property
    def cases(self) -> int:
        return sum(line.cases for line in self.items)

    @property
    def total_ex_vat_pence(self) -> int:
        return sum(line.total_pence for line in self.items)

    @property
    def vat_pence(self) -> int:
        """VAT on the order, worked out once per rate and rounded to the penny."""
        by_rate: dict[int, int] = defaultdict(int)
        for line in self.items:
            by_rate[line.vat_bp] += line.total_pence
        return sum(
            round_half_up(Fraction(total * rate, BASIS_POINTS)) for rate, total in by_rate.items()
        )

    @property
    def total_inc_vat_pence(self) -> int:
        return self.total_ex_vat_pence + self.vat_pence

    @property
    def min_order_pence(self) -> int:
        return self.supplier.min_order_pence

    @property
    def shortfall_pence(self) -> int:
        """How far the order is below the supplier's minimum (ex VAT); 0 when it is met."""
        return max(0, self.min_order_pence - self.total_ex_vat_pence)

    @property
    def below_minimum(self) -> bool:
        """Tell whether there is an order and it does not reach the supplier's minimum."""
        return not self.dropped and self.cases > 0 and self.shortfall_pence > 0


def _demand(round_: Round, supplier_id: int | None):
    asked = (
        select(
            OrderRequest.round_item_id,
            func.sum(OrderRequest.quantity).label("quantity"),
            func.sum(OrderRequest.tolerance).label("tolerance"),
        )
        .join(Membership, Membership.id == OrderRequest.membership_id)
        .where(OrderRequest.round_id == round_.id, Membership.status == MembershipStatus.ACTIVE)
        .group_by(OrderRequest.round_item_id)
        .subquery()
    )
    query = (
        select(
            RoundItem,
            func.coalesce(asked.c.quantity, 0),
            func.coalesce(asked.c.tolerance, 0),
        )
        .outerjoin(asked, asked.c.round_item_id == RoundItem.id)
        .where(RoundItem.round_id == round_.id)
        .order_by(RoundItem.category, RoundItem.name, RoundItem.id)
    )
    if supplier_id is not None:
        query = query.join(RoundSupplier, RoundSupplier.id == RoundItem.round_supplier_id).where(
            RoundSupplier.supplier_id == supplier_id
        )
    return db.session.execute(query).all()


def _sheets(round_: Round, supplier_id: int | None = None) -> list[OrderSheet]:
    query = (
        select(RoundSupplier, Supplier, User.name)
        .join(Supplier, Supplier.id == RoundSupplier.supplier_id)
        .outerjoin(User, User.id == RoundSupplier.order_sent_by_id)
        .where(RoundSupplier.round_id == round_.id)
        .order_by(Supplier.name, Supplier.id)
    )
    if supplier_id is not None:
        query = query.where(RoundSupplier.supplier_id == supplier_id)
    suppliers = db.session.execute(query).all()
    if not suppliers:
        return []
    cancelled = round_.state is RoundState.CANCELLED
    projected = round_.closed_at is None and not cancelled
    dropped = {rs.id for rs, _, _ in suppliers if rs.dropped}
    lines: dict[int, list[SheetLine]] = defaultdict(list)
    for item, quantity, tolerance in _demand(round_, supplier_id):
        if cancelled or item.round_supplier_id in dropped:
            cases = 0
        elif projected:
            cases = cases_needed(quantity, tolerance, item.case_size, round_.fill_percent)
        else:
            cases = item.cases_ordered or 0
        lines[item.round_supplier_id].append(
            SheetLine(
                item_id=item.id,
                code=item.code,
                name=item.name,
                category=item.category,
                unit_label=item.unit_label,
                case_size=item.case_size,
                case_price_pence=item.case_price_pence,
                vat_bp=item.vat_bp,
                quantity=quantity,
                tolerance=tolerance,
                cases=cases,
                fill_percent=round_.fill_percent,
            )
        )
    return [
        OrderSheet(
            round_supplier=rs,
            supplier=supplier,
            items=tuple(lines[rs.id]),
            projected=projected,
            sent_by=sent_by or "",
        )
        for rs, supplier, sent_by in suppliers
    ]


def order_sheets(*, round_: Round) -> list[OrderSheet]:
    """Return the sheet of every supplier in the round, by supplier name (two queries)."""
    return _sheets(round_)


def order_sheet(*, round_: Round, supplier_id: int) -> OrderSheet | None:
    """Return one supplier's sheet for the round, or None when it offers nothing from it."""
    sheets = _sheets(round_, supplier_id)
    return sheets[0] if sheets else None


def sheet_csv(sheet: OrderSheet) -> str:
    """Return the sheet's lines as CSV; text a spreadsheet would run as a formula is defused."""
    return csv_text(
        CSV_COLUMNS,
        (
            [
                line.code,
                line.name,
                line.unit_label,
                line.case_size,
                line.cases,
                plain_pounds(line.case_price_pence),
                bp_to_percent(line.vat_bp),
                plain_pounds(line.total_pence),
            ]
            for line in sheet.lines
        ),
    )


def sheet_filename(*, round_: Round, sheet: OrderSheet) -> str:
    """Return a file name such as ``northern-wholefoods-order-weekly-order-12.csv``."""
    supplier = file_slug(sheet.supplier.name) or "supplier"
    title = file_slug(round_.title) or "round"
    return f"{supplier}-order-{title}-{round_.id}.csv"


def send_order_sheet(*, round_id: int, supplier_id: int, by: User) -> OrderSheet:
    """Email a closed round's order to the supplier with the sheet attached, and record it."""
    round_ = locked_round(round_id=round_id)
    sheet = order_sheet(round_=round_, supplier_id=supplier_id)
    if sheet is None:
        raise ServiceError("That supplier has no items in this round.")
    name = sheet.supplier.name
    require(SHEETS_SENDABLE, round_)
    if sheet.dropped:
        raise ServiceError(
            f"{possessive(name)} items were dropped from this round; there is no order."
        )
    if not sheet.lines:
        raise ServiceError(f"Nothing is ordered from {name} in this round.")
    address = sheet.supplier.email.strip()
    if not address:
        raise ServiceError(
            f"{name} has no email address. Add one on the supplier's page, "
            "or print the sheet and send it yourself."
        )
    coop = db.session.get_one(Coop, round_.coop_id)
    send_message(
        "rounds/order_sheet.txt",
        to=address,
        attachments=[
            Attachment(sheet_filename(round_=round_, sheet=sheet), sheet_csv(sheet).encode("utf-8"))
        ],
        round_=round_,
        coop=coop,
        sheet=sheet,
        by=by,
        deliver_to=round_.pickup_place or coop.pickup_address or "",
    )
    rs = sheet.round_supplier
    rs.order_sent_at = utcnow()
    rs.order_sent_to = address
    rs.order_sent_by_id = by.id
    db.session.flush()
    return sheet

"""Open Food Network's product import CSV, read into coop's products.

Checked against openfoodfoundation/openfoodnetwork: `public/product_list_template.csv`
(``producer,sku,name,display_name,category,description,units,unit_type,
variant_unit_name,price,on_hand,available_on,on_demand,shipping_category,
tax_category``), `public/inventory_template.csv` and
`app/models/product_import/unit_converter.rb`. Columns are found by name.

One row is one variant, sold on its own: OFN has no cases, so the case size
is 1 and the case price is `price`, the variant's price. The member unit is
`units` with `unit_type` (``250 ml``, ``2 kg``: OFN's weights and volumes) or
with `variant_unit_name` for counted items (``1 bunch``). The code is the
`sku`, or the name and unit when it is blank; `display_name` (a variant's
own name) follows the name; `producer` is the manufacturer. A variant is
available when it is `on_demand` or has stock (`on_hand` above 0, or blank).
OFN's `tax_category` is a name, not a rate, so VAT is 0% (set it on the
product); it, `shipping_category` and `available_on` are listed as unkept.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from coop.domain.catalogue import DEFAULT_UNIT, MAX_PENCE, MAX_PENCE_TEXT
from coop.domain.catalogue_csv import ParsedCatalogue, ProductRow, RowError
from coop.domain.catalogue_files.numbers import exact_number, plain, without_currency
from coop.domain.catalogue_files.tables import Table
from coop.domain.money import format_pence
from coop.domain.spreadsheets import unprotect_formula

OFN = "ofn"
_UNIT_TYPES = ("mg", "g", "kg", "oz", "lb", "t", "ml", "cl", "dl", "l", "kl", "gal")
_NEEDED = ("name", "units", "price")
_KEPT = (
    "producer",
    "sku",
    "name",
    "display_name",
    "category",
    "description",
    "units",
    "unit_type",
    "variant_unit_name",
    "price",
    "on_hand",
    "on_demand",
)
PROVIDED = (
    "code",
    "name",
    "description",
    "category",
    "unit_label",
    "case_size",
    "case_price_pence",
    "manufacturer",
    "available",
)


def detect(header: Sequence[str]) -> bool:
    """Tell whether *header* is OFN's product list or inventory template."""
    names = {cell.strip().lower() for cell in header}
    return (
        all(name in names for name in _NEEDED)
        and ("unit_type" in names or "variant_unit_name" in names)
        and ("producer" in names or "sku" in names)
    )


def _decimal(text: str) -> Decimal | None:
    cleaned = without_currency(text.strip())
    if cleaned.count(",") == 1 and "." not in cleaned:
        # A European spreadsheet's decimal comma (3,40), not a thousands separator.
        cleaned = cleaned.replace(",", ".")
    cleaned = cleaned.replace(",", "")
    return exact_number(cleaned)


def _unit(units: str, unit_type: str, item_name: str, problems: list[str]) -> str:
    if not units:
        return item_name or DEFAULT_UNIT
    amount = _decimal(units)
    if amount is None or amount <= 0:
        problems.append(f"units '{units}' is not a number above 0")
        return DEFAULT_UNIT
    if unit_type:
        if unit_type.lower() not in _UNIT_TYPES:
            problems.append(
                f"unit_type '{unit_type}' is not one of OFN's units ({', '.join(_UNIT_TYPES)})"
            )
        return f"{plain(amount)} {unit_type.lower()}"
    if item_name:
        return f"{plain(amount)} {item_name}"
    problems.append("the row needs a unit_type or a variant_unit_name")
    return DEFAULT_UNIT


def _available(on_hand: str, on_demand: str, problems: list[str]) -> bool:
    if on_demand.lower() in ("1", "true", "yes", "y"):
        return True
    if not on_hand:
        return True
    stock = _decimal(on_hand)
    if stock is None:
        problems.append(f"on_hand '{on_hand}' is not a number")
        return True
    return stock > 0


def parse(table: Table) -> ParsedCatalogue:
    """Read an OFN product import table, reporting every bad row by its line."""
    header = [cell.strip().lower() for cell in table.header]
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name, position)
    rows: list[ProductRow] = []
    errors: list[RowError] = []
    notes: dict[int, str] = {}
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        if not any(str(cell).strip() for cell in cells):
            continue

        def cell(name: str, cells: Sequence[str] = cells) -> str:
            position = index.get(name)
            if position is None or position >= len(cells):
                return ""
            return unprotect_formula(str(cells[position]).strip())

        problems: list[str] = []
        name = cell("name")
        if cell("display_name") and cell("display_name") != name:
            name = f"{name} - {cell('display_name')}"
        if not cell("name"):
            problems.append("the name is missing")
        unit = _unit(cell("units"), cell("unit_type"), cell("variant_unit_name"), problems)
        code = cell("sku") or f"{cell('name')} {unit}"
        price = _decimal(cell("price")) if cell("price") else None
        pence = 0
        if not cell("price"):
            problems.append("the price is missing")
        elif price is None or price < 0:
            problems.append(f"the price '{cell('price')}' is not an amount of money")
        else:
            pence = int((price * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            if pence > MAX_PENCE:
                problems.append(f"the price is more than {MAX_PENCE_TEXT}")
            elif price * 100 != pence:
                notes[line] = f"price {plain(price)} rounded to {format_pence(pence)}"
        for what, value, limit in (
            ("code", code, 40),
            ("name", name, 200),
            ("unit", unit, 60),
            ("category", cell("category"), 80),
            ("producer", cell("producer"), 120),
            ("description", cell("description"), 2000),
        ):
            if len(value) > limit:
                problems.append(f"the {what} is longer than {limit} characters")
        available = _available(cell("on_hand"), cell("on_demand"), problems)
        if not problems:
            earlier = seen.setdefault(code.lower(), line)
            if earlier != line:
                problems.append(f"the code '{code}' is already used on line {earlier}")
        if problems:
            message = "; ".join(problems)
            errors.append(RowError(line, message[0].upper() + message[1:] + "."))
            notes.pop(line, None)
            continue
        rows.append(
            ProductRow(
                line=line,
                code=code,
                name=name,
                description=cell("description"),
                category=cell("category"),
                unit_label=unit,
                case_size=1,
                case_price_pence=pence,
                manufacturer=cell("producer"),
                available=available,
            )
        )
    unkept = tuple(
        column for column in table.header if column and column.strip().lower() not in _KEPT
    )
    return ParsedCatalogue(
        OFN,
        rows,
        errors,
        frozenset(PROVIDED),
        notes=notes,
        unkept=unkept,
        sheet_names=tuple(table.sheet_names),
        table_header=tuple(table.header),
    )

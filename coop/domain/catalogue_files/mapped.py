"""A wholesaler's own price list, read through a mapping of its columns to product fields.

A file whose header is no layout coop knows is read once its columns are
mapped: which column holds the code, the name, the price and so on. The
mapping names columns by their header text, so it fits next week's file of
the same supplier whatever order its columns come in; it is kept per
supplier and used again while the file's header still has every column it
names (`ColumnMapping.fits`).

The price is a case price, or a unit price (`price_basis` "unit") that is
multiplied by the case size exactly and rounded once to the penny (half up),
with a note on the row when the rounding changed it. Money is read from the
cell's text, never through a float: ``12.5``, ``£12.50``, ``1,234.50`` and a
decimal comma ``12,50`` or ``0,125`` are all pounds, in ASCII digits only.
The VAT column holds a percentage (``20``, ``20%``), a spreadsheet's
fraction for one (``0.2``), or the letter or word a UK wholesaler's list or
till uses for the rate (`UK_VAT_CODES`: ``Z`` zero, ``R`` reduced, ``S``
standard, ``E`` exempt, or the accounting codes ``T0``, ``T5``, ``T1``,
``T2``); exempt goods carry no VAT, so they are 0%. A rate that is not a
UK one (0, 5 or 20%) is
mapped by *vat_map* or listed in `ParsedCatalogue.foreign_vat_rates` for the
coordinator to map. The deposit is per member unit, as in coop's own format
(charged at cost).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from coop.domain.catalogue import DEFAULT_UNIT, MAX_CASE_SIZE, MAX_PENCE, MAX_PENCE_TEXT
from coop.domain.catalogue_csv import ParsedCatalogue, ProductRow, RowError
from coop.domain.catalogue_files.numbers import exact_number, without_currency
from coop.domain.money import format_pence

if TYPE_CHECKING:
    from coop.domain.catalogue_files.tables import Table

MAPPED = "mapped"
CASE = "case"
UNIT = "unit"
PRICE_BASES = (CASE, UNIT)
UK_VAT_PERCENT = (0, 5, 20)

#: The letters and words UK price lists, tills and accounts use for a VAT rate, as percentages.
UK_VAT_CODES = {
    "z": 0,
    "zero": 0,
    "zero rated": 0,
    "zero-rated": 0,
    "t0": 0,
    "e": 0,
    "exempt": 0,
    "t2": 0,
    "r": 5,
    "reduced": 5,
    "t5": 5,
    "s": 20,
    "std": 20,
    "standard": 20,
    "t1": 20,
}

#: The fields a column can be mapped to, in the order the mapping form asks.
FIELDS = (
    "code",
    "name",
    "unit",
    "case_size",
    "price",
    "vat",
    "category",
    "description",
    "origin",
    "manufacturer",
    "deposit",
    "available",
)
REQUIRED = ("code", "name", "price")
FIELD_LABELS = {
    "code": "Code",
    "name": "Name",
    "unit": "Unit (what a member orders)",
    "case_size": "Case size",
    "price": "Price",
    "vat": "VAT rate",
    "category": "Category",
    "description": "Description",
    "origin": "Origin",
    "manufacturer": "Manufacturer or brand",
    "deposit": "Deposit per unit",
    "available": "Available",
}
#: The Product field each mapped field fills.
PRODUCT_FIELD = {
    "code": "code",
    "name": "name",
    "unit": "unit_label",
    "case_size": "case_size",
    "price": "case_price_pence",
    "vat": "vat_bp",
    "category": "category",
    "description": "description",
    "origin": "origin",
    "manufacturer": "manufacturer",
    "deposit": "deposit_pence",
    "available": "available",
}
TEXT_LIMITS = {
    "code": 40,
    "name": 200,
    "unit": 60,
    "category": 80,
    "description": 2000,
    "origin": 80,
    "manufacturer": 120,
}

# Header words that suggest a field, in English and a little German and Dutch:
# first an exact header, then a header containing one of them.
_GUESSES: dict[str, tuple[str, ...]] = {
    "code": (
        "code",
        "sku",
        "product code",
        "item code",
        "article number",
        "order number",
        "order code",
        "item no",
        "item number",
        "product id",
        "ref",
        "reference",
        "artikelnummer",
        "artikelnr",
        "art nr",
        "bestellnummer",
        "artikelcode",
        "bestelnummer",
    ),
    "name": (
        "name",
        "product",
        "product name",
        "item",
        "item name",
        "title",
        "bezeichnung",
        "artikel",
        "produkt",
        "naam",
        "productnaam",
        "artikelnaam",
    ),
    "unit": ("unit", "size", "pack", "unit size", "einheit", "eenheid", "inhalt", "inhoud"),
    "case_size": (
        "case size",
        "case qty",
        "case quantity",
        "units per case",
        "qty per case",
        "pack qty",
        "pack size",
        "outer",
        "gebinde",
        "gebindegröße",
        "verpackungseinheit",
        "colli",
        "aantal per doos",
    ),
    "unit_price": (
        "unit price",
        "price per unit",
        "each price",
        "price each",
        "einzelpreis",
        "stückpreis",
        "prijs per stuk",
        "stukprijs",
    ),
    "price": (
        "case price",
        "price per case",
        "case cost",
        "price",
        "cost",
        "trade price",
        "wholesale price",
        "net price",
        "preis",
        "nettopreis",
        "prijs",
    ),
    "vat": ("vat", "vat rate", "tax", "vat %", "mwst", "ust", "steuer", "btw"),
    "category": (
        "category",
        "group",
        "department",
        "kategorie",
        "warengruppe",
        "categorie",
        "productgroep",
    ),
    "description": ("description", "notes", "note", "details", "beschreibung", "omschrijving"),
    "origin": ("origin", "country", "country of origin", "herkunft", "herkunftsland", "herkomst"),
    "manufacturer": (
        "brand",
        "manufacturer",
        "producer",
        "hersteller",
        "marke",
        "fabrikant",
        "merk",
    ),
    "deposit": ("deposit", "pfand", "statiegeld"),
    "available": (
        "available",
        "availability",
        "in stock",
        "status",
        "verfügbar",
        "lieferbar",
        "beschikbaar",
    ),
}
_YES = {"", "yes", "y", "true", "1", "ja", "j", "available", "in stock"}
_NO = {"no", "n", "false", "0", "nein", "nee", "unavailable", "out of stock"}


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of a file (by its header text) holds which field, and what its price is per.

    *columns* maps a name of `FIELDS` to a header; a field left out is not
    in the file. *price_basis* is "case" (the price of a case) or "unit"
    (the price of one unit, to be multiplied by the case size).
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    price_basis: str = CASE

    def column(self, name: str) -> str | None:
        return self.columns.get(name) or None

    def fits(self, header: Sequence[str]) -> bool:
        """Tell whether a file with *header* has every column this mapping names."""
        present = {cell.strip() for cell in header}
        return bool(self.columns) and all(column in present for column in self.columns.values())

    def to_json(self) -> str:
        return json.dumps(
            {"columns": dict(self.columns), "price_basis": self.price_basis}, sort_keys=True
        )

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping | None:
        """Read a mapping written by `to_json`; None for "" or anything else."""
        if not text:
            return None
        try:
            data = json.loads(text)
            columns = {
                str(name): str(column)
                for name, column in data["columns"].items()
                if name in FIELDS and column
            }
            basis = data.get("price_basis", CASE)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        return cls(columns, basis if basis in PRICE_BASES else CASE)


def mapping_problems(mapping: ColumnMapping, header: Sequence[str]) -> dict[str, str]:
    """Return what is wrong with *mapping* for a file with *header*, by field; empty when right."""
    present = {cell.strip() for cell in header if cell.strip()}
    problems: dict[str, str] = {}
    for name in REQUIRED:
        if not mapping.column(name):
            problems[name] = f"Choose the column that holds the {FIELD_LABELS[name].lower()}."
    first_field: dict[str, str] = {}
    for name in FIELDS:
        column = mapping.column(name)
        if column is None:
            continue
        if column not in present:
            problems[name] = f"The file has no column '{column}'."
        elif column in first_field:
            problems[name] = (
                f"The column '{column}' is already chosen for "
                f"{FIELD_LABELS[first_field[column]].lower()}; choose another, or not in this file."
            )
        else:
            first_field[column] = name
    if mapping.price_basis not in PRICE_BASES:
        problems["price_basis"] = "Say whether the price is per case or per unit."
    return problems


def _words(header: str) -> str:
    return re.sub(r"[^\w%]+", " ", header.lower()).strip()


def guess_mapping(header: Sequence[str]) -> ColumnMapping:
    """Guess from its header words which column of a file holds which field."""
    columns = [cell.strip() for cell in header if cell.strip()]
    words = {column: _words(column) for column in columns}
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for exact in (True, False):
        for name, hints in _GUESSES.items():
            if name in chosen or (name == "price" and "unit_price" in chosen):
                continue
            for column in columns:
                if column in taken:
                    continue
                text = words[column]
                if any(
                    text == hint if exact else re.search(rf"\b{re.escape(hint)}\b", text)
                    for hint in hints
                ):
                    chosen[name] = column
                    taken.add(column)
                    break
    if "name" not in chosen and "description" in chosen:
        # Wholesalers often head the product's name "Description".
        chosen["name"] = chosen.pop("description")
    basis = CASE
    if "unit_price" in chosen:
        unit_price = chosen.pop("unit_price")
        if "price" not in chosen:
            chosen["price"] = unit_price
            basis = UNIT
    return ColumnMapping({name: chosen[name] for name in FIELDS if name in chosen}, basis)


# Pounds as a cell holds them: a point or a decimal comma, optional thousands separators.
# ASCII digits only: `\d` alone would take "١٢" for twelve.
_POUNDS = re.compile(r"^-?([1-9]\d{0,2}(,\d{3})+|\d+)(\.\d+)?$", re.ASCII)
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$", re.ASCII)


def _decimal(text: str) -> Decimal | None:
    """Read an amount of pounds from a cell's text, exactly; None when it is not one."""
    cleaned = without_currency(text.strip())
    # "12,50" and "0,125" are decimal commas; "1,234" is a thousand pounds.
    if _DECIMAL_COMMA.match(cleaned) and (
        len(cleaned.split(",")[1]) != 3 or not _POUNDS.match(cleaned)
    ):
        cleaned = cleaned.replace(",", ".")
    if not _POUNDS.match(cleaned):
        return None
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation:
        return None


def _pence(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _percent(text: str) -> Decimal | None:
    cleaned = text.strip().removesuffix("%").strip().replace(",", ".")
    value = exact_number(cleaned)
    if value is None or value < 0:
        return None
    # A spreadsheet's percentage cell holds the fraction: 20% is stored as 0.2.
    if 0 < value < 1 and "%" not in text:
        value *= 100
    return value.normalize()


@dataclass
class _Row:
    """The problems and notes of one row while it is read."""

    line: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_mapped(
    table: Table, mapping: ColumnMapping, *, vat_map: Mapping[int, int] | None = None
) -> ParsedCatalogue:
    """Read *table*'s rows through *mapping*, reporting every bad row by its line."""
    vat_map = dict(vat_map or {})
    header = [cell.strip() for cell in table.header]
    index: dict[str, int] = {}
    for position, column in enumerate(header):
        index.setdefault(column, position)
    where = {name: index[column] for name, column in mapping.columns.items() if column in index}
    rows: list[ProductRow] = []
    errors: list[RowError] = []
    notes: dict[int, str] = {}
    foreign: set[int] = set()
    first_line_of_code: dict[str, int] = {}
    for line, cells in table.rows:
        if not any(cell.strip() for cell in cells):
            continue
        state = _Row(line)

        def cell(name: str, cells: Sequence[str] = cells) -> str:
            position = where.get(name)
            if position is None or position >= len(cells):
                return ""
            return str(cells[position]).strip()

        row = _row(state, cell, mapping, vat_map, foreign)
        if row is not None and not state.problems:
            earlier = first_line_of_code.get(row.code.lower())
            if earlier is not None:
                state.problems.append(f"the code '{row.code}' is already used on line {earlier}")
            else:
                first_line_of_code[row.code.lower()] = line
        if state.problems:
            message = "; ".join(state.problems)
            errors.append(RowError(line, message[0].upper() + message[1:] + "."))
        elif row is not None:
            rows.append(row)
            if state.notes:
                notes[line] = "; ".join(state.notes)
    provided = {PRODUCT_FIELD[name] for name in where}
    unkept = tuple(column for column in header if column and column not in mapping.columns.values())
    return ParsedCatalogue(
        MAPPED,
        rows,
        errors,
        frozenset(provided),
        notes=notes,
        foreign_vat_rates=tuple(sorted(foreign)),
        unkept=unkept,
        sheet_names=tuple(table.sheet_names),
        table_header=tuple(table.header),
    )


def _text(state: _Row, value: str, name: str) -> str:
    limit = TEXT_LIMITS[name]
    if len(value) > limit:
        state.problems.append(f"the {FIELD_LABELS[name].lower()} is longer than {limit} characters")
    return value[:limit]


def _case_size(state: _Row, value: str) -> int:
    if not value:
        return 1
    amount = _decimal(value)
    if amount is None or amount != amount.to_integral_value():
        state.problems.append(f"the case size '{value}' is not a whole number")
        return 1
    if amount < 1:
        state.problems.append("the case size must be at least 1")
        return 1
    if amount > MAX_CASE_SIZE:
        state.problems.append(f"the case size '{value}' is more than {MAX_CASE_SIZE:,}")
        return 1
    return int(amount)


def _money(state: _Row, value: str, what: str) -> Decimal | None:
    amount = _decimal(value)
    if amount is None:
        state.problems.append(f"the {what} '{value}' is not an amount of money")
        return None
    if amount < 0:
        state.problems.append(f"the {what} cannot be negative")
        return None
    return amount


def _case_price(state: _Row, value: str, basis: str, case_size: int) -> int:
    if not value:
        state.problems.append("the price is missing")
        return 0
    amount = _money(state, value, "price")
    if amount is None:
        return 0
    exact = amount * case_size if basis == UNIT else amount
    pence = _pence(exact)
    if pence > MAX_PENCE:
        state.problems.append(f"the case price is more than {MAX_PENCE_TEXT}")
        return 0
    if basis == UNIT and case_size != 1:
        rounded = "" if exact * 100 == pence else ", rounded to the penny"
        state.notes.append(
            f"{_plain(amount)} a unit x {case_size} = {format_pence(pence)} a case{rounded}"
        )
    elif exact * 100 != pence:
        state.notes.append(f"price {_plain(amount)} rounded to {format_pence(pence)}")
    return pence


def _plain(amount: Decimal) -> str:
    text = format(amount, "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


def _vat(state: _Row, value: str, vat_map: Mapping[int, int], foreign: set[int]) -> int:
    if not value:
        return 0
    code = UK_VAT_CODES.get(" ".join(value.lower().split()))
    if code is not None:
        return code * 100
    percent = _percent(value)
    if percent is None or percent != percent.to_integral_value() or percent > 100:
        state.problems.append(
            f"the VAT rate '{value}' is not a whole percentage or a UK VAT code (Z, R, S or E)"
        )
        return 0
    rate = int(percent)
    if rate in vat_map:
        rate = vat_map[rate]
    elif rate not in UK_VAT_PERCENT:
        # Not the row's fault: the file's rate is mapped once, for every row.
        foreign.add(rate)
        return 0
    return rate * 100


def _deposit(state: _Row, value: str) -> int:
    if not value:
        return 0
    amount = _money(state, value, "deposit")
    if amount is None:
        return 0
    pence = _pence(amount)
    if pence > MAX_PENCE:
        state.problems.append(f"the deposit is more than {MAX_PENCE_TEXT}")
        return 0
    if amount * 100 != pence:
        state.notes.append(f"deposit {_plain(amount)} rounded to {format_pence(pence)}")
    return pence


def _available(state: _Row, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    state.problems.append(f"available must be yes or no, not '{value}'")
    return True


def _row(
    state: _Row,
    cell: Callable[[str], str],
    mapping: ColumnMapping,
    vat_map: Mapping[int, int],
    foreign: set[int],
) -> ProductRow:
    code = _text(state, cell("code"), "code")
    name = _text(state, cell("name"), "name")
    if not name:
        state.problems.append("the name is missing")
    if not code:
        state.problems.append("the code is missing")
    case_size = _case_size(state, cell("case_size"))
    return ProductRow(
        line=state.line,
        code=code,
        name=name,
        description=_text(state, cell("description"), "description"),
        category=_text(state, cell("category"), "category"),
        unit_label=_text(state, cell("unit"), "unit") or DEFAULT_UNIT,
        case_size=case_size,
        case_price_pence=_case_price(state, cell("price"), mapping.price_basis, case_size),
        vat_bp=_vat(state, cell("vat"), vat_map, foreign),
        deposit_pence=_deposit(state, cell("deposit")),
        origin=_text(state, cell("origin"), "origin"),
        manufacturer=_text(state, cell("manufacturer"), "manufacturer"),
        available=_available(state, cell("available")),
    )

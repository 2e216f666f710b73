"""Foodsoft's article files, read as Foodsoft's own code reads them, and written for it.

Checked against foodcoops/foodsoft: `lib/foodsoft_file.rb`,
`lib/articles_csv.rb`, `app/models/concerns/price_calculation.rb`,
`app/models/supplier.rb` (`sync_from_file`), `lib/article_units_lib.rb`, the
spec fixtures `spec/fixtures/foodsoft_file_0[12].csv` and the locales, at
5.0.0-rc1 (f15f30fd) and, for Foodsoft 4, at the commit before the unit
model arrived (02853a52^, 4.9). Foodsoft reads its file **by position**, not
by header text, whatever language the header is in; so does coop.

Two layouts:

- **Foodsoft 4** (14 columns): avail./status, order number, name, note,
  manufacturer, origin, unit, price (net), VAT, deposit, unit quantity,
  two reserved, category. The price and the deposit are per unit and the
  unit quantity is the case size, so coop's case price is price x unit
  quantity (exact, rounded once to the penny, half up). Foodsoft 4 reads an
  "x" in the first column as "no longer listed"; coop reads it, and No /
  Nein / Nee, as unavailable. The same positions are the older fixed-column
  layout whatever its header says (``status;art. nummer;productnaam;...``).
- **Foodsoft 5** (18 or 19 columns): avail., order number, name, supplier
  order unit, custom unit, ratios ("content"), minimum order quantity,
  billing unit, group order granularity, group order unit, price (net),
  price unit, VAT, deposit, note, category, origin, manufacturer, and the
  exporting Foodsoft's address. Foodsoft keeps the price per supplier order
  unit and writes it per price unit; ratios are chained (``10 Piece, 0.5
  kilogram`` is 10 pieces of half a kilo each). Coop's case is one supplier
  order unit; the member unit is what members order at a time (granularity
  x group order unit, ``500 g``); the case size is how many of those the
  supplier order unit holds, and must be whole; the case price is the price
  x the price units in a supplier order unit. A unit Foodsoft could not
  convert either ("1 crate" priced per kilogram, no ratio between them) is
  refused with the reason. A row without supplier order unit, group order
  unit and price unit (the spec fixtures: ``Tomaten;;500 g;20 Piece;...;1.2``)
  is Foodsoft 4's meaning carried over, as Foodsoft's own import spec reads
  it (unit 500 g, unit quantity 20, price 1.2): 1.20 a 500 g unit, a case
  of 20 for £24.00.

Deposits. Foodsoft adds the deposit to the net price before VAT and markup
(`gross_price = (price + deposit) x (1 + VAT)`, `fc_price = gross x (1 +
markup)`), so a Foodsoft member pays VAT and markup on a deposit. Coop
charges a deposit per member unit at cost, without VAT or markup. The file's
deposit is the net amount, per unit in Foodsoft 4 and per supplier order
unit in Foodsoft 5; coop keeps that amount per member unit (Foodsoft 5's
divided by the case size, rounded half up with a note when it is not whole
pence), so members pay the supplier's deposit and no more.

VAT. A rate that is not a UK rate (Foodsoft files carry 6, 7, 19%) does
not refuse the row: the row is read with 0% and a note, and the rate is
listed once in `ParsedCatalogue.foreign_vat_rates`; *vat_map* ({7: 5,
19: 20}) maps it for the whole file. A file whose `foreign_vat_rates` is not
empty must not be confirmed until every rate there is mapped.

Minimum order quantity and billing unit have no place in coop (a product has
no per-item limit or step beyond its member unit and case); their columns
are listed in `ParsedCatalogue.unkept` when any row fills them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from coop.domain.catalogue import DEFAULT_UNIT, MAX_CASE_SIZE, MAX_PENCE, MAX_PENCE_TEXT
from coop.domain.catalogue_csv import ParsedCatalogue, ProductRow, RowError
from coop.domain.catalogue_files.numbers import exact_number, plain, without_currency
from coop.domain.catalogue_files.tables import Table
from coop.domain.money import format_pence
from coop.domain.spreadsheets import LINE_END, protect_formula, unprotect_formula

FOODSOFT = "foodsoft"
FOODSOFT_4 = "foodsoft 4"
FOODSOFT_5 = "foodsoft 5"
UK_VAT_PERCENT = (0, 5, 20)

# Header names by position, in English, German and Dutch, old and new, lower case.
_F4_NAMES: tuple[frozenset[str], ...] = tuple(
    frozenset(names)
    for names in (
        {"avail.", "verf.", "leverb.", "status"},
        {"order number", "bestellnummer", "artikelnummer", "art. nummer"},
        {"name", "naam", "productnaam"},
        {"note", "notiz", "notitie"},
        {"manufacturer", "produzent", "producent"},
        {"origin", "herkunft", "herkomst"},
        {"unit", "einheit", "eenheid"},
        {"price (net)", "nettopreis", "nettoprijs", "prijs ex btw"},
        {"vat", "mwst", "btw", "btw (%)"},
        {"deposit", "pfand", "statiegeld"},
        {"unit quantity", "gebindegröße", "colligrootte"},
        {"", "(reserved)"},
        {"", "(reserved)"},
        {"category", "kategorie", "categorie", "categorienaam"},
    )
)
_F5_NAMES: tuple[frozenset[str], ...] = tuple(
    frozenset(names)
    for names in (
        {"avail.", "verf.", "leverb."},
        {"order number", "bestellnummer", "artikelnummer"},
        {"name", "naam"},
        {
            "supplier order unit",
            "orderable from supplier per (unit)",
            "delivery unit",
            "von lieferantin bestellbar in (einheit)",
            "liefereinheit",
        },
        {"unit", "custom unit", "einheit", "benutzerdefinierte einheit", "eenheid"},
        {"ratios to supplier order unit", "content", "inhalt"},
        {"minimum order quantity", "mindestbestellmenge"},
        {"billing unit", "billed per (unit)", "abgerechnet nach (einheit)", "abrechnungseinheit"},
        {
            "group order granularity",
            "members can order per (amount)",
            "can be ordered per",
            "für mitglieder bestellbar in (menge)",
            "bestellbar per",
        },
        {
            "group order unit",
            "members can order per (unit)",
            "für mitglieder bestellbar in (einheit)",
        },
        {"price (net)", "nettopreis", "nettoprijs"},
        {"price unit", "per (price unit)", "pro (preiseinheit)", "preiseinheit"},
        {"vat", "mwst", "btw"},
        {"deposit", "pfand", "statiegeld"},
        {"note", "notiz", "notitie"},
        {"category", "kategorie", "categorie"},
        {"origin", "herkunft", "herkomst"},
        {"manufacturer", "produzent", "producent"},
    )
)
# The Foodsoft 5 header coop writes (Foodsoft's English one).
F5_HEADER = (
    "avail.",
    "Order number",
    "Name",
    "orderable from supplier per (unit)",
    "Custom unit",
    "Content",
    "Minimum order quantity",
    "billed per (unit)",
    "members can order per (amount)",
    "members can order per (unit)",
    "Price (net)",
    "per (price unit)",
    "VAT",
    "Deposit",
    "Note",
    "Category",
    "Origin",
    "Manufacturer",
)
_YES = {"yes", "ja", "y", "j", "true", "1"}
_NO = {"no", "nein", "nee", "n", "false", "0", "x"}


@dataclass(frozen=True)
class Unit:
    """A unit as Foodsoft names it; *base* and *factor* only for weights and volumes."""

    name: str
    label: str
    base: str | None = None
    factor: Decimal | None = None

    @property
    def key(self) -> str:
        return self.base + str(self.factor) if self.base else self.name.lower()


# Weights in grams and volumes in millilitres, by every name and symbol Foodsoft's
# English, German and Dutch unit lists give them (config/units-of-measure).
_SCALARS = (
    ("kg", "g", "1000", "kilogram kilogramm kilo kg"),
    ("hg", "g", "100", "hectogram hektogramm hg"),
    ("dag", "g", "10", "decagram dekagramm dag dkg"),
    ("g", "g", "1", "gram gramm g gr grm"),
    ("lb", "g", "453.59237", "pound lb|englisches pfund|pond (engels)|lb (uk)"),
    ("oz", "g", "28.34952", "ounce oz unze|ounce (avoirdupois)|oz (uk)"),
    ("l", "ml", "1000", "litre liter l"),
    ("dl", "ml", "100", "decilitre deziliter deciliter dl"),
    ("cl", "ml", "10", "centilitre zentiliter centiliter cl"),
    ("ml", "ml", "1", "millilitre milliliter ml"),
    ("pt", "ml", "568.261", "pt|pint (uk)|pint (br.)|pint (engels)|pt (uk)"),
    ("qt", "ml", "1136.5225", "qt|quart (uk)|quart|quart (britisch)|quart (engels)|qt (uk)"),
    (
        "gal",
        "ml",
        "3785.412",
        "gal|gallon (us)|gallone (am.)|gallone (amerikanisch)|gallon (amerikaans)|gal (us)",
    ),
)
_SCALAR_BY_NAME: dict[str, Unit] = {}
for _label, _base, _factor, _names in _SCALARS:
    _spaced, _, _phrases = _names.partition("|")
    for _name in [*_spaced.split(), *_phrases.split("|")]:
        if _name:
            _SCALAR_BY_NAME[_name] = Unit(_label, _label, _base, Decimal(_factor))


def find_unit(name: str) -> Unit:
    """The unit Foodsoft means by *name*: a weight or volume it converts, or a countable one."""
    cleaned = name.strip()
    return _SCALAR_BY_NAME.get(cleaned.lower()) or Unit(cleaned, cleaned)


def detect(header: Sequence[str]) -> str | None:
    """Name the Foodsoft layout *header* is, by its names at each position; None when neither."""
    cells = [cell.strip().lower() for cell in header]

    def score(names: tuple[frozenset[str], ...]) -> int:
        return sum(
            1
            for position, known in enumerate(names)
            if position < len(cells) and cells[position] in known and cells[position]
        )

    if len(cells) >= 17 and score(_F5_NAMES) >= 10:
        return FOODSOFT_5
    if len(cells) >= 11 and score(_F4_NAMES) >= 7:
        return FOODSOFT_4
    return None


def _decimal(text: str) -> Decimal | None:
    cleaned = without_currency(text.strip())
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a European spreadsheet's decimal comma
    return exact_number(cleaned)


def _money_text(value: Decimal) -> str:
    text = plain(value)
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def _pence(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class _Row:
    line: int
    cells: Sequence[str]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def cell(self, position: int) -> str:
        if position >= len(self.cells):
            return ""
        return unprotect_formula(str(self.cells[position]).strip())

    def text(self, position: int, what: str, limit: int) -> str:
        value = self.cell(position)
        if len(value) > limit:
            self.problems.append(f"the {what} is longer than {limit} characters")
        return value[:limit]

    def amount(self, position: int, what: str) -> Decimal | None:
        value = self.cell(position)
        if not value:
            return None
        amount = _decimal(value)
        if amount is None:
            self.problems.append(f"the {what} '{value}' is not a number")
        elif amount < 0:
            self.problems.append(f"the {what} cannot be negative")
            return None
        return amount


@dataclass(frozen=True)
class _Conversion:
    unit_label: str
    case_size: int
    case_pence: int
    deposit_pence: int


def _ratios(state: _Row, text: str) -> list[tuple[Decimal, Unit]]:
    """Foodsoft's chained ratios, each as the quantity in one supplier order unit."""
    found: list[tuple[Decimal, Unit]] = []
    previous = Decimal(1)
    for part in re.split(r"(?<!\\), ", text):
        part = part.replace("\\,", ",").replace("\\\\", "\\").strip()
        if not part:
            continue
        match = re.match(r"([+-]?(?:[0-9]*[.,])?[0-9]+(?:[eE][+-]?[0-9]{1,2})?)\s+(.+)$", part)
        quantity = _decimal(match[1]) if match else None
        if match is None or quantity is None or quantity <= 0:
            state.problems.append(f"the content '{part}' is not a number and a unit")
            return []
        previous *= quantity
        found.append((previous, find_unit(match[2])))
    return found


def _in_order_unit(
    unit: Unit, order_unit: Unit, ratios: list[tuple[Decimal, Unit]]
) -> Decimal | None:
    """How many *unit* one supplier order unit holds, as Foodsoft works it out, or None."""
    if unit.key == order_unit.key:
        return Decimal(1)
    for quantity, ratio_unit in ratios:
        if ratio_unit.key == unit.key:
            return quantity
    if unit.factor is None:
        return None
    for quantity, ratio_unit in ratios:
        if ratio_unit.base == unit.base and ratio_unit.factor is not None:
            return quantity * ratio_unit.factor / unit.factor
    if order_unit.base == unit.base and order_unit.factor is not None:
        return order_unit.factor / unit.factor
    return None


def _case_price(state: _Row, price: Decimal, per: str, times: Decimal) -> int:
    exact = price * times
    pence = _pence(exact)
    if pence > MAX_PENCE:
        state.problems.append(f"the case price is more than {MAX_PENCE_TEXT}")
        return 0
    if exact * 100 != pence or times != 1:
        # Every conversion is shown on the preview, and a rounded one says so.
        rounded = "" if exact * 100 == pence else ", rounded once to the penny"
        state.notes.append(
            f"{_money_text(price)} per {per} x {plain(times)} = {format_pence(pence)} a case"
            f"{rounded}"
        )
    return pence


def _deposit(state: _Row, deposit: Decimal | None, per_units: Decimal) -> int:
    if deposit is None:
        return 0
    exact = deposit / per_units
    pence = _pence(exact)
    if pence > MAX_PENCE:
        state.problems.append(f"the deposit is more than {MAX_PENCE_TEXT}")
        return 0
    if exact * 100 != pence:
        state.notes.append(f"deposit {plain(exact)} rounded to {format_pence(pence)} a unit")
    return pence


def _whole_case(state: _Row, size: Decimal, why: str) -> int | None:
    if size != size.to_integral_value() or size < 1:
        state.problems.append(why)
        return None
    if size > MAX_CASE_SIZE:
        state.problems.append(f"the case size {plain(size)} is more than {MAX_CASE_SIZE:,}")
        return None
    return int(size)


def _foodsoft_4(state: _Row) -> _Conversion | None:
    unit = state.text(6, "unit", 60) or DEFAULT_UNIT
    quantity = state.amount(10, "unit quantity")
    size = _whole_case(
        state,
        Decimal(1) if quantity is None else quantity,
        f"the unit quantity '{state.cell(10)}' is not a whole number of at least 1",
    )
    price = state.amount(7, "price")
    if not state.cell(7):
        state.problems.append("the price is missing")
    if size is None or price is None:
        return None
    case = _case_price(state, price, unit, Decimal(size))
    return _Conversion(unit, size, case, _deposit(state, state.amount(9, "deposit"), Decimal(1)))


def _foodsoft_5(state: _Row) -> _Conversion | None:
    order_name, custom = state.cell(3), state.text(4, "unit", 60)
    if not order_name and not custom:
        state.problems.append("the row has neither a supplier order unit nor a unit")
        return None
    ratios = _ratios(state, state.cell(5))
    price = state.amount(10, "price")
    if not state.cell(10):
        state.problems.append("the price is missing")
    deposit = state.amount(13, "deposit")
    if state.problems or price is None:
        return None
    group_name, price_name = state.cell(9), state.cell(11)
    if not order_name and not group_name and not price_name:
        # Foodsoft 4's meaning in Foodsoft 5's columns: a price per unit, a case of the first ratio.
        quantity = ratios[0][0] if ratios else Decimal(1)
        size = _whole_case(
            state, quantity, f"the content '{state.cell(5)}' is not a whole number of units"
        )
        if size is None:
            return None
        case = _case_price(state, price, custom, Decimal(size))
        return _Conversion(custom, size, case, _deposit(state, deposit, Decimal(1)))
    order_unit = find_unit(order_name) if order_name else Unit(custom, custom)
    group_unit = find_unit(group_name) if group_name else order_unit
    price_unit = find_unit(price_name) if price_name else order_unit
    granularity = state.amount(8, "granularity") if state.cell(8) else None
    if granularity is None or granularity == 0:
        granularity = Decimal(1)
    per_order_unit: dict[str, Decimal] = {}
    for role, unit in (("members order", group_unit), ("the price is", price_unit)):
        held = _in_order_unit(unit, order_unit, ratios)
        if held is None or held <= 0:
            state.problems.append(
                f"{role} per {unit.label}, which cannot be converted to the supplier's "
                f"unit ({order_unit.label}); give the content of one {order_unit.label} "
                f"in {unit.label}"
            )
            return None
        per_order_unit[role] = held
    member_units = per_order_unit["members order"] / granularity
    size = _whole_case(
        state,
        member_units,
        f"members order {plain(granularity)} {group_unit.label} at a time, which does not "
        f"divide one {order_unit.label} ({plain(per_order_unit['members order'])} "
        f"{group_unit.label}) into whole units",
    )
    if size is None:
        return None
    label = group_unit.label if granularity == 1 else f"{plain(granularity)} {group_unit.label}"
    if len(label) > 60:
        state.problems.append("the unit is longer than 60 characters")
        return None
    case = _case_price(state, price, price_unit.label, per_order_unit["the price is"])
    return _Conversion(label, size, case, _deposit(state, deposit, Decimal(size)))


def _vat(state: _Row, position: int, vat_map: Mapping[int, int], foreign: set[int]) -> int:
    value = state.cell(position)
    if not value:
        return 0
    percent = _decimal(value.removesuffix("%"))
    if percent is None or percent != percent.to_integral_value() or not 0 <= percent <= 100:
        state.problems.append(f"the VAT rate '{value}' is not a whole percentage")
        return 0
    rate = int(percent)
    if rate in vat_map:
        rate = vat_map[rate]
    if rate not in UK_VAT_PERCENT:
        foreign.add(rate)
        state.notes.append(f"VAT {rate}% is not a UK rate: map it to 0, 5 or 20%")
        return 0
    return rate * 100


def _available(state: _Row, layout: str) -> bool:
    value = state.cell(0).lower()
    if value in _NO:
        return False
    if value in _YES or (layout == FOODSOFT_4 and value in ("", "status")):
        return True
    if not value:
        return True
    state.problems.append(f"avail. must be Yes or No, not '{state.cell(0)}'")
    return True


_F4_TEXT = {"note": 3, "manufacturer": 4, "origin": 5, "vat": 8, "category": 13}
_F5_TEXT = {"note": 14, "manufacturer": 17, "origin": 16, "vat": 12, "category": 15}


def parse(
    table: Table, layout: str, *, vat_map: Mapping[int, int] | None = None
) -> ParsedCatalogue:
    """Read a Foodsoft file of *layout* (`detect`), reporting every bad row by its line."""
    vat_map = dict(vat_map or {})
    where = _F4_TEXT if layout == FOODSOFT_4 else _F5_TEXT
    rows: list[ProductRow] = []
    errors: list[RowError] = []
    notes: dict[int, str] = {}
    foreign: set[int] = set()
    seen: dict[str, int] = {}
    filled: set[int] = set()
    for line, cells in table.rows:
        if not any(str(cell).strip() for cell in cells):
            continue
        state = _Row(line, cells)
        price_at = 7 if layout == FOODSOFT_4 else 10
        if not any(state.cell(i) for i in (1, 2, price_at)):
            # Foodsoft skips a row without a name: a heading, a total, a dragged formula.
            continue
        filled.update(i for i in (6, 7, 18) if state.cell(i))
        name = state.text(2, "name", 200)
        # Foodsoft keeps names unique per supplier; the name stands in for a missing number.
        code = state.text(1, "order number", 40) or name[:40]
        if not name:
            state.problems.append("the name is missing")
        converted = _foodsoft_4(state) if layout == FOODSOFT_4 else _foodsoft_5(state)
        vat = _vat(state, where["vat"], vat_map, foreign)
        available = _available(state, layout)
        row = None
        if converted is not None and not state.problems:
            row = ProductRow(
                line=line,
                code=code,
                name=name,
                description=state.text(where["note"], "note", 2000),
                category=state.text(where["category"], "category", 80),
                unit_label=converted.unit_label,
                case_size=converted.case_size,
                case_price_pence=converted.case_pence,
                vat_bp=vat,
                deposit_pence=converted.deposit_pence,
                origin=state.text(where["origin"], "origin", 80),
                manufacturer=state.text(where["manufacturer"], "manufacturer", 120),
                available=available,
            )
            earlier = seen.setdefault(code.lower(), line)
            if earlier != line:
                state.problems.append(f"the code '{code}' is already used on line {earlier}")
        if state.problems or row is None:
            message = "; ".join(state.problems) or "the row cannot be read"
            errors.append(RowError(line, message[0].upper() + message[1:] + "."))
            continue
        rows.append(row)
        if state.notes:
            notes[line] = "; ".join(state.notes)
    unkept: tuple[str, ...] = ()
    if layout == FOODSOFT_5:
        # The 19th column is headed with the exporting Foodsoft's address: its article ids.
        unkept = tuple(
            default if i == 18 or i >= len(table.header) or not table.header[i] else table.header[i]
            for i, default in (
                (6, "Minimum order quantity"),
                (7, "billed per (unit)"),
                (18, "Foodsoft's article id"),
            )
            if i in filled
        )
    return ParsedCatalogue(
        FOODSOFT,
        rows,
        errors,
        frozenset(PROVIDED),
        notes=notes,
        foreign_vat_rates=tuple(sorted(foreign)),
        unkept=unkept,
        sheet_names=tuple(table.sheet_names),
        table_header=tuple(table.header),
    )


#: The product fields a Foodsoft file speaks for (it has no tags or reference prices).
PROVIDED = (
    "code",
    "name",
    "description",
    "category",
    "unit_label",
    "case_size",
    "case_price_pence",
    "vat_bp",
    "deposit_pence",
    "origin",
    "manufacturer",
    "available",
)


def _unit_price(case_pence: int, case_size: int) -> str:
    """The price of one unit in pounds, exact, or to as many decimals as the case needs.

    That is at least the 6 Foodsoft keeps, and more for a big case: rounded
    to one more decimal than the case has digits beyond pence, the unit
    price times the case size is within half a penny of the case price, so
    the file reads back to the same case price.
    """
    exact = Decimal(case_pence) / 100 / case_size
    text = plain(exact)
    places = max(6, len(str(case_size)) + 2)
    if len(text.partition(".")[2]) > places:
        text = plain(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return _money_text(Decimal(text))


def write(rows: Iterable[ProductRow]) -> str:
    """Write *rows* in Foodsoft 5's article layout, as Foodsoft's import reads them.

    Each row has no supplier order unit, group order unit or price unit, the
    coop unit as custom unit and ``N Piece`` (the case size) as content: the
    shape of Foodsoft's own spec fixtures, which Foodsoft 5 imports as unit,
    unit quantity N and price per unit (Foodsoft 4 reads its own layout,
    `write_4`). The price is per unit, exact, or to at least Foodsoft's 6
    decimals and as many more as a big case needs to come back to its case
    price (`_unit_price`); the deposit per unit; VAT as a percentage.
    """
    return _write(
        F5_HEADER,
        (
            (
                "Yes" if row.available else "No",
                row.code,
                row.name,
                "",
                row.unit_label,
                f"{row.case_size} Piece",
                "",
                "",
                "1",
                "",
                _unit_price(row.case_price_pence, row.case_size),
                "",
                plain(Decimal(row.vat_bp) / 100),
                _money_text(Decimal(row.deposit_pence) / 100),
                row.description,
                row.category,
                row.origin,
                row.manufacturer,
            )
            for row in rows
        ),
    )


def _write(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Foodsoft's CSV: semicolons, UTF-8, formula cells protected."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator=LINE_END)
    writer.writerow(header)
    writer.writerows([protect_formula(cell) for cell in row] for row in rows)
    return out.getvalue()


# The Foodsoft 4 header coop writes (Foodsoft 4's English one).
F4_HEADER = (
    "avail.",
    "Order number",
    "Name",
    "Note",
    "Manufacturer",
    "Origin",
    "Unit",
    "Price (net)",
    "VAT",
    "Deposit",
    "Unit quantity",
    "",
    "",
    "Category",
)


def write_4(rows: Iterable[ProductRow]) -> str:
    """Write *rows* in Foodsoft 4's article layout, which Foodsoft 4 reads by position.

    The unit, the price and deposit per unit and the unit quantity (the case
    size) as Foodsoft 4 keeps them. Foodsoft 4 keeps a price to the penny,
    so a case price that is not a whole number of pence a unit comes back
    from Foodsoft rounded per unit. The first column is Yes or No as
    Foodsoft 4's own export writes it; its import reads only an "x" there
    (no longer listed), so an unavailable product arrives available.
    """
    return _write(
        F4_HEADER,
        (
            (
                "Yes" if row.available else "No",
                row.code,
                row.name,
                row.description,
                row.manufacturer,
                row.origin,
                row.unit_label,
                _unit_price(row.case_price_pence, row.case_size),
                plain(Decimal(row.vat_bp) / 100),
                _money_text(Decimal(row.deposit_pence) / 100),
                str(row.case_size),
                "",
                "",
                row.category,
            )
            for row in rows
        ),
    )

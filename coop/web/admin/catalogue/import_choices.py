"""The choices on an import's preview: a workbook's sheet, the column mapping and the VAT map.

Each is a plain form posted back to the preview (no script needed). A
refused mapping shows the preview again with the reason at each field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import abort, redirect, request, url_for
from wtforms import RadioField, SelectChoice, SelectField  # type: ignore[attr-defined]

from coop.domain.catalogue_files.mapped import (
    CASE,
    FIELD_LABELS,
    FIELDS,
    REQUIRED,
    UK_VAT_PERCENT,
    UNIT,
    ColumnMapping,
)
from coop.domain.permissions import can_manage_catalogue
from coop.models import CatalogueImport, Coop, Supplier
from coop.services.catalogue.import_files import (
    MappingRefused,
    choose_mapping,
    choose_sheet,
    choose_vat_map,
    read_stored_upload,
    sample_import,
    sample_rows,
)
from coop.services.catalogue.import_results import ImportPreview
from coop.services.catalogue.imports import stored_import
from coop.services.errors import ServiceError
from coop.web.access import for_coop
from coop.web.admin import bp
from coop.web.admin.lookups import editable_supplier
from coop.web.forms import GuardedForm
from coop.web.outcome import commit_or_refuse

NOT_IN_FILE = ""
FIELD_HINTS = {
    "code": "The supplier's code for the product: how next week's list finds it again.",
    "price": "Before VAT, in pounds.",
    "vat": "A percentage such as 20, or a spreadsheet's 20% cell.",
    "case_size": "How many units a case holds (blank cells are 1).",
    "available": "yes or no (blank is yes).",
}


class SheetForm(GuardedForm):
    sheet = SelectField("Sheet to import", choices=[])


class MappingForm(GuardedForm):
    """One select per product field, listing the file's columns; built per file."""

    price_basis = RadioField(
        "The price is",
        choices=[
            SelectChoice(CASE, "the price of a case"),
            SelectChoice(UNIT, "the price of one unit (times the case size)"),
        ],
        default=CASE,
    )

    def mapping(self) -> ColumnMapping:
        columns = {
            name: self[f"column_{name}"].data
            for name in FIELDS
            if self[f"column_{name}"].data != NOT_IN_FILE
        }
        return ColumnMapping(columns, self.price_basis.data or CASE)

    def column_fields(self) -> list[Any]:
        return [self[f"column_{name}"] for name in FIELDS]


def mapping_form(
    header: Sequence[str], mapping: ColumnMapping | None, **kwargs: Any
) -> MappingForm:
    """A mapping form listing *header*'s columns, filled from *mapping* (a guess or the choice)."""
    columns = [cell for cell in dict.fromkeys(cell.strip() for cell in header) if cell]

    class Form(MappingForm):
        pass

    for name in FIELDS:
        label = FIELD_LABELS[name] + (" (required)" if name in REQUIRED else "")
        choices = [
            SelectChoice(NOT_IN_FILE, "(not in this file)"),
            *(SelectChoice(column, column) for column in columns),
        ]
        setattr(Form, f"column_{name}", SelectField(label, choices=choices, default=NOT_IN_FILE))
    if kwargs or mapping is None:
        return Form(**kwargs)
    data = {f"column_{name}": mapping.columns.get(name, NOT_IN_FILE) for name in FIELDS}
    return Form(data={**data, "price_basis": mapping.price_basis})


def vat_form(rates: Sequence[int], vat_map: Mapping[int, int], **kwargs: Any) -> GuardedForm:
    """A form mapping each of the file's foreign VAT rates to 0, 5 or 20%."""

    class Form(GuardedForm):
        pass

    choices = [
        SelectChoice("", "Choose a UK rate"),
        *(SelectChoice(str(uk), f"{uk}%") for uk in UK_VAT_PERCENT),
    ]
    for rate in rates:
        setattr(Form, f"rate_{rate}", SelectField(f"{rate}% in the file is", choices=choices))
    if kwargs:
        return Form(**kwargs)
    return Form(data={f"rate_{rate}": str(vat_map[rate]) for rate in rates if rate in vat_map})


def choice_forms(
    preview: ImportPreview, stored: CatalogueImport, given: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The forms and samples the preview shows for the choices still open or made."""
    given = dict(given or {})
    found: dict[str, Any] = {"mapping_form": None, "vat_form": None, "sheet_form": None}
    if len(preview.sheet_names) > 1:
        form = given.get("sheet_form") or SheetForm(data={"sheet": preview.sheet})
        form.sheet.choices = [SelectChoice(name, name) for name in preview.sheet_names]
        found["sheet_form"] = form
    remap = request.args.get("remap") == "1"
    if preview.needs_mapping or remap or "mapping_form" in given:
        form = given.get("mapping_form") or mapping_form(preview.header, preview.mapping)
        found["mapping_form"] = form
        read = read_stored_upload(stored)
        found["sample"] = sample_rows(read.table)
        try:
            found["sample_import"] = sample_import(read.table, form.mapping(), read.vat_map)
        except ValueError:
            found["sample_import"] = None
    rates = sorted({*preview.foreign_vat_rates, *preview.vat_map})
    if rates:
        found["vat_form"] = given.get("vat_form") or vat_form(rates, preview.vat_map)
        found["vat_rates"] = rates
    return found


def _stored(coop: Coop, supplier_id: int, import_id: int) -> tuple[Supplier, CatalogueImport]:
    supplier = editable_supplier(coop, supplier_id)
    stored = stored_import(supplier=supplier, import_id=import_id)
    if stored is None:
        abort(404)
    return supplier, stored


def _back(coop: Coop, supplier: Supplier, stored: CatalogueImport, anchor: str = ""):
    return redirect(
        url_for(
            "admin.import_preview", slug=coop.slug, supplier_id=supplier.id, import_id=stored.id
        )
        + anchor
    )


def _again(coop: Coop, supplier: Supplier, stored: CatalogueImport, **forms: Any):
    from coop.web.admin.catalogue.imports import render_preview

    return render_preview(coop, supplier, stored, forms=forms, status=400)


@bp.route("/suppliers/<int:supplier_id>/import/<int:import_id>/sheet", methods=["POST"])
@for_coop(can_manage_catalogue)
def choose_import_sheet(coop: Coop, supplier_id: int, import_id: int):
    supplier, stored = _stored(coop, supplier_id, import_id)
    form = SheetForm()
    names = read_stored_upload(stored).table.sheet_names if stored.applied_at is None else ()
    form.sheet.choices = [SelectChoice(name, name) for name in names]
    if not form.validate_on_submit():
        return _again(coop, supplier, stored, sheet_form=form)
    outcome = commit_or_refuse(lambda: choose_sheet(catalogue_import=stored, sheet=form.sheet.data))
    if outcome.refused:
        form.sheet.errors = [outcome.message]
        return _again(coop, supplier, stored, sheet_form=form)
    return _back(coop, supplier, stored)


@bp.route("/suppliers/<int:supplier_id>/import/<int:import_id>/mapping", methods=["POST"])
@for_coop(can_manage_catalogue)
def choose_import_mapping(coop: Coop, supplier_id: int, import_id: int):
    supplier, stored = _stored(coop, supplier_id, import_id)
    try:
        header = read_stored_upload(stored).table.header
    except ServiceError:
        return _back(coop, supplier, stored)
    form = mapping_form(header, None, formdata=request.form)
    if not form.validate_on_submit():
        return _again(coop, supplier, stored, mapping_form=form)
    outcome = commit_or_refuse(
        lambda: choose_mapping(catalogue_import=stored, mapping=form.mapping())
    )
    refusal = outcome.refusal
    if isinstance(refusal, MappingRefused):
        for name, problem in refusal.problems.items():
            target = form.price_basis if name == "price_basis" else form[f"column_{name}"]
            target.errors = [*target.errors, problem]
        return _again(coop, supplier, stored, mapping_form=form)
    outcome.show(form)
    return _back(coop, supplier, stored)


@bp.route("/suppliers/<int:supplier_id>/import/<int:import_id>/vat", methods=["POST"])
@for_coop(can_manage_catalogue)
def choose_import_vat(coop: Coop, supplier_id: int, import_id: int):
    supplier, stored = _stored(coop, supplier_id, import_id)
    rates = sorted(
        int(name.removeprefix("rate_"))
        for name in request.form
        if name.startswith("rate_") and name.removeprefix("rate_").isdigit()
    )
    form = vat_form(rates, {}, formdata=request.form)
    valid = form.validate_on_submit()
    chosen: dict[int, int] = {}
    for rate in rates:
        field = form[f"rate_{rate}"]
        if field.data in {str(uk) for uk in UK_VAT_PERCENT}:
            chosen[rate] = int(field.data)
        else:
            field.errors = [f"Choose the UK rate that {rate}% is."]
    if not valid or not rates or len(chosen) != len(rates):
        return _again(coop, supplier, stored, vat_form=form)
    outcome = commit_or_refuse(lambda: choose_vat_map(catalogue_import=stored, vat_map=chosen))
    if outcome.refused:
        return _again(coop, supplier, stored, vat_form=form)
    return _back(coop, supplier, stored)

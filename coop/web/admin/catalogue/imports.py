"""Catalogue files: upload, preview and confirm an import; export a supplier's catalogue.

A price list is a CSV file or a spreadsheet (.xlsx, .xls, .ods), told apart
by its content; the preview's choices (sheet, column mapping, VAT map) are
in `coop.web.admin.catalogue.import_choices`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField

from coop.domain.catalogue import bits_to_tags, vat_label
from coop.domain.catalogue_files.foodsoft import F5_HEADER
from coop.domain.money import format_pence
from coop.domain.permissions import can_manage_catalogue
from coop.extensions import wants_json
from coop.models import CatalogueImport, Coop, Supplier
from coop.services.catalogue.export import (
    COOP,
    EXPORT_FORMATS,
    FOODSOFT,
    FOODSOFT_4,
    XLSX,
    export_file,
    export_filename,
)
from coop.services.catalogue.import_jobs import (
    run_catalogue_import,
    runs_as_job,
    start_import_run,
)
from coop.services.catalogue.imports import (
    apply_import,
    import_size_label,
    import_size_limit,
    preview_import,
    preview_stored_import,
    stored_import,
)
from coop.services.errors import ServiceError
from coop.services.jobs import enqueue
from coop.services.progress import fail_unqueued_run, run_key
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.catalogue.import_choices import FIELD_HINTS, choice_forms
from coop.web.admin.lookups import editable_supplier, visible_supplier
from coop.web.downloads import csv_download
from coop.web.forms import ActionForm, GuardedForm
from coop.web.outcome import commit_or_refuse
from coop.web.paging import page_number, this_page_with

PER_PAGE = 100
#: How many conversion notes the preview lists; the rest are counted.
NOTES_SHOWN = 100


class ImportForm(GuardedForm):
    """A catalogue file to check before importing it."""

    file = FileField(
        "Catalogue file",
        validators=[
            FileRequired("Choose the file to import."),
            FileAllowed(
                ["csv", "txt", "xlsx", "xls", "ods"],
                "Choose a CSV file or a spreadsheet: its name ends in .csv, .txt, .xlsx, .xls "
                "or .ods.",
            ),
        ],
        render_kw={"accept": ".csv,.txt,.xlsx,.xls,.ods,text/csv,text/plain"},
    )
    mark_missing_unavailable = BooleanField("Mark products missing from the file as unavailable")


def _read(upload: FileStorage) -> bytes:
    # One byte over the limit is enough to refuse the file, whatever its size.
    return upload.stream.read(import_size_limit() + 1)


@bp.route("/suppliers/<int:supplier_id>/import", methods=["GET", "POST"])
@for_coop(can_manage_catalogue)
def import_catalogue(coop: Coop, supplier_id: int):
    supplier = editable_supplier(coop, supplier_id)
    form = ImportForm()
    if form.validate_on_submit():
        preview = commit_or_refuse(
            lambda: preview_import(
                supplier=supplier,
                data=_read(form.file.data),
                filename=form.file.data.filename or "",
                mark_missing_unavailable=form.mark_missing_unavailable.data,
                uploaded_by=signed_in_user(),
            )
        ).show(form)
        if preview is not None:
            target = url_for(
                "admin.import_preview",
                slug=coop.slug,
                supplier_id=supplier.id,
                import_id=preview.import_id,
            )
            # The page's script uploads with XMLHttpRequest and follows this itself.
            return jsonify(location=target) if wants_json() else redirect(target)
    if request.method == "POST" and wants_json():
        return jsonify(errors=[e for errors in form.errors.values() for e in errors]), 400
    return render_template(
        "admin/imports/new.html",
        coop=coop,
        supplier=supplier,
        form=form,
        max_bytes=import_size_limit(),
        max_size=import_size_label(),
        foodsoft_columns=F5_HEADER,
    )


def _page(name: str, items: list[Any]) -> dict[str, Any]:
    """Cut one list of the preview into pages, chosen by ``?<name>_page=``."""
    pages = max(1, -(-len(items) // PER_PAGE))
    page = min(page_number(request.args.get(f"{name}_page")), pages)
    start = (page - 1) * PER_PAGE

    def page_url(number: int) -> str | None:
        if not 1 <= number <= pages:
            return None
        return this_page_with({**request.args.to_dict(), f"{name}_page": number}) + f"#{name}"

    return {
        "name": name,
        "items": items[start : start + PER_PAGE],
        "total": len(items),
        "pages": pages,
        "first": start + 1,
        "last": start + len(items[start : start + PER_PAGE]),
        "previous_url": page_url(page - 1),
        "next_url": page_url(page + 1),
    }


def show_value(field: str, value: object) -> str:
    """Show a product field's value as people read it."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field.endswith("_pence") and isinstance(value, int):
        return format_pence(value)
    if field == "vat_bp" and isinstance(value, int):
        return vat_label(value)
    if field == "tag_bits" and isinstance(value, int):
        return ", ".join(tag.label for tag in bits_to_tags(value)) or "(none)"
    if isinstance(value, date):
        return value.strftime("%-d %b %Y")
    return str(value)


@bp.route("/suppliers/<int:supplier_id>/import/<int:import_id>")
@for_coop(can_manage_catalogue)
def import_preview(coop: Coop, supplier_id: int, import_id: int):
    supplier = editable_supplier(coop, supplier_id)
    stored = stored_import(supplier=supplier, import_id=import_id)
    if stored is None:
        abort(404)
    return render_preview(coop, supplier, stored)


def render_preview(
    coop: Coop,
    supplier: Supplier,
    stored: CatalogueImport,
    *,
    forms: dict[str, Any] | None = None,
    status: int = 200,
):
    """Show what a stored upload would change, with the forms of its open choices."""
    try:
        preview = preview_stored_import(catalogue_import=stored)
        choices = choice_forms(preview, stored, forms) if preview.applied_at is None else {}
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.import_catalogue", slug=coop.slug, supplier_id=supplier.id))
    lists: dict[str, list[Any]] = {
        "errors": preview.errors,
        "additions": preview.additions,
        "changes": preview.changes,
        "missing": preview.missing,
    }
    return render_template(
        "admin/imports/preview.html",
        coop=coop,
        supplier=supplier,
        preview=preview,
        pages={name: _page(name, items) for name, items in lists.items()},
        show_value=show_value,
        form=ActionForm(),
        as_job=runs_as_job(supplier=supplier, import_id=stored.id),
        notes=sorted(preview.notes.items())[:NOTES_SHOWN],
        more_notes=max(0, len(preview.notes) - NOTES_SHOWN),
        field_hints=FIELD_HINTS,
        **choices,
    ), status


@bp.route("/suppliers/<int:supplier_id>/import/<int:import_id>/confirm", methods=["POST"])
@for_coop(can_manage_catalogue)
def confirm_import(coop: Coop, supplier_id: int, import_id: int):
    supplier = editable_supplier(coop, supplier_id)
    if stored_import(supplier=supplier, import_id=import_id) is None:
        abort(404)
    back = url_for(
        "admin.import_preview", slug=coop.slug, supplier_id=supplier.id, import_id=import_id
    )
    if not ActionForm().validate_on_submit():
        flash("The form had expired; please confirm again.", "error")
        return redirect(back)
    if runs_as_job(supplier=supplier, import_id=import_id):
        return _confirm_as_job(coop, supplier, import_id, back)
    result = commit_or_refuse(
        lambda: apply_import(import_id=import_id, supplier=supplier, user=signed_in_user())
    ).show()
    if result is None:
        return redirect(back)
    flash(
        f"Imported into {supplier.name}: {result.added:,} added, {result.changed:,} changed "
        f"({result.price_changes:,} with a new price or VAT rate), "
        f"{result.marked_unavailable:,} marked unavailable.",
        "success",
    )
    return redirect(back)


def _confirm_as_job(coop: Coop, supplier: Supplier, import_id: int, back: str):
    """Start a large import as a job and send the coordinator to its status page."""
    run = commit_or_refuse(
        lambda: start_import_run(
            supplier=supplier,
            import_id=import_id,
            user=signed_in_user(),
            back_link=url_for("admin.supplier", slug=coop.slug, supplier_id=supplier.id),
        )
    ).show()
    if run is None:
        return redirect(back)
    # After the commit: the job reads the run and the upload as committed.
    try:
        enqueue(run_catalogue_import, key=run_key(run.id), run_id=run.id)
    except Exception:  # Redis down, say: the run says so rather than wait for ever
        current_app.logger.exception("Could not queue the import of run %s", run.id)
        commit_or_refuse(lambda: fail_unqueued_run(run=run))
    return redirect(url_for("jobs.status", run_id=run.id))


# The coop CSV's rule is registered first (the decorator nearest the view), so a
# link that names no format is built to it.
@bp.route("/suppliers/<int:supplier_id>/export.xlsx", defaults={"format": XLSX})
@bp.route("/suppliers/<int:supplier_id>/export-foodsoft4.csv", defaults={"format": FOODSOFT_4})
@bp.route("/suppliers/<int:supplier_id>/export-foodsoft.csv", defaults={"format": FOODSOFT})
@bp.route("/suppliers/<int:supplier_id>/export.csv", defaults={"format": COOP})
@for_coop(can_manage_catalogue)
def export_supplier_catalogue(coop: Coop, supplier_id: int, format: str):
    supplier = visible_supplier(coop, supplier_id)
    content = export_file(supplier=supplier, format=format)
    filename = export_filename(supplier=supplier, format=format)
    if format == COOP:
        return csv_download(str(content), filename)
    # Foodsoft's CSV goes without the byte-order mark: Foodsoft reads its first header as is.
    return Response(
        content.encode() if isinstance(content, str) else content,
        content_type=EXPORT_FORMATS[format].content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

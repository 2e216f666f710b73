"""Suppliers and their products: lists, pages, forms, bulk price changes and the markup."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from coop.domain.catalogue import (
    bits_to_tags,
    bp_to_percent,
    member_price_pence,
    signed_percent,
    vat_label,
)
from coop.domain.permissions import can_manage_catalogue, can_view_catalogue
from coop.domain.wording import possessive
from coop.models import Coop, Product, Supplier
from coop.services.catalogue.prices import (
    apply_bulk_price_change,
    preview_bulk_price_change,
    set_markup,
)
from coop.services.catalogue.products import (
    create_product,
    create_supplier,
    is_owner,
    price_history,
    set_product_availability,
    supplier_summaries,
    update_product,
    update_supplier,
)
from coop.services.catalogue.search import CatalogueQuery, catalogue_categories, catalogue_page
from coop.services.places.lookup import council_area_of, is_local_supplier
from coop.web.access import for_coop, signed_in_user
from coop.web.admin import bp
from coop.web.admin.catalogue.forms import (
    DAY_NAMES,
    AvailabilityForm,
    BulkPriceForm,
    CatalogueFilterForm,
    MarkupForm,
    ProductForm,
    SupplierForm,
    category_choices,
)
from coop.web.admin.lookups import editable_supplier, supplier_product, visible_supplier
from coop.web.forms import required
from coop.web.links import copy_link
from coop.web.outcome import commit_or_refuse
from coop.web.paging import page_url_keeping


@bp.context_processor
def catalogue_helpers() -> dict[str, object]:
    """Give the admin templates what they need to show VAT, percentages and days."""
    return {
        "vat_label": vat_label,
        "bp_to_percent": bp_to_percent,
        "signed_percent": signed_percent,
        "day_names": DAY_NAMES,
    }


# --- suppliers -----------------------------------------------------------------------


@bp.route("/suppliers")
@for_coop(can_view_catalogue)
def suppliers(coop: Coop):
    return render_template(
        "admin/catalogue/suppliers.html", coop=coop, summaries=supplier_summaries(coop=coop)
    )


@bp.route("/suppliers/new", methods=["GET", "POST"])
@for_coop(can_manage_catalogue)
def new_supplier(coop: Coop):
    form = SupplierForm()
    if form.validate_on_submit():
        supplier = commit_or_refuse(
            lambda: create_supplier(coop=coop, details=form.details())
        ).show(form)
        if supplier is not None:
            flash(f"{supplier.name} is added to your suppliers.", "success")
            return redirect(url_for("admin.supplier", slug=coop.slug, supplier_id=supplier.id))
    return render_template("admin/catalogue/supplier_form.html", coop=coop, form=form)


@bp.route("/suppliers/<int:supplier_id>/")
@for_coop(can_view_catalogue)
def supplier(coop: Coop, supplier_id: int):
    supplier = visible_supplier(coop, supplier_id)
    return render_template(
        "admin/catalogue/supplier.html",
        coop=coop,
        supplier=supplier,
        owned=is_owner(coop=coop, supplier=supplier),
        local=is_local_supplier(supplier=supplier, council_area=council_area_of(coop=coop)),
        page=catalogue_page(coop=coop, supplier=supplier, query=CatalogueQuery()),
    )


@bp.route("/suppliers/<int:supplier_id>/edit", methods=["GET", "POST"])
@for_coop(can_manage_catalogue)
def edit_supplier(coop: Coop, supplier_id: int):
    supplier = editable_supplier(coop, supplier_id)
    form = SupplierForm.for_supplier(supplier)
    if form.validate_on_submit():
        saved = commit_or_refuse(
            lambda: update_supplier(
                coop=coop, supplier=supplier, details=form.details(), link_for=copy_link
            )
        ).show(form)
        if saved is not None:
            flash(f"{supplier.name} is saved.", "success")
            return redirect(url_for("admin.supplier", slug=coop.slug, supplier_id=supplier.id))
    return render_template(
        "admin/catalogue/supplier_form.html", coop=coop, form=form, supplier=supplier
    )


# --- the catalogue lists -------------------------------------------------------------


def _catalogue(coop: Coop, supplier: Supplier | None) -> str:
    categories = catalogue_categories(coop=coop, supplier=supplier)
    filters = CatalogueFilterForm(request.args, categories)
    page = catalogue_page(
        coop=coop, supplier=supplier, query=filters.query(request.args.get("page"))
    )
    return render_template(
        "admin/catalogue/products.html",
        coop=coop,
        supplier=supplier,
        owned=supplier is not None and is_owner(coop=coop, supplier=supplier),
        filters=filters,
        page=page,
        page_url=page_url_keeping(CatalogueFilterForm.KEYS),
        searched=bool(request.args),
    )


@bp.route("/catalogue")
@for_coop(can_view_catalogue)
def catalogue(coop: Coop):
    return _catalogue(coop, None)


@bp.route("/suppliers/<int:supplier_id>/products")
@for_coop(can_view_catalogue)
def supplier_products(coop: Coop, supplier_id: int):
    return _catalogue(coop, visible_supplier(coop, supplier_id))


# --- products --------------------------------------------------------------------------


def _to_product(coop: Coop, product: Product) -> Response:
    return redirect(
        url_for(
            "admin.product", slug=coop.slug, supplier_id=product.supplier_id, product_id=product.id
        )
    )


@bp.route("/suppliers/<int:supplier_id>/products/new", methods=["GET", "POST"])
@for_coop(can_manage_catalogue)
def new_product(coop: Coop, supplier_id: int):
    supplier = editable_supplier(coop, supplier_id)
    form = ProductForm()
    if form.validate_on_submit():
        product = commit_or_refuse(
            lambda: create_product(coop=coop, supplier=supplier, details=form.details())
        ).show(form)
        if product is not None:
            flash(f"{product.name} is added to {possessive(supplier.name)} catalogue.", "success")
            return _to_product(coop, product)
    return render_template(
        "admin/catalogue/product_form.html", coop=coop, supplier=supplier, form=form
    )


@bp.route("/suppliers/<int:supplier_id>/products/<int:product_id>/")
@for_coop(can_view_catalogue)
def product(coop: Coop, supplier_id: int, product_id: int):
    supplier = visible_supplier(coop, supplier_id)
    product = supplier_product(supplier, product_id)
    return render_template(
        "admin/catalogue/product.html",
        coop=coop,
        supplier=supplier,
        product=product,
        owned=is_owner(coop=coop, supplier=supplier),
        tags=bits_to_tags(product.tag_bits),
        member_price=member_price_pence(product, markup_bp=coop.markup_bp),
        history=price_history(product=product),
    )


@bp.route("/suppliers/<int:supplier_id>/products/<int:product_id>/edit", methods=["GET", "POST"])
@for_coop(can_manage_catalogue)
def edit_product(coop: Coop, supplier_id: int, product_id: int):
    supplier = editable_supplier(coop, supplier_id)
    product = supplier_product(supplier, product_id)
    form = ProductForm.for_product(product)
    if form.validate_on_submit():
        saved = commit_or_refuse(
            lambda: update_product(
                coop=coop, product=product, details=form.details(), by=signed_in_user()
            )
        ).show(form)
        if saved is not None:
            flash(f"{product.name} is saved.", "success")
            return _to_product(coop, product)
    return render_template(
        "admin/catalogue/product_form.html",
        coop=coop,
        supplier=supplier,
        product=product,
        form=form,
    )


@bp.route("/suppliers/<int:supplier_id>/products/<int:product_id>/availability", methods=["POST"])
@for_coop(can_manage_catalogue)
def product_availability(coop: Coop, supplier_id: int, product_id: int):
    supplier = editable_supplier(coop, supplier_id)
    product = supplier_product(supplier, product_id)
    form = AvailabilityForm()
    if form.validate_on_submit():
        available = form.available.data == "yes"
        saved = commit_or_refuse(
            lambda: set_product_availability(coop=coop, product=product, available=available)
        ).show()
        if saved is not None:
            state = "available to order" if available else "unavailable"
            flash(f"{product.name} is now {state}.", "success")
    return _to_product(coop, product)


# --- bulk price change and markup ---------------------------------------------------


@bp.route("/suppliers/<int:supplier_id>/prices", methods=["GET", "POST"])
@for_coop(can_manage_catalogue)
def bulk_prices(coop: Coop, supplier_id: int):
    supplier = editable_supplier(coop, supplier_id)
    form = BulkPriceForm()
    categories = catalogue_categories(coop=coop, supplier=supplier)
    form.category.choices = category_choices("Every category", categories)
    preview = None
    if form.validate_on_submit():
        arguments = {
            "coop": coop,
            "supplier": supplier,
            "change_bp": form.percent.data,
            "category": form.category.data,
        }
        if form.confirm.data:
            change = commit_or_refuse(
                lambda: apply_bulk_price_change(
                    **arguments, by=signed_in_user(), fingerprint=form.fingerprint.data or ""
                )
            ).show(form)
            if change is not None:
                flash(
                    f"{len(change.moves)} case prices changed by "
                    f"{signed_percent(change.change_bp)}; each change is in its product's "
                    "price history.",
                    "success",
                )
                return redirect(
                    url_for("admin.supplier_products", slug=coop.slug, supplier_id=supplier.id)
                )
        else:
            preview = commit_or_refuse(lambda: preview_bulk_price_change(**arguments)).show(form)
    return render_template(
        "admin/catalogue/bulk_prices.html",
        coop=coop,
        supplier=supplier,
        form=form,
        preview=preview,
    )


@bp.route("/catalogue/markup", methods=["GET", "POST"])
@for_coop(can_manage_catalogue)
def markup(coop: Coop):
    form = MarkupForm(data={"markup": coop.markup_bp})
    if form.validate_on_submit():
        saved = commit_or_refuse(
            lambda: set_markup(coop=coop, markup_bp=required(form.markup.data))
        ).show(form)
        if saved is not None:
            flash(f"The markup is now {bp_to_percent(coop.markup_bp)}%.", "success")
            return redirect(url_for("admin.catalogue", slug=coop.slug))
    return render_template("admin/catalogue/markup.html", coop=coop, form=form)

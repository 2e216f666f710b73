"""Forms for suppliers, products, the catalogue list, bulk prices and the markup."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import (  # type: ignore[attr-defined]
    BooleanField,
    DateField,
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from coop.domain.catalogue import (
    DEFAULT_UNIT,
    MAX_CASE_SIZE,
    MAX_LEAD_TIME_DAYS,
    VAT_RATES_BP,
    ProductDetails,
    Tag,
    bits_to_days,
    bits_to_tags,
    days_to_bits,
    tags_to_bits,
    vat_label,
)
from coop.models import Product, Supplier, SupplierKind
from coop.services.catalogue.products import SupplierDetails
from coop.services.catalogue.search import CatalogueQuery, Sort
from coop.web.forms import (
    GuardedForm,
    PenceField,
    PercentField,
    QueryForm,
    WholeNumberField,
    required,
    strip,
)
from coop.web.paging import page_number

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def category_choices(everything: str, categories: list[str]) -> list[SelectChoice]:
    """Return the choices of a category filter: *everything* first, then each category."""
    return [SelectChoice("", everything), *(SelectChoice(c, c) for c in categories)]


class CheckboxesField(SelectMultipleField):
    """A set of choices shown as checkboxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SupplierForm(GuardedForm):
    """Everything about a supplier a coordinator keeps."""

    name = StringField(
        "Name",
        filters=[strip],
        validators=[InputRequired(message="Enter the supplier's name."), Length(max=120)],
    )
    kind = SelectField(
        "Kind of supplier",
        choices=[SelectChoice(kind.value, kind.label) for kind in SupplierKind],
        coerce=SupplierKind,
    )
    email = EmailField(
        "Contact email (optional)",
        filters=[strip],
        validators=[
            Optional(),
            Email(
                message="Enter an email address like orders@example.org.", granular_message=False
            ),
            Length(max=254),
        ],
    )
    phone = StringField("Phone (optional)", filters=[strip], validators=[Length(max=40)])
    address = TextAreaField("Address (optional)", filters=[strip])
    postcode = StringField("Postcode (optional)", filters=[strip], validators=[Length(max=8)])
    is_local = BooleanField("Local supplier")
    min_order_pence = PenceField("Minimum order value (£)", validators=[Optional()])
    delivery_charge_pence = PenceField("Delivery charge (£)", validators=[Optional()])
    order_days = CheckboxesField(
        "Days orders can be placed",
        choices=[SelectChoice(str(day), name) for day, name in enumerate(DAY_NAMES)],
        coerce=int,
    )
    lead_time_days = WholeNumberField(
        "Lead time (days)",
        [InputRequired(message="Enter how many days the supplier needs, 0 or more.")],
        minimum=0,
        maximum=MAX_LEAD_TIME_DAYS,
        default=0,
    )
    notes = TextAreaField("Notes (optional)", filters=[strip])
    active = BooleanField("Active: we order from this supplier", default=True)

    @classmethod
    def for_supplier(cls, supplier: Supplier) -> SupplierForm:
        """Return the form filled in with *supplier* (or with what was posted)."""
        data = {f.name: getattr(supplier, f.name) for f in fields(SupplierDetails)}
        data["order_days"] = bits_to_days(supplier.order_days)
        return cls(data=data)

    def details(self) -> SupplierDetails:
        """Return what was typed, for the services."""
        return SupplierDetails(
            name=self.name.data or "",
            kind=self.kind.data,
            email=self.email.data or "",
            phone=self.phone.data or "",
            address=self.address.data or "",
            postcode=self.postcode.data or "",
            is_local=self.is_local.data,
            min_order_pence=self.min_order_pence.data or 0,
            delivery_charge_pence=self.delivery_charge_pence.data or 0,
            order_days=days_to_bits(self.order_days.data or []),
            lead_time_days=required(self.lead_time_days.data),
            notes=self.notes.data or "",
            active=self.active.data,
        )


class ProductForm(GuardedForm):
    """Everything about a product of a supplier's catalogue."""

    code = StringField(
        "Supplier's code",
        filters=[strip],
        validators=[InputRequired(message="Enter the supplier's code."), Length(max=40)],
    )
    name = StringField(
        "Name",
        filters=[strip],
        validators=[InputRequired(message="Enter the product's name."), Length(max=200)],
    )
    description = TextAreaField("Description (optional)", filters=[strip])
    category = StringField("Category (optional)", filters=[strip], validators=[Length(max=80)])
    tags = CheckboxesField(
        "Tags", choices=[SelectChoice(tag.slug, tag.label) for tag in Tag], coerce=str
    )
    unit_label = StringField(
        "Member unit",
        filters=[strip],
        default=DEFAULT_UNIT,
        validators=[InputRequired(message="Say what one unit is, e.g. 500 g bag."), Length(max=60)],
    )
    case_size = WholeNumberField(
        "Units in a case",
        [InputRequired(message="Enter how many units a case holds, 1 or more.")],
        minimum=1,
        maximum=MAX_CASE_SIZE,
        default=1,
    )
    case_price_pence = PenceField(
        "Case price, excluding VAT (£)",
        validators=[InputRequired(message="Enter the price of a case, such as 12.50.")],
    )
    vat_bp = SelectField(
        "VAT rate",
        choices=[SelectChoice(str(rate), vat_label(rate)) for rate in VAT_RATES_BP],
        coerce=int,
    )
    deposit_pence = PenceField("Deposit per case (£, optional)", validators=[Optional()])
    origin = StringField("Origin (optional)", filters=[strip], validators=[Length(max=80)])
    manufacturer = StringField(
        "Manufacturer (optional)", filters=[strip], validators=[Length(max=120)]
    )
    reference_price_pence = PenceField(
        "Supermarket price of one unit (£, optional)", validators=[Optional()]
    )
    reference_price_date = DateField("Date of that price", validators=[Optional()])
    reference_price_source = StringField(
        "Where that price was seen", filters=[strip], validators=[Length(max=200)]
    )
    available = BooleanField("Available to order", default=True)

    @classmethod
    def for_product(cls, product: Product) -> ProductForm:
        """Return the form filled in with *product* (or with what was posted)."""
        data: dict[str, Any] = {f.name: getattr(product, f.name) for f in fields(ProductDetails)}
        data["tags"] = [tag.slug for tag in bits_to_tags(product.tag_bits)]
        return cls(data=data)

    def details(self) -> ProductDetails:
        """Return what was typed, for the services."""
        return ProductDetails(
            code=self.code.data or "",
            name=self.name.data or "",
            description=self.description.data or "",
            category=self.category.data or "",
            tag_bits=tags_to_bits(Tag.from_text(slug) for slug in self.tags.data or []),
            unit_label=self.unit_label.data or "",
            case_size=required(self.case_size.data),
            case_price_pence=required(self.case_price_pence.data),
            vat_bp=self.vat_bp.data,
            deposit_pence=self.deposit_pence.data or 0,
            origin=self.origin.data or "",
            manufacturer=self.manufacturer.data or "",
            reference_price_pence=self.reference_price_pence.data,
            reference_price_date=self.reference_price_date.data,
            reference_price_source=self.reference_price_source.data or "",
            available=self.available.data,
        )


class AvailabilityForm(GuardedForm):
    """A button that marks a product available or unavailable."""

    available = SelectField(
        choices=[SelectChoice("yes", "Available"), SelectChoice("no", "Unavailable")]
    )


class CatalogueFilterForm(QueryForm):
    """The search, filters and order of the catalogue list (a GET form, no CSRF)."""

    KEYS = ("q", "category", "tag", "available", "sort", "order")

    q = StringField("Search name, code or manufacturer", filters=[strip])
    category = SelectField("Category", choices=[SelectChoice("", "All categories")], default="")
    tag = SelectField(
        "Tag",
        choices=[SelectChoice("", "Any tag")] + [SelectChoice(tag.slug, tag.label) for tag in Tag],
        default="",
    )
    available = BooleanField("Available only")
    sort = SelectField(
        "Sort by", choices=[SelectChoice(sort.value, sort.label) for sort in Sort], default="name"
    )
    order = SelectField(
        "Order",
        choices=[SelectChoice("asc", "Ascending"), SelectChoice("desc", "Descending")],
        default="asc",
    )

    def __init__(self, args: MultiDict[str, str], categories: list[str]) -> None:
        super().__init__(args)
        self.category.choices = category_choices("All categories", categories)
        self.validate()

    def query(self, page: str | None) -> CatalogueQuery:
        """Return what was asked, ignoring anything that is not a choice on offer."""

        def valid(field: Any, default: Any = "") -> Any:
            return default if field.errors or field.data is None else field.data

        return CatalogueQuery(
            search=self.q.data or "",
            category=valid(self.category),
            tag=Tag.from_text(self.tag.data) if valid(self.tag) else None,
            available_only=bool(self.available.data),
            sort=Sort(valid(self.sort, Sort.NAME.value)),
            descending=valid(self.order) == "desc",
            page=page_number(page),
        )


class BulkPriceForm(GuardedForm):
    """A percentage change of a supplier's case prices."""

    percent = PercentField(
        "Change case prices by (%)",
        allow_negative=True,
        validators=[InputRequired(message="Enter a percentage, such as 3.5 or -10.")],
    )
    category = SelectField(
        "Only this category", choices=[SelectChoice("", "Every category")], default=""
    )
    confirm = BooleanField("I have checked the new prices")
    # The preview's fingerprint of the prices it showed; the confirm form posts it back.
    fingerprint = StringField()

    def validate_percent(self, field: PercentField) -> None:
        # A typo such as 35 for 3.5 is caught by the preview; 1000% is surely one.
        if field.data is not None and field.data > 100_000:
            raise ValidationError("Enter a change of at most 1000%.")


class MarkupForm(GuardedForm):
    """The co-op's markup on every product (its range is the service's rule)."""

    # A minus sign is read, so "-5" gets the service's range message, not a format one.
    markup = PercentField(
        "Markup (%)",
        allow_negative=True,
        validators=[InputRequired(message="Enter a markup, such as 2.5, or 0 for none.")],
    )

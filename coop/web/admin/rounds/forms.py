"""Forms for rounds: details, the deadline, cancelling, choosing items and their limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField  # type: ignore[attr-defined]
from wtforms.validators import InputRequired, Length, Optional

from coop.domain.allocation import FAIR_SHARE, FIRST_COME
from coop.domain.catalogue import Tag
from coop.domain.rounds import RoundState
from coop.models import Coop, Round, RoundItem, Supplier
from coop.services.catalogue.search import CatalogueQuery
from coop.services.rounds.lifecycle import MAX_PER_HOUSEHOLD, TITLE_MAX_LENGTH, RoundDetails
from coop.services.times import display_zone
from coop.web.admin.catalogue.forms import CheckboxesField, category_choices
from coop.web.forms import (
    GuardedForm,
    QueryForm,
    WholeNumberField,
    pickup_address_field,
    required,
    strip,
)
from coop.web.paging import page_number

INPUT_FORMAT = "%Y-%m-%dT%H:%M"
POLICY_LABELS = {
    FIRST_COME: (
        "First come, first served: when there is not enough for everyone, "
        "the households that ordered first get theirs first."
    ),
    FAIR_SHARE: (
        "Fair shares: when there is not enough for everyone, each household gets "
        "a share in proportion to what it asked for."
    ),
}
LIMIT_MESSAGE = f"Enter a whole number from 1 to {MAX_PER_HOUSEHOLD}, or leave it blank."
# The rules a round is ordered under: fixed once households can order.
FROZEN_ONCE_OPEN = ("opens_at", "closes_at", "policy", "fill_percent")
CHOOSE_POLICY = "Choose how short items are shared out."


class LocalDateTimeField(StringField):
    """A date and time typed as UK clock time (a ``datetime-local`` input); `.data` is UTC.

    A time the clocks skip in spring is refused; one they pass twice in
    autumn is taken as the first.
    """

    data: datetime | None  # type: ignore[assignment]  # a moment, where StringField holds text

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"type": "datetime-local"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            return
        try:
            typed = datetime.strptime(text.replace(" ", "T")[:16], INPUT_FORMAT)
        except ValueError:
            raise ValueError("Enter a date and time, such as 2025-07-14 18:30.") from None
        local = typed.replace(tzinfo=display_zone())
        moment = local.astimezone(UTC)
        if moment.astimezone(display_zone()).replace(tzinfo=None) != typed:
            raise ValueError("The clocks go forward then, so that time does not exist.")
        self.data = moment

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return self.data.astimezone(display_zone()).strftime(INPUT_FORMAT)


def _next_hour() -> datetime:
    now = datetime.now(UTC)
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


class RoundForm(GuardedForm):
    """A round's title, timing, pickup, sharing rules and notes."""

    title = StringField(
        "Title",
        filters=[strip],
        validators=[
            InputRequired(message="Give the round a title."),
            Length(max=TITLE_MAX_LENGTH, message=f"Use at most {TITLE_MAX_LENGTH} characters."),
        ],
    )
    opens_at = LocalDateTimeField(
        "Opens for orders", validators=[InputRequired(message="Enter when ordering opens.")]
    )
    closes_at = LocalDateTimeField(
        "Deadline for orders",
        validators=[InputRequired(message="Enter the deadline for orders.")],
    )
    pickup_at = LocalDateTimeField("Pickup time (optional)", validators=[Optional()])
    pickup_place = pickup_address_field("Pickup place")
    # Radio buttons: a phone would cut the explanations off in a select.
    policy = RadioField(  # type: ignore[call-arg]
        "When there is not enough for everyone",
        choices=[SelectChoice(value, label) for value, label in POLICY_LABELS.items()],
        default=FIRST_COME,
        invalid_choice_message=CHOOSE_POLICY,
        invalid_value_message=CHOOSE_POLICY,
    )
    fill_percent = WholeNumberField(
        "Case fill threshold (%)",
        [InputRequired(message="Enter a percentage from 1 to 100.")],
        minimum=1,
        maximum=100,
        message="Enter a percentage from 1 to 100.",
        default=100,
    )
    max_per_household = WholeNumberField(
        "Limit per household, for each item (optional)",
        [Optional()],
        minimum=1,
        maximum=MAX_PER_HOUSEHOLD,
        message=LIMIT_MESSAGE,
    )
    notes = TextAreaField(
        "Notes for households (optional)", filters=[strip], validators=[Length(max=2000)]
    )

    def __init__(self, *args: Any, round_: Round | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.round = round_
        if round_ is not None and round_.state is not RoundState.DRAFT:
            for name in FROZEN_ONCE_OPEN:
                delattr(self, name)

    @classmethod
    def for_new(cls, coop: Coop) -> RoundForm:
        """Return an empty form with the co-op's pickup address and an opening time filled in."""
        return cls(data={"pickup_place": coop.pickup_address, "opens_at": _next_hour()})

    @classmethod
    def for_round(cls, round_: Round) -> RoundForm:
        """Return the form filled in with *round_* (or with what was posted)."""
        data = {
            name: getattr(round_, name)
            for name in (
                "title",
                "opens_at",
                "closes_at",
                "pickup_at",
                "pickup_place",
                "policy",
                "fill_percent",
                "max_per_household",
                "notes",
            )
        }
        return cls(data=data, round_=round_)

    @property
    def frozen(self) -> bool:
        """Tell whether the timing and sharing rules are fixed (the round is open)."""
        return "policy" not in self

    def details(self) -> RoundDetails:
        """Return what was typed, for the services; fixed rules come from the round."""
        kept = self.round if self.frozen else None
        return RoundDetails(
            title=self.title.data or "",
            opens_at=kept.opens_at if kept else required(self.opens_at.data),
            closes_at=kept.closes_at if kept else required(self.closes_at.data),
            pickup_at=self.pickup_at.data,
            pickup_place=self.pickup_place.data or "",
            policy=kept.policy if kept else self.policy.data,
            fill_percent=kept.fill_percent if kept else required(self.fill_percent.data),
            max_per_household=self.max_per_household.data,
            notes=self.notes.data or "",
        )


class ExtendForm(GuardedForm):
    """A later deadline for an open round."""

    closes_at = LocalDateTimeField(
        "New deadline", validators=[InputRequired(message="Enter the new deadline.")]
    )


class CancelForm(GuardedForm):
    """Why a round is cancelled; households who ordered read it."""

    reason = TextAreaField(
        "Why is the round cancelled?",
        filters=[strip],
        validators=[
            InputRequired(message="Say why the round is cancelled; households will read it."),
            Length(max=1000),
        ],
    )


class AddItemsForm(GuardedForm):
    """Products ticked to offer in a round; the choices are the page's products."""

    # Whether a product may be offered is the service's rule, so any id is let through here.
    product_ids = CheckboxesField("Products to add", coerce=int, choices=[], validate_choice=False)


class ItemFilterForm(QueryForm):
    """Search, supplier and category filters of the products to add (a GET form, no CSRF)."""

    KEYS = ("q", "supplier", "category", "tag")

    q = StringField("Search name, code or manufacturer", filters=[strip])
    supplier = SelectField("Supplier", choices=[SelectChoice("", "All suppliers")], default="")
    category = SelectField("Category", choices=[SelectChoice("", "All categories")], default="")
    tag = SelectField(
        "Tag",
        choices=[SelectChoice("", "Any tag")] + [SelectChoice(tag.slug, tag.label) for tag in Tag],
        default="",
    )

    def __init__(
        self, args: MultiDict[str, str], suppliers: list[Supplier], categories: list[str]
    ) -> None:
        super().__init__(args)
        self.suppliers = {str(supplier.id): supplier for supplier in suppliers}
        self.supplier.choices = [
            SelectChoice("", "All suppliers"),
            *(SelectChoice(str(s.id), s.name) for s in suppliers),
        ]
        self.category.choices = category_choices("All categories", categories)
        self.validate()

    def chosen_supplier(self) -> Supplier | None:
        """Return the supplier chosen, or None for all (or for anything not on offer)."""
        return None if self.supplier.errors else self.suppliers.get(self.supplier.data or "")

    def query(self, page: str | None) -> CatalogueQuery:
        """Return what was asked: available products only, since only those can be offered."""
        return CatalogueQuery(
            search=self.q.data or "",
            category="" if self.category.errors else (self.category.data or ""),
            tag=Tag.from_text(self.tag.data) if self.tag.data and not self.tag.errors else None,
            available_only=True,
            page=page_number(page),
        )


class LimitsForm(GuardedForm):
    """Each item's own limit per household: one ``limit_<item id>`` field per item."""

    item_ids: list[int]

    @classmethod
    def for_items(cls, items: list[RoundItem], **kwargs: Any) -> LimitsForm:
        """Return a form with a limit field for each of *items*, filled in with its limit."""
        form_class = type("ItemLimitsForm", (cls,), {})
        for item in items:
            setattr(
                form_class,
                f"limit_{item.id}",
                WholeNumberField(
                    f"Limit for {item.name}, {item.unit_label}",
                    [Optional()],
                    minimum=1,
                    maximum=MAX_PER_HOUSEHOLD,
                    message=LIMIT_MESSAGE,
                    default=item.max_per_household,
                ),
            )
        form = form_class(**kwargs)
        form.item_ids = [item.id for item in items]
        return form

    def field_for(self, item: RoundItem) -> Any:
        return self[f"limit_{item.id}"]

    def limits(self) -> dict[int, int | None]:
        """Return the limit typed for each item, None where left blank."""
        return {item_id: self[f"limit_{item_id}"].data for item_id in self.item_ids}

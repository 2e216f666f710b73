"""Forms of the ordering page: one item's quantity and tolerance, and the item filters."""

from __future__ import annotations

from wtforms import BooleanField, SearchField, SelectChoice, SelectField  # type: ignore[attr-defined]
from wtforms.validators import Optional

from coop.domain.catalogue import Tag, tags_to_bits
from coop.services.rounds.lifecycle import MAX_PER_HOUSEHOLD
from coop.services.rounds.ordering_pages import OrderFilters
from coop.web.admin.catalogue.forms import CheckboxesField, category_choices
from coop.web.forms import GuardedForm, QueryForm, WholeNumberField, strip

WHOLE_NUMBER = f"Enter a whole number from 0 to {MAX_PER_HOUSEHOLD}."


class ItemOrderForm(GuardedForm):
    """How many of one item a household wants, and how many more it would take.

    A blank box is 0: clearing it is how a phone user takes an item out.
    """

    quantity = WholeNumberField(
        "How many", [Optional()], minimum=0, maximum=MAX_PER_HOUSEHOLD, message=WHOLE_NUMBER
    )
    tolerance = WholeNumberField(
        "Up to this many more, to help fill a case",
        [Optional()],
        minimum=0,
        maximum=MAX_PER_HOUSEHOLD,
        message=WHOLE_NUMBER,
    )

    def typed(self, name: str) -> str:
        """Return what was typed in field *name*, to show it back."""
        raw = self[name].raw_data
        return str(raw[0]) if raw else ""


class AskApprovalForm(GuardedForm):
    """A household's request for the treasurer's approval to order past the credit limit."""


class OrderFilterForm(QueryForm):
    """The ordering page's search and filters (a GET form, no CSRF)."""

    KEYS = ("q", "category", "tag", "mine")

    q = SearchField("Search items", filters=[strip])
    category = SelectField(
        "Category", choices=[SelectChoice("", "All categories")], default="", validate_choice=False
    )
    tag = CheckboxesField(
        "Only items that are", choices=[SelectChoice(tag.slug, tag.label) for tag in Tag]
    )
    mine = BooleanField("Only what I ordered")

    def filters(self) -> OrderFilters:
        """Return what the household asked for, ignoring tags that do not exist."""
        slugs = set(self.tag.data or [])
        return OrderFilters(
            search=self.q.data or "",
            category=self.category.data or "",
            tag_bits=tags_to_bits(tag for tag in Tag if tag.slug in slugs),
            mine_only=bool(self.mine.data),
        )

    def offer(self, categories: list[str]) -> None:
        """Offer the round's *categories* in the category list."""
        self.category.choices = category_choices("All categories", categories)

    def kept(self) -> list[tuple[str, str]]:
        """Return the filters as (name, value) pairs, to carry them through a form post."""
        filters = self.filters()
        pairs = [("q", filters.search)] if filters.search else []
        if filters.category:
            pairs.append(("category", filters.category))
        pairs.extend(("tag", tag.slug) for tag in Tag if tag.bit & filters.tag_bits)
        if filters.mine_only:
            pairs.append(("mine", "y"))
        return pairs

    @property
    def active(self) -> bool:
        return bool(self.kept())

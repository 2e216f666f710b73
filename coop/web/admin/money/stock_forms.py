"""Forms of the co-op's stock: units sold to a household, offered in a round, written off."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectChoice, StringField  # type: ignore[attr-defined]
from wtforms.validators import InputRequired, Length

from coop.models import Round, StockMovementKind
from coop.services.money.stock import NOTE_MAX_LENGTH, WRITE_OFF_KINDS, StockItem
from coop.services.money.treasury import Choice
from coop.web.admin.money.forms import _id_select, _radios
from coop.web.forms import GuardedForm, WholeNumberField, strip

UNITS = "Enter a whole number of units, 1 or more."
MAX_UNITS = 100_000


def _units() -> WholeNumberField:
    return WholeNumberField(
        "How many units",
        [InputRequired(UNITS)],
        minimum=1,
        maximum=MAX_UNITS,
        message=UNITS,
    )


def _note() -> StringField:
    return StringField(
        "Note (optional)",
        filters=[strip],
        validators=[
            Length(max=NOTE_MAX_LENGTH, message=f"Use at most {NOTE_MAX_LENGTH} characters.")
        ],
    )


def _item_choices(items: Iterable[StockItem]) -> list[SelectChoice]:
    return [SelectChoice("", "Choose an item")] + [
        SelectChoice(str(item.round_item_id), f"{item.label}: {item.units} in stock")
        for item in items
    ]


class SellStockForm(GuardedForm):
    """Units of the co-op's stock sold to a household at the co-op's price."""

    item = _id_select("Item", validators=[InputRequired("Choose an item.")])
    household = _id_select("Household", validators=[InputRequired("Choose a household.")])
    units = _units()
    note = _note()

    def offer(self, items: Iterable[StockItem], households: Iterable[Choice]) -> SellStockForm:
        self.item.choices = _item_choices(items)
        self.household.choices = [SelectChoice("", "Choose a household")] + [
            SelectChoice(str(choice.id), choice.name) for choice in households
        ]
        return self


class OfferStockForm(GuardedForm):
    """Units of the co-op's stock offered as an item of a round that has not closed."""

    item = _id_select("Item", validators=[InputRequired("Choose an item.")])
    round = _id_select("Round", validators=[InputRequired("Choose a round.")])
    units = _units()
    note = _note()

    def offer(self, items: Iterable[StockItem], rounds: Iterable[Round]) -> OfferStockForm:
        self.item.choices = _item_choices(items)
        self.round.choices = [SelectChoice("", "Choose a round")] + [
            SelectChoice(
                str(round_.id),
                f"{round_.title} ({round_.state.value}, closes "
                f"{round_.closes_at.strftime('%-d %b %Y')})",
            )
            for round_ in rounds
        ]
        return self


class WriteOffStockForm(GuardedForm):
    """Units of the co-op's stock given away or spoiled."""

    item = _id_select("Item", validators=[InputRequired("Choose an item.")])
    units = _units()
    kind = _radios(
        "What happened to them",
        [(kind.value, kind.label) for kind in WRITE_OFF_KINDS],
        "Choose given away or spoiled.",
        default=StockMovementKind.GIVEN_AWAY.value,
    )
    note = _note()

    def offer(self, items: Iterable[StockItem]) -> WriteOffStockForm:
        self.item.choices = _item_choices(items)
        return self

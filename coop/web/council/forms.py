"""The support record form: officers keep records with it, coordinators propose with it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import (  # type: ignore[attr-defined]
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from coop.domain.numbers import whole_number
from coop.models import Coop, SupportKind, SupportRecord
from coop.services.support.records import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, SupportDetails
from coop.web.forms import GuardedForm, PenceField, required, strip
from coop.web.members.forms import DayField

MONITORING_CHOICES = [
    SelectChoice("", "No monitoring returns"),
    SelectChoice("1", "Every month"),
    SelectChoice("3", "Every three months"),
    SelectChoice("6", "Every six months"),
    SelectChoice("12", "Every year"),
]


def _text(label: str, maximum: int = TEXT_MAX_LENGTH, **kwargs: Any) -> StringField:
    return StringField(
        label,
        filters=[strip],
        validators=[Length(max=maximum, message=f"Use at most {maximum} characters.")],
        **kwargs,
    )


def _notes(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip],
        validators=[
            Length(max=NOTE_MAX_LENGTH, message=f"Use at most {NOTE_MAX_LENGTH} characters.")
        ],
    )


def _date(label: str, message: str | None = None) -> DayField:
    validators: list[Any] = [InputRequired(message)] if message else [Optional()]
    return DayField(label, validators=validators, format="%Y-%m-%d")


def _months(value: Any) -> int | None:
    return whole_number(str(value)) if value not in (None, "") else None


class SupportForm(GuardedForm):
    """Every field of a support record (METRICS.md, "Support records")."""

    programme = StringField(
        "Programme",
        filters=[strip],
        validators=[
            InputRequired("Name the programme, such as UKSPF or Household Support Fund."),
            Length(max=TEXT_MAX_LENGTH, message=f"Use at most {TEXT_MAX_LENGTH} characters."),
        ],
    )
    intermediary = _text("Intermediary (optional)")
    kind = RadioField(  # type: ignore[call-arg]
        "Kind of support",
        choices=[SelectChoice(kind.value, kind.label) for kind in SupportKind],
        validators=[InputRequired("Choose the kind of support.")],
        invalid_choice_message="Choose the kind of support.",
        invalid_value_message="Choose the kind of support.",
    )
    value = PenceField("Value", validators=[InputRequired("Enter the value, such as 600.00.")])
    value_basis = _text("How the value was estimated (for a room, hours or training)")
    awarded_on = _date("Awarded on", "Enter the day the support was awarded or agreed.")
    period_start = _date("Period starts (optional)")
    period_end = _date("Period ends (optional)")
    spend_by = _date("Spend by (optional)")
    conditions = _notes("Conditions (optional)")
    restricted_fund = BooleanField("Restricted fund: to be spent only on what it was given for")
    underspend_returnable = BooleanField("Underspend is to be returned to the council")
    acknowledgement_required = BooleanField("The council's support must be acknowledged")
    monitoring_months = SelectField(
        "Monitoring returns", choices=MONITORING_CHOICES, coerce=_months, validate_choice=False
    )
    monitoring_next_due = _date("Next monitoring return due (optional)")
    notes = _notes("Notes (optional)")

    def validate_monitoring_months(self, field: SelectField) -> None:
        # The choices are text and the value a number, so WTForms cannot check it itself.
        if field.raw_data and field.raw_data[0] not in {
            choice.value for choice in MONITORING_CHOICES
        }:
            raise ValidationError("Choose how often monitoring is due.")

    def details(self) -> SupportDetails:
        """Return what the form says, as the support services take it."""
        return SupportDetails(
            programme=self.programme.data or "",
            kind=SupportKind(self.kind.data),
            value_pence=required(self.value.data),
            awarded_on=required(self.awarded_on.data),
            intermediary=self.intermediary.data or "",
            value_basis=self.value_basis.data or "",
            period_start=self.period_start.data,
            period_end=self.period_end.data,
            spend_by=self.spend_by.data,
            conditions=self.conditions.data or "",
            restricted_fund=bool(self.restricted_fund.data),
            underspend_returnable=bool(self.underspend_returnable.data),
            acknowledgement_required=bool(self.acknowledgement_required.data),
            monitoring_months=self.monitoring_months.data,
            monitoring_next_due=self.monitoring_next_due.data,
            notes=self.notes.data or "",
        )

    def fill(self, record: SupportRecord) -> SupportForm:
        """Show *record*'s details in the form, for editing."""
        for name in (
            "programme",
            "intermediary",
            "value_basis",
            "awarded_on",
            "period_start",
            "period_end",
            "spend_by",
            "conditions",
            "restricted_fund",
            "underspend_returnable",
            "acknowledgement_required",
            "monitoring_months",
            "monitoring_next_due",
            "notes",
        ):
            self[name].data = getattr(record, name)
        self.kind.data = record.kind.value
        self.value.data = record.value_pence
        return self


class CouncilSupportForm(SupportForm):
    """A record an officer keeps: for which of the council's co-ops."""

    coop = SelectField(
        "Co-op",
        coerce=lambda value: whole_number(str(value)) if value is not None else None,
        validate_choice=False,
        validators=[InputRequired("Choose the co-op.")],
    )

    def offer(self, coops: Iterable[Coop]) -> CouncilSupportForm:
        """List the council's co-ops to choose from."""
        self.coop.choices = [SelectChoice("", "Choose a co-op")] + [
            SelectChoice(str(coop.id), coop.name) for coop in coops
        ]
        return self


class DecisionForm(GuardedForm):
    """An officer's decision on a proposed record, or the closing of one, with a note."""

    note = _notes("Note")

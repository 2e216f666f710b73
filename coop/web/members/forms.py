"""Forms households fill in about themselves."""

from __future__ import annotations

from typing import Any

from wtforms import (  # type: ignore[attr-defined]
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from coop.domain.household import CHILDREN_MAX, Fact, current_consent, out_of_range
from coop.domain.numbers import whole_number
from coop.domain.roles import HOUSEHOLD_SIZE_RANGE
from coop.domain.volunteering import DURATION_HELP, TASK_NAME_MAX, parse_minutes
from coop.models import Membership
from coop.services.people.household import Answer
from coop.web.forms import GuardedForm, WholeNumberField, strip

LOW, HIGH = HOUSEHOLD_SIZE_RANGE


YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def _consent(fact: Fact) -> BooleanField:
    return BooleanField(current_consent(fact).text)


def _children(fact: Fact) -> WholeNumberField:
    return WholeNumberField(
        f"{fact.label} (optional)",
        validators=[Optional()],
        minimum=0,
        maximum=CHILDREN_MAX,
        message=out_of_range(fact, -1),
    )


class HouseholdForm(GuardedForm):
    """What the household tells the co-op about itself: each fact optional, each with its consent.

    The consent boxes' labels are the current consent texts, so what a member
    ticks is exactly the text whose version is stored with the fact.
    """

    postcode = StringField("Postcode (optional)", filters=[strip])
    postcode_consent = _consent(Fact.POSTCODE)
    household_size = WholeNumberField(
        "How many people live in your household? (optional)",
        validators=[Optional()],
        minimum=LOW,
        maximum=HIGH,
        message=f"Enter a number of people from {LOW} to {HIGH}.",
    )
    household_size_consent = _consent(Fact.HOUSEHOLD_SIZE)
    children_under_5 = _children(Fact.CHILDREN_UNDER_5)
    children_under_5_consent = _consent(Fact.CHILDREN_UNDER_5)
    children_under_18 = _children(Fact.CHILDREN_UNDER_18)
    children_under_18_consent = _consent(Fact.CHILDREN_UNDER_18)
    pension_age = RadioField(
        "Is someone in your household of State Pension age? (optional)",
        choices=YES_NO,
        validate_choice=False,
    )
    pension_age_consent = _consent(Fact.PENSION_AGE)
    disability = RadioField(
        "Does someone in your household have a disability? (optional)",
        choices=YES_NO,
        validate_choice=False,
    )
    disability_consent = _consent(Fact.DISABILITY)

    def answers(self) -> dict[Fact, Answer]:
        """Return what was typed and ticked for every fact, as the service takes it."""
        answers = {}
        for fact in Fact:
            value = self[fact.value].data
            if fact.is_yes_no:
                value = {"yes": 1, "no": 0}.get(value or "")
            answers[fact] = Answer(value, consent=bool(self[f"{fact.value}_consent"].data))
        return answers

    @staticmethod
    def held(membership: Membership) -> dict[str, object]:
        """Return the form's starting values: the facts the household has given."""
        data: dict[str, object] = {}
        for row in membership.facts:
            value = row.value
            if row.fact.is_yes_no:
                value = "yes" if value else "no"
            data[row.fact.value] = value
            data[f"{row.fact.value}_consent"] = True
        return data


def _household_id(value: Any) -> int | None:
    """Turn a chosen household into an id; blank or forged gives None, for the service to refuse."""
    return whole_number(str(value)) if value not in (None, "") else None


DAY_HELP = "Enter the day, like 2026-12-03."


class DayField(DateField):
    """A day typed as YYYY-MM-DD (a phone's date picker sends that), with one clear message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(DAY_HELP) from None


class VolunteerForm(GuardedForm):
    """Time spent on one of the co-op's tasks; coordinators also choose whose time it was."""

    household = SelectField("Whose time", coerce=_household_id, validate_choice=False)
    task = SelectField(
        "Task",
        validators=[InputRequired("Choose one of the co-op's tasks.")],
        validate_choice=False,
    )
    worked_on = DayField("Day", validators=[InputRequired(DAY_HELP)], format="%Y-%m-%d")
    time = StringField(
        "Time spent",
        filters=[strip],
        validators=[InputRequired(DURATION_HELP), Length(max=20, message=DURATION_HELP)],
    )

    def validate_time(self, field: StringField) -> None:
        try:
            self.minutes = parse_minutes(field.data or "")
        except ValueError as problem:
            raise ValidationError(str(problem)) from None


class TaskForm(GuardedForm):
    """A task to add to the co-op's list."""

    name = StringField(
        "New task",
        filters=[strip],
        validators=[
            InputRequired("Enter the task's name."),
            Length(max=TASK_NAME_MAX, message=f"Use at most {TASK_NAME_MAX} letters."),
        ],
    )

"""What a household may tell its co-op about itself, and the consent each fact needs.

Every fact is optional and separately consented. They are the categories a
council's Household Support Fund return asks for. The words a member agrees
to are versioned here: a stored fact names the version it was given under,
so a change of wording never silently covers facts given under the old one.

Disability is special-category data (UK GDPR article 9): only council-level
aggregates may ever use it. No coordinator page shows it per household, and
no report breaks it down below council level.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from coop.domain.roles import HOUSEHOLD_SIZE_RANGE

#: The most children a household may say it has in either age band.
CHILDREN_MAX = HOUSEHOLD_SIZE_RANGE[1]


class Fact(StrEnum):
    """One thing a household may tell its co-op."""

    POSTCODE = "postcode"
    HOUSEHOLD_SIZE = "household_size"
    CHILDREN_UNDER_5 = "children_under_5"
    CHILDREN_UNDER_18 = "children_under_18"
    PENSION_AGE = "pension_age"
    DISABILITY = "disability"

    @property
    def label(self) -> str:
        return FACT_LABELS[self]

    @property
    def is_yes_no(self) -> bool:
        return self in (Fact.PENSION_AGE, Fact.DISABILITY)

    @property
    def is_special_category(self) -> bool:
        return self is Fact.DISABILITY

    @property
    def coordinators_see(self) -> bool:
        """Whether the co-op's coordinators see this fact per household."""
        return self is not Fact.DISABILITY


FACT_LABELS = {
    Fact.POSTCODE: "Postcode",
    Fact.HOUSEHOLD_SIZE: "People in the household",
    Fact.CHILDREN_UNDER_5: "Children under 5",
    Fact.CHILDREN_UNDER_18: "Children under 18 (including those under 5)",
    Fact.PENSION_AGE: "Someone of State Pension age",
    Fact.DISABILITY: "Someone with a disability",
}

#: The number of each fact's range, as stored (yes/no facts are 0 or 1).
FACT_RANGES = {
    Fact.HOUSEHOLD_SIZE: HOUSEHOLD_SIZE_RANGE,
    Fact.CHILDREN_UNDER_5: (0, CHILDREN_MAX),
    Fact.CHILDREN_UNDER_18: (0, CHILDREN_MAX),
    Fact.PENSION_AGE: (0, 1),
    Fact.DISABILITY: (0, 1),
}


@dataclass(frozen=True)
class ConsentText:
    """The words a member agrees to before the co-op keeps one fact."""

    fact: Fact
    version: int
    text: str


_COUNCIL = (
    "Councils that support the co-op only ever see counts across many households, "
    "never yours on its own."
)

#: Every version of every consent text, oldest first; the last one is current.
CONSENT_TEXTS: tuple[ConsentText, ...] = (
    ConsentText(
        Fact.POSTCODE,
        1,
        "I agree that the co-op may keep my household's postcode. Only this co-op's "
        "coordinators see it; councils never do. " + _COUNCIL,
    ),
    ConsentText(
        Fact.HOUSEHOLD_SIZE,
        1,
        "I agree that the co-op may keep how many people live in my household, to know how "
        "many people it feeds. " + _COUNCIL,
    ),
    ConsentText(
        Fact.CHILDREN_UNDER_5,
        1,
        "I agree that the co-op may keep how many children under 5 live in my household. "
        + _COUNCIL,
    ),
    ConsentText(
        Fact.CHILDREN_UNDER_18,
        1,
        "I agree that the co-op may keep how many children under 18 live in my household. "
        + _COUNCIL,
    ),
    ConsentText(
        Fact.PENSION_AGE,
        1,
        "I agree that the co-op may keep whether someone in my household is of State Pension "
        "age. " + _COUNCIL,
    ),
    ConsentText(
        Fact.DISABILITY,
        1,
        "I agree that the co-op may keep whether someone in my household has a disability. "
        "This is special category data: coordinators do not see it, and it is only ever "
        "counted across a whole council's households, never for one co-op or area.",
    ),
)


def current_consent(fact: Fact) -> ConsentText:
    """Return the consent text a member agrees to now for *fact*."""
    return [text for text in CONSENT_TEXTS if text.fact is fact][-1]


def consent_text(fact: Fact, version: int) -> ConsentText | None:
    """Return the consent text *version* of *fact*, or None if there never was one."""
    for text in CONSENT_TEXTS:
        if text.fact is fact and text.version == version:
            return text
    return None


def out_of_range(fact: Fact, number: int) -> str | None:
    """Return why *number* cannot be *fact*'s value, or None when it can."""
    low, high = FACT_RANGES[fact]
    if low <= number <= high:
        return None
    if fact.is_yes_no:
        return "Choose yes or no."
    if fact is Fact.HOUSEHOLD_SIZE:
        return f"Enter a number of people from {low} to {high}."
    return f"Enter a number of children from {low} to {high}."


def inconsistency(numbers: dict[Fact, int]) -> tuple[Fact, str] | None:
    """Return the fact whose number contradicts the others, and why, or None.

    Children under 5 are also under 18, and no band holds more people than the
    household, where those facts are given.
    """
    size = numbers.get(Fact.HOUSEHOLD_SIZE)
    under_5 = numbers.get(Fact.CHILDREN_UNDER_5)
    under_18 = numbers.get(Fact.CHILDREN_UNDER_18)
    if under_5 is not None and under_18 is not None and under_5 > under_18:
        return Fact.CHILDREN_UNDER_18, "Count children under 5 among those under 18 too."
    for fact, count in ((Fact.CHILDREN_UNDER_18, under_18), (Fact.CHILDREN_UNDER_5, under_5)):
        if size is not None and count is not None and count > size:
            return fact, "That is more children than people in the household."
    return None

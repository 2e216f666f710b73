"""What a household tells its co-op about itself, each fact kept only with its consent."""

from __future__ import annotations

from dataclasses import dataclass

from coop.domain.household import Fact, current_consent, inconsistency, out_of_range
from coop.extensions import db
from coop.models import HouseholdFact, Membership
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.people.memberships import normalise_postcode

NEEDS_CONSENT = "Tick the box to let the co-op keep this, or leave it empty."


@dataclass(frozen=True)
class Answer:
    """What the household typed for one fact, and whether it ticked that fact's consent."""

    value: str | int | None
    consent: bool


def consent_field(fact: Fact) -> str:
    """Return the name of *fact*'s consent box on the household form."""
    return f"{fact.value}_consent"


def _checked(fact: Fact, answer: Answer, held: HouseholdFact | None) -> str | int | None:
    """Return the value to keep for *fact* (None: keep nothing), or refuse it at its field."""
    given = answer.value.strip() if isinstance(answer.value, str) else answer.value
    if given in (None, ""):
        return None
    if not answer.consent:
        if held is None:
            raise ServiceError(NEEDS_CONSENT, field=consent_field(fact))
        return None  # unticking withdraws consent, whatever is left in the field
    if fact is Fact.POSTCODE:
        return normalise_postcode(str(given))
    if not isinstance(given, int):
        raise ServiceError(out_of_range(fact, -1) or "Enter a whole number.", field=fact.value)
    problem = out_of_range(fact, given)
    if problem:
        raise ServiceError(problem, field=fact.value)
    return given


def update_facts(*, membership: Membership, answers: dict[Fact, Answer]) -> Membership:
    """Keep, change or delete each answered fact of the household, all or nothing.

    A fact is kept only with its consent box ticked; unticking the box deletes
    the fact (withdrawal). A changed value, or a consent text that has moved on
    since it was given, is stored with the current text's version and the time.
    """
    values = {
        fact: _checked(fact, answer, membership.fact(fact)) for fact, answer in answers.items()
    }
    numbers = {
        fact: value
        for fact in Fact
        if isinstance(
            value := values[fact] if fact in values else _held_value(membership, fact), int
        )
    }
    clash = inconsistency(numbers)
    if clash is not None:
        raise ServiceError(clash[1], field=clash[0].value)
    now = utcnow()
    for fact, value in values.items():
        held = membership.fact(fact)
        if value is None:
            if held is not None:
                membership.facts.remove(held)
            continue
        version = current_consent(fact).version
        if held is None:
            held = HouseholdFact(fact=fact)
            membership.facts.append(held)
        elif held.value == value and held.consent_version == version:
            continue
        if fact is Fact.POSTCODE:
            held.postcode = str(value)
        else:
            held.number = int(value)
        held.consent_version = version
        held.consented_at = now
    db.session.flush()
    return membership


def _held_value(membership: Membership, fact: Fact) -> int | str | None:
    held = membership.fact(fact)
    return held.value if held is not None else None


def forget_facts(*, membership: Membership, facts: tuple[Fact, ...] = tuple(Fact)) -> None:
    """Delete the household's *facts* (all of them by default)."""
    for held in [row for row in membership.facts if row.fact in facts]:
        membership.facts.remove(held)
    db.session.flush()


def withdraw_all_facts(*, membership: Membership) -> int:
    """Withdraw consent for every fact the household gave its co-op, deleting them (flushes).

    Open to a household whatever its status: one that has left cannot reach
    the household form any more, but may still take back what it told the
    co-op. Returns how many facts were deleted.
    """
    withdrawn = len(membership.facts)
    membership.facts.clear()
    db.session.flush()
    return withdrawn

"""Forms households fill in about themselves."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import NumberRange, Optional

from coop.services.memberships import HOUSEHOLD_SIZE_RANGE


class HouseholdForm(FlaskForm):
    """How many people the household has, and its postcode if it agrees to share it."""

    household_size = IntegerField(
        "How many people live in your household?",
        validators=[
            Optional(),
            NumberRange(
                *HOUSEHOLD_SIZE_RANGE,
                message="Enter a number of people from %(min)s to %(max)s.",
            ),
        ],
    )
    postcode = StringField("Postcode (optional)", filters=[lambda v: v.strip() if v else v])
    postcode_consent = BooleanField("I agree that the co-op may keep my household's postcode")

"""Finding a co-op by place: its name, its council, its postcode district."""

from __future__ import annotations

import pytest

from coop.domain.places import matches_place, postcode_district


@pytest.mark.parametrize(
    ("address", "district"),
    [
        ("St Teresa's Hall\nCog Lane\nPreston PR1 5XX", "PR1"),
        ("Community Centre, 1 Market Street, pr25 3ab", "PR25"),
        ("Unit 4, EC1A1BB", "EC1A"),
        ("Community Centre, 1 Market Street", None),
    ],
)
def test_the_district_is_the_outward_code_of_the_address_postcode(address, district):
    assert postcode_district(address) == district


FISHWICK = {"name": "Fishwick Food Co-op", "council": "Preston City Council", "district": "PR1"}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("", True),
        ("preston", True),
        ("  Fishwick  ", True),
        ("fishwick preston", True),
        ("PR1", True),
        ("pr1 5xx", True),  # a full postcode looks in its district
        ("PR1 7ZZ", True),
        ("PR", True),  # the postcode area
        ("PR10", False),
        ("PR2 6AB", False),
        ("Lancaster", False),
        ("Cog Lane", False),  # the street of the pickup address is never searched
    ],
)
def test_a_place_matches_the_name_council_or_district(query, found):
    assert matches_place(query, **FISHWICK) is found

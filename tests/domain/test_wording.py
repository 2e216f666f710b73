"""Names put into sentences."""

from __future__ import annotations

import pytest

from coop.domain.wording import possessive


@pytest.mark.parametrize(
    ("name", "owned"),
    [
        ("Sam", "Sam's"),
        ("Goosnargh Lane Growers", "Goosnargh Lane Growers'"),
        ("FISHWICK FOODS", "FISHWICK FOODS'"),
        ("Fishwick Food Co-op", "Fishwick Food Co-op's"),
        ("", ""),
    ],
)
def test_a_name_ending_in_s_takes_only_an_apostrophe(name, owned):
    assert possessive(name) == owned

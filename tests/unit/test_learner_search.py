"""What a learner search asks for, and the keys a learner is found by (cme.identity.learner_search):
pure, no AWS."""

from __future__ import annotations

import pytest

from cme.identity.learner_search import Query, entry


@pytest.mark.parametrize(
    ("q", "kind", "value"),
    [
        ("  Ó Briain ", "name", "obriain"),
        ("o'bri", "name", "obri"),
        ("ŁUKASIEWICZ-mü", "name", "lukasiewiczmu"),
        ("Jose.Nunez@Example.ORG", "email", "jose.nunez@example.org"),
        ("not@an@email", "none", ""),
        ("(480) 555-0142", "number", "4805550142"),
        ("+1 480 555 0142", "number", "14805550142"),
        ("0142", "number", "0142"),
        ("142", "none", ""),
        ("", "none", ""),
        ("--", "none", ""),
    ],
)
def test_what_q_asks_for(q: str, kind: str, value: str) -> None:
    assert Query.parse(q) == Query(kind, value)


def test_ten_digits_are_an_npi_or_a_phone_fewer_only_a_phone() -> None:
    assert len(Query.parse("1234567893").stages()) == 2  # the NPI index, then the phones'
    assert len(Query.parse("555-0142").stages()) == 1
    assert len(Query.parse("moreau").stages()) == 2  # last names, then first names
    assert Query.parse("142").stages() == []


def test_the_keys_a_learner_is_found_by() -> None:
    item = entry("id-1", "Zoë", "Łukasiewicz-Müller", "1234567893", "+14805550142")
    assert (item.first_initial, item.first_key) == ("z", "zoe")
    assert (item.last_initial, item.last_key) == ("l", "lukasiewiczmuller")
    assert item.npi == "1234567893"
    assert (item.phone_tail, item.phone_reversed) == ("0142", "24105550841")


def test_empty_values_are_no_keys() -> None:
    """DynamoDB refuses an empty string as an index key: an empty value is no key at all."""
    item = entry("id-2", "—", "Ng", None, None)
    assert item.first_initial is None and item.first_key is None
    assert item.npi is None and item.phone_tail is None and item.phone_reversed is None
    assert (item.last_initial, item.last_key) == ("n", "ng")

"""Names never carry a web or email address (issue 22 finding 4): the rule on a table of real
names that pass and relay attempts that fail, and the 60-character cut of a name in mail to an
address not yet confirmed."""

from __future__ import annotations

import pytest

from cme.identity.emails import short_name
from cme.platform.errors import InvalidInput
from cme.platform.normalize import check_name_relay, name_relays

REAL = [
    "St. John",
    "J.R.",
    "J. R. R.",
    "Ph.D.",
    "Mary-Kate O’Brien-d'Arc Jr.",
    "O'Brien",
    "Dr. A. Smith",
    "Seán Ó Briain",
    "Łukasiewicz-Müller",
    "Zoë",
    "François",
    "王小明",
    "さくら 山田",
    "김민준",
    "محمد العلي",
    "דוד כהן",
    "अमित शर्मा",
    "Дмитрий Иванов",
    "Αθηνά",
    "Wwwilliams",
    "Comet",
]
RELAY = [
    "me@evil.example",
    "me＠evil",  # fullwidth at sign
    "https://evil.example",
    "hxxp://evil",
    "www.evil",
    "WWW.EVIL",
    "evil.com",
    "evil.example",
    "Okafor evil.COM",
    "evil/x",
    "evil／x",  # fullwidth solidus
    "evil．com",  # fullwidth full stop
    "St.John",  # a dot followed by two letters, as the rule reads
]


@pytest.mark.parametrize("name", REAL)
def test_real_names_pass(name: str) -> None:
    assert not name_relays(name)
    check_name_relay({"first_name": name, "last_name": name})


@pytest.mark.parametrize("name", RELAY)
def test_addresses_and_links_fail(name: str) -> None:
    assert name_relays(name)


def test_the_refusal_names_each_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_name_relay({"first_name": "Imani", "last_name": "see www.evil"})
    assert refused.value.code == "NAME_INVALID"
    assert refused.value.details == [{"field": "last_name", "message": "A name cannot hold a web or email address."}]
    assert refused.value.message == "Names cannot hold web or email addresses. Please check your last name."


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Imani Okafor", "Imani Okafor"),
        ("A" * 60, "A" * 60),
        ("A" * 61, "A" * 60),
        ("Maximiliane-Alexandrina " * 5, "Maximiliane-Alexandrina Maximiliane-Alexandrina"),
        ("王" * 100, "王" * 60),
    ],
)
def test_names_are_cut_at_60_characters(name: str, shown: str) -> None:
    assert short_name(name) == shown
    assert len(short_name(name)) <= 60

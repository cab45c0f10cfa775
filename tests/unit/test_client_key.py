"""What a per-client limit counts (issue 22 finding 5): an IPv6 viewer by its /64, an IPv4
viewer by its address (cme.platform.throttle.client_key)."""

from __future__ import annotations

import pytest

from cme.platform.throttle import client_key


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("198.51.100.10", "198.51.100.10"),
        ("198.51.100.11", "198.51.100.11"),
        ("2001:db8::1", "2001:db8::/64"),
        ("2001:db8::ffff:ffff:ffff:ffff", "2001:db8::/64"),
        ("2001:db8:5:6:1:2:3:4", "2001:db8:5:6::/64"),
        ("2001:DB8:5:6::abcd", "2001:db8:5:6::/64"),
        ("2001:db8:5:7::1", "2001:db8:5:7::/64"),
        ("unknown", "unknown"),
    ],
)
def test_client_key(address: str, key: str) -> None:
    assert client_key(address) == key
